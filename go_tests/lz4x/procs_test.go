package lz4x_test

import (
	"runtime"
	"testing"
)

// withProcs runs fn with GOMAXPROCS set to n. Tests that use it must not run in parallel.
func withProcs(t *testing.T, n int, fn func()) {
	t.Helper()
	old := runtime.GOMAXPROCS(n)
	defer runtime.GOMAXPROCS(old)
	fn()
}
