// Package quant implements the quantization formats of jarvis_rust_extensions on top of the
// single-threaded loops in jarvisrs/kernels: the original extension's INT8 formula, symmetric
// and asymmetric INT8 per tensor or per channel, INT4 in groups with nibble packing, float16,
// their dequantization, and llama.cpp's GGUF block formats Q8_0 and Q4_0 (bit-exact with the
// gguf Python package's numpy quantizer).
//
// Every entry point writes into slices the caller provides (the lead passes numpy memory) and
// allocates nothing proportional to the input. Inputs longer than ChunkLen elements are split
// into fixed chunks of ChunkLen elements spread over runtime.GOMAXPROCS(0) goroutines; smaller
// inputs run on the caller's goroutine. The chunking never depends on the number of cores and
// every reduction (minimum, maximum, largest magnitude, first bad index) is exact, so results
// are identical whatever GOMAXPROCS is.
//
// Arithmetic is float32 throughout, as the formulas are defined; round means round half away
// from zero of the float32 quotient. Inputs holding NaN or ±Inf are refused with a
// *NonFiniteError naming the first bad index (FP16, which converts them as numpy does, is the
// exception). On error the destination slices may have been partly written.
//
// Per-channel entry points view a C-contiguous tensor as [outer][channels][inner]: channel c of
// a tensor of shape s along axis a has outer = s[0]*...*s[a-1], channels = s[a] and inner =
// s[a+1]*...; a per-tensor call is outer = 1, channels = 1, inner = n.
//
// All functions are safe for concurrent use as long as concurrent calls do not share
// destination slices. No function retains a slice after it returns.
package quant
