package kernels

import "sync/atomic"

// simdOn is read by every kernel call, so it is atomic: tests flip it while other goroutines
// of the same test binary may be running kernels.
var simdOn atomic.Bool

func init() { simdOn.Store(hasSIMD) }

// UseSIMD turns the assembly paths on or off and returns the previous setting. It exists for
// tests and benchmarks that compare the two paths; production code never needs it. Turning it
// on has no effect on a CPU or architecture without the SIMD paths. Safe for concurrent use,
// but a kernel call already running keeps the path it started with.
func UseSIMD(on bool) (previous bool) {
	return simdOn.Swap(on && hasSIMD)
}

// SIMDAvailable reports whether this CPU and build have the assembly paths (amd64 with AVX2
// and F16C, or any arm64, without the purego build tag). Safe for concurrent use.
func SIMDAvailable() bool { return hasSIMD }

func useSIMD() bool { return simdOn.Load() }
