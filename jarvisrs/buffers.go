package jarvisrs

import (
	"math"
	"runtime/debug"
	"unsafe"
)

// This is the one file that turns addresses received from Python into Go slices.
//
// Contract with the facade: addr points to n elements that Python owns and keeps alive (and
// unresizable, by holding a buffer export) for the whole call. Go reads or writes them during the
// call only: no slice made here may be retained, stored in a Go object, or handed to a goroutine
// that outlives the call. Nothing Go allocates is ever stored into this memory except plain data.
//
// The address is reinterpreted through pointerAt instead of a plain unsafe.Pointer(addr)
// conversion, which `go vet` rightly distrusts for Go memory; this memory is not Go's (the garbage
// collector neither moves nor frees it), so the reinterpretation is sound.

// Every view turns on debug.SetPanicOnFault for the calling goroutine (see faults.go): the memory
// may be a mapped file that shrank, and a fault must come back as an error, not abort Python. The
// mode stays on for the goroutine; every exported function recovers panics, so it changes nothing
// else.

// pointerAt reinterprets a Python-owned address as a pointer.
func pointerAt(addr uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&addr)) }

// maxElems bounds n so a wild length from Python cannot make a slice header past the address space.
const maxElems = math.MaxInt32 * 64

// checkBuf validates an address/length pair before it becomes a slice.
func checkBuf(addr uintptr, n int, what string) error {
	if n < 0 || n > maxElems {
		return valueErrorf("%s: invalid length %d", what, n)
	}
	if n > 0 && addr == 0 {
		return valueErrorf("%s: null address with length %d", what, n)
	}
	return nil
}

// bytesAt views n bytes at addr. n == 0 gives an empty, non-nil-safe slice.
func bytesAt(addr uintptr, n int) []byte {
	debug.SetPanicOnFault(true)
	if n == 0 {
		return []byte{}
	}
	return unsafe.Slice((*byte)(pointerAt(addr)), n)
}

// int8sAt views n int8 values at addr.
func int8sAt(addr uintptr, n int) []int8 {
	debug.SetPanicOnFault(true)
	if n == 0 {
		return []int8{}
	}
	return unsafe.Slice((*int8)(pointerAt(addr)), n)
}

// uint16sAt views n uint16 values at addr (addr must be 2-byte aligned, as numpy guarantees).
func uint16sAt(addr uintptr, n int) []uint16 {
	debug.SetPanicOnFault(true)
	if n == 0 {
		return []uint16{}
	}
	return unsafe.Slice((*uint16)(pointerAt(addr)), n)
}

// float32sAt views n float32 values at addr (addr must be 4-byte aligned).
func float32sAt(addr uintptr, n int) []float32 {
	debug.SetPanicOnFault(true)
	if n == 0 {
		return []float32{}
	}
	return unsafe.Slice((*float32)(pointerAt(addr)), n)
}

// float64sAt views n float64 values at addr (addr must be 8-byte aligned).
func float64sAt(addr uintptr, n int) []float64 {
	debug.SetPanicOnFault(true)
	if n == 0 {
		return []float64{}
	}
	return unsafe.Slice((*float64)(pointerAt(addr)), n)
}

// alignedTo reports whether addr is a multiple of size, for typed views.
func alignedTo(addr uintptr, size uintptr) bool { return addr%size == 0 }
