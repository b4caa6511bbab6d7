//go:build amd64 && !purego

#include "textflag.h"

// GGUF Q8_0 and Q4_0 blocks, one 32-value block (four vectors) per iteration. The per-block
// scale arithmetic is scalar (two dependent divisions); consecutive blocks are independent, so
// the out-of-order core overlaps them.
//
// max|x| is an integer maximum of the magnitude bits: for non-negative floats it orders like
// the values, it is exact, and a NaN or ±Inf (magnitude bits above 0x7f7fffff) makes it larger
// than any finite key. A running maximum of the block keys is returned, so the caller learns
// whether src was finite without a separate pass.

// VPERMD indices putting the dword groups of two VPACKSSDW and a VPACKSSWB back in order:
// the packs interleave the 128-bit lanes, leaving bytes 0-3, 8-11, 16-19, 24-27, 4-7, ...
DATA q8perm<>+0(SB)/4, $0
DATA q8perm<>+4(SB)/4, $4
DATA q8perm<>+8(SB)/4, $1
DATA q8perm<>+12(SB)/4, $5
DATA q8perm<>+16(SB)/4, $2
DATA q8perm<>+20(SB)/4, $6
DATA q8perm<>+24(SB)/4, $3
DATA q8perm<>+28(SB)/4, $7
GLOBL q8perm<>(SB), RODATA|NOPTR, $32

DATA ggufone<>+0(SB)/4, $0x3f800000      // 1.0
GLOBL ggufone<>(SB), RODATA|NOPTR, $4
DATA ggufinf<>+0(SB)/4, $0x7f800000      // +Inf
GLOBL ggufinf<>(SB), RODATA|NOPTR, $4
DATA gguf127<>+0(SB)/4, $0x42fe0000      // 127.0
GLOBL gguf127<>(SB), RODATA|NOPTR, $4
DATA ggufm8th<>+0(SB)/4, $0xbe000000     // -0.125
GLOBL ggufm8th<>(SB), RODATA|NOPTR, $4

// BLOCK_KEY loads the block at SI into Y0..Y3, and leaves the largest magnitude key in every
// lane of xk (yk its YMM), folded into the running maximum X12. Y15 holds 0x7fffffff; a0..a3
// receive the four magnitude vectors; t is scratch.
#define BLOCK_KEY(a0, a1, a2, a3, yk, xk, yt, xt) \
	VMOVUPS      (SI), Y0; \
	VMOVUPS      32(SI), Y1; \
	VMOVUPS      64(SI), Y2; \
	VMOVUPS      96(SI), Y3; \
	VPAND        Y15, Y0, a0; \
	VPAND        Y15, Y1, a1; \
	VPAND        Y15, Y2, a2; \
	VPAND        Y15, Y3, a3; \
	VPMAXSD      a1, a0, yk; \
	VPMAXSD      a3, a2, yt; \
	VPMAXSD      yt, yk, yk; \
	VEXTRACTI128 $1, yk, xt; \
	VPMAXSD      xt, xk, xk; \
	VPSHUFD      $0x4e, xk, xt; \
	VPMAXSD      xt, xk, xk; \
	VPSHUFD      $0xb1, xk, xt; \
	VPMAXSD      xt, xk, xk; \
	VPMAXSD      xk, X12, X12

// STORE_HALF writes the float16 of the low lane of x (a finite float32: F16C's round to
// nearest even is F32ToF16's) to the two bytes at DI.
#define STORE_HALF(x, t) \
	VCVTPS2PH $0, x, t; \
	VMOVD     t, AX; \
	MOVW      AX, (DI)

// RHA rounds v half away from zero to int32: trunc(v + copysign(0.49999997, v)), exact for
// every float32 (see vec_amd64.s). Y14 holds the sign bit, Y13 0.49999997.
#define RHA(v, t) \
	VANDPS     Y14, v, t; \
	VORPS      Y13, t, t; \
	VADDPS     t, v, v; \
	VCVTTPS2DQ v, v

// func encodeQ8_0AVX2(dst *byte, src *float32, blocks int) (maxKey uint32)
// blocks >= 1.
TEXT ·encodeQ8_0AVX2(SB), NOSPLIT, $0-28
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         blocks+16(FP), CX
	VPCMPEQD     Y15, Y15, Y15
	VPSRLD       $1, Y15, Y15
	VPCMPEQD     Y14, Y14, Y14
	VPSLLD       $31, Y14, Y14
	MOVL         $0x3effffff, AX
	VMOVD        AX, X13
	VPBROADCASTD X13, Y13
	VPXOR        Y12, Y12, Y12
	VMOVDQU      q8perm<>(SB), Y11
	VMOVSS       gguf127<>(SB), X10
	VMOVSS       ggufone<>(SB), X9
	VMOVSS       ggufinf<>(SB), X8

