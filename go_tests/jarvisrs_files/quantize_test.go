package jarvisrs_files_test

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs"
	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/quant"
	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/safetensors"
)

type quantizeResult struct {
	Scheme    string `json:"scheme"`
	Tensors   int    `json:"tensors"`
	Quantized int    `json:"quantized"`
	Copied    int    `json:"copied"`
	BytesIn   int64  `json:"bytes_in"`
	BytesOut  int64  `json:"bytes_out"`
}

type record struct {
	DType     string  `json:"dtype"`
	Shape     []int64 `json:"shape"`
	Method    string  `json:"method"`
	Axis      *int    `json:"axis"`
	GroupSize int     `json:"group_size"`
	Reason    string  `json:"reason"`
}

// testModel is a model with one tensor of each kind quantizeModelFile distinguishes.
func testModel(t testing.TB, dir string) string {
	t.Helper()
	half := make([]byte, 2*16*32)
	for i := 0; i < len(half); i += 2 {
		binary.LittleEndian.PutUint16(half[i:], 0x3c00) // 1.0
	}
	path := filepath.Join(dir, "model.safetensors")
	writeModel(t, path, map[string]string{"format": "pt"},
		f32Tensor("w", 1, 48, 64),
		f32Tensor("odd", 2, 6, 33),
		f32Tensor("bias", 3, 64),
		rawTensor("h", safetensors.F16, half, 16, 32),
		rawTensor("ids", safetensors.I64, make([]byte, 8*10), 2, 5),
		rawTensor("none", safetensors.F32, nil, 0, 32),
	)
	return path
}

func TestQuantizeModelFileSchemes(t *testing.T) {
	tests := []struct {
		scheme string
		// output dtype and shape of "w" [48, 64], and whether it has w.scale of that length
		dtype  safetensors.DType
		shape  []int64
		scales int64
		odd    string // method for "odd" [6, 33]
	}{
		{"int8", safetensors.I8, []int64{48, 64}, 48, "int8"},
		{"int4", safetensors.U8, []int64{48 * 64 / 2}, 48 * 64 / 32, "int4"},
		{"fp16", safetensors.F16, []int64{48, 64}, 0, "fp16"},
		{"q8_0", safetensors.U8, []int64{48 * 64 / 32 * 34}, 0, "copy"},
		{"q4_0", safetensors.U8, []int64{48 * 64 / 32 * 18}, 0, "copy"},
	}
	dir := t.TempDir()
	src := testModel(t, dir)
	for _, tc := range tests {
		t.Run(tc.scheme, func(t *testing.T) {
			dst := filepath.Join(dir, tc.scheme+".safetensors")
			var res quantizeResult
			j, err := jarvisrs.QuantizeModelFileJob(src, dst, tc.scheme)
			require.NoError(t, runJob(t, j, err, &res))
			require.Equal(t, 6, res.Tensors)
			info, err := os.Stat(dst)
			require.NoError(t, err)
			require.Equal(t, info.Size(), res.BytesOut)
			require.Equal(t, int64(j.Total()), int64(j.Done()))

			h := readHeader(t, dst)
			byName := map[string]safetensors.Tensor{}
			for _, x := range h.Tensors {
				byName[x.Name] = x
			}
			w := byName["w"]
			require.Equal(t, tc.dtype, w.DType)
			require.Equal(t, tc.shape, w.Shape)
			if tc.scales > 0 {
				require.Equal(t, []int64{tc.scales}, byName["w.scale"].Shape)
				require.Equal(t, safetensors.F32, byName["w.scale"].DType)
			} else {
				require.NotContains(t, byName, "w.scale")
			}
			require.Equal(t, safetensors.F32, byName["bias"].DType)
			require.Equal(t, safetensors.I64, byName["ids"].DType)
			require.Equal(t, "pt", h.Metadata["format"])
			require.Equal(t, tc.scheme, h.Metadata["jrx.scheme"])
			var records map[string]record
			require.NoError(t, json.Unmarshal([]byte(h.Metadata["jrx.tensors"]), &records))
			require.Len(t, records, 6)
			require.Equal(t, tc.odd, records["odd"].Method)
			require.Equal(t, "copy", records["bias"].Method)
			require.Equal(t, "copy", records["none"].Method)
			require.Equal(t, "F16", records["h"].DType)
			require.Equal(t, []int64{48, 64}, records["w"].Shape)
		})
	}
}

