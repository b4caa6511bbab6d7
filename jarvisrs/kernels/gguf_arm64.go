//go:build arm64 && !purego

package kernels

//go:noescape
func encodeQ8_0NEON(dst *byte, src *float32, blocks int) (maxKey uint32)

//go:noescape
func encodeQ4_0NEON(dst *byte, src *float32, blocks int) (maxKey uint32)

//go:noescape
func decodeQ8_0NEON(dst *float32, src *byte, blocks int)

//go:noescape
func decodeQ4_0NEON(dst *float32, src *byte, blocks int)

// maxFiniteKey is the largest magnitude bit pattern of a finite float32. The encoders return
// the largest magnitude pattern they saw: above this key, src held a NaN or ±Inf.
const maxFiniteKey = 0x7f7fffff

func encodeQ8_0Vec(dst []byte, src []float32, blocks int) (finite, done bool) {
	return encodeQ8_0NEON(&dst[0], &src[0], blocks) <= maxFiniteKey, true
}

func encodeQ4_0Vec(dst []byte, src []float32, blocks int) (finite, done bool) {
	return encodeQ4_0NEON(&dst[0], &src[0], blocks) <= maxFiniteKey, true
}

func decodeQ8_0Vec(dst []float32, src []byte, blocks int) bool {
	decodeQ8_0NEON(&dst[0], &src[0], blocks)
	return true
}

func decodeQ4_0Vec(dst []float32, src []byte, blocks int) bool {
	decodeQ4_0NEON(&dst[0], &src[0], blocks)
	return true
}