q8loop:
	PREFETCHT0 1024(SI)
	PREFETCHT0 1088(SI)
	BLOCK_KEY(Y4, Y5, Y6, Y7, Y4, X4, Y5, X5)

	// d = max|x| / 127; id = 1/d where that is below +Inf, else 0 (d == 0 gives +Inf too).
	VDIVSS       X10, X4, X5
	VDIVSS       X5, X9, X6
	VCMPSS       $1, X8, X6, X7
	VANDPS       X7, X6, X6
	VBROADCASTSS X6, Y6
	STORE_HALF(X5, X7)

	VMULPS     Y6, Y0, Y0
	VMULPS     Y6, Y1, Y1
	VMULPS     Y6, Y2, Y2
	VMULPS     Y6, Y3, Y3
	RHA(Y0, Y4)
	RHA(Y1, Y5)
	RHA(Y2, Y6)
	RHA(Y3, Y7)
	VPACKSSDW  Y1, Y0, Y0
	VPACKSSDW  Y3, Y2, Y2
	VPACKSSWB  Y2, Y0, Y0
	VPERMD     Y0, Y11, Y0
	VMOVDQU    Y0, 2(DI)

	ADDQ $128, SI
	ADDQ $34, DI
	DECQ CX
	JNE  q8loop

	VMOVD X12, AX
	MOVL  AX, maxKey+24(FP)
	VZEROUPPER
	RET

// func encodeQ4_0AVX2(dst *byte, src *float32, blocks int) (maxKey uint32)
// blocks >= 1.
TEXT ·encodeQ4_0AVX2(SB), NOSPLIT, $0-28
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         blocks+16(FP), CX
	VPCMPEQD     Y15, Y15, Y15
	VPSRLD       $1, Y15, Y15
	MOVL         $0x41080000, AX // 8.5
	VMOVD        AX, X14
	VPBROADCASTD X14, Y14
	MOVL         $15, AX
	VMOVD        AX, X13
	VPBROADCASTD X13, Y13
	VPXOR        Y12, Y12, Y12

q4loop:
	PREFETCHT0 1024(SI)
	PREFETCHT0 1088(SI)
	BLOCK_KEY(Y4, Y5, Y6, Y7, Y8, X8, Y9, X9)

	// The first index whose magnitude is the maximum: the lowest set bit of the 32 lane
	// comparisons. The maximum is always attained, so the mask is never 0.
	VPBROADCASTD X8, Y8
	VPCMPEQD     Y8, Y4, Y4
	VPCMPEQD     Y8, Y5, Y5
	VPCMPEQD     Y8, Y6, Y6
	VPCMPEQD     Y8, Y7, Y7
	VMOVMSKPS    Y4, AX
	VMOVMSKPS    Y5, BX
	VMOVMSKPS    Y6, DX
	VMOVMSKPS    Y7, R8
	SHLL         $8, BX
	ORL          BX, AX
	SHLL         $16, DX
	ORL          DX, AX
	SHLL         $24, R8
	ORL          R8, AX
	BSFL         AX, AX

	// d = m * -0.125 (equal to m / -8); r = 1/d. id = r where |r| < Inf, else 0. The codes
	// survive where r is finite or d is 0 (id 0, codes 8); a non-zero d whose reciprocal
	// overflows gives code bytes 0.
	VMOVSS       (SI)(AX*4), X4
	VMULSS       ggufm8th<>(SB), X4, X4
	VMOVSS       ggufone<>(SB), X5
	VDIVSS       X4, X5, X5
	VANDPS       X15, X5, X6
	VCMPSS       $1, ggufinf<>(SB), X6, X6
	VXORPS       X7, X7, X7
	VCMPSS       $0, X7, X4, X7
	VORPS        X6, X7, X7
	VANDPS       X6, X5, X5
	VBROADCASTSS X5, Y5
	VPBROADCASTD X7, X7
	STORE_HALF(X4, X6)

	// q = min(trunc(x*id + 8.5), 15): a rounded product, then a rounded sum, as numpy does.
	VMULPS     Y5, Y0, Y0
	VMULPS     Y5, Y1, Y1
	VMULPS     Y5, Y2, Y2
	VMULPS     Y5, Y3, Y3
	VADDPS     Y14, Y0, Y0
	VADDPS     Y14, Y1, Y1
	VADDPS     Y14, Y2, Y2
	VADDPS     Y14, Y3, Y3
	VCVTTPS2DQ Y0, Y0
	VCVTTPS2DQ Y1, Y1
	VCVTTPS2DQ Y2, Y2
	VCVTTPS2DQ Y3, Y3
	VPMINSD    Y13, Y0, Y0
	VPMINSD    Y13, Y1, Y1
	VPMINSD    Y13, Y2, Y2
	VPMINSD    Y13, Y3, Y3

	// Words 0-3, 8-11 | 4-7, 12-15 and the same for 16..31, which go to the high nibbles;
	// then qwords in order and bytes.
	VPACKSSDW    Y1, Y0, Y0
	VPACKSSDW    Y3, Y2, Y2
	VPSLLW       $4, Y2, Y2
	VPOR         Y2, Y0, Y0
	VPERMQ       $0xd8, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPACKUSWB    X1, X0, X0
	VPAND        X7, X0, X0
	VMOVDQU      X0, 2(DI)

	ADDQ $128, SI
	ADDQ $18, DI
	DECQ CX
	JNE  q4loop

	VMOVD X12, AX
	MOVL  AX, maxKey+24(FP)
	VZEROUPPER
	RET

