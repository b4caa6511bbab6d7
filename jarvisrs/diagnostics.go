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
