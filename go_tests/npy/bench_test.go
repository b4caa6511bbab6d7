package npy_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/npy"
)

// BenchmarkParseHeader measures header parsing for a growing number of dimensions; bytes are
// header bytes.
func BenchmarkParseHeader(b *testing.B) {
	for _, dims := range []int{0, 2, 32} {
		shape := "(" + strings.Repeat("3, ", dims) + ")"
		file := npyFile(1, "{'descr': '<f4', 'fortran_order': False, 'shape': "+shape+", }", 0)
		b.Run(fmt.Sprintf("dims=%d", dims), func(b *testing.B) {
			b.SetBytes(int64(len(file)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := npy.ParseHeader(file); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
