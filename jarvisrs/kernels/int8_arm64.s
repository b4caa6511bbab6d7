//go:build arm64 && !purego

#include "textflag.h"

// The INT8 formula kernel (see vec_arm64.s for the WORD convention and the block structure).
// Register use: V24 sub, V25 scale, V26 add, V27 lo, V28 hi.
//
// Each code is clamp(roundHalfAway((x - sub) / scale) + add, lo, hi) with a NaN going to lo,
// as the scalar code: FSUB and FDIV are the same IEEE float32 operations the Go code does
// (and nothing is fused), FRINTA rounds to nearest with ties away from zero (exactly
// math.Round on a float32), the float32 addition of add is exact wherever the clamp does not
// decide the code (see ZeroPointInt8), FMAXNM returns lo for a NaN (a quiet one: arithmetic
// never makes a signalling NaN) and FMINNM clamps to hi. The clamped values are integers in
// int8 range, so FCVTZS is exact and keeping the low byte of each lane (UZP1 twice) narrows.

// func quantNEON(dst *int8, src *float32, n int, sub, scale, add, lo, hi float32)
// n >= 8.
TEXT ·quantNEON(SB), NOSPLIT, $0-44
	MOVD  dst+0(FP), R0
	MOVD  src+8(FP), R1
	MOVD  n+16(FP), R2
	MOVWU sub+24(FP), R8
	VDUP  R8, V24.S4
	MOVWU scale+28(FP), R8
	VDUP  R8, V25.S4
	MOVWU add+32(FP), R8
	VDUP  R8, V26.S4
	MOVWU lo+36(FP), R8
	VDUP  R8, V27.S4
	MOVWU hi+40(FP), R8
	VDUP  R8, V28.S4
	ADD   R2<<2, R1, R4
	SUB   $64, R4, R5

quant16:
	CMP    R5, R1
	BGT    quant8start
	VLD1.P 64(R1), [V0.S4, V1.S4, V2.S4, V3.S4]
	WORD $0x4eb8d400 // fsub v0.4s, v0.4s, v24.4s
	WORD $0x4eb8d421 // fsub v1.4s, v1.4s, v24.4s
	WORD $0x4eb8d442 // fsub v2.4s, v2.4s, v24.4s
	WORD $0x4eb8d463 // fsub v3.4s, v3.4s, v24.4s
	WORD $0x6e39fc00 // fdiv v0.4s, v0.4s, v25.4s
	WORD $0x6e39fc21 // fdiv v1.4s, v1.4s, v25.4s
	WORD $0x6e39fc42 // fdiv v2.4s, v2.4s, v25.4s
	WORD $0x6e39fc63 // fdiv v3.4s, v3.4s, v25.4s
	WORD $0x6e218800 // frinta v0.4s, v0.4s
	WORD $0x6e218821 // frinta v1.4s, v1.4s
	WORD $0x6e218842 // frinta v2.4s, v2.4s
	WORD $0x6e218863 // frinta v3.4s, v3.4s
	WORD $0x4e3ad400 // fadd v0.4s, v0.4s, v26.4s
	WORD $0x4e3ad421 // fadd v1.4s, v1.4s, v26.4s
	WORD $0x4e3ad442 // fadd v2.4s, v2.4s, v26.4s
	WORD $0x4e3ad463 // fadd v3.4s, v3.4s, v26.4s
	WORD $0x4e3bc400 // fmaxnm v0.4s, v0.4s, v27.4s
	WORD $0x4e3bc421 // fmaxnm v1.4s, v1.4s, v27.4s
	WORD $0x4e3bc442 // fmaxnm v2.4s, v2.4s, v27.4s
	WORD $0x4e3bc463 // fmaxnm v3.4s, v3.4s, v27.4s
	WORD $0x4ebcc400 // fminnm v0.4s, v0.4s, v28.4s
	WORD $0x4ebcc421 // fminnm v1.4s, v1.4s, v28.4s
	WORD $0x4ebcc442 // fminnm v2.4s, v2.4s, v28.4s
	WORD $0x4ebcc463 // fminnm v3.4s, v3.4s, v28.4s
	WORD $0x4ea1b800 // fcvtzs v0.4s, v0.4s
	WORD $0x4ea1b821 // fcvtzs v1.4s, v1.4s
	WORD $0x4ea1b842 // fcvtzs v2.4s, v2.4s
	WORD $0x4ea1b863 // fcvtzs v3.4s, v3.4s
	VUZP1  V1.H8, V0.H8, V4.H8
	VUZP1  V3.H8, V2.H8, V5.H8
	VUZP1  V5.B16, V4.B16, V4.B16
	VST1.P [V4.B16], 16(R0)
	B      quant16

quant8start:
	SUB $32, R4, R5

quant8:
	CMP    R5, R1
	BGT    quanttail
	VLD1.P 32(R1), [V0.S4, V1.S4]

quantblock:
	WORD $0x4eb8d400 // fsub v0.4s, v0.4s, v24.4s
	WORD $0x4eb8d421 // fsub v1.4s, v1.4s, v24.4s
	WORD $0x6e39fc00 // fdiv v0.4s, v0.4s, v25.4s
	WORD $0x6e39fc21 // fdiv v1.4s, v1.4s, v25.4s
	WORD $0x6e218800 // frinta v0.4s, v0.4s
	WORD $0x6e218821 // frinta v1.4s, v1.4s
	WORD $0x4e3ad400 // fadd v0.4s, v0.4s, v26.4s
	WORD $0x4e3ad421 // fadd v1.4s, v1.4s, v26.4s
	WORD $0x4e3bc400 // fmaxnm v0.4s, v0.4s, v27.4s
	WORD $0x4e3bc421 // fmaxnm v1.4s, v1.4s, v27.4s
	WORD $0x4ebcc400 // fminnm v0.4s, v0.4s, v28.4s
	WORD $0x4ebcc421 // fminnm v1.4s, v1.4s, v28.4s
	WORD $0x4ea1b800 // fcvtzs v0.4s, v0.4s
	WORD $0x4ea1b821 // fcvtzs v1.4s, v1.4s
	VUZP1  V1.H8, V0.H8, V4.H8
	VUZP1  V4.B16, V4.B16, V4.B16
	VST1.P [V4.B8], 8(R0)
	B      quant8

quanttail:
	CMP  R4, R1
	BEQ  quantdone
	SUB  R5, R1, R7
	SUB  R7>>2, R0, R0
	VLD1 (R5), [V0.S4, V1.S4]
	MOVD R4, R1
	B    quantblock

quantdone:
	RET
