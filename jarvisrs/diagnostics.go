package jarvisrs

import "runtime"

// GoHeapBytes runs a full garbage collection and returns the bytes of live Go heap objects. It
// exists for leak tests, which compare it before and after many calls; it is slow (a full GC) and
// not meant for anything else.
func GoHeapBytes() int {
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
