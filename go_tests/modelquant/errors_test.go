package modelquant_test

import (
	"context"
	"encoding/binary"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/go_tests/internal/testmodel"
	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/modelquant"
	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/safetensors"
)

// TestQuantizeErrorKinds: each failure is reported with the error the binding layer codes (the
// package's sentinels, safetensors' errors, os errors), and dst is left as it was.
func TestQuantizeErrorKinds(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src := testmodel.Mixed(t, dir)
	dst := filepath.Join(dir, "keep.safetensors")
	require.NoError(t, os.WriteFile(dst, []byte("keep"), 0o644))

	require.ErrorIs(t, modelquant.CheckScheme("int3"), modelquant.ErrInvalid)
	_, err := modelquant.Quantize(ctx, src, dst, "int3", nil, nil)
	require.ErrorIs(t, err, modelquant.ErrInvalid)
	require.Equal(t, `scheme must be one of int8, int4, fp16, q8_0, q4_0; got "int3"`, err.Error())

	_, err = modelquant.Quantize(ctx, filepath.Join(dir, "missing"), dst, "int8", nil, nil)
	require.ErrorIs(t, err, fs.ErrNotExist)
	require.NotErrorIs(t, err, modelquant.ErrInvalid)

	bad := filepath.Join(dir, "bad.safetensors")
	require.NoError(t, os.WriteFile(bad, testmodel.Prefixed("{nope", 0), 0o644))
	_, err = modelquant.Quantize(ctx, bad, dst, "int8", nil, nil)
	require.ErrorIs(t, err, safetensors.ErrMalformed)

	nan := filepath.Join(dir, "nan.safetensors")
	w := testmodel.F32("w", 1, 4, 32)
	binary.LittleEndian.PutUint32(w.Data[4*70:], math.Float32bits(float32(math.NaN())))
	testmodel.Write(t, nan, nil, w)
	for _, scheme := range []string{"int8", "int4", "q8_0", "q4_0"} {
		_, err = modelquant.Quantize(ctx, nan, dst, scheme, nil, nil)
		require.ErrorIs(t, err, modelquant.ErrInvalid, scheme)
		require.Contains(t, err.Error(), `tensor "w": non-finite value NaN at flat index 70`, scheme)
	}

	collide := filepath.Join(dir, "collide.safetensors")
	testmodel.Write(t, collide, nil, testmodel.F32("w", 1, 4, 32), testmodel.F32("w.scale", 2, 4))
	_, err = modelquant.Quantize(ctx, collide, dst, "int8", nil, nil)
	require.ErrorIs(t, err, modelquant.ErrInvalid)
	require.Contains(t, err.Error(), `tensor "w.scale" already exists`)

	q := filepath.Join(dir, "q.safetensors")
	_, err = modelquant.Quantize(ctx, src, q, "int8", nil, nil)
	require.NoError(t, err)
	_, err = modelquant.Quantize(ctx, q, dst, "int4", nil, nil)
	require.ErrorIs(t, err, modelquant.ErrInvalid)
	require.Contains(t, err.Error(), "already a quantized model")

	got, err := os.ReadFile(dst)
	require.NoError(t, err)
	require.Equal(t, "keep", string(got))
	require.Empty(t, testmodel.TempLeftovers(t, dir))
}

// TestQuantizeCancelled: a context cancelled before the call, or during it (from the progress
// callback), stops the work with ErrCancelled and leaves neither dst nor a temporary file.
func TestQuantizeCancelled(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "m.safetensors")
	var tensors []testmodel.Tensor
	for i := range 4 {
		tensors = append(tensors, testmodel.F32(string(rune('a'+i)), uint64(i), 256, 256))
	}
	testmodel.Write(t, src, nil, tensors...)
	dst := filepath.Join(dir, "q.safetensors")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := modelquant.Quantize(ctx, src, dst, "int8", nil, nil)
	require.ErrorIs(t, err, modelquant.ErrCancelled)
	require.NoFileExists(t, dst)

	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	_, err = modelquant.Quantize(ctx, src, dst, "int4", nil, func(done, total int64) {
		calls++
		cancel()
	})
	require.True(t, errors.Is(err, modelquant.ErrCancelled), "got %v", err)
	require.Equal(t, 1, calls, "the work stops at the checkpoint after the cancellation")
	require.NoFileExists(t, dst)
	require.Empty(t, testmodel.TempLeftovers(t, dir))
}
