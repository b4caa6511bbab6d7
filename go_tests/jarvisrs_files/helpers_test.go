package jarvisrs_files_test

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs"
	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/safetensors"
)

// tensor is one tensor of a test model: its spec and little-endian bytes.
type tensor struct {
	spec safetensors.Spec
	data []byte
}

// f32Tensor makes a float32 tensor of N(0, 0.02)-like values from a fixed seed.
func f32Tensor(name string, seed uint64, shape ...int64) tensor {
	n := 1
	for _, d := range shape {
		n *= int(d)
	}
	r := rand.New(rand.NewPCG(seed, 1))
	data := make([]byte, 4*n)
	for i := range n {
		binary.LittleEndian.PutUint32(data[4*i:], math.Float32bits(float32(r.NormFloat64()*0.02)))
	}
	return tensor{spec: safetensors.Spec{Name: name, DType: safetensors.F32, Shape: shape}, data: data}
}

// rawTensor makes a tensor of any dtype from its bytes.
func rawTensor(name string, dt safetensors.DType, data []byte, shape ...int64) tensor {
	return tensor{spec: safetensors.Spec{Name: name, DType: dt, Shape: shape}, data: data}
}

// writeModel writes tensors to path with the safetensors package's writer.
func writeModel(t testing.TB, path string, meta map[string]string, tensors ...tensor) {
	t.Helper()
	specs := make([]safetensors.Spec, len(tensors))
	for i, x := range tensors {
		specs[i] = x.spec
	}
	w, err := safetensors.Create(path, specs, meta)
	require.NoError(t, err)
	defer w.Abort()
	for _, x := range tensors {
		require.NoError(t, w.Write(x.spec.Name, x.data))
	}
	require.NoError(t, w.Commit())
}

// readHeader reads a safetensors file's header with the safetensors package.
func readHeader(t testing.TB, path string) *safetensors.Header {
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

// runJob runs a job, waits for it and decodes its JSON result into v.
func runJob(t testing.TB, j *jarvisrs.Job, startErr error, v any) error {
	t.Helper()
	require.NoError(t, startErr)
	j.Run()
	for !j.Wait(1000) {
	}
	out, err := j.Result()
	if err != nil {
		return err
	}
	require.NoError(t, json.Unmarshal([]byte(out), v))
	return nil
}

// tempLeftovers lists temporary files (atomicfile's naming) left in dir.
func tempLeftovers(t testing.TB, dir string) []string {
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

// requireCode checks that err carries the facade error code (e.g. "value", "os:2").
func requireCode(t testing.TB, err error, code string) {
	t.Helper()
	require.Error(t, err)
	require.True(t, strings.HasPrefix(err.Error(), "[jrx:"+code+"]"), "want code %s, got %v", code, err)
}
