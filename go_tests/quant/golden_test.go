package quant_test

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/quant"
)

// golden mirrors testdata/golden.json, written by testdata/gen_golden.py with numpy and gguf.
// Arrays are base64 of little-endian bytes; float32 scalars are bit patterns.
type golden struct {
	Numpy, GGUF string

	OriginalInt8 []struct {
		Name, X, Q, Error string
		Scale, Min, Max   uint32
		ZeroPoint         uint32 `json:"zero_point"`
	} `json:"original_int8"`
	SymmetricInt8 []struct {
		Name, X, Q, Scales     string
		Outer, Channels, Inner int
	} `json:"symmetric_int8"`
	AsymmetricInt8 []struct {
		Name, X, Q, Scales     string
		ZeroPoints             string `json:"zero_points"`
		Outer, Channels, Inner int
	} `json:"asymmetric_int8"`
	Int4 []struct {
		Name, X, Packed, Scales, Codes string
		GroupSize                      int `json:"group_size"`
	} `json:"int4"`
	FP16 []struct {
		Name, X, H string
	} `json:"fp16"`
	GGUFQuant []struct {
		Name, Kind, X, Data, Y string
		RowLen                 int `json:"row_len"`
	} `json:"gguf_quant"`
	GGUFDequant []struct {
		Name, Kind, Data, Y string
		RowLen              int `json:"row_len"`
	} `json:"gguf_dequant"`
}

func loadGolden(t *testing.T) *golden {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "golden.json"))
	require.NoError(t, err)
	var g golden
	require.NoError(t, json.Unmarshal(raw, &g))
	require.NotEmpty(t, g.OriginalInt8)
	return &g
}

func unb64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	require.NoError(t, err)
	return b
}

