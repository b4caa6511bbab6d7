// Package kernels holds the single-threaded hot loops behind quantization and float16
// conversion: float32 to float16 and back, finiteness and range scans, the INT8/INT4
// quantization formulas and llama.cpp's GGUF Q8_0/Q4_0 blocks, each over contiguous slices.
//
// Every kernel is defined by a scalar float32 formula and is bit-exact to it on every input,
// NaN and infinities included, whichever implementation runs. (The GGUF encoders are the one
// exception: they report a non-finite input instead of defining its blocks.) On amd64 with
// AVX2 and F16C, and on every arm64 CPU (NEON is part of ARMv8-A), the kernels use assembly;
// elsewhere, with the purego build tag, or after UseSIMD(false), they run the scalar Go code.
// Results never depend on how a caller splits a slice into chunks, so callers may parallelise
// by running kernels on disjoint sub-slices in separate goroutines.
//
// The arm64 kernels are checked bit for bit against the scalar code under qemu-user (the same
// golden files, fuzz seeds and path comparisons as on amd64), but their speed has not been
// measured: emulation says nothing about it. What can be stated is their work: instructions in
// the main loop (loads, stores and loop control included) per 64 bytes of input, against the
// AVX2 kernel's. NEON vectors hold 16 bytes where AVX2's hold 32, so counts near 2x mean the
// same work per vector; how many vector instructions a core retires per cycle differs by CPU.
//
//	kernel                                   NEON   AVX2
//	F32ToF16 (float32 in)                      28   15.5
//	F16ToF32 (float16 in)                      44     34
//	FirstNonFinite                             19    9.5
//	AbsMax                                     12      7
//	MinMax (finite input)                      24     17
//	AffineInt8, SymInt8, ZeroPointInt8         36     33
//	SymInt8Columns / ZeroPointInt8Columns   50/62  44/48
//	MinMaxColumns                              56     36
//	AbsMaxColumns                              24     18
//	DequantInt8 (int8 codes in)                92     50
//	DequantInt8Columns (no zps / zps)     112/160  72/88
//	DequantInt4 (packed bytes in)             232    212
//	EncodeQ8_0                                 29   28.5
//	EncodeQ4_0                               50.5     40
//	DecodeQ8_0 (block bytes in)                70     43
//	DecodeQ4_0 (block bytes in)               146    114

// Kernels allocate nothing, keep no reference to their arguments after returning, and are safe
// for concurrent use on disjoint destinations. A destination must not share memory with its
// source (the vector code may write an element twice, and reads ahead of what it writes). Length preconditions (for example a destination
// shorter than its source) are programming errors and panic, like an out-of-range slice index;
// values in the slices are never a reason to panic.
package kernels
