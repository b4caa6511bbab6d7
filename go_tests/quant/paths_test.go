package quant_test

import (
	"testing"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/kernels"
)

// onBothPaths runs f as the subtests "scalar" and "simd": with jarvisrs/kernels' assembly
// switched off, then on (where the CPU has it; otherwise both are the scalar path). Every
// test of this package goes through it, so the golden vectors, references and error cases
// hold for both implementations. The switch is package-wide: no test here runs in parallel.
func onBothPaths(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	for _, p := range []struct {
		name string
		simd bool
	}{{"scalar", false}, {"simd", true}} {
		t.Run(p.name, func(t *testing.T) {
			prev := kernels.UseSIMD(p.simd)
			defer kernels.UseSIMD(prev)
			f(t)
		})
	}
}

// eachPath runs f once per path inside a fuzz body, where subtests are not allowed.
func eachPath(f func()) {
	for _, simd := range []bool{false, true} {
		prev := kernels.UseSIMD(simd)
		f()
		kernels.UseSIMD(prev)
	}
}