func f32s(t *testing.T, s string) []float32 {
	b := unb64(t, s)
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

func u16s(t *testing.T, s string) []uint16 {
	b := unb64(t, s)
	out := make([]uint16, len(b)/2)
	for i := range out {
		out[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return out
}

func i8s(t *testing.T, s string) []int8 {
	b := unb64(t, s)
	return unsafe.Slice((*int8)(unsafe.Pointer(unsafe.SliceData(b))), len(b))
}

// f32bits compares floats by bit pattern, so NaN payloads and the sign of zero count.
func f32bits(v []float32) []uint32 {
	out := make([]uint32, len(v))
	for i, f := range v {
		out[i] = math.Float32bits(f)
	}
	return out
}

// f32bitsAnyNaN is f32bits with every NaN written as 0x7fc00000. The GGUF decoders multiply
// by the block scale, and where that makes a new NaN (Inf * 0) the CPU picks its bits: x86
// gives 0xffc00000, arm64 its default NaN 0x7fc00000 (numpy on each platform agrees with its
// CPU). golden.json was made on x86, so these comparisons treat any NaN as NaN; every other
// value, signed zeros included, still compares by its bits.
func f32bitsAnyNaN(v []float32) []uint32 {
	out := f32bits(v)
	for i, f := range v {
		if f != f {
			out[i] = 0x7fc00000
		}
	}
	return out
}

func TestGoldenOriginalInt8(t *testing.T) { onBothPaths(t, testGoldenOriginalInt8) }

func testGoldenOriginalInt8(t *testing.T) {
	for _, c := range loadGolden(t).OriginalInt8 {
		t.Run(c.Name, func(t *testing.T) {
			x := f32s(t, c.X)
			dst := make([]int8, len(x))
			p, err := quant.OriginalInt8(dst, x)
			if c.Error == "range" {
				require.ErrorIs(t, err, quant.ErrRange)
				return
			}
			require.NoError(t, err)
			require.Equal(t, i8s(t, c.Q), dst)
			require.Equal(t, c.Scale, math.Float32bits(p.Scale), "scale")
			require.Equal(t, c.ZeroPoint, math.Float32bits(p.ZeroPoint), "zero point")
			require.Equal(t, math.Float32frombits(c.Min), p.Min)
			require.Equal(t, math.Float32frombits(c.Max), p.Max)
		})
	}
}

func TestGoldenSymmetricInt8(t *testing.T) { onBothPaths(t, testGoldenSymmetricInt8) }

func testGoldenSymmetricInt8(t *testing.T) {
	for _, c := range loadGolden(t).SymmetricInt8 {
		t.Run(c.Name, func(t *testing.T) {
			x := f32s(t, c.X)
			dst := make([]int8, len(x))
			scales := make([]float32, c.Channels)
			require.NoError(t, quant.SymmetricInt8(dst, scales, x, c.Outer, c.Channels, c.Inner))
			require.Equal(t, i8s(t, c.Q), dst)
			require.Equal(t, f32bits(f32s(t, c.Scales)), f32bits(scales))
		})
	}
}

func TestGoldenAsymmetricInt8(t *testing.T) { onBothPaths(t, testGoldenAsymmetricInt8) }

func testGoldenAsymmetricInt8(t *testing.T) {
	g := loadGolden(t)
	require.NotEmpty(t, g.AsymmetricInt8)
	for _, c := range g.AsymmetricInt8 {
		t.Run(c.Name, func(t *testing.T) {
			x := f32s(t, c.X)
			dst := make([]int8, len(x))
			scales := make([]float32, c.Channels)
			zps := make([]int8, c.Channels)
			require.NoError(t, quant.AsymmetricInt8(dst, scales, zps, x, c.Outer, c.Channels, c.Inner))
			require.Equal(t, i8s(t, c.Q), dst)
			require.Equal(t, f32bits(f32s(t, c.Scales)), f32bits(scales))
			require.Equal(t, i8s(t, c.ZeroPoints), zps)
		})
	}
}

func TestGoldenInt4(t *testing.T) { onBothPaths(t, testGoldenInt4) }

func testGoldenInt4(t *testing.T) {
	for _, c := range loadGolden(t).Int4 {
		t.Run(c.Name, func(t *testing.T) {
			x := f32s(t, c.X)
			groups := (len(x) + c.GroupSize - 1) / c.GroupSize
			packed := make([]uint8, (len(x)+1)/2)
			scales := make([]float32, groups)
			require.NoError(t, quant.Int4(packed, scales, x, c.GroupSize))
			require.Equal(t, unb64(t, c.Packed), packed)
			require.Equal(t, f32bits(f32s(t, c.Scales)), f32bits(scales))

			codes := make([]int8, len(x))
			require.NoError(t, quant.UnpackInt4(codes, packed))
			require.Equal(t, i8s(t, c.Codes), codes)
			repacked := make([]uint8, len(packed))
			require.NoError(t, quant.PackInt4(repacked, codes))
			require.Equal(t, packed, repacked)
		})
	}
}

func TestGoldenFP16(t *testing.T) { onBothPaths(t, testGoldenFP16) }

func testGoldenFP16(t *testing.T) {
	for _, c := range loadGolden(t).FP16 {
		t.Run(c.Name, func(t *testing.T) {
			x := f32s(t, c.X)
			h := make([]uint16, len(x))
			require.NoError(t, quant.FP16(h, x))
			require.Equal(t, u16s(t, c.H), h)
		})
	}
}

func TestGoldenGGUF(t *testing.T) { onBothPaths(t, testGoldenGGUF) }

func testGoldenGGUF(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.GGUFQuant {
		t.Run(c.Name, func(t *testing.T) {
			kind, err := quant.ParseGGUFKind(c.Kind)
			require.NoError(t, err)
			x := f32s(t, c.X)
			size, err := kind.BytesFor(len(x))
			require.NoError(t, err)
			data := make([]byte, size)
			require.NoError(t, quant.QuantizeGGUF(data, x, c.RowLen, kind))
			require.Equal(t, unb64(t, c.Data), data)

			y := make([]float32, len(x))
			require.NoError(t, quant.DequantizeGGUF(y, data, c.RowLen, kind))
			require.Equal(t, f32bitsAnyNaN(f32s(t, c.Y)), f32bitsAnyNaN(y))
		})
	}
	for _, c := range g.GGUFDequant {
		t.Run(c.Name, func(t *testing.T) {
			kind, err := quant.ParseGGUFKind(c.Kind)
			require.NoError(t, err)
			want := f32s(t, c.Y)
			y := make([]float32, len(want))
			require.NoError(t, quant.DequantizeGGUF(y, unb64(t, c.Data), c.RowLen, kind))
			require.Equal(t, f32bitsAnyNaN(want), f32bitsAnyNaN(y))
		})
	}
}
