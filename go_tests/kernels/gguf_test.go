package kernels_test

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/kernels"
)

// The GGUF references transcribe gguf.quants (gguf-py) literally, float32 step by float32
// step: np_roundf as floor(a) + floor(2*(a - floor(a))) with the sign put back, argmax as the
// first strict maximum, and numpy's x86-64 cast of a NaN or infinite product (0).

func npRoundf(v float32) float32 {
	a := float32(math.Abs(float64(v)))
	fl := float32(math.Floor(float64(a)))
	b := fl + float32(math.Floor(float64(2*(a-fl))))
	if v < 0 {
		return -b
	}
	if v == 0 {
		return 0
	}
	return b
}

// npCastInt32 is numpy's float to integer cast on x86-64 (CVTTSS2SI): NaN and values out of
// range become the "integer indefinite" 0x80000000, whose low byte is 0.
func npCastInt32(v float32) int32 {
	if math.IsNaN(float64(v)) || v >= 1<<31 || v < -(1<<31) {
		return math.MinInt32
	}
	return int32(v)
}

func half(d float32) uint16 {
	h := make([]uint16, 1)
	kernels.F32ToF16(h, []float32{d})
	return h[0]
}

func widen(h uint16) float32 {
	f := make([]float32, 1)
	kernels.F16ToF32(f, []uint16{h})
	return f[0]
}

func refEncodeQ8_0(x []float32) []byte {
	out := make([]byte, 0, len(x)/32*34)
	for b := 0; b < len(x)/32; b++ {
		blk := x[32*b : 32*b+32]
		var amax float32
		for _, v := range blk {
			if a := float32(math.Abs(float64(v))); a > amax {
				amax = a
			}
		}
		d := amax / 127
		var id float32
		if d != 0 {
			id = 1 / d
		}
		out = binary.LittleEndian.AppendUint16(out, half(d))
		for _, v := range blk {
			p := v * id
			out = append(out, byte(npCastInt32(npRoundf(p))))
		}
	}
	return out
}

func refEncodeQ4_0(x []float32) []byte {
	out := make([]byte, 0, len(x)/32*18)
	for b := 0; b < len(x)/32; b++ {
		blk := x[32*b : 32*b+32]
		imax := 0
		for j, v := range blk {
			if math.Abs(float64(v)) > math.Abs(float64(blk[imax])) {
				imax = j
			}
		}
		d := blk[imax] / -8
		var id float32
		if d != 0 {
			id = 1 / d
		}
		var q [32]byte
		for j, v := range blk {
			p := v * id
			s := p + 8.5
			c := npCastInt32(float32(math.Trunc(float64(s))))
			q[j] = byte(min(max(uint8(c), 0), 15)) // astype(uint8) then clip(0, 15)
		}
		out = binary.LittleEndian.AppendUint16(out, half(d))
		for j := range 16 {
			out = append(out, q[j]|q[j+16]<<4)
		}
	}
	return out
}

func refDecode(src []byte, q4 bool, n int) []float32 {
	out := make([]float32, n)
	bb := 34
	if q4 {
		bb = 18
	}
	for b := 0; b < n/32; b++ {
		blk := src[bb*b:]
		d := widen(binary.LittleEndian.Uint16(blk))
		for j := range 32 {
			if q4 {
				nib := blk[2+j%16] >> (4 * (j / 16)) & 0x0f
				out[32*b+j] = d * float32(int(nib)-8)
			} else {
				out[32*b+j] = float32(int8(blk[2+j])) * d
			}
		}
	}
	return out
}

type ggufKernel struct {
	name   string
	bb     int
	encode func(dst []byte, src []float32) bool
	decode func(dst []float32, src []byte)
	ref    func(x []float32) []byte
	q4     bool
}

var ggufKernels = []ggufKernel{
	{"Q8_0", kernels.Q8_0BlockBytes, kernels.EncodeQ8_0, kernels.DecodeQ8_0, refEncodeQ8_0, false},
	{"Q4_0", kernels.Q4_0BlockBytes, kernels.EncodeQ4_0, kernels.DecodeQ4_0, refEncodeQ4_0, true},
}

// encodeBoth runs k's encoder on both paths into buffers offset by off bytes (unaligned
// blocks) and returns both outputs and finite flags.
func encodeBoth(k ggufKernel, x []float32, off int) (scalar, simd []byte, fs, fv bool) {
	run := func() ([]byte, bool) {
		buf := make([]byte, off+len(x)/32*k.bb)
		ok := k.encode(buf[off:], x)
		return buf[off:], ok
	}
	withPath(false, func() { scalar, fs = run() })
	withPath(true, func() { simd, fv = run() })
	return
}

