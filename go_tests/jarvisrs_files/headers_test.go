package jarvisrs_files_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/go_tests/internal/testmodel"
	"github.com/jarvis/jarvis_rust_extensions/jarvisrs"
	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/safetensors"
)

type headerDoc struct {
	DataStart int64             `json:"data_start"`
	Metadata  map[string]string `json:"metadata"`
	Tensors   []struct {
		Name   string  `json:"name"`
		DType  string  `json:"dtype"`
		Shape  []int64 `json:"shape"`
		Offset int64   `json:"offset"`
		Length int64   `json:"length"`
	} `json:"tensors"`
}

func mappedHeader(t *testing.T, path string) (headerDoc, int, error) {
	t.Helper()
	m, err := jarvisrs.MapFile(path)
	require.NoError(t, err)
	defer m.Close()
	raw, err := m.SafetensorsHeader()
	var doc headerDoc
	if err == nil {
		require.NoError(t, json.Unmarshal([]byte(raw), &doc))
	}
	return doc, m.Len(), err
}

func TestSafetensorsHeaderDescribesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.safetensors")
	writeModel(t, path, map[string]string{"format": "pt"},
		f32Tensor("w", 1, 4, 8),
		rawTensor("ids", safetensors.I64, make([]byte, 24), 3),
		rawTensor("scalar", safetensors.F16, []byte{0, 0x3c}),
		rawTensor("empty", safetensors.F32, nil, 0, 5),
	)
	doc, size, err := mappedHeader(t, path)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"format": "pt"}, doc.Metadata)
	byName := map[string]int{}
	for i, x := range doc.Tensors {
		byName[x.Name] = i
		require.GreaterOrEqual(t, x.Offset, doc.DataStart)
		require.LessOrEqual(t, x.Offset+x.Length, int64(size))
		require.NotNil(t, x.Shape, "shape must be a list, even for a scalar")
	}
	tests := []struct {
		name   string
		dtype  string
		shape  []int64
		length int64
	}{
		{"w", "F32", []int64{4, 8}, 128},
		{"ids", "I64", []int64{3}, 24},
		{"scalar", "F16", []int64{}, 2},
		{"empty", "F32", []int64{0, 5}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			i, ok := byName[tc.name]
			require.True(t, ok)
			x := doc.Tensors[i]
			require.Equal(t, tc.dtype, x.DType)
			require.Equal(t, tc.shape, x.Shape)
			require.Equal(t, tc.length, x.Length)
		})
	}
}

func TestSafetensorsHeaderReferenceFiles(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "safetensors", "testdata", "ref_*.safetensors"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			doc, _, err := mappedHeader(t, path)
			require.NoError(t, err)
			h := readHeader(t, path)
			require.Len(t, doc.Tensors, len(h.Tensors))
			for i, x := range h.Tensors {
				require.Equal(t, x.Name, doc.Tensors[i].Name)
				require.Equal(t, x.Offset, doc.Tensors[i].Offset)
			}
		})
	}
}

// prefixed is a safetensors file made of header and data zero bytes (testmodel.Prefixed).
func prefixed(header string, data int) []byte { return testmodel.Prefixed(header, data) }

func TestSafetensorsHeaderMalformedIsValueError(t *testing.T) {
	tests := []struct {
		name string
		file []byte
	}{
		{"empty", nil},
		{"short", []byte{1, 2, 3}},
		{"length past end", prefixed("{}", 0)[:9]},
		{"not json", prefixed("{nope", 0)},
		{"unknown dtype", prefixed(`{"w":{"dtype":"Q9","shape":[1],"data_offsets":[0,1]}}`, 1)},
		{"out of range", prefixed(`{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}`, 8)},
		{"overlap", prefixed(`{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}}`, 3)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.safetensors")
			require.NoError(t, os.WriteFile(path, tc.file, 0o644))
			_, _, err := mappedHeader(t, path)
			requireCode(t, err, "value")
		})
	}
}

func TestNpyHeader(t *testing.T) {
	m, err := jarvisrs.MapFile(filepath.Join("..", "npy", "testdata", "f4_2d.npy"))
	require.NoError(t, err)
	defer m.Close()
	raw, err := m.NpyHeader()
	require.NoError(t, err)
	var doc struct {
		Descr        string  `json:"descr"`
		FortranOrder bool    `json:"fortran_order"`
		Shape        []int64 `json:"shape"`
		Offset       int64   `json:"offset"`
		Length       int64   `json:"length"`
	}
	require.NoError(t, json.Unmarshal([]byte(raw), &doc))
	require.Equal(t, "<f4", doc.Descr)
	require.Len(t, doc.Shape, 2)
	require.Equal(t, int64(m.Len()), doc.Offset+doc.Length)

	bad, err := jarvisrs.MapFile(filepath.Join("..", "npy", "testdata", "big_endian.npy"))
	require.NoError(t, err)
	defer bad.Close()
	_, err = bad.NpyHeader()
	requireCode(t, err, "value")
}
