package kernels_test

import (
	"runtime"
	"testing"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/kernels"
)

// TestSIMDOnArm64 guards the arm64 comparisons: every arm64 CPU has NEON, so unless the build
// asks for pure Go, the SIMD path must be on there; otherwise each "scalar versus SIMD" test
// would compare the scalar code with itself and pass without checking a NEON kernel.
func TestSIMDOnArm64(t *testing.T) {
	if runtime.GOARCH != "arm64" {
		t.Skipf("on %s the SIMD path depends on the CPU", runtime.GOARCH)
	}
	if got := kernels.SIMDAvailable(); got == puregoBuild {
		t.Fatalf("SIMDAvailable() = %v with purego = %v on arm64", got, puregoBuild)
	}
}
