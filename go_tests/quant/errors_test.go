package quant_test

import (
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/quant"
)

// floatEntryPoints runs every entry point that reads float values over x, with outputs sized
// for it, and returns each one's error by name.
func floatEntryPoints(x []float32, channels, inner int) map[string]error {
	n := len(x)
	outer := n / (channels * inner)
	codes := make([]int8, n)
	scales := make([]float32, max(channels, (n+31)/32))
	zps := make([]int8, channels)
	packed := make([]uint8, (n+1)/2)
	gguf := make([]byte, n/32*34)
	_, errOrig := quant.OriginalInt8(codes, x)
	return map[string]error{
		"OriginalInt8":       errOrig,
		"SymmetricInt8":      quant.SymmetricInt8(codes, scales, x, outer, channels, inner),
		"SymmetricInt8/flat": quant.SymmetricInt8(codes, scales, x, 1, 1, n),
		"AsymmetricInt8":     quant.AsymmetricInt8(codes, scales, zps, x, outer, channels, inner),
		"Int4":               quant.Int4(packed, scales, x, 32),
		"QuantizeGGUF/Q8_0":  quant.QuantizeGGUF(gguf, x, 32, quant.Q8_0),
		"QuantizeGGUF/Q4_0":  quant.QuantizeGGUF(gguf, x, 32, quant.Q4_0),
	}
}

func TestNonFiniteNamesFirstIndex(t *testing.T) { onBothPaths(t, testNonFiniteNamesFirstIndex) }

func testNonFiniteNamesFirstIndex(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	cases := []struct {
		name            string
		n               int
		channels, inner int
		bad             map[int]float32
		first           int
	}{
		{"nan at 0", 64, 1, 1, map[int]float32{0: nan}, 0},
		{"inf at end", 96, 3, 1, map[int]float32{95: inf}, 95},
		{"-inf then nan", 640, 2, 10, map[int]float32{300: float32(math.Inf(-1)), 301: nan}, 300},
		// Several chunks; the later bad value sits in an earlier channel (last axis).
		{"across chunks, last axis", 5 * quant.ChunkLen, 4, 1, map[int]float32{3*quant.ChunkLen + 5: nan, 4*quant.ChunkLen + 4: inf}, 3*quant.ChunkLen + 5},
		// Channel-block mode (many channels): blocks interleave in memory.
		{"channel blocks", 40000 * 8, 40000, 1, map[int]float32{40000*5 + 7: inf, 40000*6 + 3: nan, 40000*7 + 1: nan}, 40000*5 + 7},
		{"channel blocks, inner", 2 * 20000 * 16, 20000, 16, map[int]float32{20000*16 + 1: nan, 19999 * 16: inf}, 19999 * 16},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x := randFloats(7, c.n, 1)
			for i, v := range c.bad {
				x[i] = v
			}
			for fn, err := range floatEntryPoints(x, c.channels, c.inner) {
				require.ErrorIs(t, err, quant.ErrNonFinite, fn)
				var nf *quant.NonFiniteError
				require.True(t, errors.As(err, &nf), fn)
				require.Equal(t, c.first, nf.Index, fn)
				require.Equal(t, math.Float32bits(x[c.first]), math.Float32bits(nf.Value), fn)
			}
		})
	}
}

func TestNonFiniteScalesInDequantizers(t *testing.T) {
	onBothPaths(t, testNonFiniteScalesInDequantizers)
}

func testNonFiniteScalesInDequantizers(t *testing.T) {
	scales := []float32{1, float32(math.NaN()), float32(math.Inf(1))}
	var nf *quant.NonFiniteError
	err := quant.DequantizeInt8(make([]float32, 3), make([]int8, 3), scales, nil, 1, 3, 1)
	require.True(t, errors.As(err, &nf))
	require.Equal(t, 1, nf.Index)
	err = quant.DequantizeInt4(make([]float32, 6), make([]uint8, 3), scales, 2)
	require.True(t, errors.As(err, &nf))
	require.Equal(t, 1, nf.Index)
}

func TestFP16ConvertsNonFinite(t *testing.T) { onBothPaths(t, testFP16ConvertsNonFinite) }

func testFP16ConvertsNonFinite(t *testing.T) {
	h := make([]uint16, 3)
	require.NoError(t, quant.FP16(h, []float32{float32(math.NaN()), float32(math.Inf(-1)), 1e6}))
	require.Equal(t, []uint16{0x7e00, 0xfc00, 0x7c00}, h)
}

func TestShapeErrors(t *testing.T) { onBothPaths(t, testShapeErrors) }

