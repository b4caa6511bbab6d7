package jarvisrs_files_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs"
)

// BenchmarkQuantizeModelFile measures whole-file quantization (map, convert, quantize, write,
// rename) per scheme over model sizes; bytes are the source's tensor data.
func BenchmarkQuantizeModelFile(b *testing.B) {
	for _, mib := range []int{4, 64} {
		dir := b.TempDir()
		src := filepath.Join(dir, "m.safetensors")
		var tensors []tensor
		for i := range mib / 4 {
			tensors = append(tensors, f32Tensor(fmt.Sprintf("layer.%d.weight", i), uint64(i), 1024, 1024))
		}
		writeModel(b, src, nil, tensors...)
		for _, scheme := range []string{"int8", "int4", "fp16", "q8_0", "q4_0"} {
			b.Run(fmt.Sprintf("%s/%dMiB", scheme, mib), func(b *testing.B) {
				b.SetBytes(int64(mib) << 20)
				b.ReportAllocs()
				dst := filepath.Join(dir, "q.safetensors")
				for b.Loop() {
					j, err := jarvisrs.QuantizeModelFileJob(src, dst, scheme)
					require.NoError(b, err)
					j.Run()
					for !j.Wait(1000) {
					}
					_, err = j.Result()
					require.NoError(b, err)
				}
				os.Remove(dst)
			})
		}
	}
}

// BenchmarkSafetensorsHeader measures mapping a model and reading its header as JSON (what
// load_safetensors costs before numpy builds its views), by tensor count.
func BenchmarkSafetensorsHeader(b *testing.B) {
	for _, n := range []int{10, 1000} {
		dir := b.TempDir()
		path := filepath.Join(dir, "m.safetensors")
		var tensors []tensor
		for i := range n {
			tensors = append(tensors, f32Tensor(fmt.Sprintf("model.layers.%d.weight", i), uint64(i), 4, 8))
		}
		writeModel(b, path, nil, tensors...)
		b.Run(fmt.Sprintf("%dtensors", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				m, err := jarvisrs.MapFile(path)
				require.NoError(b, err)
				_, err = m.SafetensorsHeader()
				require.NoError(b, err)
				m.Close()
			}
		})
	}
}
