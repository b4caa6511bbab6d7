package quant_test

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/quant"
)

// shape is a tensor viewed as [outer][channels][inner].
type shape struct {
	name                   string
	outer, channels, inner int
}

func (s shape) n() int { return s.outer * s.channels * s.inner }

// parallelShapes straddle the chunk size and cover both ways the statistics pass splits work:
// flat chunks with per-worker accumulators (few channels) and blocks of whole channels (many).
func parallelShapes() []shape {
	const L = quant.ChunkLen
	return []shape{
		{"flat L-1", 1, 1, L - 1},
		{"flat L", 1, 1, L},
		{"flat L+1", 1, 1, L + 1},
		{"flat 3L+17", 1, 1, 3*L + 17},
		{"axis0 7 channels", 1, 7, L/3 + 5},
		{"last axis 3 channels", L/2 + 1, 3, 1},
		{"last axis 1000 channels", 200, 1000, 1},
		{"middle axis", 5, 6, L/7 + 3},
		{"many channels, last axis", 9, 20000, 1},
		{"many channels, inner 3", 4, 17000, 3},
		{"many channels, one row", 1, 3*L + 1, 1},
		{"many channels, big inner", 2, 16385, 9},
	}
}

func TestParallelMatchesReference(t *testing.T) { onBothPaths(t, testParallelMatchesReference) }

func testParallelMatchesReference(t *testing.T) {
	for k, s := range parallelShapes() {
		t.Run(s.name, func(t *testing.T) {
			x := randFloats(uint64(k+1), s.n(), 3)
			q := make([]int8, s.n())
			scales := make([]float32, s.channels)
			require.NoError(t, quant.SymmetricInt8(q, scales, x, s.outer, s.channels, s.inner))
			wq, ws := refSymmetric(x, s.outer, s.channels, s.inner)
			require.Equal(t, ws, scales, "symmetric scales")
			require.Equal(t, wq, q, "symmetric codes")

			back := make([]float32, s.n())
			require.NoError(t, quant.DequantizeInt8(back, q, scales, nil, s.outer, s.channels, s.inner))
			for i, v := range q {
				if want := float32(v) * scales[channelOf(i, s.channels, s.inner)]; want != back[i] {
					require.Equal(t, want, back[i], "symmetric dequantized %d", i)
				}
			}

			zps := make([]int8, s.channels)
			require.NoError(t, quant.AsymmetricInt8(q, scales, zps, x, s.outer, s.channels, s.inner))
			wq, ws, wz := refAsymmetric(x, s.outer, s.channels, s.inner)
			require.Equal(t, ws, scales, "asymmetric scales")
			require.Equal(t, wz, zps, "asymmetric zero points")
			require.Equal(t, wq, q, "asymmetric codes")

			require.NoError(t, quant.DequantizeInt8(back, q, scales, zps, s.outer, s.channels, s.inner))
			for i, v := range q {
				c := channelOf(i, s.channels, s.inner)
				if want := float32(int(v)-int(zps[c])) * scales[c]; want != back[i] {
					require.Equal(t, want, back[i], "dequantized %d", i)
				}
			}
		})
	}
}

func TestParallelInt4AndOriginalMatchReference(t *testing.T) {
	onBothPaths(t, testParallelInt4AndOriginalMatchReference)
}

