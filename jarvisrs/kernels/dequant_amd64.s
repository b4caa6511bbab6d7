//go:build amd64 && !purego

#include "textflag.h"

// Dequantization: sign-extend codes to int32 (VPMOVSXBD), subtract the zero point as an
// integer, convert (VCVTDQ2PS rounds to nearest even, as Go's conversion does; every
// difference here is exact anyway) and multiply by the scale. The scale is the second
// operand of the multiplication: for a NaN scale the product is that NaN, quietened, as in
// the scalar code (the other factor is never NaN).

// DQ8 writes eight floats at element BX+off. Y15 holds the scale, Y14 the zero point.
#define DQ8(off) \
	VPMOVSXBD off(SI)(BX*1), Y0; \
	VPSUBD    Y14, Y0, Y0; \
	VCVTDQ2PS Y0, Y0; \
	VMULPS    Y15, Y0, Y0; \
	VMOVUPS   Y0, off*4(DI)(BX*4)

// func dequantI8AVX2(dst *float32, codes *int8, n int, scale float32, zp int32)
// n >= 8. The last block is done at n-8, overlapping the one before (same values).
TEXT ·dequantI8AVX2(SB), NOSPLIT, $0-32
	MOVQ         dst+0(FP), DI
	MOVQ         codes+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSS scale+24(FP), Y15
	MOVL         zp+28(FP), AX
	VMOVD        AX, X14
	VPBROADCASTD X14, Y14
	XORQ         BX, BX
	MOVQ         CX, DX
	SUBQ         $32, DX

dq32:
	CMPQ       BX, DX
	JGT        dq8start
	PREFETCHT0 512(SI)(BX*1)
	DQ8(0)
	DQ8(8)
	DQ8(16)
	DQ8(24)
	ADDQ       $32, BX
	JMP        dq32

dq8start:
	ADDQ $24, DX

dq8:
	CMPQ BX, DX
	JGT  dqtail
	DQ8(0)
	ADDQ $8, BX
	JMP  dq8

dqtail:
	CMPQ BX, CX
	JEQ  dqdone
	MOVQ DX, BX
	DQ8(0)

dqdone:
	VZEROUPPER
	RET

// DQC8 writes eight floats of a row at column BX: codes at SI, scales at R8, zero points at
// R10 (DQC8Z: none).
#define DQC8 \
	VPMOVSXBD (SI)(BX*1), Y0; \
	VPMOVSXBD (R10)(BX*1), Y1; \
	VPSUBD    Y1, Y0, Y0; \
	VCVTDQ2PS Y0, Y0; \
	VMULPS    (R8)(BX*4), Y0, Y0; \
	VMOVUPS   Y0, (DI)(BX*4)

#define DQC8Z \
	VPMOVSXBD (SI)(BX*1), Y0; \
	VCVTDQ2PS Y0, Y0; \
	VMULPS    (R8)(BX*4), Y0, Y0; \
	VMOVUPS   Y0, (DI)(BX*4)

// func dequantI8ColsAsm(dst *float32, codes *int8, scales *float32, zps *int8, rows, p int)
// Each of rows rows has p >= 8 elements; element j uses scales[j] and zps[j] (zps may be nil:
// zero points 0). Rows end with an overlapping block.
TEXT ·dequantI8ColsAsm(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ codes+8(FP), SI
	MOVQ scales+16(FP), R8
	MOVQ zps+24(FP), R10
	MOVQ rows+32(FP), R9
	MOVQ p+40(FP), CX
	MOVQ CX, DX
	SUBQ $8, DX
	TESTQ R10, R10
	JEQ  dqzrow

dqcrow:
	TESTQ R9, R9
	JEQ   dqcdone
	XORQ  BX, BX

dqc8:
	CMPQ       BX, DX
	JGT        dqctail
	PREFETCHT0 512(SI)(BX*1)
	DQC8
	ADDQ       $8, BX
	JMP        dqc8

dqctail:
	CMPQ BX, CX
	JEQ  dqcnext
	MOVQ DX, BX
	DQC8

dqcnext:
	ADDQ CX, SI
	LEAQ (DI)(CX*4), DI
	DECQ R9
	JMP  dqcrow

dqzrow:
	TESTQ R9, R9
	JEQ   dqcdone
	XORQ  BX, BX

dqz8:
	CMPQ       BX, DX
	JGT        dqztail
	PREFETCHT0 512(SI)(BX*1)
	DQC8Z
	ADDQ       $8, BX
	JMP        dqz8

dqztail:
	CMPQ BX, CX
	JEQ  dqznext
	MOVQ DX, BX
	DQC8Z

dqznext:
	ADDQ CX, SI
	LEAQ (DI)(CX*4), DI
	DECQ R9
	JMP  dqzrow

dqcdone:
	VZEROUPPER
	RET

// I4OUT8 converts the eight signed bytes in the low half of x to floats, multiplies them by
// the current scale (R10) and stores them at off(DI); then counts the vector against the
// group (R9 left of R8 per group) and, when the group is done, moves R10 to the next scale,
// without a branch.
#define I4OUT8(x, off) \
	VPMOVSXBD    x, Y4; \
	VCVTDQ2PS    Y4, Y4; \
	VBROADCASTSS (R10), Y5; \
	VMULPS       Y5, Y4, Y4; \
	VMOVUPS      Y4, off(DI); \
	DECQ         R9; \
	LEAQ         4(R10), R11; \
	CMOVQEQ      R11, R10; \
	CMOVQEQ      R8, R9

// func dequantI4AVX2(dst *float32, packed *uint8, blocks int, scales *float32, vecPerGroup int)
// blocks >= 1 blocks of 32 values (16 bytes). Nibbles become signed bytes as (v ^ 8) - 8, then
// the low and high nibbles are interleaved back into element order.
TEXT ·dequantI4AVX2(SB), NOSPLIT, $0-40
	MOVQ         dst+0(FP), DI
	MOVQ         packed+8(FP), SI
	MOVQ         blocks+16(FP), CX
	MOVQ         scales+24(FP), R10
	MOVQ         vecPerGroup+32(FP), R8
	MOVQ         R8, R9
	MOVL         $0x0f0f0f0f, AX
	VMOVD        AX, X15
	VPBROADCASTD X15, X15
	MOVL         $0x08080808, AX
	VMOVD        AX, X14
	VPBROADCASTD X14, X14

d4blk:
	PREFETCHT0 512(SI)
	VMOVDQU    (SI), X0
	VPSRLW     $4, X0, X1
	VPAND      X15, X0, X0
	VPAND      X15, X1, X1
	VPXOR      X14, X0, X0
	VPXOR      X14, X1, X1
	VPSUBB     X14, X0, X0
	VPSUBB     X14, X1, X1
	VPUNPCKLBW X1, X0, X2
	VPUNPCKHBW X1, X0, X3
	I4OUT8(X2, 0)
	VPSHUFD    $0x4e, X2, X2
	I4OUT8(X2, 32)
	I4OUT8(X3, 64)
	VPSHUFD    $0x4e, X3, X3
	I4OUT8(X3, 96)
	ADDQ       $16, SI
	ADDQ       $128, DI
	DECQ       CX
	JNE        d4blk
	VZEROUPPER
	RET
