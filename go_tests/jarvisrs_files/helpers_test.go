package jarvisrs_files_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/go_tests/internal/testmodel"
	"github.com/jarvis/jarvis_rust_extensions/jarvisrs"
	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/safetensors"
)

// tensor is one tensor of a test model: its spec and little-endian bytes.
type tensor struct {
	spec safetensors.Spec
	data []byte
}

// f32Tensor makes a float32 tensor of N(0, 0.02)-like values from a fixed seed (testmodel.F32).
func f32Tensor(name string, seed uint64, shape ...int64) tensor {
	x := testmodel.F32(name, seed, shape...)
	return tensor{spec: x.Spec, data: x.Data}
}

// rawTensor makes a tensor of any dtype from its bytes.
func rawTensor(name string, dt safetensors.DType, data []byte, shape ...int64) tensor {
	return tensor{spec: safetensors.Spec{Name: name, DType: dt, Shape: shape}, data: data}
}

// writeModel writes tensors to path (testmodel.Write).
func writeModel(t testing.TB, path string, meta map[string]string, tensors ...tensor) {
	t.Helper()
	all := make([]testmodel.Tensor, len(tensors))
	for i, x := range tensors {
		all[i] = testmodel.Tensor{Spec: x.spec, Data: x.data}
	}
	testmodel.Write(t, path, meta, all...)
}

// testModel writes a model with one tensor of each kind the schemes distinguish (testmodel.Mixed).
func testModel(t testing.TB, dir string) string {
	t.Helper()
	return testmodel.Mixed(t, dir)
}

// readHeader reads a safetensors file's header with the safetensors package.
func readHeader(t testing.TB, path string) *safetensors.Header {
	t.Helper()
	return testmodel.ReadHeader(t, path)
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
	return testmodel.TempLeftovers(t, dir)
}

// requireCode checks that err carries the facade error code (e.g. "value", "os:2").
func requireCode(t testing.TB, err error, code string) {
	t.Helper()
	require.Error(t, err)
	require.True(t, strings.HasPrefix(err.Error(), "[jrx:"+code+"]"), "want code %s, got %v", code, err)
}
