package modelquant_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/go_tests/internal/testmodel"
	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/modelquant"
)

// BenchmarkQuantize measures whole-file quantization (map, convert, quantize, write, rename) per
// scheme over model sizes; bytes are the source's tensor data.
func BenchmarkQuantize(b *testing.B) {
	for _, mib := range []int{4, 64} {
		dir := b.TempDir()
		src := filepath.Join(dir, "m.safetensors")
		var tensors []testmodel.Tensor
		for i := range mib / 4 {
			tensors = append(tensors, testmodel.F32(fmt.Sprintf("layer.%d.weight", i), uint64(i), 1024, 1024))
		}
		testmodel.Write(b, src, nil, tensors...)
		for _, scheme := range []string{"int8", "int4", "fp16", "q8_0", "q4_0"} {
			b.Run(fmt.Sprintf("%s/%dMiB", scheme, mib), func(b *testing.B) {
				b.SetBytes(int64(mib) << 20)
				b.ReportAllocs()
				dst := filepath.Join(dir, "q.safetensors")
				for b.Loop() {
					_, err := modelquant.Quantize(context.Background(), src, dst, scheme, nil, nil)
					require.NoError(b, err)
				}
				os.Remove(dst)
			})
		}
	}
}
