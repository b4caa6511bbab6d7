package quant_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/quant"
)

// Hand-computed cases: values chosen so every scale is exact and each rounding can be worked
// out on paper.

var negZero = float32(math.Copysign(0, -1))

func TestOriginalInt8Formula(t *testing.T) { onBothPaths(t, testOriginalInt8Formula) }

func testOriginalInt8Formula(t *testing.T) {
	cases := []struct {
		name string
		x    []float32
		q    []int8
		p    quant.Params
	}{
		{"empty", nil, []int8{}, quant.Params{}},
		// range 255: scale 1, zero point 1; ties round away from zero.
		{"ties", []float32{-1, 254, 0.5, -0.5, 126.5, 125.5}, []int8{-128, 127, -126, -127, 0, -1},
			quant.Params{Scale: 1, ZeroPoint: 1, Min: -1, Max: 254}},
		{"constant", []float32{5, 5, 5}, []int8{-128, -128, -128}, quant.Params{Min: 5, Max: 5}},
		{"one value", []float32{-2}, []int8{-128}, quant.Params{Min: -2, Max: -2}},
		// range 510: scale 2, zero point -0 (min is +0).
		{"from zero", []float32{0, 510, 255, 1}, []int8{-128, 127, 0, -127},
			quant.Params{Scale: 2, ZeroPoint: negZero, Min: 0, Max: 510}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dst := make([]int8, len(c.x))
			p, err := quant.OriginalInt8(dst, c.x)
			require.NoError(t, err)
			require.Equal(t, c.q, dst)
			require.Equal(t, c.p, p)
			require.Equal(t, math.Float32bits(c.p.ZeroPoint), math.Float32bits(p.ZeroPoint))
		})
	}
}

func TestSymmetricInt8Formula(t *testing.T) { onBothPaths(t, testSymmetricInt8Formula) }

func testSymmetricInt8Formula(t *testing.T) {
	cases := []struct {
		name                   string
		x                      []float32
		outer, channels, inner int
		q                      []int8
		scales                 []float32
	}{
		{"tensor", []float32{127, -127, 2.5, -2.5, 0.5, -0.49, 0}, 1, 1, 7,
			[]int8{127, -127, 3, -3, 1, 0, 0}, []float32{1}},
		{"zeros", []float32{0, negZero, 0}, 1, 1, 3, []int8{0, 0, 0}, []float32{0}},
		{"underflowing scale", []float32{1e-44, -1e-44}, 1, 1, 2, []int8{0, 0}, []float32{0}},
		// rows [127, 254] and [-63.5, 1]: column scales 1 and 2.
		{"last axis", []float32{127, 254, -63.5, 1}, 2, 2, 1, []int8{127, 127, -64, 1}, []float32{1, 2}},
		// channel 0 all zeros, channel 1 scale 2.
		{"axis 0", []float32{0, 0, 127, -254}, 1, 2, 2, []int8{0, 0, 64, -127}, []float32{0, 2}},
		// [2][2][2]: channel 0 holds 254, 1, 3, 5; channel 1 holds 2, -4, 127, 0.
		{"middle axis", []float32{254, 1, 2, -4, 3, 5, 127, 0}, 2, 2, 2,
			[]int8{127, 1, 2, -4, 2, 3, 127, 0}, []float32{2, 1}},
		{"empty", nil, 0, 3, 4, []int8{}, []float32{0, 0, 0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dst := make([]int8, len(c.x))
			scales := make([]float32, c.channels)
			for i := range scales {
				scales[i] = 42 // must be overwritten
			}
			require.NoError(t, quant.SymmetricInt8(dst, scales, c.x, c.outer, c.channels, c.inner))
			require.Equal(t, c.q, dst)
			require.Equal(t, c.scales, scales)
		})
	}
}

func TestAsymmetricInt8Formula(t *testing.T) { onBothPaths(t, testAsymmetricInt8Formula) }

