//go:build arm64 && !purego

#include "textflag.h"

// The per-column kernels (see vec_arm64.s for the WORD convention). Each walks rows rows of
// p >= 8 elements, element j of a row pairing with element j of the column arrays; a row goes
// in blocks of 8 and ends with a block of 8 overlapping the one before it (every result
// depends only on its own element, or the fold is idempotent). R1 walks src (or codes) and
// R4/R5 hold the row's end and its last block start; R11 and R12 walk the column arrays from
// R2 and R3 again for each row; R6 counts the rows and R7 holds p.

// func quantColsAsm(dst *int8, src *float32, scales *float32, zps *int8, rows, p int, lo, hi float32)
// Element j uses scales[j] and adds zps[j] (nil: 0); a zero scale gives a zero quotient (BIC
// with FCMEQ #0) and so code zps[j]. The rest is quantNEON's formula (int8_arm64.s) with the
// float32 addition of the zero point, exact wherever the clamp does not decide the code (see
// ZeroPointInt8). V27 holds lo, V28 hi, V26 the zero points (0 without zps).
TEXT ·quantColsAsm(SB), NOSPLIT, $0-56
	MOVD  dst+0(FP), R0
	MOVD  src+8(FP), R1
	MOVD  scales+16(FP), R2
	MOVD  zps+24(FP), R3
	MOVD  rows+32(FP), R6
	MOVD  p+40(FP), R7
	MOVWU lo+48(FP), R8
	VDUP  R8, V27.S4
	MOVWU hi+52(FP), R8
	VDUP  R8, V28.S4
	VEOR  V26.B16, V26.B16, V26.B16
	VEOR  V29.B16, V29.B16, V29.B16

qcrow:
	CBZ  R6, qcdone
	MOVD R2, R11
	MOVD R3, R12
	ADD  R7<<2, R1, R4
	SUB  $32, R4, R5

qc8:
	CMP  R5, R1
	BGT  qctail
	VLD1.P 32(R1), [V0.S4, V1.S4]
	VLD1.P 32(R11), [V2.S4, V3.S4]

qcblock:
	WORD $0x4ea0d844 // fcmeq v4.4s, v2.4s, #0.0
	WORD $0x4ea0d865 // fcmeq v5.4s, v3.4s, #0.0
	WORD $0x6e22fc00 // fdiv v0.4s, v0.4s, v2.4s
	WORD $0x6e23fc21 // fdiv v1.4s, v1.4s, v3.4s
	WORD $0x4e641c00 // bic v0.16b, v0.16b, v4.16b
	WORD $0x4e651c21 // bic v1.16b, v1.16b, v5.16b
	WORD $0x6e218800 // frinta v0.4s, v0.4s
	WORD $0x6e218821 // frinta v1.4s, v1.4s
	CBZ  R3, qcnozp
	VLD1.P 8(R12), [V6.B8]
	WORD $0x0f08a4c6 // sshll v6.8h, v6.8b, #0
	WORD $0x4f10a4c7 // sshll2 v7.4s, v6.8h, #0
	WORD $0x0f10a4c6 // sshll v6.4s, v6.4h, #0
	WORD $0x4e21d8da // scvtf v26.4s, v6.4s
	WORD $0x4e21d8fd // scvtf v29.4s, v7.4s

qcnozp:
	WORD $0x4e3ad400 // fadd v0.4s, v0.4s, v26.4s
	WORD $0x4e3dd421 // fadd v1.4s, v1.4s, v29.4s
	WORD $0x4e3bc400 // fmaxnm v0.4s, v0.4s, v27.4s
	WORD $0x4e3bc421 // fmaxnm v1.4s, v1.4s, v27.4s
	WORD $0x4ebcc400 // fminnm v0.4s, v0.4s, v28.4s
	WORD $0x4ebcc421 // fminnm v1.4s, v1.4s, v28.4s
	WORD $0x4ea1b800 // fcvtzs v0.4s, v0.4s
	WORD $0x4ea1b821 // fcvtzs v1.4s, v1.4s
	VUZP1  V1.H8, V0.H8, V0.H8
	VUZP1  V0.B16, V0.B16, V0.B16
	VST1.P [V0.B8], 8(R0)
	B    qc8