// ggufCases are blocks that exercise the formulas' edges: ties at every rounding step, zeros
// of both signs, magnitudes where 1/d overflows, d overflowing float16, equal magnitudes of
// opposite signs (argmax takes the first).
func ggufCases(r *rand.Rand) map[string][]float32 {
	blocks := func(n int, f func(i int) float32) []float32 {
		x := make([]float32, 32*n)
		for i := range x {
			x[i] = f(i)
		}
		return x
	}
	normal := func(scale float64) []float32 {
		return blocks(5, func(int) float32 { return float32(r.NormFloat64() * scale) })
	}
	q8ties := []float32{127, -127, 63.5, -63.5, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 126.5, -126.5}
	q4ties := []float32{-8, 8, 4.5, -4.5, 0.5, -0.5, 7.5, -7.5, -7.49, 3.5, -3.5, 8, -8}
	cases := map[string][]float32{
		"normal":        normal(1),
		"huge":          normal(1e37),
		"max float":     blocks(2, func(i int) float32 { return float32(i%3-1) * math.MaxFloat32 }),
		"tiny":          normal(1e-38),
		"d inf edge":    normal(4e-37),
		"subnormal d":   normal(3e-36),
		"subnormal x":   blocks(3, func(i int) float32 { return f32(uint32(r.IntN(1 << 23))) }),
		"f16 overflow":  blocks(1, func(i int) float32 { return 3e7 }),
		"zeros":         blocks(2, func(int) float32 { return 0 }),
		"neg zeros":     blocks(2, func(int) float32 { return negZero }),
		"mixed zeros":   blocks(2, func(i int) float32 { return []float32{0, negZero}[r.IntN(2)] }),
		"q8 ties":       blocks(4, func(i int) float32 { return q8ties[(i+i/32)%len(q8ties)] }),
		"q4 ties":       blocks(4, func(i int) float32 { return q4ties[(i+i/32)%len(q4ties)] }),
		"scaled ties":   blocks(4, func(i int) float32 { return q8ties[i%len(q8ties)] * 0.1 }),
		"opposite max":  blocks(3, func(i int) float32 { return float32(i%7) * float32(1-2*(i%2)) }),
		"last is max":   blocks(2, func(i int) float32 { return float32(i % 32) }),
		"max in lane 9": blocks(1, func(i int) float32 { return float32(r.NormFloat64()) + float32(b2f(i == 9)*-10) }),
		"random bits": blocks(8, func(int) float32 {
			for {
				if v := f32(r.Uint32()); !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0) {
					return v
				}
			}
		}),
		"specials": randFinite(r, 32*9),
	}
	// Every value of a block a half-step tie for Q8_0: max 127 gives d = 1 exactly.
	cases["all q8 halves"] = blocks(2, func(i int) float32 {
		if i%32 == 0 {
			return 127
		}
		return float32(i%32)*3.9 - 60.5
	})
	// Q4_0 sums landing on integers: max -8 gives d = 1, id = 1, x + 8.5.
	cases["all q4 halves"] = blocks(2, func(i int) float32 {
		if i%32 == 3 {
			return -8
		}
		return float32(i%16)/2 - 4
	})
	return cases
}

func b2f(b bool) float32 {
	if b {
		return 1
	}
	return 0
}

func TestGGUFEncodeMatchesReference(t *testing.T) {
	requireSIMD(t)
	r := rand.New(rand.NewPCG(21, 22))
	for name, x := range ggufCases(r) {
		for _, k := range ggufKernels {
			t.Run(k.name+"/"+name, func(t *testing.T) {
				want := k.ref(x)
				for _, off := range []int{0, 1, 3} {
					scalar, simd, fs, fv := encodeBoth(k, x, off)
					require.True(t, fs)
					require.True(t, fv)
					require.Equal(t, want, scalar, "scalar, offset %d", off)
					require.Equal(t, want, simd, "simd, offset %d", off)
				}
				// Unaligned source.
				y := append([]float32{1}, x...)[1:]
				_, simd, _, _ := encodeBoth(k, y, 0)
				require.Equal(t, want, simd, "unaligned src")
			})
		}
	}
}