func testParallelInt4AndOriginalMatchReference(t *testing.T) {
	const L = quant.ChunkLen
	for _, n := range []int{1, L - 1, L, L + 1, 2*L + 3, 5*L + 17} {
		x := randFloats(uint64(n), n, 2)
		for _, gs := range []int{1, 7, 8, 32, 48, 4097, L + 5, 3 * L} {
			t.Run(fmt.Sprintf("int4 n=%d g=%d", n, gs), func(t *testing.T) {
				groups := (n + gs - 1) / gs
				packed := make([]uint8, (n+1)/2)
				scales := make([]float32, groups)
				require.NoError(t, quant.Int4(packed, scales, x, gs))
				wp, ws := refInt4(x, gs)
				require.Equal(t, ws, scales)
				require.Equal(t, wp, packed)

				back := make([]float32, n)
				require.NoError(t, quant.DequantizeInt4(back, packed, scales, gs))
				codes := make([]int8, n)
				require.NoError(t, quant.UnpackInt4(codes, packed))
				for i, c := range codes {
					if want := float32(c) * scales[i/gs]; want != back[i] {
						require.Equal(t, want, back[i], "dequantized %d", i)
					}
				}
			})
		}
		t.Run(fmt.Sprintf("original n=%d", n), func(t *testing.T) {
			q := make([]int8, n)
			p, err := quant.OriginalInt8(q, x)
			require.NoError(t, err)
			wq, ws, wz := refOriginal(x)
			require.Equal(t, wq, q)
			require.Equal(t, math.Float32bits(ws), math.Float32bits(p.Scale))
			require.Equal(t, math.Float32bits(wz), math.Float32bits(p.ZeroPoint))
		})
	}
}

// outputs runs every entry point once and collects all their outputs, to compare runs.
func outputs(t *testing.T, x []float32, s shape) [][]byte {
	t.Helper()
	n := len(x)
	var out [][]byte
	add := func(v any) {
		switch v := v.(type) {
		case []int8:
			out = append(out, asBytes(v))
		case []uint8:
			out = append(out, append([]byte(nil), v...))
		case []uint16:
			out = append(out, asBytes(v))
		case []uint32:
			out = append(out, asBytes(v))
		default:
			t.Fatalf("unexpected output type %T", v)
		}
	}

	q := make([]int8, n)
	p, err := quant.OriginalInt8(q, x)
	require.NoError(t, err)
	add(q)
	add([]uint32{math.Float32bits(p.Scale), math.Float32bits(p.ZeroPoint), math.Float32bits(p.Min), math.Float32bits(p.Max)})

	scales := make([]float32, max(s.channels, n))
	require.NoError(t, quant.SymmetricInt8(q, scales[:s.channels], x, s.outer, s.channels, s.inner))
	add(q)
	add(f32bits(scales[:s.channels]))
	zps := make([]int8, s.channels)
	require.NoError(t, quant.AsymmetricInt8(q, scales[:s.channels], zps, x, s.outer, s.channels, s.inner))
	add(q)
	add(zps)
	back := make([]float32, n)
	require.NoError(t, quant.DequantizeInt8(back, q, scales, zps, s.outer, s.channels, s.inner))
	add(f32bits(back))

	packed := make([]uint8, (n+1)/2)
	require.NoError(t, quant.Int4(packed, scales, x, 33))
	add(packed)
	require.NoError(t, quant.DequantizeInt4(back, packed, scales, 33))
	add(f32bits(back))

	h := make([]uint16, n)
	require.NoError(t, quant.FP16(h, x))
	add(h)
	require.NoError(t, quant.FP16ToF32(back, h))
	add(f32bits(back))

	m := n / 32 * 32
	for _, k := range []quant.GGUFKind{quant.Q8_0, quant.Q4_0} {
		size, err := k.BytesFor(m)
		require.NoError(t, err)
		data := make([]byte, size)
		require.NoError(t, quant.QuantizeGGUF(data, x[:m], 32, k))
		add(data)
		require.NoError(t, quant.DequantizeGGUF(back[:m], data, 32, k))
		add(f32bits(back[:m]))
	}
	return out
}

// asBytes copies the memory of s.
func asBytes[T int8 | uint16 | uint32](s []T) []byte {
	var zero T
	return append([]byte(nil), unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(zero)))...)
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func TestResultsIndependentOfGOMAXPROCS(t *testing.T) {
	onBothPaths(t, testResultsIndependentOfGOMAXPROCS)
}

