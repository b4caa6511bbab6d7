//go:build !(jarvis_cpython && cgo)

package pyaccel

// Built reports whether this build contains the C fast paths: not this one (built without the
// jarvis_cpython tag or without cgo).
const Built = false

// Install does nothing in a build without the fast paths; Python keeps its pure-Python fallbacks.
func Install(namespace uintptr) error { return nil }
