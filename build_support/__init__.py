"""Build-time helpers: turn the Go package ``jarvisrs`` into the private extension ``_jarvisrs``."""
