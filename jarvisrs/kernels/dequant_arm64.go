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

//go:noescape
func dequantI4NEON(dst *float32, packed *uint8, blocks int, scales *float32, vecPerGroup int)

// dequantInt4Vec decodes the whole 32-value blocks at the start of dst (packed from its first
// byte) and returns how many values it wrote. Vector v (values 8v..8v+7) uses scales[v /
// vecPerGroup]; vecOneGroup keeps scales[0] throughout.
func dequantInt4Vec(dst []float32, packed []uint8, scales []float32, vecPerGroup int) int {
	blocks := len(dst) / 32
	if blocks == 0 {
		return 0
	}
	dequantI4NEON(&dst[0], &packed[0], blocks, &scales[0], vecPerGroup)
	return 32 * blocks
}
