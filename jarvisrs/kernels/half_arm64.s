//go:build arm64 && !purego

#include "textflag.h"

// float16 conversions with FCVTN/FCVTL (see vec_arm64.s for the WORD convention and the block
// structure). FCVTN rounds with the FPCR mode, round to nearest even (Go never changes it), and
// handles subnormals, overflow to ±Inf and quiet NaNs exactly as numpy does; like F16C it
// quietens a signalling NaN, which numpy keeps signalling, so a block holding one stops the
// loop and its start is returned for the scalar code.

// The signalling-NaN test of f32ToF16Asm: FCMEQ x, x is false only for a NaN, and x << 9
// has the quiet bit on top, so their OR lacks the top bit exactly in a signalling NaN's lane;
// ANDing the lanes and UMINV leave the top bit of R7 clear when any lane lacks it.

// func f32ToF16Asm(dst *uint16, src *float32, n int) int
// n >= 8. Returns n when done, or the start of the block of 8 holding a signalling NaN.
TEXT ·f32ToF16Asm(SB), NOSPLIT, $0-32
	MOVD dst+0(FP), R0
	MOVD src+8(FP), R1
	MOVD n+16(FP), R2
	MOVD R1, R6
	ADD  R2<<2, R1, R4
	SUB  $64, R4, R5

h16:
	CMP  R5, R1
	BGT  h8start
	VLD1 (R1), [V0.S4, V1.S4, V2.S4, V3.S4]
	WORD $0x4e20e410 // fcmeq v16.4s, v0.4s, v0.4s
	WORD $0x4e21e431 // fcmeq v17.4s, v1.4s, v1.4s
	WORD $0x4e22e452 // fcmeq v18.4s, v2.4s, v2.4s
	WORD $0x4e23e473 // fcmeq v19.4s, v3.4s, v3.4s
	VSHL $9, V0.S4, V20.S4
	VSHL $9, V1.S4, V21.S4
	VSHL $9, V2.S4, V22.S4
	VSHL $9, V3.S4, V23.S4
	VORR V20.B16, V16.B16, V16.B16
	VORR V21.B16, V17.B16, V17.B16
	VORR V22.B16, V18.B16, V18.B16
	VORR V23.B16, V19.B16, V19.B16
	VAND V17.B16, V16.B16, V16.B16
	VAND V19.B16, V18.B16, V18.B16
	VAND V18.B16, V16.B16, V16.B16
	WORD $0x6eb1aa10 // uminv s16, v16.4s
	FMOVS F16, R7
	TBZ  $31, R7, h8start
	WORD $0x0e216804 // fcvtn v4.4h, v0.4s
	WORD $0x4e216824 // fcvtn2 v4.8h, v1.4s
	WORD $0x0e216845 // fcvtn v5.4h, v2.4s
	WORD $0x4e216865 // fcvtn2 v5.8h, v3.4s
	VST1.P [V4.H8, V5.H8], 32(R0)
	ADD  $64, R1
	B    h16

h8start:
	// Also the way out of h16 for a block of 16 holding a signalling NaN: h8 goes on up to
	// its block of 8.
	SUB $32, R4, R5

h8:
	CMP  R5, R1
	BGT  htail
	VLD1 (R1), [V0.S4, V1.S4]
	WORD $0x4e20e410 // fcmeq v16.4s, v0.4s, v0.4s
	WORD $0x4e21e431 // fcmeq v17.4s, v1.4s, v1.4s
	VSHL $9, V0.S4, V20.S4
	VSHL $9, V1.S4, V21.S4
	VORR V20.B16, V16.B16, V16.B16
	VORR V21.B16, V17.B16, V17.B16
	VAND V17.B16, V16.B16, V16.B16
	WORD $0x6eb1aa10 // uminv s16, v16.4s
	FMOVS F16, R7
	TBZ  $31, R7, hstop
	WORD $0x0e216804 // fcvtn v4.4h, v0.4s
	WORD $0x4e216824 // fcvtn2 v4.8h, v1.4s
	VST1.P [V4.H8], 16(R0)
	ADD  $32, R1
	B    h8

htail:
	CMP  R4, R1
	BEQ  hstop
	SUB  R5, R1, R7
	SUB  R7>>1, R0, R0
	MOVD R5, R1
	VLD1 (R1), [V0.S4, V1.S4]
	WORD $0x4e20e410 // fcmeq v16.4s, v0.4s, v0.4s
	WORD $0x4e21e431 // fcmeq v17.4s, v1.4s, v1.4s
	VSHL $9, V0.S4, V20.S4
	VSHL $9, V1.S4, V21.S4
	VORR V20.B16, V16.B16, V16.B16
	VORR V21.B16, V17.B16, V17.B16
	VAND V17.B16, V16.B16, V16.B16
	WORD $0x6eb1aa10 // uminv s16, v16.4s
	FMOVS F16, R7
	TBZ  $31, R7, hstop
	WORD $0x0e216804 // fcvtn v4.4h, v0.4s
	WORD $0x4e216824 // fcvtn2 v4.8h, v1.4s
	VST1 [V4.H8], (R0)
	MOVD R4, R1