func testAsymmetricInt8Formula(t *testing.T) {
	cases := []struct {
		name                   string
		x                      []float32
		outer, channels, inner int
		q                      []int8
		scales                 []float32
		zps                    []int8
	}{
		// range 255 → scale 1, zp = round(1) - 128 = -127.
		{"shifted", []float32{-1, 254, 0.5, -0.5}, 1, 1, 4, []int8{-128, 127, -126, -128}, []float32{1}, []int8{-127}},
		{"centred", []float32{-128, 127, 0, 2.5}, 1, 1, 4, []int8{-128, 127, 0, 3}, []float32{1}, []int8{0}},
		// constant channels: range widened to include 0.
		{"constant positive", []float32{255, 255}, 1, 1, 2, []int8{127, 127}, []float32{1}, []int8{-128}},
		{"constant negative", []float32{-255, -255}, 1, 1, 2, []int8{-128, -128}, []float32{1}, []int8{127}},
		{"constant zero", []float32{0, negZero}, 1, 1, 2, []int8{0, 0}, []float32{0}, []int8{0}},
		// A range above 0 is widened to [0, 510]: scale 2, zp -128, 255/2 = 127.5 rounds to 128.
		{"range above zero includes zero", []float32{255, 510}, 1, 1, 2, []int8{0, 127}, []float32{2}, []int8{-128}},
		{"range below zero includes zero", []float32{-510, -255}, 1, 1, 2, []int8{-128, -1}, []float32{2}, []int8{127}},
		// last axis: column 0 is [-128, 127] (scale 1, zp 0), column 1 is constant 510 (scale 2, zp -128).
		{"last axis", []float32{-128, 510, 127, 510}, 2, 2, 1, []int8{-128, 127, 127, 127},
			[]float32{1, 2}, []int8{0, -128}},
		{"empty", nil, 2, 2, 0, []int8{}, []float32{0, 0}, []int8{0, 0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dst := make([]int8, len(c.x))
			scales := make([]float32, c.channels)
			zps := make([]int8, c.channels)
			for i := range scales {
				scales[i], zps[i] = 42, 42 // must be overwritten
			}
			require.NoError(t, quant.AsymmetricInt8(dst, scales, zps, c.x, c.outer, c.channels, c.inner))
			require.Equal(t, c.q, dst)
			require.Equal(t, c.scales, scales)
			require.Equal(t, c.zps, zps)

			back := make([]float32, len(c.x))
			require.NoError(t, quant.DequantizeInt8(back, dst, scales, zps, c.outer, c.channels, c.inner))
			for i, q := range dst {
				ch := (i / max(c.inner, 1)) % c.channels
				require.Equal(t, float32(int(q)-int(zps[ch]))*scales[ch], back[i])
			}
		})
	}
}

func TestInt4Formula(t *testing.T) { onBothPaths(t, testInt4Formula) }

func testInt4Formula(t *testing.T) {
	cases := []struct {
		name      string
		x         []float32
		groupSize int
		packed    []uint8
		scales    []float32
	}{
		// groups [7, -3.5] (scale 1: 7, -4), [0, 0] (scale 0), [14, 1] (scale 2: 7, 1).
		{"groups of 2", []float32{7, -3.5, 0, 0, 14, 1}, 2, []uint8{0xc7, 0x00, 0x17}, []float32{1, 0, 2}},
		{"odd count", []float32{7, -7, 7}, 3, []uint8{0x97, 0x07}, []float32{1}},
		// group size 3 over 4 values: a byte straddles the groups [7, 0.5, -7] and [-14].
		{"odd group size", []float32{7, 0.5, -7, -14}, 3, []uint8{0x17, 0x99}, []float32{1, 2}},
		{"single", []float32{-3}, 32, []uint8{0x09}, []float32{3.0 / 7}},
		{"empty", nil, 32, []uint8{}, []float32{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			packed := make([]uint8, (len(c.x)+1)/2)
			scales := make([]float32, len(c.scales))
			require.NoError(t, quant.Int4(packed, scales, c.x, c.groupSize))
			require.Equal(t, c.packed, packed)
			require.Equal(t, c.scales, scales)
		})
	}
}

func TestPackUnpackInt4(t *testing.T) { onBothPaths(t, testPackUnpackInt4) }

func testPackUnpackInt4(t *testing.T) {
	cases := []struct {
		codes  []int8
		packed []uint8
	}{
		{[]int8{}, []uint8{}},
		{[]int8{-8, 7, -1}, []uint8{0x78, 0x0f}},
		{[]int8{1, 2, 3, 4}, []uint8{0x21, 0x43}},
		{[]int8{-1, -1}, []uint8{0xff}},
		{[]int8{0}, []uint8{0x00}},
	}
	for _, c := range cases {
		packed := make([]uint8, len(c.packed))
		require.NoError(t, quant.PackInt4(packed, c.codes))
		require.Equal(t, c.packed, packed)
		codes := make([]int8, len(c.codes))
		require.NoError(t, quant.UnpackInt4(codes, packed))
		require.Equal(t, c.codes, codes)
	}
	// An odd count ignores the last high nibble.
	codes := make([]int8, 1)
	require.NoError(t, quant.UnpackInt4(codes, []uint8{0xf9}))
	require.Equal(t, []int8{-7}, codes)
}

func TestDequantizeFormula(t *testing.T) { onBothPaths(t, testDequantizeFormula) }

