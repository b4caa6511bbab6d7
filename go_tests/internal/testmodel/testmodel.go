// Package testmodel builds small .safetensors model files for the Go tests of the model-file code
// (go_tests/modelquant, go_tests/jarvisrs_files) and reads back what they wrote.
package testmodel

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/safetensors"
)

// Tensor is one tensor of a test model: its spec and little-endian bytes.
type Tensor struct {
	Spec safetensors.Spec
	Data []byte
}

// F32 makes a float32 tensor of N(0, 0.02)-like values from a fixed seed.
func F32(name string, seed uint64, shape ...int64) Tensor {
	n := 1
	for _, d := range shape {
		n *= int(d)
	}
	r := rand.New(rand.NewPCG(seed, 1))
	data := make([]byte, 4*n)
	for i := range n {
		binary.LittleEndian.PutUint32(data[4*i:], math.Float32bits(float32(r.NormFloat64()*0.02)))
	}
	return Tensor{Spec: safetensors.Spec{Name: name, DType: safetensors.F32, Shape: shape}, Data: data}
}

// Raw makes a tensor of any dtype from its bytes.
func Raw(name string, dt safetensors.DType, data []byte, shape ...int64) Tensor {
	return Tensor{Spec: safetensors.Spec{Name: name, DType: dt, Shape: shape}, Data: data}
}

// Write writes tensors to path with the safetensors package's writer.
func Write(t testing.TB, path string, meta map[string]string, tensors ...Tensor) {
	t.Helper()
	specs := make([]safetensors.Spec, len(tensors))
	for i, x := range tensors {
		specs[i] = x.Spec
	}
	w, err := safetensors.Create(path, specs, meta)
	require.NoError(t, err)
	defer w.Abort()
	for _, x := range tensors {
		require.NoError(t, w.Write(x.Spec.Name, x.Data))
	}
	require.NoError(t, w.Commit())
}

// ReadHeader reads a safetensors file's header with the safetensors package.
func ReadHeader(t testing.TB, path string) *safetensors.Header {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	info, err := f.Stat()
	require.NoError(t, err)
	h, err := safetensors.ReadHeader(f, info.Size())
	require.NoError(t, err)
	return h
}

// ReadTensors reads a safetensors file and returns each tensor's bytes by name.
func ReadTensors(t testing.TB, path string) map[string][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	out := map[string][]byte{}
	for _, x := range ReadHeader(t, path).Tensors {
		out[x.Name] = data[x.Offset : x.Offset+x.Length]
	}
	return out
}

// Prefixed is a safetensors file made of header (JSON, unchecked) and data zero bytes.
func Prefixed(header string, data int) []byte {
	b := make([]byte, 8, 8+len(header)+data)
	binary.LittleEndian.PutUint64(b, uint64(len(header)))
	return append(append(b, header...), make([]byte, data)...)
}

// TempLeftovers lists temporary files (atomicfile's naming) left in dir.
func TempLeftovers(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		if strings.Contains(e.Name(), ".jrx-tmp-") {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out
}

// Mixed writes dir/model.safetensors, a model with one tensor of each kind the quantization
// schemes distinguish: "w" F32 [48, 64], "odd" F32 [6, 33] (last axis not a multiple of 32),
// "bias" F32 [64] (one dimension), "h" F16 [16, 32], "ids" I64 [2, 5], "none" F32 [0, 32]; its
// __metadata__ is {"format": "pt"}. It returns the path.
func Mixed(t testing.TB, dir string) string {
	t.Helper()
	half := make([]byte, 2*16*32)
	for i := 0; i < len(half); i += 2 {
		binary.LittleEndian.PutUint16(half[i:], 0x3c00) // 1.0
	}
	path := filepath.Join(dir, "model.safetensors")
	Write(t, path, map[string]string{"format": "pt"},
		F32("w", 1, 48, 64),
		F32("odd", 2, 6, 33),
		F32("bias", 3, 64),
		Raw("h", safetensors.F16, half, 16, 32),
		Raw("ids", safetensors.I64, make([]byte, 8*10), 2, 5),
		Raw("none", safetensors.F32, nil, 0, 32),
	)
	return path
}