qctail:
	CMP  R4, R1
	BEQ  qcnext
	SUB  R5, R1, R8
	LSR  $2, R8
	MOVD R5, R1
	SUB  R8<<2, R11, R11
	SUB  R8, R12, R12
	SUB  R8, R0, R0
	VLD1.P 32(R1), [V0.S4, V1.S4]
	VLD1.P 32(R11), [V2.S4, V3.S4]
	B    qcblock

qcnext:
	SUB  $1, R6
	B    qcrow

qcdone:
	RET

// func minMaxColsAsm(lo, hi *float32, src *float32, rows, p int)
// lo[j] and hi[j] take each row's element j with MinMax's order: x replaces lo where x < lo
// (FCMGT, false for a NaN on either side, so a NaN x is skipped and a NaN lo kept), and on a
// tie (FCMEQ) the bits are ORed into lo, so -0 wins; hi alike with x > hi and the bits ANDed.
// Here R2 and R3 are lo and hi.
TEXT ·minMaxColsAsm(SB), NOSPLIT, $0-40
	MOVD lo+0(FP), R2
	MOVD hi+8(FP), R3
	MOVD src+16(FP), R1
	MOVD rows+24(FP), R6
	MOVD p+32(FP), R7

mcrow:
	CBZ  R6, mcdone
	MOVD R2, R11
	MOVD R3, R12
	ADD  R7<<2, R1, R4
	SUB  $32, R4, R5

mc8:
	CMP  R5, R1
	BGT  mctail
	VLD1.P 32(R1), [V0.S4, V1.S4]

mcblock:
	VLD1   (R11), [V2.S4, V3.S4]
	VLD1   (R12), [V4.S4, V5.S4]
	WORD $0x6ea0e450 // fcmgt v16.4s, v2.4s, v0.4s
	WORD $0x6ea1e471 // fcmgt v17.4s, v3.4s, v1.4s
	WORD $0x4e22e412 // fcmeq v18.4s, v0.4s, v2.4s
	WORD $0x4e23e433 // fcmeq v19.4s, v1.4s, v3.4s
	VBSL   V2.B16, V0.B16, V16.B16
	VBSL   V3.B16, V1.B16, V17.B16
	VAND   V0.B16, V18.B16, V18.B16
	VAND   V1.B16, V19.B16, V19.B16
	VORR   V18.B16, V16.B16, V16.B16
	VORR   V19.B16, V17.B16, V17.B16
	WORD $0x6ea4e414 // fcmgt v20.4s, v0.4s, v4.4s
	WORD $0x6ea5e435 // fcmgt v21.4s, v1.4s, v5.4s
	WORD $0x4e24e416 // fcmeq v22.4s, v0.4s, v4.4s
	WORD $0x4e25e437 // fcmeq v23.4s, v1.4s, v5.4s
	VBSL   V4.B16, V0.B16, V20.B16
	VBSL   V5.B16, V1.B16, V21.B16
	WORD $0x4ef61c16 // orn v22.16b, v0.16b, v22.16b
	WORD $0x4ef71c37 // orn v23.16b, v1.16b, v23.16b
	VAND   V22.B16, V20.B16, V20.B16
	VAND   V23.B16, V21.B16, V21.B16
	VST1.P [V16.S4, V17.S4], 32(R11)
	VST1.P [V20.S4, V21.S4], 32(R12)
	B    mc8

mctail:
	CMP  R4, R1
	BEQ  mcnext
	SUB  R5, R1, R8
	LSR  $2, R8
	MOVD R5, R1
	SUB  R8<<2, R11, R11
	SUB  R8<<2, R12, R12
	VLD1.P 32(R1), [V0.S4, V1.S4]
	B    mcblock

mcnext:
	SUB  $1, R6
	B    mcrow

mcdone:
	RET

