package jarvisrs_files_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs"
)

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
