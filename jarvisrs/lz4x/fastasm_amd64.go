//go:build amd64 && !purego

package lz4x

// haveAsm: fastLoopAsm is fast_amd64.s and the xxHash32 loops xxh32_amd64.s. They use only
// baseline amd64 instructions.
const haveAsm = true

// fastLoopAsm is fastLoop in assembly, with the same arguments, results and output.
//
//go:noescape
func fastLoopAsm(dst, src []byte, t *fastTable) (op, anchor int)

// xxhStripesAsm is xxh32.stripes over the n bytes at p (n a positive multiple of 16), with the
// four lanes in v.
//
//go:noescape
func xxhStripesAsm(v *[4]uint32, p *byte, n int)

// xxhStripesCopyAsm is xxh32.stripesCopy: xxhStripesAsm that also copies the n bytes to dst.
//
//go:noescape
func xxhStripesCopyAsm(v *[4]uint32, dst, p *byte, n int)
