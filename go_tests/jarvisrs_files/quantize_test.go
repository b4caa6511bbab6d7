package jarvisrs_files_test

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs"
)

type quantizeResult struct {
	Scheme    string `json:"scheme"`
	Tensors   int    `json:"tensors"`
	Quantized int    `json:"quantized"`
	Copied    int    `json:"copied"`
	BytesIn   int64  `json:"bytes_in"`
	BytesOut  int64  `json:"bytes_out"`
}

// The pipeline itself (schemes, chunking, alignment) is tested in go_tests/modelquant; these
// tests cover the binding: the job around it and the codes of its errors.

func TestQuantizeModelFileErrors(t *testing.T) {
	dir := t.TempDir()
	src := testModel(t, dir)
	_, err := jarvisrs.QuantizeModelFileJob(src, filepath.Join(dir, "o"), "int3")
	requireCode(t, err, "value")
	_, err = jarvisrs.QuantizeModelFileJob(filepath.Join(dir, "missing"), filepath.Join(dir, "o"), "int8")
	requireCode(t, err, "os:2")

	nan := filepath.Join(dir, "nan.safetensors")
	bad := f32Tensor("w", 1, 4, 32)
	binary.LittleEndian.PutUint32(bad.data[4*70:], math.Float32bits(float32(math.NaN())))
	writeModel(t, nan, nil, bad)
	dst := filepath.Join(dir, "keep.safetensors")
	require.NoError(t, os.WriteFile(dst, []byte("keep"), 0o644))
	var res quantizeResult
	for _, scheme := range []string{"int8", "int4", "q8_0", "q4_0"} {
		j, err := jarvisrs.QuantizeModelFileJob(nan, dst, scheme)
		err = runJob(t, j, err, &res)
		requireCode(t, err, "value")
		require.Contains(t, err.Error(), "index 70")
	}
	got, err := os.ReadFile(dst)
	require.NoError(t, err)
	require.Equal(t, "keep", string(got))
	require.Empty(t, tempLeftovers(t, dir))

	// Already quantized models are refused.
	q := filepath.Join(dir, "q.safetensors")
	j, err := jarvisrs.QuantizeModelFileJob(src, q, "int8")
	require.NoError(t, runJob(t, j, err, &res))
	j, err = jarvisrs.QuantizeModelFileJob(q, filepath.Join(dir, "qq"), "int4")
	requireCode(t, runJob(t, j, err, &res), "value")
}

func TestQuantizeModelFileCancel(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "big.safetensors")
	var tensors []tensor
	for i := range 16 {
		tensors = append(tensors, f32Tensor("w"+string(rune('a'+i)), uint64(i), 1024, 1024))
	}
	writeModel(t, src, nil, tensors...)
	dst := filepath.Join(dir, "q.safetensors")
	j, err := jarvisrs.QuantizeModelFileJob(src, dst, "int4")
	require.NoError(t, err)
	require.False(t, j.Wait(10), "a job does nothing until Run")
	require.NoFileExists(t, dst)
	require.Empty(t, tempLeftovers(t, dir))
	j.Run()
	_, err = j.Result()
	requireCode(t, err, "value") // still running
	require.True(t, j.Cancel())
	for !j.Wait(1000) {
	}
	_, err = j.Result()
	require.ErrorContains(t, err, "cancelled")
	require.NoFileExists(t, dst)
	require.Empty(t, tempLeftovers(t, dir))
	require.False(t, j.Cancel(), "a finished job is not running")

	// Cancelled before Run: the work sees the cancellation at once and leaves nothing behind.
	j, err = jarvisrs.QuantizeModelFileJob(src, dst, "int8")
	require.NoError(t, err)
	j.Cancel()
	j.Run()
	for !j.Wait(1000) {
	}
	_, err = j.Result()
	require.ErrorContains(t, err, "cancelled")
	require.NoFileExists(t, dst)
}

// TestQuantizeModelFileTotalIsTheTensorData: the job's Total is the source's tensor data (the
// file less its header) from before Run, the same total its progress reports; it used to start
// as the file's size and change at the first progress report.
func TestQuantizeModelFileTotalIsTheTensorData(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "m.safetensors")
	writeModel(t, src, nil, f32Tensor("w", 1, 64, 64), f32Tensor("v", 2, 32, 16))
	j, err := jarvisrs.QuantizeModelFileJob(src, filepath.Join(dir, "q.safetensors"), "int8")
	require.NoError(t, err)
	require.Equal(t, (64*64+32*16)*4, j.Total(), "before Run")
	j.Run()
	for !j.Wait(1000) {
	}
	_, err = j.Result()
	require.NoError(t, err)
	require.Equal(t, j.Total(), j.Done())
}
