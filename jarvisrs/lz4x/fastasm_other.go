//go:build !amd64 || purego

package lz4x

// haveAsm: no assembly fast compressor in this build.
const haveAsm = false

// fastLoopAsm is fastLoop where there is no assembly.
func fastLoopAsm(dst, src []byte, t *fastTable) (op, anchor int) { return fastLoop(dst, src, t) }

func xxhStripesAsm(v *[4]uint32, p *byte, n int) { panic("lz4x: no assembly in this build") }

func xxhStripesCopyAsm(v *[4]uint32, dst, p *byte, n int) {
	panic("lz4x: no assembly in this build")
}