// TestQuantizeModelFileInt8MatchesQuant checks the streamed, chunked output against one call of
// the quant package over the whole tensor, for a tensor larger than a chunk.
func TestQuantizeModelFileInt8MatchesQuant(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "m.safetensors")
	w := f32Tensor("w", 9, 600, 4000) // 2.4M values: more than one 2M-value chunk
	writeModel(t, src, nil, w)
	dst := filepath.Join(dir, "q.safetensors")
	var res quantizeResult
	j, err := jarvisrs.QuantizeModelFileJob(src, dst, "int8")
	require.NoError(t, runJob(t, j, err, &res))

	vals := make([]float32, len(w.data)/4)
	for i := range vals {
		vals[i] = math.Float32frombits(binary.LittleEndian.Uint32(w.data[4*i:]))
	}
	codes := make([]int8, len(vals))
	scales := make([]float32, 600)
	require.NoError(t, quant.SymmetricInt8(codes, scales, vals, 1, 600, 4000))

	out, err := os.ReadFile(dst)
	require.NoError(t, err)
	h := readHeader(t, dst)
	for _, x := range h.Tensors {
		data := out[x.Offset : x.Offset+x.Length]
		switch x.Name {
		case "w":
			for i, c := range codes {
				if int8(data[i]) != c {
					t.Fatalf("code %d: got %d, want %d", i, int8(data[i]), c)
				}
			}
		case "w.scale":
			for i, s := range scales {
				require.Equal(t, s, math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:])), "scale %d", i)
			}
		}
	}
}

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

// TestQuantizeModelFileUnalignedData: the format does not require tensors to be aligned; a 1-byte
// tensor first puts float data at odd offsets, which must quantize exactly as aligned data does.
func TestQuantizeModelFileUnalignedData(t *testing.T) {
	dir := t.TempDir()
	w := f32Tensor("w", 4, 8, 64)
	half := make([]byte, 2*8*64)
	for i := 0; i < len(half); i += 2 {
		binary.LittleEndian.PutUint16(half[i:], uint16(0x3000+i)) // assorted finite halves
	}
	aligned := filepath.Join(dir, "aligned.safetensors")
	writeModel(t, aligned, nil, w, rawTensor("h", safetensors.F16, half, 8, 64))
	header := `{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},` +
		`"w":{"dtype":"F32","shape":[8,64],"data_offsets":[1,2049]},` +
		`"h":{"dtype":"F16","shape":[8,64],"data_offsets":[2049,3073]}}`
	file := prefixed(header, 0)
	file = append(append(append(file, 7), w.data...), half...)
	unaligned := filepath.Join(dir, "unaligned.safetensors")
	require.NoError(t, os.WriteFile(unaligned, file, 0o644))

	for _, scheme := range []string{"int8", "int4", "fp16", "q8_0", "q4_0"} {
		t.Run(scheme, func(t *testing.T) {
			var res quantizeResult
			outs := map[string]map[string][]byte{}
			for _, src := range []string{aligned, unaligned} {
				dst := src + "." + scheme
				j, err := jarvisrs.QuantizeModelFileJob(src, dst, scheme)
				require.NoError(t, runJob(t, j, err, &res))
				data, err := os.ReadFile(dst)
				require.NoError(t, err)
				outs[src] = map[string][]byte{}
				for _, x := range readHeader(t, dst).Tensors {
					outs[src][x.Name] = data[x.Offset : x.Offset+x.Length]
				}
			}
			for _, name := range []string{"w", "h"} {
				require.Equal(t, outs[aligned][name], outs[unaligned][name], name)
			}
		})
	}
}
