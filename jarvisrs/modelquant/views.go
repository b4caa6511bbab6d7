package modelquant

import "unsafe"

// Typed views of byte slices for the model pipeline: tensor data in a memory map and the Go
// buffers it is quantized into are bytes to the file formats and typed values to the quantizers.
// The views share memory with their argument (nothing is copied) and are only made when the
// address is aligned for the type (see aligned), so each element is read or written natively.
// The host is little-endian (amd64, arm64), as safetensors data is.

// aligned reports whether b starts at a multiple of size bytes.
func aligned(b []byte, size uintptr) bool {
	return len(b) == 0 || uintptr(unsafe.Pointer(unsafe.SliceData(b)))%size == 0
}

// float32View views b (4-byte aligned, len a multiple of 4) as float32 values.
func float32View(b []byte) []float32 {
	if len(b) < 4 {
		return []float32{}
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/4)
}

// uint16View views b (2-byte aligned) as uint16 values.
func uint16View(b []byte) []uint16 {
	if len(b) < 2 {
		return []uint16{}
	}
	return unsafe.Slice((*uint16)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/2)
}

// int8View views b as int8 values.
func int8View(b []byte) []int8 {
	if len(b) == 0 {
		return []int8{}
	}
	return unsafe.Slice((*int8)(unsafe.Pointer(unsafe.SliceData(b))), len(b))
}

// float32Bytes views f as its bytes (for writing scales to a file).
func float32Bytes(f []float32) []byte {
	if len(f) == 0 {
		return []byte{}
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(f))), 4*len(f))
}
