//go:build arm64 && !purego

#include "textflag.h"

// NEON kernels. Go's arm64 assembler has the integer and bitwise vector instructions (VAND,
// VCMEQ, VUMAX, VUZP1, ...) but not the floating-point arithmetic, comparisons and
// conversions, nor signed integer shifts, comparisons and min/max; those are written as WORD
// with the instruction in a comment (GNU syntax, destination first, as objdump prints it).
// go_tests/kernels/neon_words_test.go assembles every such comment with GNU as and checks that
// it gives the word beside it.
//
// The kernels over plain slices (here and in half_arm64.s, int8_arm64.s, dequant_arm64.s)
// need n >= 8 and end a slice like the AVX2 code: blocks of 16 elements, then of 8, then one
// last block of 8 ending at n, overlapping the one before it (each result depends only on its
// own input, or the fold is idempotent). R4 holds the end of src, R5 the last start a block
// may have.

// func firstNonFiniteAsm(src *float32, n int) int
// Returns the start of the first 8- or 16-element block holding a NaN or ±Inf (all exponent
// bits set), or n. Everything before the returned index is finite.
TEXT ·firstNonFiniteAsm(SB), NOSPLIT, $0-24
	MOVD src+0(FP), R1
	MOVD n+8(FP), R2
	MOVD R1, R6
	ADD  R2<<2, R1, R4
	SUB  $64, R4, R5
	MOVW $0x7f800000, R8
	VDUP R8, V28.S4

nf16:
	CMP   R5, R1
	BGT   nf8start
	VLD1  (R1), [V0.S4, V1.S4, V2.S4, V3.S4]
	VAND  V28.B16, V0.B16, V0.B16
	VAND  V28.B16, V1.B16, V1.B16
	VAND  V28.B16, V2.B16, V2.B16
	VAND  V28.B16, V3.B16, V3.B16
	VCMEQ V28.S4, V0.S4, V0.S4
	VCMEQ V28.S4, V1.S4, V1.S4
	VCMEQ V28.S4, V2.S4, V2.S4
	VCMEQ V28.S4, V3.S4, V3.S4
	VORR  V1.B16, V0.B16, V0.B16
	VORR  V3.B16, V2.B16, V2.B16
	VORR  V2.B16, V0.B16, V0.B16
	WORD $0x6eb0a800 // umaxv s0, v0.4s
	FMOVS F0, R7
	CBNZW R7, nffound
	ADD   $64, R1
	B     nf16

nf8start:
	SUB $32, R4, R5

nf8:
	CMP   R5, R1
	BGT   nftail
	VLD1  (R1), [V0.S4, V1.S4]
	VAND  V28.B16, V0.B16, V0.B16
	VAND  V28.B16, V1.B16, V1.B16
	VCMEQ V28.S4, V0.S4, V0.S4
	VCMEQ V28.S4, V1.S4, V1.S4
	VORR  V1.B16, V0.B16, V0.B16
	WORD $0x6eb0a800 // umaxv s0, v0.4s
	FMOVS F0, R7
	CBNZW R7, nffound
	ADD   $32, R1
	B     nf8

nftail:
	CMP   R4, R1
	BEQ   nffound
	VLD1  (R5), [V0.S4, V1.S4]
	VAND  V28.B16, V0.B16, V0.B16
	VAND  V28.B16, V1.B16, V1.B16
	VCMEQ V28.S4, V0.S4, V0.S4
	VCMEQ V28.S4, V1.S4, V1.S4
	VORR  V1.B16, V0.B16, V0.B16
	WORD $0x6eb0a800 // umaxv s0, v0.4s
	FMOVS F0, R7
	MOVD  R4, R1
	CBZW  R7, nffound
	MOVD  R5, R1

nffound:
	SUB  R6, R1, R1
	LSR  $2, R1, R1
	MOVD R1, ret+16(FP)
	RET

// func absMaxKeyNEON(src *float32, n int) uint32
// The largest |x| bit pattern over src (integer maxima of the magnitude bits, which order
// like the magnitudes). Above 0x7f800000 (+Inf) src held a NaN, which AbsMax skips: the
// caller then runs the scalar code instead.
TEXT ·absMaxKeyNEON(SB), NOSPLIT, $0-20
	MOVD  src+0(FP), R1
	MOVD  n+8(FP), R2
	ADD   R2<<2, R1, R4
	SUB   $64, R4, R5
	MOVW  $0x7fffffff, R8
	VDUP  R8, V28.S4
	VEOR  V4.B16, V4.B16, V4.B16
	VEOR  V5.B16, V5.B16, V5.B16
	VEOR  V6.B16, V6.B16, V6.B16
	VEOR  V7.B16, V7.B16, V7.B16

am16:
	CMP    R5, R1
	BGT    am8start
	VLD1.P 64(R1), [V0.S4, V1.S4, V2.S4, V3.S4]
	VAND   V28.B16, V0.B16, V0.B16
	VAND   V28.B16, V1.B16, V1.B16
	VAND   V28.B16, V2.B16, V2.B16
	VAND   V28.B16, V3.B16, V3.B16
	VUMAX  V0.S4, V4.S4, V4.S4
	VUMAX  V1.S4, V5.S4, V5.S4
	VUMAX  V2.S4, V6.S4, V6.S4
	VUMAX  V3.S4, V7.S4, V7.S4
	B      am16

