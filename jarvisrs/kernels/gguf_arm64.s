//go:build arm64 && !purego

#include "textflag.h"

// GGUF Q8_0 and Q4_0 blocks, one 32-value block (eight vectors) per iteration (see
// vec_arm64.s for the WORD convention). The per-block scale arithmetic is scalar, as in the
// AVX2 code and in the same float32 operations as the Go code.
//
// max|x| is an unsigned integer maximum of the magnitude bits (V28 = 0x7fffffff): for
// non-negative floats it orders like the values, and a NaN or ±Inf makes it larger than any
// finite key. The running maximum of the block keys (V30) is returned, so the caller learns
// whether src was finite without a separate pass. F20..F23 hold 127, 1, +Inf and 0.

// Byte indices 0..31, for the first index of the largest magnitude in encodeQ4_0NEON.
DATA q4idx<>+0(SB)/8, $0x0706050403020100
DATA q4idx<>+8(SB)/8, $0x0f0e0d0c0b0a0908
DATA q4idx<>+16(SB)/8, $0x1716151413121110
DATA q4idx<>+24(SB)/8, $0x1f1e1d1c1b1a1918
GLOBL q4idx<>(SB), RODATA|NOPTR, $32

// func encodeQ8_0NEON(dst *byte, src *float32, blocks int) (maxKey uint32)
// blocks >= 1. The block's key lands in S16, the largest |x| itself.
TEXT ·encodeQ8_0NEON(SB), NOSPLIT, $0-28
	MOVD  dst+0(FP), R0
	MOVD  src+8(FP), R1
	MOVD  blocks+16(FP), R2
	MOVW  $0x7fffffff, R8
	VDUP  R8, V28.S4
	VEOR  V30.B16, V30.B16, V30.B16
	FMOVS $127.0, F20
	FMOVS $1.0, F21
	MOVW  $0x7f800000, R8
	FMOVS R8, F22
	FMOVS ZR, F23

q8loop:
	VLD1.P 64(R1), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P 64(R1), [V4.S4, V5.S4, V6.S4, V7.S4]
	VAND   V28.B16, V0.B16, V8.B16
	VAND   V28.B16, V1.B16, V9.B16
	VAND   V28.B16, V2.B16, V10.B16
	VAND   V28.B16, V3.B16, V11.B16
	VAND   V28.B16, V4.B16, V12.B16
	VAND   V28.B16, V5.B16, V13.B16
	VAND   V28.B16, V6.B16, V14.B16
	VAND   V28.B16, V7.B16, V15.B16
	VUMAX  V9.S4, V8.S4, V16.S4
	VUMAX  V11.S4, V10.S4, V17.S4
	VUMAX  V13.S4, V12.S4, V18.S4
	VUMAX  V15.S4, V14.S4, V19.S4
	VUMAX  V17.S4, V16.S4, V16.S4
	VUMAX  V19.S4, V18.S4, V18.S4
	VUMAX  V18.S4, V16.S4, V16.S4
	VUMAX  V16.S4, V30.S4, V30.S4
	WORD $0x6eb0aa10 // umaxv s16, v16.4s

	// d = max|x| / 127; id = 1/d, or 0 where that is +Inf (d == 0 included).
	FDIVS  F20, F16, F17
	FDIVS  F17, F21, F18
	FCMPS  F22, F18
	FCSELS EQ, F23, F18, F18
	FCVTSH F17, F19
	FMOVS  F19, R9
	MOVH   R9, (R0)
	VDUP   V18.S[0], V18.S4

	// q = roundHalfAway(x * id): FCVTAS rounds to nearest, ties away from zero, as
	// roundToInt32 does; the codes fit in a byte, which UZP1 keeps.
	WORD $0x6e32dc00 // fmul v0.4s, v0.4s, v18.4s
	WORD $0x6e32dc21 // fmul v1.4s, v1.4s, v18.4s
	WORD $0x6e32dc42 // fmul v2.4s, v2.4s, v18.4s
	WORD $0x6e32dc63 // fmul v3.4s, v3.4s, v18.4s
	WORD $0x6e32dc84 // fmul v4.4s, v4.4s, v18.4s
	WORD $0x6e32dca5 // fmul v5.4s, v5.4s, v18.4s
	WORD $0x6e32dcc6 // fmul v6.4s, v6.4s, v18.4s
	WORD $0x6e32dce7 // fmul v7.4s, v7.4s, v18.4s
	WORD $0x4e21c800 // fcvtas v0.4s, v0.4s
	WORD $0x4e21c821 // fcvtas v1.4s, v1.4s
	WORD $0x4e21c842 // fcvtas v2.4s, v2.4s
	WORD $0x4e21c863 // fcvtas v3.4s, v3.4s
	WORD $0x4e21c884 // fcvtas v4.4s, v4.4s
	WORD $0x4e21c8a5 // fcvtas v5.4s, v5.4s
	WORD $0x4e21c8c6 // fcvtas v6.4s, v6.4s
	WORD $0x4e21c8e7 // fcvtas v7.4s, v7.4s
	VUZP1 V1.H8, V0.H8, V0.H8
	VUZP1 V3.H8, V2.H8, V2.H8
	VUZP1 V5.H8, V4.H8, V4.H8
	VUZP1 V7.H8, V6.H8, V6.H8
	VUZP1 V2.B16, V0.B16, V0.B16
	VUZP1 V6.B16, V4.B16, V4.B16
	ADD   $2, R0, R10
	VST1.P [V0.B16], 16(R10)
	VST1  [V4.B16], (R10)
	ADD   $34, R0
	SUBS  $1, R2
	BNE   q8loop

	WORD $0x6eb0abde // umaxv s30, v30.4s
	FMOVS F30, maxKey+24(FP)
	RET

