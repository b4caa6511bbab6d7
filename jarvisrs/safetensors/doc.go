// Package safetensors reads and writes the safetensors tensor file format without ever reading
// tensor data: readers validate the header and report where each tensor lives, so the caller can
// memory-map the file and view the bytes in place.
//
// The format is an 8-byte little-endian header length N, N bytes of UTF-8 JSON describing the
// tensors, then the data section. Validation matches the reference implementation (the Rust
// `safetensors` crate behind the Python package) and is stricter where the reference is lax:
// duplicate JSON keys, which the reference silently resolves, are rejected here.
//
// Nothing in this package knows about Python, numpy or memory maps.
package safetensors
