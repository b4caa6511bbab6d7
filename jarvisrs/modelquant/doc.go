// Package modelquant quantizes a whole .safetensors model file, tensor by tensor, from a memory
// map, into a new .safetensors file written atomically. It knows nothing of Python: the binding
// layer (jarvisrs) wraps Quantize in a Job and codes its errors for the facade.
//
// Memory: a tensor is read in chunks of chunkElems values straight from the map (float32 data in
// place; other float types through one chunk-sized float32 buffer), quantized into a Go buffer
// the size of its output, and written to the output file; then the pages of the map it occupied
// are dropped from this process (MADV_DONTNEED: they stay in the page cache, but no longer count
// in our RSS). Peak memory is about the largest output tensor plus one chunk, never the input.
package modelquant
