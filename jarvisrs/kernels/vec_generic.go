//go:build !(amd64 || arm64) || purego

package kernels

const hasSIMD = false

// The vector entry points below are what an architecture with SIMD kernels provides (see
// vec_amd64.go for their contracts). Without SIMD they do nothing and the scalar code runs.

func f32ToF16Vec(dst []uint16, src []float32) int       { return 0 }
func f16ToF32Vec(dst []float32, src []uint16) int       { return 0 }
func firstNonFiniteVec(src []float32) (index, done int) { return -1, 0 }
func minMaxVec(src []float32) (min, max float32, n int) { return 0, 0, 0 }
func absMaxVec(src []float32) (m float32, n int)        { return 0, 0 }
func absMaxColumnsVec(acc, src []float32) bool          { return false }
func quantVec(dst []int8, src []float32, sub, scale, add, lo, hi float32) bool {
	return false
}

func encodeQ8_0Vec(dst []byte, src []float32, blocks int) (finite, done bool) { return false, false }
func encodeQ4_0Vec(dst []byte, src []float32, blocks int) (finite, done bool) { return false, false }
func decodeQ8_0Vec(dst []float32, src []byte, blocks int) bool                { return false }
func decodeQ4_0Vec(dst []float32, src []byte, blocks int) bool                { return false }

func dequantInt8Vec(dst []float32, codes []int8, scale float32, zp int32) bool { return false }
func dequantInt8ColumnsVec(dst []float32, codes []int8, scales []float32, zps []int8) bool {
	return false
}
func dequantInt4Vec(dst []float32, packed []uint8, scales []float32, vecPerGroup int) int { return 0 }
func quantColumnsVec(dst []int8, src []float32, scales []float32, zps []int8) bool        { return false }
func minMaxColumnsVec(lo, hi, src []float32) bool                                         { return false }
