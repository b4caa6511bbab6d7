// Package jarvisrs is the API that gopy binds into the private CPython extension _jarvisrs. The
// Python package jarvis_rust_extensions wraps it; nothing else should call it.
//
// The surface is deliberately gopy-friendly: plain ints, floats, strings and bools, two struct
// types (RustMemoryMonitor and RustModelLoader) and a byte-blob handle. Bulk data never crosses
// element by element: Python passes the address and length of memory it owns (bytes, bytearray,
// numpy) and Go reads or fills it during the call, keeping no pointer afterwards (see buffers.go).
//
// No exported function returns a bare error: gopy v0.5.0 hands such a function's result to C
// as a C string that its wrapper never frees (32 bytes leaked per call, even on success). Functions
// that only succeed or fail return (status int, err error) instead, status always 0; the test
// go_tests/surface checks this rule for every exported function.
//
// Paths arrive absolute, in the wire form decodePath reads (paths.go), so non-UTF-8 names work.
//
// Errors cross as Go errors, which gopy raises as RuntimeError. Each one starts with a stable code
// ("[jrx:value] ...", see errors.go) that the facade maps to the documented Python exception type.
// Every exported function recovers from panics, so a Go bug surfaces as an exception instead of
// aborting the interpreter.
//
// The work itself is done by the pure-Go packages below this one (memstat, lz4x, quant, kernels,
// safetensors, npy, cache, mapping, atomicfile, modelquant), which know nothing of Python.
package jarvisrs
