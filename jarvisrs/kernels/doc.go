// Package kernels holds the single-threaded hot loops behind quantization and float16
// conversion: float32 to float16 and back, finiteness and range scans, the INT8/INT4
// quantization formulas and llama.cpp's GGUF Q8_0/Q4_0 blocks, each over contiguous slices.
//
// Every kernel is defined by a scalar float32 formula and is bit-exact to it on every input,
// NaN and infinities included, whichever implementation runs. (The GGUF encoders are the one
// exception: they report a non-finite input instead of defining its blocks.) On amd64 with
// AVX2 and F16C the kernels use assembly; elsewhere, or after UseSIMD(false), they run the
// scalar Go code. Results never depend on how a caller splits a slice into chunks, so callers
// may parallelise by running kernels on disjoint sub-slices in separate goroutines.
//
// Kernels allocate nothing, keep no reference to their arguments after returning, and are safe
// for concurrent use on disjoint destinations. A destination must not share memory with its
// source (the vector code may write an element twice, and reads ahead of what it writes). Length preconditions (for example a destination
// shorter than its source) are programming errors and panic, like an out-of-range slice index;
// values in the slices are never a reason to panic.
package kernels
