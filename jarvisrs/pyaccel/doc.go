// Package pyaccel holds the extension's CPython fast paths: C functions that Python calls directly,
// with the GIL held and without gopy's wrapper (about 30 ns a call instead of 400 ns): the memory
// monitor's cache and ML accounting (stats_cache.c), and a reader of Python lists of numbers into
// float32 buffers (float_reader.c). install.c hands them to Python; layout.c finds the few object
// fields read directly; args.c converts arguments.
//
// The C code calls the CPython C API, declared in cpython_api.h (no Python headers needed); its
// symbols resolve from the host interpreter when the extension is loaded (on macOS the link needs
// -undefined dynamic_lookup, which gopy's -dynamic-link=true build already uses). It is compiled
// only with the build tag jarvis_cpython (and cgo), which build_support/gopy_build.py passes to
// gopy; `go vet`, `go test` and CGO_ENABLED=0 builds get install_stub.go instead, and Python then
// falls back to pure-Python implementations of the same calls.
package pyaccel