// The decoders widen d with VCVTPH2PS, which quietens a signalling NaN where F16ToF32 keeps
// it; the product with a code quietens it anyway, so the values are the scalar ones.

// func decodeQ8_0AVX2(dst *float32, src *byte, blocks int)
// blocks >= 1.
TEXT ·decodeQ8_0AVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ blocks+16(FP), CX

d8loop:
	PREFETCHT0   512(SI)
	VPBROADCASTW (SI), X0
	VCVTPH2PS    X0, Y0
	VPMOVSXBD    2(SI), Y1
	VPMOVSXBD    10(SI), Y2
	VPMOVSXBD    18(SI), Y3
	VPMOVSXBD    26(SI), Y4
	VCVTDQ2PS    Y1, Y1
	VCVTDQ2PS    Y2, Y2
	VCVTDQ2PS    Y3, Y3
	VCVTDQ2PS    Y4, Y4
	VMULPS       Y0, Y1, Y1
	VMULPS       Y0, Y2, Y2
	VMULPS       Y0, Y3, Y3
	VMULPS       Y0, Y4, Y4
	VMOVUPS      Y1, (DI)
	VMOVUPS      Y2, 32(DI)
	VMOVUPS      Y3, 64(DI)
	VMOVUPS      Y4, 96(DI)
	ADDQ         $34, SI
	ADDQ         $128, DI
	DECQ         CX
	JNE          d8loop
	VZEROUPPER
	RET

// func decodeQ4_0AVX2(dst *float32, src *byte, blocks int)
// blocks >= 1.
TEXT ·decodeQ4_0AVX2(SB), NOSPLIT, $0-24
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         blocks+16(FP), CX
	MOVL         $0x0f0f0f0f, AX
	VMOVD        AX, X15
	VPBROADCASTD X15, X15
	MOVL         $0x08080808, AX
	VMOVD        AX, X14
	VPBROADCASTD X14, X14

d4loop:
	PREFETCHT0   512(SI)
	VPBROADCASTW (SI), X0
	VCVTPH2PS    X0, Y0
	VMOVDQU      2(SI), X1
	VPSRLW       $4, X1, X2
	VPAND        X15, X1, X1
	VPAND        X15, X2, X2
	VPSUBB       X14, X1, X1
	VPSUBB       X14, X2, X2
	VPMOVSXBD    X1, Y3
	VPSHUFD      $0x4e, X1, X1
	VPMOVSXBD    X1, Y4
	VPMOVSXBD    X2, Y5
	VPSHUFD      $0x4e, X2, X2
	VPMOVSXBD    X2, Y6
	VCVTDQ2PS    Y3, Y3
	VCVTDQ2PS    Y4, Y4
	VCVTDQ2PS    Y5, Y5
	VCVTDQ2PS    Y6, Y6
	VMULPS       Y3, Y0, Y3
	VMULPS       Y4, Y0, Y4
	VMULPS       Y5, Y0, Y5
	VMULPS       Y6, Y0, Y6
	VMOVUPS      Y3, (DI)
	VMOVUPS      Y4, 32(DI)
	VMOVUPS      Y5, 64(DI)
	VMOVUPS      Y6, 96(DI)
	ADDQ         $18, SI
	ADDQ         $128, DI
	DECQ         CX
	JNE          d4loop
	VZEROUPPER
	RET
