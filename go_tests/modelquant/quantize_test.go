package modelquant_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/go_tests/internal/testmodel"
	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/modelquant"
	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/quant"
	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/safetensors"
)

// record is one entry of an output's jrx.tensors metadata, decoded independently of the package.
type record struct {
	DType     string  `json:"dtype"`
	Shape     []int64 `json:"shape"`
	Method    string  `json:"method"`
	Axis      *int    `json:"axis"`
	GroupSize int     `json:"group_size"`
	Reason    string  `json:"reason"`
}

func TestQuantizeSchemes(t *testing.T) {
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
	src := testmodel.Mixed(t, dir)
	srcInfo, err := os.Stat(src)
	require.NoError(t, err)
	for _, tc := range tests {
		t.Run(tc.scheme, func(t *testing.T) {
			dst := filepath.Join(dir, tc.scheme+".safetensors")
			var lastDone, lastTotal int64
			stats, err := modelquant.Quantize(context.Background(), src, dst, tc.scheme, map[string]string{"extra": "yes"},
				func(done, total int64) { lastDone, lastTotal = done, total })
			require.NoError(t, err)
			require.Equal(t, 6, stats.Tensors)
			require.Equal(t, tc.scheme, stats.Scheme)
			require.Equal(t, srcInfo.Size(), stats.BytesIn)
			info, err := os.Stat(dst)
			require.NoError(t, err)
			require.Equal(t, info.Size(), stats.BytesOut)
			require.Positive(t, lastTotal)
			require.Equal(t, lastTotal, lastDone)

			h := testmodel.ReadHeader(t, dst)
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
			require.Equal(t, "yes", h.Metadata["extra"])
			require.Equal(t, tc.scheme, h.Metadata[modelquant.MetaScheme])
			require.Equal(t, modelquant.MetaFormatValue, h.Metadata[modelquant.MetaFormat])
			var records map[string]record
			require.NoError(t, json.Unmarshal([]byte(h.Metadata[modelquant.MetaTensors]), &records))
			require.Len(t, records, 6)
			require.Equal(t, tc.odd, records["odd"].Method)
			require.Equal(t, "copy", records["bias"].Method)
			require.Equal(t, "copy", records["none"].Method)
			require.Equal(t, "F16", records["h"].DType)
			require.Equal(t, []int64{48, 64}, records["w"].Shape)
			require.Equal(t, stats.Quantized+stats.Copied, 6)
		})
	}
}

// TestQuantizeInt8MatchesQuant checks the streamed, chunked output against one call of the quant
// package over the whole tensor, for a tensor larger than a chunk.
func TestQuantizeInt8MatchesQuant(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "m.safetensors")
	w := testmodel.F32("w", 9, 600, 4000) // 2.4M values: more than one 2M-value chunk
	testmodel.Write(t, src, nil, w)
	dst := filepath.Join(dir, "q.safetensors")
	_, err := modelquant.Quantize(context.Background(), src, dst, "int8", nil, nil)
	require.NoError(t, err)

	vals := make([]float32, len(w.Data)/4)
	for i := range vals {
		vals[i] = math.Float32frombits(binary.LittleEndian.Uint32(w.Data[4*i:]))
	}
	codes := make([]int8, len(vals))
	scales := make([]float32, 600)
	require.NoError(t, quant.SymmetricInt8(codes, scales, vals, 1, 600, 4000))

	out := testmodel.ReadTensors(t, dst)
	for i, c := range codes {
		if int8(out["w"][i]) != c {
			t.Fatalf("code %d: got %d, want %d", i, int8(out["w"][i]), c)
		}
	}
	for i, s := range scales {
		require.Equal(t, s, math.Float32frombits(binary.LittleEndian.Uint32(out["w.scale"][4*i:])), "scale %d", i)
	}
}

// TestQuantizeUnalignedData: the format does not require tensors to be aligned; a 1-byte tensor
// first puts float data at odd offsets, which must quantize exactly as aligned data does.
func TestQuantizeUnalignedData(t *testing.T) {
	dir := t.TempDir()
	w := testmodel.F32("w", 4, 8, 64)
	half := make([]byte, 2*8*64)
	for i := 0; i < len(half); i += 2 {
		binary.LittleEndian.PutUint16(half[i:], uint16(0x3000+i)) // assorted finite halves
	}
	aligned := filepath.Join(dir, "aligned.safetensors")
	testmodel.Write(t, aligned, nil, w, testmodel.Raw("h", safetensors.F16, half, 8, 64))
	header := `{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},` +
		`"w":{"dtype":"F32","shape":[8,64],"data_offsets":[1,2049]},` +
		`"h":{"dtype":"F16","shape":[8,64],"data_offsets":[2049,3073]}}`
	file := testmodel.Prefixed(header, 0)
	file = append(append(append(file, 7), w.Data...), half...)
	unaligned := filepath.Join(dir, "unaligned.safetensors")
	require.NoError(t, os.WriteFile(unaligned, file, 0o644))

	for _, scheme := range []string{"int8", "int4", "fp16", "q8_0", "q4_0"} {
		t.Run(scheme, func(t *testing.T) {
			outs := map[string]map[string][]byte{}
			for _, src := range []string{aligned, unaligned} {
				dst := src + "." + scheme
				_, err := modelquant.Quantize(context.Background(), src, dst, scheme, nil, nil)
				require.NoError(t, err)
				outs[src] = testmodel.ReadTensors(t, dst)
			}
			for _, name := range []string{"w", "h"} {
				require.Equal(t, outs[aligned][name], outs[unaligned][name], name)
			}
		})
	}
}