// func absMaxColsAsm(acc *float32, src *float32, rows, p int)
// acc[j] = |x| where |x| > acc[j] (FCMGT: false for a NaN on either side, exactly the scalar
// comparison). Here R2 is acc; V28 holds 0x7fffffff.
TEXT ·absMaxColsAsm(SB), NOSPLIT, $0-32
	MOVD acc+0(FP), R2
	MOVD src+8(FP), R1
	MOVD rows+16(FP), R6
	MOVD p+24(FP), R7
	MOVW $0x7fffffff, R8
	VDUP R8, V28.S4

acrow:
	CBZ  R6, acdone
	MOVD R2, R11
	ADD  R7<<2, R1, R4
	SUB  $32, R4, R5

ac8:
	CMP  R5, R1
	BGT  actail
	VLD1.P 32(R1), [V0.S4, V1.S4]

acblock:
	VLD1   (R11), [V2.S4, V3.S4]
	VAND   V28.B16, V0.B16, V0.B16
	VAND   V28.B16, V1.B16, V1.B16
	WORD $0x6ea2e410 // fcmgt v16.4s, v0.4s, v2.4s
	WORD $0x6ea3e431 // fcmgt v17.4s, v1.4s, v3.4s
	VBSL   V2.B16, V0.B16, V16.B16
	VBSL   V3.B16, V1.B16, V17.B16
	VST1.P [V16.S4, V17.S4], 32(R11)
	B    ac8

actail:
	CMP  R4, R1
	BEQ  acnext
	SUB  R5, R1, R8
	LSR  $2, R8
	MOVD R5, R1
	SUB  R8<<2, R11, R11
	VLD1.P 32(R1), [V0.S4, V1.S4]
	B    acblock

acnext:
	SUB  $1, R6
	B    acrow

acdone:
	RET

// func dequantI8ColsAsm(dst *float32, codes *int8, scales *float32, zps *int8, rows, p int)
// Element j uses scales[j] and zps[j] (zps may be nil: zero points 0); the arithmetic is
// dequantI8NEON's (dequant_arm64.s).
TEXT ·dequantI8ColsAsm(SB), NOSPLIT, $0-48
	MOVD dst+0(FP), R0
	MOVD codes+8(FP), R1
	MOVD scales+16(FP), R2
	MOVD zps+24(FP), R3
	MOVD rows+32(FP), R6
	MOVD p+40(FP), R7

dcrow:
	CBZ  R6, dcdone
	MOVD R2, R11
	MOVD R3, R12
	ADD  R7<<0, R1, R4
	SUB  $8, R4, R5

dc8:
	CMP  R5, R1
	BGT  dctail
	VLD1.P 8(R1), [V0.B8]

dcblock:
	WORD $0x0f08a400 // sshll v0.8h, v0.8b, #0
	WORD $0x4f10a401 // sshll2 v1.4s, v0.8h, #0
	WORD $0x0f10a400 // sshll v0.4s, v0.4h, #0
	CBZ  R3, dcnozp
	VLD1.P 8(R12), [V6.B8]
	WORD $0x0f08a4c6 // sshll v6.8h, v6.8b, #0
	WORD $0x4f10a4c7 // sshll2 v7.4s, v6.8h, #0
	WORD $0x0f10a4c6 // sshll v6.4s, v6.4h, #0
	VSUB   V6.S4, V0.S4, V0.S4
	VSUB   V7.S4, V1.S4, V1.S4

dcnozp:
	VLD1.P 32(R11), [V2.S4, V3.S4]
	WORD $0x4e21d800 // scvtf v0.4s, v0.4s
	WORD $0x4e21d821 // scvtf v1.4s, v1.4s
	WORD $0x6e22dc00 // fmul v0.4s, v0.4s, v2.4s
	WORD $0x6e23dc21 // fmul v1.4s, v1.4s, v3.4s
	VST1.P [V0.S4, V1.S4], 32(R0)
	B    dc8

dctail:
	CMP  R4, R1
	BEQ  dcnext
	SUB  R5, R1, R8
	MOVD R5, R1
	SUB  R8<<2, R11, R11
	SUB  R8, R12, R12
	SUB  R8<<2, R0, R0
	VLD1.P 8(R1), [V0.B8]
	B    dcblock

dcnext:
	SUB  $1, R6
	B    dcrow

dcdone:
	RET