func TestGGUFEncodeBlockCounts(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	for blocks := 0; blocks <= 40; blocks++ {
		x := make([]float32, 32*blocks)
		for i := range x {
			x[i] = float32(r.NormFloat64()) * float32(math.Pow(10, float64(r.IntN(8)-4)))
		}
		for _, k := range ggufKernels {
			scalar, simd, fs, fv := encodeBoth(k, x, 0)
			require.True(t, fs && fv)
			want := k.ref(x)
			require.Equal(t, want, scalar, "%s %d blocks", k.name, blocks)
			require.Equal(t, want, simd, "%s %d blocks", k.name, blocks)
		}
	}
}

func TestGGUFEncodeReportsNonFinite(t *testing.T) {
	r := rand.New(rand.NewPCG(25, 26))
	bad := []float32{inf, -inf, qNaN, f32(0xffc00000), f32(0x7f800001), f32(0x7fffffff)}
	for _, k := range ggufKernels {
		for pos := 0; pos < 96; pos += 7 {
			for _, v := range bad {
				x := make([]float32, 96)
				for i := range x {
					x[i] = float32(r.NormFloat64())
				}
				x[pos] = v
				_, _, fs, fv := encodeBoth(k, x, 0)
				require.False(t, fs, "%s scalar pos %d %v", k.name, pos, v)
				require.False(t, fv, "%s simd pos %d %v", k.name, pos, v)
			}
		}
	}
}

func TestGGUFDecodeMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(27, 28))
	// Scales of every kind: NaN (quiet and signalling, both signs), ±Inf, ±0, subnormal,
	// largest, and random halves; codes random.
	specialD := []uint16{0x7e00, 0xfe00, 0x7c01, 0xfd55, 0x7c00, 0xfc00, 0x0000, 0x8000, 0x0001, 0x83ff, 0x7bff, 0x3c00}
	for _, k := range ggufKernels {
		for _, blocks := range []int{0, 1, 2, 3, 12, 33} {
			src := make([]byte, blocks*k.bb+5)
			for i := range src {
				src[i] = byte(r.Uint32())
			}
			for b := range blocks {
				if b < len(specialD) {
					binary.LittleEndian.PutUint16(src[b*k.bb:], specialD[b])
				}
			}
			for _, off := range []int{0, 1, 5} {
				in := src[off:]
				n := min(blocks, len(in)/k.bb) * 32
				want := refDecode(in, k.q4, n)
				scalar, simd := bothPaths(func() []float32 {
					dst := make([]float32, n+1)
					k.decode(dst[1:], in)
					return dst[1:]
				})
				require.Equal(t, bitsOf(want), bitsOf(scalar), "%s %d blocks scalar", k.name, blocks)
				require.Equal(t, bitsOf(want), bitsOf(simd), "%s %d blocks simd", k.name, blocks)
			}
		}
	}
}

func bitsOf(v []float32) []uint32 {
	out := make([]uint32, len(v))
	for i, f := range v {
		out[i] = math.Float32bits(f)
	}
	return out
}

func TestGGUFLengthPanics(t *testing.T) {
	for _, k := range ggufKernels {
		require.Panics(t, func() { k.encode(make([]byte, 100), make([]float32, 33)) }, k.name)
		require.Panics(t, func() { k.encode(make([]byte, k.bb-1), make([]float32, 32)) }, k.name)
		require.Panics(t, func() { k.decode(make([]float32, 31), make([]byte, 100)) }, k.name)
		require.Panics(t, func() { k.decode(make([]float32, 64), make([]byte, 2*k.bb-1)) }, k.name)
		require.True(t, k.encode(nil, nil))
		k.decode(nil, nil)
	}
}

// FuzzGGUF compares both paths of the encoders (on arbitrary floats: the finite flag and, when
// finite, the bytes against the reference) and the decoders (on arbitrary bytes, bit for bit).
func FuzzGGUF(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		x := bytesToFloats(data)
		x = x[:len(x)/32*32]
		finite := kernels.FirstNonFinite(x) < 0
		for _, k := range ggufKernels {
			scalar, simd, fs, fv := encodeBoth(k, x, 0)
			require.Equal(t, finite, fs, k.name)
			require.Equal(t, finite, fv, k.name)
			if finite {
				want := k.ref(x)
				require.Equal(t, want, scalar, k.name)
				require.Equal(t, want, simd, k.name)
			}
			n := len(data) / k.bb * 32
			ds, dv := bothPaths(func() []float32 {
				dst := make([]float32, n)
				k.decode(dst, data)
				return dst
			})
			require.Equal(t, bitsOf(refDecode(data, k.q4, n)), bitsOf(ds), k.name)
			require.Equal(t, bitsOf(ds), bitsOf(dv), k.name)
		}
	})
}
