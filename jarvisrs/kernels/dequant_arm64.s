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
