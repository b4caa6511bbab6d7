package safetensors_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/safetensors"
)

// FuzzParse feeds arbitrary header bytes and data sizes to Parse. It must never panic, must fail
// only with the package's sentinels, and whatever it accepts must be self-consistent, read the same
// through ReadHeader, and survive a round trip through Writer.
func FuzzParse(f *testing.F) {
	for name := range loadExpected(f) {
		raw, err := os.ReadFile(filepath.Join("testdata", name))
		require.NoError(f, err)
		h, err := safetensors.ReadHeader(&boundedReader{head: raw, size: int64(len(raw))}, int64(len(raw)))
		require.NoError(f, err)
		f.Add(raw[8:h.DataStart], int64(len(raw))-h.DataStart)
	}
	for _, seed := range []struct {
		header string
		data   int64
	}{
		{`{}`, 0},
		{`{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}`, 2},
		{`{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,0]}}`, 0},
		{`{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}}`, 3},
		{`{"__metadata__":{"k":"v"},"z":{"dtype":"BF16","shape":[0],"data_offsets":[0,0]}}`, 0},
		{`{"a":{"dtype":"I64","shape":[1,1],"data_offsets":[0,8],"x":null}}   `, 8},
		{"[\"\xff\"]", 0},
		{`{"a":{"dtype":"U8","shape":[-0],"data_offsets":[0,0]}}`, 0},
	} {
		f.Add([]byte(seed.header), seed.data)
	}
	f.Fuzz(func(t *testing.T, header []byte, dataSize int64) {
		h, err := safetensors.Parse(header, dataSize)
		if err != nil {
			if !errors.Is(err, safetensors.ErrMalformed) && !errors.Is(err, safetensors.ErrUnsupported) && !errors.Is(err, safetensors.ErrTooLarge) {
				t.Fatalf("error outside the sentinels: %v", err)
			}
			return
		}
		checkInvariants(t, h, int64(len(header)), dataSize)

		if len(header) >= 2 {
			r := &boundedReader{head: withPrefix(string(header), 0), size: 8 + int64(len(header)) + dataSize}
			h2, err := safetensors.ReadHeader(r, r.size)
			require.NoError(t, err)
			require.Equal(t, h, h2)
			require.Equal(t, h.DataStart, r.maxRead, "ReadHeader read past the header")
		}

		if dataSize <= 1<<16 {
			roundTrip(t, h)
		}
	})
}

func checkInvariants(t *testing.T, h *safetensors.Header, headerLen, dataSize int64) {
	t.Helper()
	require.Equal(t, 8+headerLen, h.DataStart)
	next := h.DataStart
	names := make(map[string]bool)
	for _, tn := range h.Tensors {
		require.False(t, names[tn.Name], "duplicate %q", tn.Name)
		names[tn.Name] = true
		require.True(t, tn.DType.Valid())
		require.LessOrEqual(t, len(tn.Shape), safetensors.MaxDims)
		require.Equal(t, next, tn.Offset, "tensors must tile the data section")
		count := int64(1)
		for _, d := range tn.Shape {
			require.GreaterOrEqual(t, d, int64(0))
			count *= d
		}
		require.Equal(t, count*int64(tn.DType.Size()), tn.Length)
		next += tn.Length
	}
	require.Equal(t, h.DataStart+dataSize, next)
}

// roundTrip writes the tensors h describes with a Writer and reads them back.
func roundTrip(t *testing.T, h *safetensors.Header) {
	t.Helper()
	specs := make([]safetensors.Spec, len(h.Tensors))
	for i, tn := range h.Tensors {
		specs[i] = safetensors.Spec{Name: tn.Name, DType: tn.DType, Shape: tn.Shape}
	}
	dest := filepath.Join(t.TempDir(), "rt.safetensors")
	w, err := safetensors.Create(dest, specs, h.Metadata)
	require.NoError(t, err)
	defer w.Abort()
	for _, tn := range h.Tensors {
		require.NoError(t, w.Write(tn.Name, make([]byte, tn.Length)))
	}
	require.NoError(t, w.Commit())
	f, err := os.Open(dest)
	require.NoError(t, err)
	defer f.Close()
	info, err := f.Stat()
	require.NoError(t, err)
	require.Equal(t, w.Size(), info.Size())
	back, err := safetensors.ReadHeader(f, info.Size())
	require.NoError(t, err)
	require.Equal(t, h.Metadata, back.Metadata)
	require.Zero(t, back.DataStart%8, "data section must be 8-byte aligned")
	want := make(map[string]safetensors.Tensor, len(h.Tensors))
	for _, tn := range h.Tensors {
		want[tn.Name] = tn
	}
	require.Len(t, back.Tensors, len(h.Tensors))
	for _, tn := range back.Tensors {
		orig := want[tn.Name]
		require.Equal(t, orig.DType, tn.DType)
		require.Equal(t, orig.Shape, tn.Shape)
		require.Equal(t, orig.Length, tn.Length)
		require.Zero(t, (tn.Offset-back.DataStart)%int64(tn.DType.Size()), "tensor %q misaligned", tn.Name)
	}
}
