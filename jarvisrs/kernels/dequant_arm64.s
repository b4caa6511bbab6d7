//go:build arm64 && !purego

#include "textflag.h"

// Dequantization (see vec_arm64.s for the WORD convention and the block structure):
// sign-extend codes to int32 (SSHLL by 0, twice), subtract the zero point as an integer,
// convert (SCVTF rounds to nearest even, as Go's conversion does; every difference here is
// exact anyway) and multiply by the scale. With one NaN factor (only the scale can be one) an
// arm64 FMUL returns that NaN quietened whichever side it is on, as the scalar FMULS does.

// func dequantI8NEON(dst *float32, codes *int8, n int, scale float32, zp int32)
// n >= 8. V24 holds the scale, V25 the zero point.
TEXT ·dequantI8NEON(SB), NOSPLIT, $0-32
	MOVD  dst+0(FP), R0
	MOVD  codes+8(FP), R1
	MOVD  n+16(FP), R2
	MOVWU scale+24(FP), R8
	VDUP  R8, V24.S4
	MOVWU zp+28(FP), R8
	VDUP  R8, V25.S4
	ADD   R2, R1, R4
	SUB   $16, R4, R5

dq16:
	CMP    R5, R1
	BGT    dq8start
	VLD1.P 16(R1), [V0.B16]
	WORD $0x0f08a401 // sshll v1.8h, v0.8b, #0
	WORD $0x4f08a402 // sshll2 v2.8h, v0.16b, #0
	WORD $0x0f10a424 // sshll v4.4s, v1.4h, #0
	WORD $0x4f10a425 // sshll2 v5.4s, v1.8h, #0
	WORD $0x0f10a446 // sshll v6.4s, v2.4h, #0
	WORD $0x4f10a447 // sshll2 v7.4s, v2.8h, #0
	VSUB   V25.S4, V4.S4, V4.S4
	VSUB   V25.S4, V5.S4, V5.S4
	VSUB   V25.S4, V6.S4, V6.S4
	VSUB   V25.S4, V7.S4, V7.S4
	WORD $0x4e21d884 // scvtf v4.4s, v4.4s
	WORD $0x4e21d8a5 // scvtf v5.4s, v5.4s
	WORD $0x4e21d8c6 // scvtf v6.4s, v6.4s
	WORD $0x4e21d8e7 // scvtf v7.4s, v7.4s
	WORD $0x6e38dc84 // fmul v4.4s, v4.4s, v24.4s
	WORD $0x6e38dca5 // fmul v5.4s, v5.4s, v24.4s
	WORD $0x6e38dcc6 // fmul v6.4s, v6.4s, v24.4s
	WORD $0x6e38dce7 // fmul v7.4s, v7.4s, v24.4s
	VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R0)
	B      dq16

dq8start:
	SUB $8, R4, R5

dq8:
	CMP    R5, R1
	BGT    dqtail
	VLD1.P 8(R1), [V0.B8]

dqblock:
	WORD $0x0f08a401 // sshll v1.8h, v0.8b, #0
	WORD $0x0f10a424 // sshll v4.4s, v1.4h, #0
	WORD $0x4f10a425 // sshll2 v5.4s, v1.8h, #0
	VSUB   V25.S4, V4.S4, V4.S4
	VSUB   V25.S4, V5.S4, V5.S4
	WORD $0x4e21d884 // scvtf v4.4s, v4.4s
	WORD $0x4e21d8a5 // scvtf v5.4s, v5.4s
	WORD $0x6e38dc84 // fmul v4.4s, v4.4s, v24.4s
	WORD $0x6e38dca5 // fmul v5.4s, v5.4s, v24.4s
	VST1.P [V4.S4, V5.S4], 32(R0)
	B      dq8

dqtail:
	CMP  R4, R1
	BEQ  dqdone
	SUB  R5, R1, R7
	SUB  R7<<2, R0, R0
	VLD1 (R5), [V0.B8]
	MOVD R4, R1
	B    dqblock

dqdone:
	RET