func testShapeErrors(t *testing.T) {
	x := make([]float32, 64)
	codes := make([]int8, 64)
	scales := make([]float32, 64)
	zps := make([]int8, 64)
	cases := map[string]error{
		"OriginalInt8 short dst":      second(quant.OriginalInt8(codes[:63], x)),
		"FP16 short dst":              quant.FP16(make([]uint16, 63), x),
		"FP16ToF32 short dst":         quant.FP16ToF32(make([]float32, 1), make([]uint16, 2)),
		"Symmetric dims mismatch":     quant.SymmetricInt8(codes, scales, x, 2, 4, 4),
		"Symmetric negative dim":      quant.SymmetricInt8(codes, scales, x, -1, 1, -64),
		"Symmetric overflowing dims":  quant.SymmetricInt8(codes, scales, x, 1<<40, 1<<40, 1<<40),
		"Symmetric wrap to n":         quant.SymmetricInt8(codes, scales, x, 1<<62, 4, 1),
		"Symmetric short dst":         quant.SymmetricInt8(codes[:10], scales, x, 1, 1, 64),
		"Symmetric short scales":      quant.SymmetricInt8(codes, scales[:3], x, 1, 4, 16),
		"Asymmetric short zps":        quant.AsymmetricInt8(codes, scales, zps[:3], x, 1, 4, 16),
		"Asymmetric dims mismatch":    quant.AsymmetricInt8(codes, scales, zps, x, 1, 4, 15),
		"Int4 group 0":                quant.Int4(make([]uint8, 32), scales, x, 0),
		"Int4 group negative":         quant.Int4(make([]uint8, 32), scales, x, -32),
		"Int4 short dst":              quant.Int4(make([]uint8, 31), scales, x, 32),
		"Int4 short scales":           quant.Int4(make([]uint8, 32), scales[:1], x, 32),
		"PackInt4 short dst":          quant.PackInt4(make([]uint8, 1), []int8{1, 2, 3}),
		"UnpackInt4 short packed":     quant.UnpackInt4(make([]int8, 3), []uint8{1}),
		"DequantizeInt8 short codes":  quant.DequantizeInt8(make([]float32, 64), codes[:63], scales, nil, 1, 1, 64),
		"DequantizeInt8 short dst":    quant.DequantizeInt8(make([]float32, 63), codes, scales, nil, 1, 1, 64),
		"DequantizeInt8 short zps":    quant.DequantizeInt8(make([]float32, 64), codes, scales, zps[:1], 1, 2, 32),
		"DequantizeInt8 overflow":     quant.DequantizeInt8(make([]float32, 64), codes, scales, nil, math.MaxInt, 2, 1),
		"DequantizeInt4 short packed": quant.DequantizeInt4(make([]float32, 64), make([]uint8, 31), scales, 32),
		"DequantizeInt4 group 0":      quant.DequantizeInt4(make([]float32, 64), make([]uint8, 32), scales, 0),
		"GGUF row not multiple of 32": quant.QuantizeGGUF(make([]byte, 68), x, 16, quant.Q8_0),
		"GGUF row does not divide":    quant.QuantizeGGUF(make([]byte, 68), x, 96, quant.Q8_0),
		"GGUF row 0":                  quant.QuantizeGGUF(make([]byte, 68), x, 0, quant.Q8_0),
		"GGUF short dst":              quant.QuantizeGGUF(make([]byte, 67), x, 32, quant.Q8_0),
		"GGUF dequant short src":      quant.DequantizeGGUF(make([]float32, 64), make([]byte, 35), 32, quant.Q4_0),
		"GGUF dequant bad row":        quant.DequantizeGGUF(make([]float32, 64), make([]byte, 36), 48, quant.Q4_0),
		"GGUF BytesFor odd":           second(quant.Q8_0.BytesFor(33)),
		"GGUF BytesFor negative":      second(quant.Q8_0.BytesFor(-32)),
		"GGUF BytesFor overflow":      second(quant.Q8_0.BytesFor(math.MaxInt - 31)),
	}
	for name, err := range cases {
		require.ErrorIs(t, err, quant.ErrShape, name)
	}
	// Empty inputs with a zero row length are fine: shape (0,) quantizes to nothing.
	require.NoError(t, quant.QuantizeGGUF(nil, nil, 0, quant.Q4_0))
	require.NoError(t, quant.DequantizeGGUF(nil, nil, 0, quant.Q4_0))
}

func second[T any](_ T, err error) error { return err }

func TestRangeErrors(t *testing.T) { onBothPaths(t, testRangeErrors) }

func testRangeErrors(t *testing.T) {
	huge := []float32{-3e38, 3e38, 0}
	_, err := quant.OriginalInt8(make([]int8, 3), huge)
	require.ErrorIs(t, err, quant.ErrRange)
	err = quant.AsymmetricInt8(make([]int8, 3), make([]float32, 1), make([]int8, 1), huge, 1, 1, 3)
	require.ErrorIs(t, err, quant.ErrRange)
	// Per channel only the overflowing channel matters; it is named.
	err = quant.AsymmetricInt8(make([]int8, 4), make([]float32, 2), make([]int8, 2), []float32{1, -3e38, 2, 3e38}, 2, 2, 1)
	require.ErrorIs(t, err, quant.ErrRange)
	require.Contains(t, err.Error(), "channel 1")
	// Symmetric scales never overflow.
	require.NoError(t, quant.SymmetricInt8(make([]int8, 3), make([]float32, 1), huge, 1, 1, 3))

	err = quant.PackInt4(make([]uint8, 3), []int8{1, 2, 3, 8, -9})
	require.ErrorIs(t, err, quant.ErrRange)
	require.Contains(t, err.Error(), "index 3")
	err = quant.PackInt4(make([]uint8, quant.ChunkLen), append(make([]int8, 2*quant.ChunkLen-1), -9))
	require.ErrorIs(t, err, quant.ErrRange)
	require.Contains(t, err.Error(), "index 131071")
}

func TestKindErrors(t *testing.T) { onBothPaths(t, testKindErrors) }

func testKindErrors(t *testing.T) {
	for _, s := range []string{"", "Q5_K", "q8", "F16", "Q8_1"} {
		_, err := quant.ParseGGUFKind(s)
		require.ErrorIs(t, err, quant.ErrKind, s)
	}
	bad := quant.GGUFKind(99)
	require.Equal(t, "GGUFKind(99)", bad.String())
	_, err := bad.BytesFor(32)
	require.ErrorIs(t, err, quant.ErrKind)
	require.ErrorIs(t, quant.QuantizeGGUF(make([]byte, 64), make([]float32, 32), 32, bad), quant.ErrKind)
	require.ErrorIs(t, quant.DequantizeGGUF(make([]float32, 32), make([]byte, 64), 32, bad), quant.ErrKind)
}
