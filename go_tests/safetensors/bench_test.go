package safetensors_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/safetensors"
)

// modelSpecs describes n tensors named like a transformer's, each a small F32 matrix.
func modelSpecs(n int) []safetensors.Spec {
	specs := make([]safetensors.Spec, n)
	for i := range specs {
		specs[i] = safetensors.Spec{Name: fmt.Sprintf("model.layers.%d.self_attn.q_proj.weight", i), DType: safetensors.F32, Shape: []int64{4, 8}}
	}
	return specs
}

// headerFor writes a file for specs and returns its header bytes and data size.
func headerFor(b *testing.B, specs []safetensors.Spec) ([]byte, int64) {
	b.Helper()
	dest := filepath.Join(b.TempDir(), "h.safetensors")
	w, err := safetensors.Create(dest, specs, map[string]string{"format": "pt"})
	require.NoError(b, err)
	for _, s := range specs {
		require.NoError(b, w.Write(s.Name, make([]byte, 4*8*4)))
	}
	require.NoError(b, w.Commit())
	raw, err := os.ReadFile(dest)
	require.NoError(b, err)
	h, err := safetensors.ReadHeader(bytes.NewReader(raw), int64(len(raw)))
	require.NoError(b, err)
	return raw[8:h.DataStart], int64(len(raw)) - h.DataStart
}

// BenchmarkParse measures header validation; bytes are header bytes.
func BenchmarkParse(b *testing.B) {
	for _, n := range []int{1, 100, 10_000} {
		header, dataSize := headerFor(b, modelSpecs(n))
		b.Run(fmt.Sprintf("tensors=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(header)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := safetensors.Parse(header, dataSize); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkWriter measures a whole Create, Write, Commit cycle (fsync and rename included) of one
// tensor; bytes are tensor bytes.
func BenchmarkWriter(b *testing.B) {
	for _, size := range []int{64 << 10, 4 << 20, 32 << 20} {
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(i)
		}
		specs := []safetensors.Spec{{Name: "w", DType: safetensors.U8, Shape: []int64{int64(size)}}}
		dest := filepath.Join(b.TempDir(), "w.safetensors")
		b.Run(fmt.Sprintf("bytes=%d", size), func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				w, err := safetensors.Create(dest, specs, nil)
				if err != nil {
					b.Fatal(err)
				}
				if err := w.Write("w", data); err != nil {
					b.Fatal(err)
				}
				if err := w.Commit(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