func testResultsIndependentOfGOMAXPROCS(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	shapes := []shape{
		{"flat", 1, 1, 3*quant.ChunkLen + 101},
		{"last axis", quant.ChunkLen/4 + 3, 12, 1},
		{"many channels", 3, 20001, 2},
	}
	for k, s := range shapes {
		t.Run(s.name, func(t *testing.T) {
			x := randFloats(uint64(100+k), s.n(), 5)
			var first [][]byte
			for _, procs := range []int{1, 2, 3, 8} {
				runtime.GOMAXPROCS(procs)
				got := outputs(t, x, s)
				if first == nil {
					first = got
					continue
				}
				for i := range first {
					if !bytes.Equal(first[i], got[i]) {
						require.Failf(t, "results differ", "output %d with GOMAXPROCS=%d: first difference at byte %d",
							i, procs, firstDiff(first[i], got[i]))
					}
				}
			}
		})
	}
}

func TestGGUFMatchesReference(t *testing.T) { onBothPaths(t, testGGUFMatchesReference) }

// testGGUFMatchesReference runs both GGUF kinds over sizes around the work item size, on data
// whose products land on rounding ties (every block's largest magnitude is 127 or -8, so
// id is 1 and x*id is x), on normal data of several magnitudes, and on blocks where 1/d
// overflows, against the literal transcription of gguf.quants.
func testGGUFMatchesReference(t *testing.T) {
	const L = quant.ChunkLen
	for _, n := range []int{32, 64, L - 32, L, L + 32, 3*L + 96} {
		for _, data := range []struct {
			name string
			x    []float32
		}{
			{"normal", randFloats(uint64(n), n, 2)},
			{"ties", tieBlocks(uint64(n), n)},
			{"magnitudes", magnitudeBlocks(uint64(n), n)},
		} {
			for _, k := range []quant.GGUFKind{quant.Q8_0, quant.Q4_0} {
				t.Run(fmt.Sprintf("%v/%s/n=%d", k, data.name, n), func(t *testing.T) {
					rowLen := 32
					if n%96 == 0 {
						rowLen = 96
					}
					size, err := k.BytesFor(n)
					require.NoError(t, err)
					got := make([]byte, size)
					require.NoError(t, quant.QuantizeGGUF(got, data.x, rowLen, k))
					want := refQuantGGUF(data.x, k)
					if !bytes.Equal(want, got) {
						i := firstDiff(want, got)
						require.Failf(t, "blocks differ", "first difference at byte %d (block %d)", i, i/(size/(n/32)))
					}
					back := make([]float32, n)
					require.NoError(t, quant.DequantizeGGUF(back, got, rowLen, k))
					require.Equal(t, f32bits(refDequantGGUF(got, k, n)), f32bits(back))
				})
			}
		}
	}
}

// tieBlocks fills blocks whose largest magnitude is 127 (Q8_0: d = 1) or -8 (Q4_0: d = 1) at a
// random position, the other values halves and quarters that land on ties of both formulas.
func tieBlocks(seed uint64, n int) []float32 {
	x := randFloats(seed, n, 1)
	for b := 0; b < n/32; b++ {
		blk := x[32*b : 32*b+32]
		for j := range blk {
			blk[j] = float32(int(math.Float32bits(blk[j])%29)-14) / 4 // -3.5 .. 3.5 in quarters
		}
		if b%2 == 0 {
			blk[int(seed+uint64(b))%32] = 127
			blk[(int(seed+uint64(b))+5)%32] = -126.5
		} else {
			blk[int(seed+uint64(b))%32] = -8
			blk[(int(seed+uint64(b))+7)%32] = 8 // same magnitude later: argmax keeps the first
		}
	}
	return x
}

// magnitudeBlocks gives each block its own magnitude, from subnormal through 1e37, so scales
// that are subnormal, overflow float16 or whose reciprocal overflows all appear.
func magnitudeBlocks(seed uint64, n int) []float32 {
	r := rand.New(rand.NewPCG(seed, 3))
	mags := []float64{1e-45, 1e-40, 1e-38, 2e-38, 4e-37, 3e-36, 1e-10, 1, 3e7, 1e30, 1e37, 0}
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64() * mags[i/32%len(mags)])
	}
	return x
}
