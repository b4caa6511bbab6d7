package modelquant

import (
	"encoding/binary"
	"math"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/quant"
	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/safetensors"
)

// grow returns b with length n, reusing its memory when large enough.
func grow(b []byte, n int) []byte {
	if cap(b) < n {
		return make([]byte, n)
	}
	return b[:n]
}

// growF32 returns f with length n, reusing its memory when large enough.
func growF32(f []float32, n int) []float32 {
	if cap(f) < n {
		return make([]float32, n)
	}
	return f[:n]
}

// decodeFloats converts raw, little-endian values of dtype dt, to float32. Aligned F32 data is
// returned as a view of raw (no copy); anything else is converted into *buf, grown as needed.
func decodeFloats(buf *[]float32, raw []byte, dt safetensors.DType) []float32 {
	if dt == safetensors.F32 && aligned(raw, 4) {
		return float32View(raw)
	}
	n := len(raw) / dt.Size()
	*buf = growF32(*buf, n)
	dst := (*buf)[:n]
	switch dt {
	case safetensors.F32:
		for i := range dst {
			dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
	case safetensors.F16:
		if aligned(raw, 2) {
			_ = quant.FP16ToF32(dst, uint16View(raw))
			break
		}
		for i := range dst {
			dst[i] = halfToFloat32(binary.LittleEndian.Uint16(raw[2*i:]))
		}
	case safetensors.BF16:
		for i := range dst {
			dst[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(raw[2*i:])) << 16)
		}
	case safetensors.F64:
		for i := range dst {
			dst[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:])))
		}
	}
	return dst
}

// halfToFloat32 widens one IEEE half (exactly), for the rare unaligned F16 tensor.
func halfToFloat32(h uint16) float32 {
	var out [1]float32
	_ = quant.FP16ToF32(out[:], []uint16{h})
	return out[0]
}