func testDequantizeFormula(t *testing.T) {
	// Symmetric, last axis: scales 0.5 and 2.
	out := make([]float32, 4)
	require.NoError(t, quant.DequantizeInt8(out, []int8{-127, 3, 127, -128}, []float32{0.5, 2}, nil, 2, 2, 1))
	require.Equal(t, []float32{-63.5, 6, 63.5, -256}, out)
	// q - zp is exact: 127 - (-128) = 255, not an int8 wrap-around.
	require.NoError(t, quant.DequantizeInt8(out[:2], []int8{127, -128}, []float32{1}, []int8{-128}, 1, 1, 2))
	require.Equal(t, []float32{255, 0}, out[:2])

	got := make([]float32, 3)
	require.NoError(t, quant.DequantizeInt4(got, []uint8{0x97, 0x07}, []float32{0.5, 4}, 2))
	require.Equal(t, []float32{3.5, -3.5, 28}, got)

	h := []uint16{0x3c00, 0xc000, 0x7c00, 0x0001, 0x8000}
	f := make([]float32, len(h))
	require.NoError(t, quant.FP16ToF32(f, h))
	require.Equal(t, []float32{1, -2, float32(math.Inf(1)), 5.9604645e-08, negZero}, f)
	require.True(t, math.Signbit(float64(f[4])))
}

func TestGGUFFormula(t *testing.T) { onBothPaths(t, testGGUFFormula) }

func testGGUFFormula(t *testing.T) {
	// Q8_0: max|x| = 127 → d = 1 (half 0x3c00), id = 1, codes round(x) half away from zero.
	x := make([]float32, 32)
	want := make([]byte, 34)
	want[0], want[1] = 0x00, 0x3c
	vals := []float32{127, -127, 2.5, -2.5, 0.5, -0.5, 0.49, 100}
	codes := []int8{127, -127, 3, -3, 1, -1, 0, 100}
	for i := range x {
		x[i] = vals[i%len(vals)]
		want[2+i] = byte(codes[i%len(codes)])
	}
	got := make([]byte, 34)
	require.NoError(t, quant.QuantizeGGUF(got, x, 32, quant.Q8_0))
	require.Equal(t, want, got)

	// Q4_0: the first value of largest magnitude is -8 → d = 1, id = 1,
	// q = min(trunc(x + 8.5), 15); value j in the low nibble, j+16 in the high one.
	vals = []float32{-8, 8, 7, 0, -0.5, 0.5, -1.5, 3}
	qs := []uint8{0, 15, 15, 8, 8, 9, 7, 11}
	for i := range x {
		x[i] = vals[i%len(vals)]
	}
	want = make([]byte, 18)
	want[0], want[1] = 0x00, 0x3c
	for j := 0; j < 16; j++ {
		want[2+j] = qs[j%8] | qs[(j+16)%8]<<4
	}
	got = make([]byte, 18)
	require.NoError(t, quant.QuantizeGGUF(got, x, 32, quant.Q4_0))
	require.Equal(t, want, got)

	// An all-zero Q4_0 block: d = 0 / -8 = -0 (half 0x8000), every code 8.
	zero := make([]float32, 32)
	require.NoError(t, quant.QuantizeGGUF(got, zero, 32, quant.Q4_0))
	require.Equal(t, append([]byte{0x00, 0x80}, bytesOf(0x88, 16)...), got)

	back := make([]float32, 32)
	require.NoError(t, quant.DequantizeGGUF(back, got, 32, quant.Q4_0))
	for _, v := range back {
		require.Equal(t, float32(0), v)
	}
}

func bytesOf(b byte, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = b
	}
	return out
}

func TestGGUFKind(t *testing.T) { onBothPaths(t, testGGUFKind) }

func testGGUFKind(t *testing.T) {
	cases := []struct {
		name  string
		kind  quant.GGUFKind
		bytes int // for 64 values
	}{
		{"Q8_0", quant.Q8_0, 68},
		{"q8_0", quant.Q8_0, 68},
		{"Q4_0", quant.Q4_0, 36},
	}
	for _, c := range cases {
		k, err := quant.ParseGGUFKind(c.name)
		require.NoError(t, err)
		require.Equal(t, c.kind, k)
		n, err := k.BytesFor(64)
		require.NoError(t, err)
		require.Equal(t, c.bytes, n)
	}
	require.Equal(t, "Q8_0", quant.Q8_0.String())
	require.Equal(t, "Q4_0", quant.Q4_0.String())
	require.Equal(t, 8, int(quant.Q8_0)) // ggml's type ids
	require.Equal(t, 2, int(quant.Q4_0))
}