// func dequantI4NEON(dst *float32, packed *uint8, blocks int, scales *float32, vecPerGroup int)
// blocks >= 1 blocks of 32 values (16 bytes). Nibbles become signed bytes with shifts (the
// low one shifted up 4 first), ZIP1/ZIP2 interleave them back into element order, and each
// vector of 8 values is multiplied by the current scale (F20, loaded from R10). R9 counts the
// vectors left in the group; when it reaches 0, R10 moves to the next scale and R9 restarts
// at vecPerGroup (R8), without a branch.
TEXT ·dequantI4NEON(SB), NOSPLIT, $0-40
	MOVD dst+0(FP), R0
	MOVD packed+8(FP), R1
	MOVD blocks+16(FP), R2
	MOVD scales+24(FP), R10
	MOVD vecPerGroup+32(FP), R8
	MOVD R8, R9

i4loop:
	VLD1.P 16(R1), [V0.B16]
	VSHL   $4, V0.B16, V1.B16
	WORD $0x4f0c0421 // sshr v1.16b, v1.16b, #4
	WORD $0x4f0c0400 // sshr v0.16b, v0.16b, #4
	VZIP1  V0.B16, V1.B16, V2.B16
	VZIP2  V0.B16, V1.B16, V3.B16
	WORD $0x0f08a444 // sshll v4.8h, v2.8b, #0
	WORD $0x4f08a445 // sshll2 v5.8h, v2.16b, #0
	WORD $0x0f08a466 // sshll v6.8h, v3.8b, #0
	WORD $0x4f08a467 // sshll2 v7.8h, v3.16b, #0
	WORD $0x0f10a488 // sshll v8.4s, v4.4h, #0
	WORD $0x4f10a489 // sshll2 v9.4s, v4.8h, #0
	WORD $0x0f10a4aa // sshll v10.4s, v5.4h, #0
	WORD $0x4f10a4ab // sshll2 v11.4s, v5.8h, #0
	WORD $0x0f10a4cc // sshll v12.4s, v6.4h, #0
	WORD $0x4f10a4cd // sshll2 v13.4s, v6.8h, #0
	WORD $0x0f10a4ee // sshll v14.4s, v7.4h, #0
	WORD $0x4f10a4ef // sshll2 v15.4s, v7.8h, #0
	WORD $0x4e21d908 // scvtf v8.4s, v8.4s
	WORD $0x4e21d929 // scvtf v9.4s, v9.4s
	WORD $0x4e21d94a // scvtf v10.4s, v10.4s
	WORD $0x4e21d96b // scvtf v11.4s, v11.4s
	WORD $0x4e21d98c // scvtf v12.4s, v12.4s
	WORD $0x4e21d9ad // scvtf v13.4s, v13.4s
	WORD $0x4e21d9ce // scvtf v14.4s, v14.4s
	WORD $0x4e21d9ef // scvtf v15.4s, v15.4s
	FMOVS  (R10), F20
	WORD $0x4f949108 // fmul v8.4s, v8.4s, v20.s[0]
	WORD $0x4f949129 // fmul v9.4s, v9.4s, v20.s[0]
	SUBS   $1, R9, R9
	ADD    $4, R10, R11
	CSEL   EQ, R11, R10, R10
	CSEL   EQ, R8, R9, R9
	FMOVS  (R10), F20
	WORD $0x4f94914a // fmul v10.4s, v10.4s, v20.s[0]
	WORD $0x4f94916b // fmul v11.4s, v11.4s, v20.s[0]
	SUBS   $1, R9, R9
	ADD    $4, R10, R11
	CSEL   EQ, R11, R10, R10
	CSEL   EQ, R8, R9, R9
	FMOVS  (R10), F20
	WORD $0x4f94918c // fmul v12.4s, v12.4s, v20.s[0]
	WORD $0x4f9491ad // fmul v13.4s, v13.4s, v20.s[0]
	SUBS   $1, R9, R9
	ADD    $4, R10, R11
	CSEL   EQ, R11, R10, R10
	CSEL   EQ, R8, R9, R9
	FMOVS  (R10), F20
	WORD $0x4f9491ce // fmul v14.4s, v14.4s, v20.s[0]
	WORD $0x4f9491ef // fmul v15.4s, v15.4s, v20.s[0]
	SUBS   $1, R9, R9
	ADD    $4, R10, R11
	CSEL   EQ, R11, R10, R10
	CSEL   EQ, R8, R9, R9
	VST1.P [V8.S4, V9.S4, V10.S4, V11.S4], 64(R0)
	VST1.P [V12.S4, V13.S4, V14.S4, V15.S4], 64(R0)
	SUBS   $1, R2
	BNE    i4loop
	RET
