//go:build arm64 && !purego

package kernels

//go:noescape
func dequantI8NEON(dst *float32, codes *int8, n int, scale float32, zp int32)

// dequantInt8Vec does all of DequantInt8 (len(dst) == len(codes)) or reports false when codes
// is too short for a vector.
func dequantInt8Vec(dst []float32, codes []int8, scale float32, zp int32) bool {
	if len(codes) < vecMin {
		return false
	}
	dequantI8NEON(&dst[0], &codes[0], len(codes), scale, zp)
	return true
}