am8start:
	SUB $32, R4, R5

am8:
	CMP    R5, R1
	BGT    amtail
	VLD1.P 32(R1), [V0.S4, V1.S4]
	VAND   V28.B16, V0.B16, V0.B16
	VAND   V28.B16, V1.B16, V1.B16
	VUMAX  V0.S4, V4.S4, V4.S4
	VUMAX  V1.S4, V5.S4, V5.S4
	B      am8

amtail:
	CMP   R4, R1
	BEQ   amreduce
	VLD1  (R5), [V0.S4, V1.S4]
	VAND  V28.B16, V0.B16, V0.B16
	VAND  V28.B16, V1.B16, V1.B16
	VUMAX V0.S4, V4.S4, V4.S4
	VUMAX V1.S4, V5.S4, V5.S4

amreduce:
	VUMAX V5.S4, V4.S4, V4.S4
	VUMAX V7.S4, V6.S4, V6.S4
	VUMAX V6.S4, V4.S4, V4.S4
	WORD $0x6eb0a884 // umaxv s4, v4.4s
	FMOVS F4, ret+16(FP)
	RET

// A key (minMaxKeysNEON) is the float's bits
// with the magnitude bits of a negative flipped (x ^ (x>>31 arithmetic & 0x7fffffff)), so that
// signed integer order is MinMax's order: -0 below +0, NaNs beyond ±Inf at either end.

// func minMaxKeysNEON(src *float32, n int) (kmin, kmax int32)
// The smallest and largest key over src; the caller turns them back into floats, or notices a
// NaN among them (a key beyond ±Inf's) and runs the scalar code instead.
TEXT ·minMaxKeysNEON(SB), NOSPLIT, $0-24
	MOVD  src+0(FP), R1
	MOVD  n+8(FP), R2
	ADD   R2<<2, R1, R4
	SUB   $64, R4, R5
	MOVW  $0x7fffffff, R8
	VDUP  R8, V28.S4
	VMOV  V28.B16, V4.B16
	VMOV  V28.B16, V5.B16
	MOVW  $0x80000000, R8
	VDUP  R8, V6.S4
	VMOV  V6.B16, V7.B16

mk16:
	CMP    R5, R1
	BGT    mk8start
	VLD1.P 64(R1), [V0.S4, V1.S4, V2.S4, V3.S4]
	WORD $0x4f210410 // sshr v16.4s, v0.4s, #31
	WORD $0x4f210431 // sshr v17.4s, v1.4s, #31
	WORD $0x4f210452 // sshr v18.4s, v2.4s, #31
	WORD $0x4f210473 // sshr v19.4s, v3.4s, #31
	VAND   V28.B16, V16.B16, V16.B16
	VAND   V28.B16, V17.B16, V17.B16
	VAND   V28.B16, V18.B16, V18.B16
	VAND   V28.B16, V19.B16, V19.B16
	VEOR   V16.B16, V0.B16, V0.B16
	VEOR   V17.B16, V1.B16, V1.B16
	VEOR   V18.B16, V2.B16, V2.B16
	VEOR   V19.B16, V3.B16, V3.B16
	WORD $0x4ea06c84 // smin v4.4s, v4.4s, v0.4s
	WORD $0x4ea16ca5 // smin v5.4s, v5.4s, v1.4s
	WORD $0x4ea26c84 // smin v4.4s, v4.4s, v2.4s
	WORD $0x4ea36ca5 // smin v5.4s, v5.4s, v3.4s
	WORD $0x4ea064c6 // smax v6.4s, v6.4s, v0.4s
	WORD $0x4ea164e7 // smax v7.4s, v7.4s, v1.4s
	WORD $0x4ea264c6 // smax v6.4s, v6.4s, v2.4s
	WORD $0x4ea364e7 // smax v7.4s, v7.4s, v3.4s
	B      mk16

mk8start:
	SUB $32, R4, R5

mk8:
	CMP    R5, R1
	BGT    mktail
	VLD1.P 32(R1), [V0.S4, V1.S4]

mkblock:
	WORD $0x4f210410 // sshr v16.4s, v0.4s, #31
	WORD $0x4f210431 // sshr v17.4s, v1.4s, #31
	VAND   V28.B16, V16.B16, V16.B16
	VAND   V28.B16, V17.B16, V17.B16
	VEOR   V16.B16, V0.B16, V0.B16
	VEOR   V17.B16, V1.B16, V1.B16
	WORD $0x4ea06c84 // smin v4.4s, v4.4s, v0.4s
	WORD $0x4ea16ca5 // smin v5.4s, v5.4s, v1.4s
	WORD $0x4ea064c6 // smax v6.4s, v6.4s, v0.4s
	WORD $0x4ea164e7 // smax v7.4s, v7.4s, v1.4s
	B      mk8

mktail:
	CMP  R4, R1
	BEQ  mkreduce
	VLD1 (R5), [V0.S4, V1.S4]
	MOVD R4, R1
	B    mkblock

mkreduce:
	WORD $0x4ea56c84 // smin v4.4s, v4.4s, v5.4s
	WORD $0x4ea764c6 // smax v6.4s, v6.4s, v7.4s
	WORD $0x4eb1a884 // sminv s4, v4.4s
	WORD $0x4eb0a8c6 // smaxv s6, v6.4s
	FMOVS F4, kmin+16(FP)
	FMOVS F6, kmax+20(FP)
	RET