hstop:
	SUB  R6, R1, R1
	LSR  $2, R1, R1
	MOVD R1, ret+24(FP)
	RET

// The signalling-NaN test of f16ToF32Asm sets the halfwords of V16 where the half is one:
// with the sign cleared (V28 = 0x7fff), above 0x7c00 (Inf, V29) and below 0x7e00 (the first
// quiet NaN, V30); UMAXV then leaves R7 non-zero when any lane is set.

// func f16ToF32Asm(dst *float32, src *uint16, n int) int
// n >= 8. FCVTL is exact for every number and quiet NaN but quietens signalling NaNs, which
// numpy keeps; a block holding one stops the loop and its start is returned. Returns n when
// done.
TEXT ·f16ToF32Asm(SB), NOSPLIT, $0-32
	MOVD dst+0(FP), R0
	MOVD src+8(FP), R1
	MOVD n+16(FP), R2
	MOVD R1, R6
	ADD  R2<<1, R1, R4
	SUB  $32, R4, R5
	MOVW $0x7fff, R8
	VDUP R8, V28.H8
	MOVW $0x7c00, R8
	VDUP R8, V29.H8
	MOVW $0x7e00, R8
	VDUP R8, V30.H8

w16:
	CMP  R5, R1
	BGT  w8start
	VLD1 (R1), [V0.H8, V1.H8]
	VAND V28.B16, V0.B16, V16.B16
	VAND V28.B16, V1.B16, V17.B16
	WORD $0x4e7d3612 // cmgt v18.8h, v16.8h, v29.8h
	WORD $0x4e7d3633 // cmgt v19.8h, v17.8h, v29.8h
	WORD $0x4e7037d0 // cmgt v16.8h, v30.8h, v16.8h
	WORD $0x4e7137d1 // cmgt v17.8h, v30.8h, v17.8h
	VAND V18.B16, V16.B16, V16.B16
	VAND V19.B16, V17.B16, V17.B16
	VORR V17.B16, V16.B16, V16.B16
	WORD $0x6e70aa10 // umaxv h16, v16.8h
	FMOVS F16, R7
	CBNZW R7, w8start
	WORD $0x0e217802 // fcvtl v2.4s, v0.4h
	WORD $0x4e217803 // fcvtl2 v3.4s, v0.8h
	WORD $0x0e217824 // fcvtl v4.4s, v1.4h
	WORD $0x4e217825 // fcvtl2 v5.4s, v1.8h
	VST1.P [V2.S4, V3.S4, V4.S4, V5.S4], 64(R0)
	ADD  $32, R1
	B    w16

w8start:
	// Also the way out of w16 for a block of 16 holding a signalling NaN.
	SUB $16, R4, R5

w8:
	CMP  R5, R1
	BGT  wtail
	VLD1 (R1), [V0.H8]
	VAND V28.B16, V0.B16, V16.B16
	WORD $0x4e7d3612 // cmgt v18.8h, v16.8h, v29.8h
	WORD $0x4e7037d0 // cmgt v16.8h, v30.8h, v16.8h
	VAND V18.B16, V16.B16, V16.B16
	WORD $0x6e70aa10 // umaxv h16, v16.8h
	FMOVS F16, R7
	CBNZW R7, wstop
	WORD $0x0e217802 // fcvtl v2.4s, v0.4h
	WORD $0x4e217803 // fcvtl2 v3.4s, v0.8h
	VST1.P [V2.S4, V3.S4], 32(R0)
	ADD  $16, R1
	B    w8

wtail:
	CMP  R4, R1
	BEQ  wstop
	SUB  R5, R1, R7
	SUB  R7<<1, R0, R0
	MOVD R5, R1
	VLD1 (R1), [V0.H8]
	VAND V28.B16, V0.B16, V16.B16
	WORD $0x4e7d3612 // cmgt v18.8h, v16.8h, v29.8h
	WORD $0x4e7037d0 // cmgt v16.8h, v30.8h, v16.8h
	VAND V18.B16, V16.B16, V16.B16
	WORD $0x6e70aa10 // umaxv h16, v16.8h
	FMOVS F16, R7
	CBNZW R7, wstop
	WORD $0x0e217802 // fcvtl v2.4s, v0.4h
	WORD $0x4e217803 // fcvtl2 v3.4s, v0.8h
	VST1 [V2.S4, V3.S4], (R0)
	MOVD R4, R1

wstop:
	SUB  R6, R1, R1
	LSR  $1, R1, R1
	MOVD R1, ret+24(FP)
	RET
