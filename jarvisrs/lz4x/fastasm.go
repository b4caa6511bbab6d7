package lz4x

import "sync/atomic"

// asmOn selects the assembly loops (fastLoopAsm over fastLoop, xxhStripesAsm and
// xxhStripesCopyAsm over xxh32's Go loops). It is atomic because tests flip it while other
// goroutines of the same test binary may be compressing.
var asmOn atomic.Bool

func init() { asmOn.Store(haveAsm) }

// UseAssembly turns the assembly loops (the fast compressor's and xxHash32's) on or off and
// returns the previous setting. It exists for tests and benchmarks that compare them with the
// pure-Go loops they mirror (the output is the same byte for byte); production code never needs
// it. Turning it on has no effect on
// architectures without it or in builds with the purego tag. Safe for concurrent use; a block
// already being compressed keeps the path it started with.
func UseAssembly(on bool) (previous bool) {
	return asmOn.Swap(on && haveAsm)
}

// AssemblyAvailable reports whether this build has the assembly loops (amd64 without the purego
// tag). Safe for concurrent use.
func AssemblyAvailable() bool { return haveAsm }
