package quant_test

import (
	"math"
	"math/rand/v2"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/quant"
)

// Plain sequential transcriptions of the formulas, independent of the package's chunking and
// kernels, used to check the parallel code on inputs too large for golden files.

func roundAway(v float32) float64 { return math.Round(float64(v)) }

func clampTo(r, lo, hi float64) int8 {
	if !(r >= lo) {
		r = lo
	}
	return int8(min(r, hi))
}

// channelOf is the channel of flat element i in [outer][channels][inner].
func channelOf(i, channels, inner int) int { return (i / inner) % channels }

func refSymmetric(x []float32, outer, channels, inner int) ([]int8, []float32) {
	m := make([]float32, channels)
	for i, v := range x {
		c := channelOf(i, channels, inner)
		m[c] = max(m[c], float32(math.Abs(float64(v))))
	}
	scales := make([]float32, channels)
	for c := range m {
		scales[c] = m[c] / 127
	}
	q := make([]int8, len(x))
	for i, v := range x {
		if s := scales[channelOf(i, channels, inner)]; s != 0 {
			q[i] = clampTo(roundAway(v/s), -127, 127)
		}
	}
	return q, scales
}

func refAsymmetric(x []float32, outer, channels, inner int) ([]int8, []float32, []int8) {
	lo, hi := make([]float32, channels), make([]float32, channels)
	for c := range lo {
		lo[c], hi[c] = float32(math.Inf(1)), float32(math.Inf(-1))
	}
	for i, v := range x {
		c := channelOf(i, channels, inner)
		lo[c], hi[c] = min(lo[c], v), max(hi[c], v)
	}
	scales, zps := make([]float32, channels), make([]int8, channels)
	for c := range lo {
		if lo[c] > hi[c] {
			continue
		}
		mn, mx := min(lo[c], 0), max(hi[c], 0) // the range always includes 0
		s := (mx - mn) / 255
		if s != 0 {
			scales[c], zps[c] = s, clampTo(roundAway(-mn/s)-128, -128, 127)
		}
	}
	q := make([]int8, len(x))
	for i, v := range x {
		c := channelOf(i, channels, inner)
		if s := scales[c]; s != 0 {
			q[i] = clampTo(roundAway(v/s)+float64(zps[c]), -128, 127)
		}
	}
	return q, scales, zps
}

func refInt4(x []float32, groupSize int) ([]uint8, []float32) {
	groups := (len(x) + groupSize - 1) / groupSize
	scales := make([]float32, groups)
	for i, v := range x {
		g := i / groupSize
		scales[g] = max(scales[g], float32(math.Abs(float64(v))))
	}
	for g := range scales {
		scales[g] /= 7
	}
	packed := make([]uint8, (len(x)+1)/2)
	for i, v := range x {
		var q int8
		if s := scales[i/groupSize]; s != 0 {
			q = clampTo(roundAway(v/s), -8, 7)
		}
		packed[i/2] |= (uint8(q) & 0x0f) << (4 * (i % 2))
	}
	return packed, scales
}

func refOriginal(x []float32) ([]int8, float32, float32) {
	mn, mx := x[0], x[0]
	for _, v := range x {
		mn, mx = min(mn, v), max(mx, v)
	}
	s := (mx - mn) / 255
	q := make([]int8, len(x))
	if s == 0 {
		for i := range q {
			q[i] = -128
		}
		return q, 0, 0
	}
	for i, v := range x {
		q[i] = clampTo(roundAway((v-mn)/s)-128, -128, 127)
	}
	return q, s, -mn / s
}

// randFloats returns n normally distributed float32 scaled by scale, with a few exact zeros,
// -0s and halfway values sprinkled in.
func randFloats(seed uint64, n int, scale float32) []float32 {
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	x := make([]float32, n)
	for i := range x {
		switch r.IntN(50) {
		case 0:
			x[i] = 0
		case 1:
			x[i] = float32(math.Copysign(0, -1))
		case 2:
			x[i] = float32(r.IntN(255)-127) + 0.5
		default:
			x[i] = float32(r.NormFloat64()) * scale
		}
	}
	return x
}

// refQuantGGUF transcribes gguf.quants' Q8_0 and Q4_0 quantize_blocks step by float32 step,
// including np_roundf (floor(a) + floor(2*(a - floor(a))), sign put back), argmax's first
// maximum, and numpy's x86-64 cast of a NaN or infinite product to an integer (0 in the low
// byte). d goes through quant.FP16, which is tested against numpy on its own.
func refQuantGGUF(x []float32, k quant.GGUFKind) []byte {
	var out []byte
	cast := func(v float32) uint8 {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return 0
		}
		return uint8(int32(v))
	}
	for b := 0; b < len(x)/32; b++ {
		blk := x[32*b : 32*b+32]
		imax := 0
		for j, v := range blk {
			if math.Abs(float64(v)) > math.Abs(float64(blk[imax])) {
				imax = j
			}
		}
		var d float32
		if k == quant.Q8_0 {
			d = float32(math.Abs(float64(blk[imax]))) / 127
		} else {
			d = blk[imax] / -8
		}
		var id float32
		if d != 0 {
			id = 1 / d
		}
		h := make([]uint16, 1)
		if err := quant.FP16(h, []float32{d}); err != nil {
			panic(err)
		}
		out = append(out, byte(h[0]), byte(h[0]>>8))
		var q [32]uint8
		for j, v := range blk {
			p := v * id
			if k == quant.Q8_0 {
				a := float32(math.Abs(float64(p)))
				fl := float32(math.Floor(float64(a)))
				r := fl + float32(math.Floor(float64(2*(a-fl))))
				if p < 0 {
					r = -r
				}
				q[j] = cast(r)
			} else {
				s := p + 8.5
				q[j] = min(cast(float32(math.Trunc(float64(s)))), 15)
			}
		}
		if k == quant.Q8_0 {
			out = append(out, q[:]...)
			continue
		}
		for j := range 16 {
			out = append(out, q[j]|q[j+16]<<4)
		}
	}
	return out
}