// func encodeQ4_0NEON(dst *byte, src *float32, blocks int) (maxKey uint32)
// blocks >= 1.
TEXT ·encodeQ4_0NEON(SB), NOSPLIT, $0-28
	MOVD  dst+0(FP), R0
	MOVD  src+8(FP), R1
	MOVD  blocks+16(FP), R2
	MOVW  $0x7fffffff, R8
	VDUP  R8, V28.S4
	VEOR  V30.B16, V30.B16, V30.B16
	MOVD  $q4idx<>(SB), R8
	VLD1  (R8), [V26.B16, V27.B16]
	MOVW  $0x41080000, R8 // 8.5
	VDUP  R8, V25.S4
	MOVW  $15, R8
	VDUP  R8, V24.S4
	FMOVS $-0.125, F20
	FMOVS $1.0, F21
	MOVW  $0x7f800000, R8
	FMOVS R8, F22
	FMOVS ZR, F23

q4loop:
	MOVD R1, R11
	VLD1.P 64(R1), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P 64(R1), [V4.S4, V5.S4, V6.S4, V7.S4]
	VAND   V28.B16, V0.B16, V8.B16
	VAND   V28.B16, V1.B16, V9.B16
	VAND   V28.B16, V2.B16, V10.B16
	VAND   V28.B16, V3.B16, V11.B16
	VAND   V28.B16, V4.B16, V12.B16
	VAND   V28.B16, V5.B16, V13.B16
	VAND   V28.B16, V6.B16, V14.B16
	VAND   V28.B16, V7.B16, V15.B16
	VUMAX  V9.S4, V8.S4, V16.S4
	VUMAX  V11.S4, V10.S4, V17.S4
	VUMAX  V13.S4, V12.S4, V18.S4
	VUMAX  V15.S4, V14.S4, V19.S4
	VUMAX  V17.S4, V16.S4, V16.S4
	VUMAX  V19.S4, V18.S4, V18.S4
	VUMAX  V18.S4, V16.S4, V16.S4
	VUMAX  V16.S4, V30.S4, V30.S4
	WORD $0x6eb0aa10 // umaxv s16, v16.4s

	// The first index whose magnitude is the maximum: the lanes equal to it, narrowed to
	// bytes in element order, select their index (others 0xff) and UMINV takes the lowest.
	// The maximum is always attained.
	VDUP  V16.S[0], V16.S4
	VCMEQ  V16.S4, V8.S4, V8.S4
	VCMEQ  V16.S4, V9.S4, V9.S4
	VCMEQ  V16.S4, V10.S4, V10.S4
	VCMEQ  V16.S4, V11.S4, V11.S4
	VCMEQ  V16.S4, V12.S4, V12.S4
	VCMEQ  V16.S4, V13.S4, V13.S4
	VCMEQ  V16.S4, V14.S4, V14.S4
	VCMEQ  V16.S4, V15.S4, V15.S4
	VUZP1 V9.H8, V8.H8, V8.H8
	VUZP1 V11.H8, V10.H8, V10.H8
	VUZP1 V13.H8, V12.H8, V12.H8
	VUZP1 V15.H8, V14.H8, V14.H8
	VUZP1 V10.B16, V8.B16, V8.B16
	VUZP1 V14.B16, V12.B16, V12.B16
	WORD $0x4ee81f48 // orn v8.16b, v26.16b, v8.16b
	WORD $0x4eec1f6c // orn v12.16b, v27.16b, v12.16b
	VUMIN V12.B16, V8.B16, V8.B16
	WORD $0x6e31a908 // uminv b8, v8.16b
	FMOVS F8, R9
	MOVWU (R11)(R9<<2), R9

	// d = m * -0.125 (equal to m / -8: the same real number, rounded once); r = 1/d. id = r
	// where |r| < Inf, else 0. A non-zero d whose reciprocal overflows gives code bytes 0
	// (R12 = 0); d == 0 keeps the codes (id 0: every code 8).
	FMOVS  R9, F16
	FMULS  F20, F16, F17
	FDIVS  F17, F21, F18
	FABSS  F18, F19
	FCMPS  F22, F19
	CSETW  NE, R12
	FCSELS EQ, F23, F18, F18
	FCMPS  $(0.0), F17
	CSETW  EQ, R13
	ORRW   R13, R12, R12
	FCVTSH F17, F19
	FMOVS  F19, R9
	MOVH   R9, (R0)
	VDUP   V18.S[0], V18.S4

	// q = min(trunc(x*id + 8.5), 15): a rounded product, then a rounded sum (no FMLA), as
	// numpy does. The sums lie in [0.49, 16.51], so the unsigned minimum clamps.
	WORD $0x6e32dc00 // fmul v0.4s, v0.4s, v18.4s
	WORD $0x6e32dc21 // fmul v1.4s, v1.4s, v18.4s
	WORD $0x6e32dc42 // fmul v2.4s, v2.4s, v18.4s
	WORD $0x6e32dc63 // fmul v3.4s, v3.4s, v18.4s
	WORD $0x6e32dc84 // fmul v4.4s, v4.4s, v18.4s
	WORD $0x6e32dca5 // fmul v5.4s, v5.4s, v18.4s
	WORD $0x6e32dcc6 // fmul v6.4s, v6.4s, v18.4s
	WORD $0x6e32dce7 // fmul v7.4s, v7.4s, v18.4s
	WORD $0x4e39d400 // fadd v0.4s, v0.4s, v25.4s
	WORD $0x4e39d421 // fadd v1.4s, v1.4s, v25.4s
	WORD $0x4e39d442 // fadd v2.4s, v2.4s, v25.4s
	WORD $0x4e39d463 // fadd v3.4s, v3.4s, v25.4s
	WORD $0x4e39d484 // fadd v4.4s, v4.4s, v25.4s
	WORD $0x4e39d4a5 // fadd v5.4s, v5.4s, v25.4s
	WORD $0x4e39d4c6 // fadd v6.4s, v6.4s, v25.4s
	WORD $0x4e39d4e7 // fadd v7.4s, v7.4s, v25.4s
	WORD $0x4ea1b800 // fcvtzs v0.4s, v0.4s
	WORD $0x4ea1b821 // fcvtzs v1.4s, v1.4s
	WORD $0x4ea1b842 // fcvtzs v2.4s, v2.4s
	WORD $0x4ea1b863 // fcvtzs v3.4s, v3.4s
	WORD $0x4ea1b884 // fcvtzs v4.4s, v4.4s
	WORD $0x4ea1b8a5 // fcvtzs v5.4s, v5.4s
	WORD $0x4ea1b8c6 // fcvtzs v6.4s, v6.4s
	WORD $0x4ea1b8e7 // fcvtzs v7.4s, v7.4s
	VUMIN  V24.S4, V0.S4, V0.S4
	VUMIN  V24.S4, V1.S4, V1.S4
	VUMIN  V24.S4, V2.S4, V2.S4
	VUMIN  V24.S4, V3.S4, V3.S4
	VUMIN  V24.S4, V4.S4, V4.S4
	VUMIN  V24.S4, V5.S4, V5.S4
	VUMIN  V24.S4, V6.S4, V6.S4
	VUMIN  V24.S4, V7.S4, V7.S4

	// Codes 0..15 to the low nibbles, 16..31 to the high ones (SLI keeps the low nibble).
	VUZP1 V1.H8, V0.H8, V0.H8
	VUZP1 V3.H8, V2.H8, V2.H8
	VUZP1 V5.H8, V4.H8, V4.H8
	VUZP1 V7.H8, V6.H8, V6.H8
	VUZP1 V2.B16, V0.B16, V0.B16
	VUZP1 V6.B16, V4.B16, V4.B16
	VSLI  $4, V4.B16, V0.B16
	CBNZW R12, q4store
	VEOR  V0.B16, V0.B16, V0.B16

