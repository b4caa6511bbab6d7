package jarvisrs

import (
	"runtime"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/kernels"
	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/lz4x"
)

// GoHeapBytes runs two full garbage collections and returns the bytes of live Go heap objects. It
// exists for leak tests, which compare it before and after many calls; it is slow (full GCs) and
// not meant for anything else. Two, because an object returned to a sync.Pool (an LZ4 HC encoder,
// for instance) survives one collection in the pool's victim cache and would count as live or not
// depending on where the last collection fell; after the second the pools are empty.
func GoHeapBytes() int {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int(ms.HeapAlloc)
}

// DiagnosticPanic panics with message inside an exported function, to prove (in tests) that the
// panic comes back to Python as an exception instead of aborting the interpreter. Never useful
// otherwise.
func DiagnosticPanic(message string) (status int, err error) {
	defer recoverPanic(&err)
	panic(message)
}

// SetWorkerPanicForTests sets lz4x.WorkerPanicForTests (0 nothing, 1 the next work on every lz4x
// helper goroutine panics, 2 the output stage of compress_file/decompress_file panics) and returns
// the previous value. It exists for tests, which prove that a panic on a goroutine this package
// starts comes back to Python as a RuntimeError; never useful otherwise.
func SetWorkerPanicForTests(kind int) (previous int, err error) {
	defer recoverPanic(&err)
	if kind < lz4x.InjectNothing || kind > lz4x.InjectDrainPanic {
		return 0, valueErrorf("kind must be 0, 1 or 2, got %d", kind)
	}
	return int(lz4x.WorkerPanicForTests.Swap(int32(kind))), nil
}

// SIMDKernels reports whether the quantization kernels use their AVX2/F16C assembly paths in this
// process (false on other CPUs, with -tags purego, or when GODEBUG=cpu.avx2=off was set before the
// interpreter started). It exists so tests and CI can prove which path they exercised.
func SIMDKernels() bool { return kernels.SIMDAvailable() }
