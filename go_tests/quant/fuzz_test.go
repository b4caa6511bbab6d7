package quant_test

import (
	"encoding/binary"
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/quant"
)

// floatsOf reinterprets data as little-endian float32 (NaN and Inf patterns included).
func floatsOf(data []byte) []float32 {
	x := make([]float32, len(data)/4)
	for i := range x {
		x[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
	}
	return x
}

func FuzzPackUnpackInt4(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0x00})
	f.Add([]byte{0x78, 0x0f, 0xff})
	f.Add([]byte("arbitrary bytes, odd length"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// Any bytes are packed codes; unpacking all nibbles and packing again is the identity.
		codes := make([]int8, 2*len(data))
		require.NoError(t, quant.UnpackInt4(codes, data))
		for _, c := range codes {
			require.True(t, c >= -8 && c <= 7)
		}
		packed := make([]uint8, len(data))
		require.NoError(t, quant.PackInt4(packed, codes))
		require.Equal(t, data, packed)

		// An odd count drops the last high nibble and packs it back as 0.
		if len(data) > 0 {
			odd := codes[:len(codes)-1]
			again := make([]int8, len(odd))
			require.NoError(t, quant.UnpackInt4(again, data))
			require.Equal(t, odd, again)
			require.NoError(t, quant.PackInt4(packed, odd))
			require.Equal(t, data[:len(data)-1], packed[:len(data)-1])
			require.Equal(t, data[len(data)-1]&0x0f, packed[len(data)-1])
		}
	})
}

// refDequantGGUF decodes blocks the way gguf.quants.dequantize does.
func refDequantGGUF(data []byte, k quant.GGUFKind, n int) []float32 {
	out := make([]float32, n)
	bb := 34
	if k == quant.Q4_0 {
		bb = 18
	}
	for b := 0; b < n/32; b++ {
		blk := data[b*bb : (b+1)*bb]
		d := make([]float32, 1)
		if err := quant.FP16ToF32(d, []uint16{binary.LittleEndian.Uint16(blk)}); err != nil {
			panic(err)
		}
		for j := 0; j < 32; j++ {
			if k == quant.Q8_0 {
				out[b*32+j] = float32(int8(blk[2+j])) * d[0]
			} else {
				nib := blk[2+j%16] >> (4 * (j / 16)) & 0x0f
				out[b*32+j] = d[0] * float32(int(nib)-8)
			}
		}
	}
	return out
}

func FuzzDequantizeGGUF(f *testing.F) {
	f.Add([]byte{}, uint8(0), uint8(1))
	f.Add(make([]byte, 34), uint8(0), uint8(1))
	f.Add(make([]byte, 36), uint8(1), uint8(1))
	f.Add([]byte{0x00, 0x7e, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18}, uint8(1), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, kindSel, rowBlocks uint8) {
		eachPath(func() {
			k := quant.Q8_0
			bb := 34
			if kindSel%2 == 1 {
				k, bb = quant.Q4_0, 18
			}
			n := len(data) / bb * 32
			rowLen := 32 * int(rowBlocks%4)
			dst := make([]float32, n)
			err := quant.DequantizeGGUF(dst, data, rowLen, k)
			if n == 0 && rowLen == 0 || rowLen > 0 && n%rowLen == 0 {
				require.NoError(t, err)
				require.Equal(t, f32bits(refDequantGGUF(data, k, n)), f32bits(dst))
			} else {
				require.ErrorIs(t, err, quant.ErrShape)
			}
			// A destination longer than the data can fill is refused, never read past the end.
			require.ErrorIs(t, quant.DequantizeGGUF(make([]float32, n+32), data, 32, k), quant.ErrShape)
		})
	})
}

func FuzzQuantizeFloats(f *testing.F) {
	f.Add(make([]byte, 128), uint8(1))
	f.Add([]byte{0, 0, 0xc0, 0x7f, 0, 0, 0x80, 0x3f}, uint8(2))
	seed := make([]byte, 4*64)
	for i := range 64 {
		binary.LittleEndian.PutUint32(seed[4*i:], math.Float32bits(float32(i-32)*0.37))
	}
	f.Add(seed, uint8(4))
	f.Fuzz(func(t *testing.T, data []byte, chanSel uint8) {
		eachPath(func() {
			x := floatsOf(data)
			firstBad := -1
			for i, v := range x {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					firstBad = i
					break
				}
			}
			channels := 1 + int(chanSel)%5
			x = x[:len(x)/channels*channels]
			if firstBad >= len(x) {
				firstBad = -1
			}
			checkBad := func(err error) bool {
				t.Helper()
				if firstBad < 0 {
					return false
				}
				var nf *quant.NonFiniteError
				require.True(t, errors.As(err, &nf), "want NonFiniteError, got %v", err)
				require.Equal(t, firstBad, nf.Index)
				return true
			}

			q := make([]int8, len(x))
			scales := make([]float32, channels)
			err := quant.SymmetricInt8(q, scales, x, len(x)/channels, channels, 1)
			if !checkBad(err) {
				require.NoError(t, err)
				wq, ws := refSymmetric(x, len(x)/channels, channels, 1)
				require.Equal(t, f32bits(ws), f32bits(scales))
				require.Equal(t, wq, q)
			}

			zps := make([]int8, channels)
			err = quant.AsymmetricInt8(q, scales, zps, x, 1, channels, len(x)/channels)
			if !checkBad(err) && !errors.Is(err, quant.ErrRange) {
				require.NoError(t, err)
				wq, ws, wz := refAsymmetric(x, 1, channels, len(x)/channels)
				require.Equal(t, f32bits(ws), f32bits(scales))
				require.Equal(t, wz, zps)
				require.Equal(t, wq, q)
			}

			packed := make([]uint8, (len(x)+1)/2)
			scales = make([]float32, len(x)+1)
			err = quant.Int4(packed, scales, x, channels)
			if !checkBad(err) {
				require.NoError(t, err)
				wp, _ := refInt4(x, channels)
				require.Equal(t, wp, packed)
			}

			m := len(x) / 32 * 32
			if firstBad >= m {
				firstBad = -1
			}
			for _, k := range []quant.GGUFKind{quant.Q8_0, quant.Q4_0} {
				size, _ := k.BytesFor(m)
				out := make([]byte, size)
				err := quant.QuantizeGGUF(out, x[:m], 32, k)
				if !checkBad(err) {
					require.NoError(t, err)
					back := make([]float32, m)
					require.NoError(t, quant.DequantizeGGUF(back, out, 32, k))
				}
			}
		})
	})
}