q4store:
	ADD  $2, R0, R10
	VST1 [V0.B16], (R10)
	ADD  $18, R0
	SUBS $1, R2
	BNE  q4loop

	WORD $0x6eb0abde // umaxv s30, v30.4s
	FMOVS F30, maxKey+24(FP)
	RET

// The decoders widen d with FCVT (half to single), which quietens a signalling NaN where
// F16ToF32 keeps it; the product with a code quietens it anyway, so the values are the
// scalar ones. V17 holds d in every lane.

// func decodeQ8_0NEON(dst *float32, src *byte, blocks int)
// blocks >= 1.
TEXT ·decodeQ8_0NEON(SB), NOSPLIT, $0-24
	MOVD dst+0(FP), R0
	MOVD src+8(FP), R1
	MOVD blocks+16(FP), R2

d8loop:
	MOVHU.P 2(R1), R9
	FMOVS   R9, F16
	FCVTHS  F16, F17
	VDUP    V17.S[0], V17.S4
	VLD1.P  32(R1), [V0.B16, V1.B16]
	WORD $0x0f08a402 // sshll v2.8h, v0.8b, #0
	WORD $0x4f08a403 // sshll2 v3.8h, v0.16b, #0
	WORD $0x0f08a424 // sshll v4.8h, v1.8b, #0
	WORD $0x4f08a425 // sshll2 v5.8h, v1.16b, #0
	WORD $0x0f10a448 // sshll v8.4s, v2.4h, #0
	WORD $0x4f10a449 // sshll2 v9.4s, v2.8h, #0
	WORD $0x0f10a46a // sshll v10.4s, v3.4h, #0
	WORD $0x4f10a46b // sshll2 v11.4s, v3.8h, #0
	WORD $0x0f10a48c // sshll v12.4s, v4.4h, #0
	WORD $0x4f10a48d // sshll2 v13.4s, v4.8h, #0
	WORD $0x0f10a4ae // sshll v14.4s, v5.4h, #0
	WORD $0x4f10a4af // sshll2 v15.4s, v5.8h, #0
	WORD $0x4e21d908 // scvtf v8.4s, v8.4s
	WORD $0x4e21d929 // scvtf v9.4s, v9.4s
	WORD $0x4e21d94a // scvtf v10.4s, v10.4s
	WORD $0x4e21d96b // scvtf v11.4s, v11.4s
	WORD $0x4e21d98c // scvtf v12.4s, v12.4s
	WORD $0x4e21d9ad // scvtf v13.4s, v13.4s
	WORD $0x4e21d9ce // scvtf v14.4s, v14.4s
	WORD $0x4e21d9ef // scvtf v15.4s, v15.4s
	WORD $0x6e31dd08 // fmul v8.4s, v8.4s, v17.4s
	WORD $0x6e31dd29 // fmul v9.4s, v9.4s, v17.4s
	WORD $0x6e31dd4a // fmul v10.4s, v10.4s, v17.4s
	WORD $0x6e31dd6b // fmul v11.4s, v11.4s, v17.4s
	WORD $0x6e31dd8c // fmul v12.4s, v12.4s, v17.4s
	WORD $0x6e31ddad // fmul v13.4s, v13.4s, v17.4s
	WORD $0x6e31ddce // fmul v14.4s, v14.4s, v17.4s
	WORD $0x6e31ddef // fmul v15.4s, v15.4s, v17.4s
	VST1.P  [V8.S4, V9.S4, V10.S4, V11.S4], 64(R0)
	VST1.P  [V12.S4, V13.S4, V14.S4, V15.S4], 64(R0)
	SUBS    $1, R2
	BNE     d8loop
	RET

// func decodeQ4_0NEON(dst *float32, src *byte, blocks int)
// blocks >= 1. Low nibbles are values 0..15, high nibbles 16..31; q - 8 in bytes, then as
// decodeQ8_0NEON.
TEXT ·decodeQ4_0NEON(SB), NOSPLIT, $0-24
	MOVD dst+0(FP), R0
	MOVD src+8(FP), R1
	MOVD blocks+16(FP), R2
	MOVW $0x0f, R8
	VDUP R8, V28.B16
	MOVW $8, R8
	VDUP R8, V29.B16

d4loop:
	MOVHU.P 2(R1), R9
	FMOVS   R9, F16
	FCVTHS  F16, F17
	VDUP    V17.S[0], V17.S4
	VLD1.P  16(R1), [V0.B16]
	VAND    V28.B16, V0.B16, V1.B16
	VUSHR   $4, V0.B16, V0.B16
	VSUB    V29.B16, V1.B16, V1.B16
	VSUB    V29.B16, V0.B16, V0.B16
	WORD $0x0f08a422 // sshll v2.8h, v1.8b, #0
	WORD $0x4f08a423 // sshll2 v3.8h, v1.16b, #0
	WORD $0x0f08a404 // sshll v4.8h, v0.8b, #0
	WORD $0x4f08a405 // sshll2 v5.8h, v0.16b, #0
	WORD $0x0f10a448 // sshll v8.4s, v2.4h, #0
	WORD $0x4f10a449 // sshll2 v9.4s, v2.8h, #0
	WORD $0x0f10a46a // sshll v10.4s, v3.4h, #0
	WORD $0x4f10a46b // sshll2 v11.4s, v3.8h, #0
	WORD $0x0f10a48c // sshll v12.4s, v4.4h, #0
	WORD $0x4f10a48d // sshll2 v13.4s, v4.8h, #0
	WORD $0x0f10a4ae // sshll v14.4s, v5.4h, #0
	WORD $0x4f10a4af // sshll2 v15.4s, v5.8h, #0
	WORD $0x4e21d908 // scvtf v8.4s, v8.4s
	WORD $0x4e21d929 // scvtf v9.4s, v9.4s
	WORD $0x4e21d94a // scvtf v10.4s, v10.4s
	WORD $0x4e21d96b // scvtf v11.4s, v11.4s
	WORD $0x4e21d98c // scvtf v12.4s, v12.4s
	WORD $0x4e21d9ad // scvtf v13.4s, v13.4s
	WORD $0x4e21d9ce // scvtf v14.4s, v14.4s
	WORD $0x4e21d9ef // scvtf v15.4s, v15.4s
	WORD $0x6e28de28 // fmul v8.4s, v17.4s, v8.4s
	WORD $0x6e29de29 // fmul v9.4s, v17.4s, v9.4s
	WORD $0x6e2ade2a // fmul v10.4s, v17.4s, v10.4s
	WORD $0x6e2bde2b // fmul v11.4s, v17.4s, v11.4s
	WORD $0x6e2cde2c // fmul v12.4s, v17.4s, v12.4s
	WORD $0x6e2dde2d // fmul v13.4s, v17.4s, v13.4s
	WORD $0x6e2ede2e // fmul v14.4s, v17.4s, v14.4s
	WORD $0x6e2fde2f // fmul v15.4s, v17.4s, v15.4s
	VST1.P  [V8.S4, V9.S4, V10.S4, V11.S4], 64(R0)
	VST1.P  [V12.S4, V13.S4, V14.S4, V15.S4], 64(R0)
	SUBS    $1, R2
	BNE     d4loop
	RET
