//go:build amd64 && !purego

#include "textflag.h"

// The main loops prefetch 1 KiB ahead of their loads. Measured here (64 MiB inputs, a busy
// shared host), the INT8 kernels took about half the time with it: without it the divides
// fill the out-of-order window and the loads of the next lines start late. Prefetching past
// the end of a slice is harmless: a prefetch never faults.
//
// Register use shared by the INT8 kernels:
//   Y8 sub   Y9 scale   Y10 add   Y11 lo   Y12 hi   Y13 sign bit   Y14 0.49999997
//
// ROUND_CLAMP turns the float32 quotient in q into clamped int32 codes in t. Rounding half
// away from zero is trunc(q + copysign(0.49999997, q)), LLVM's lowering of round(): adding the
// float just below 0.5 carries a fractional part of 0.5 or more (and nothing less) over to the
// next integer, for every float32 (a one-off comparison with math.Round over all 2^32 patterns
// agreed, signed zeros included; go_tests/kernels checks it across every binade). NaN stays NaN and ±Inf stays ±Inf. The ordered max puts lo in
// place of a NaN (VMAXPS returns its second source when either is NaN), so the min and the
// truncating convert only ever see numbers in range.
#define ROUND_CLAMP(q, t) \
	VANDPS     Y13, q, t; \
	VORPS      Y14, t, t; \
	VADDPS     t, q, t; \
	VROUNDPS   $3, t, t; \
	VADDPS     Y10, t, t; \
	VMAXPS     Y11, t, t; \
	VMINPS     Y12, t, t; \
	VCVTTPS2DQ t, t

// PACK8 narrows eight int32 codes (already within int8 range) in t to eight bytes at dst.
#define PACK8(t, x, f, dst) \
	VEXTRACTI128 $1, t, f; \
	VPACKSSDW    f, x, x; \
	VPACKSSWB    x, x, x; \
	VMOVQ        x, dst

#define QUANT8(off) \
	VMOVUPS off*4(SI)(BX*4), Y0; \
	VSUBPS  Y8, Y0, Y0; \
	VDIVPS  Y9, Y0, Y0; \
	ROUND_CLAMP(Y0, Y1); \
	PACK8(Y1, X1, X2, off(DI)(BX*1))

#define CONSTS_ROUND \
	VPCMPEQD     Y13, Y13, Y13; \
	VPSLLD       $31, Y13, Y13; \
	MOVL         $0x3effffff, AX; \
	VMOVD        AX, X14; \
	VPBROADCASTD X14, Y14

// func quantAVX2(dst *int8, src *float32, n int, sub, scale, add, lo, hi float32)
// n >= 8. The last block is done at n-8, overlapping the one before it: each code depends
// only on its own input, so writing it twice is harmless.
TEXT ·quantAVX2(SB), NOSPLIT, $0-44
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSS sub+24(FP), Y8
	VBROADCASTSS scale+28(FP), Y9
	VBROADCASTSS add+32(FP), Y10
	VBROADCASTSS lo+36(FP), Y11
	VBROADCASTSS hi+40(FP), Y12
	CONSTS_ROUND
	XORQ         BX, BX
	MOVQ         CX, DX
	SUBQ         $32, DX

quant32:
	CMPQ BX, DX
	JGT  quant8start
	PREFETCHT0 1024(SI)(BX*4)
	PREFETCHT0 1088(SI)(BX*4)
	QUANT8(0)
	QUANT8(8)
	QUANT8(16)
	QUANT8(24)
	ADDQ $32, BX
	JMP  quant32

quant8start:
	ADDQ $24, DX

quant8:
	CMPQ BX, DX
	JGT  quanttail
	QUANT8(0)
	ADDQ $8, BX
	JMP  quant8

quanttail:
	CMPQ BX, CX
	JEQ  quantdone
	MOVQ DX, BX
	QUANT8(0)

quantdone:
	VZEROUPPER
	RET

#define QCOLS8 \
	VMOVUPS (SI)(BX*4), Y0; \
	VMOVUPS (R8)(BX*4), Y3; \
	VCMPPS  $0, Y4, Y3, Y5; \
	VDIVPS  Y3, Y0, Y0; \
	VANDNPS Y0, Y5, Y0; \
	ROUND_CLAMP(Y0, Y1); \
	PACK8(Y1, X1, X2, (DI)(BX*1))

// QCOLSZ8 is QCOLS8 with the column's zero point (int8 at R10) as the addend.
#define QCOLSZ8 \
	VPMOVSXBD (R10)(BX*1), Y10; \
	VCVTDQ2PS Y10, Y10; \
	QCOLS8

// func quantColsAsm(dst *int8, src *float32, scales *float32, zps *int8, rows, p int, lo, hi float32)
// Each of rows rows has p >= 8 elements; element j uses scales[j] and adds zps[j] (nil: 0), and
// a zero scale gives a zero quotient and so code zps[j]. Rows end with an overlapping block, as
// in quantAVX2. The float32 addition of the zero point is exact wherever the clamp does not
// decide the code (see ZeroPointInt8).
TEXT ·quantColsAsm(SB), NOSPLIT, $0-56
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         scales+16(FP), R8
	MOVQ         zps+24(FP), R10
	MOVQ         rows+32(FP), R9
	MOVQ         p+40(FP), CX
	VBROADCASTSS lo+48(FP), Y11
	VBROADCASTSS hi+52(FP), Y12
	VXORPS       Y8, Y8, Y8
	VXORPS       Y10, Y10, Y10
	VXORPS       Y4, Y4, Y4
	CONSTS_ROUND
	MOVQ         CX, DX
	SUBQ         $8, DX
	TESTQ        R10, R10
	JNE          qzrow

qcolsrow:
	TESTQ R9, R9
	JEQ   qcolsdone
	XORQ  BX, BX

qcols8:
	CMPQ BX, DX
	JGT  qcolstail
	PREFETCHT0 1024(SI)(BX*4)
	QCOLS8
	ADDQ $8, BX
	JMP  qcols8

qcolstail:
	CMPQ BX, CX
	JEQ  qcolsnext
	MOVQ DX, BX
	QCOLS8

qcolsnext:
	LEAQ (SI)(CX*4), SI
	ADDQ CX, DI
	DECQ R9
	JMP  qcolsrow

qzrow:
	TESTQ R9, R9
	JEQ   qcolsdone
	XORQ  BX, BX

qz8:
	CMPQ BX, DX
	JGT  qztail
	PREFETCHT0 1024(SI)(BX*4)
	QCOLSZ8
	ADDQ $8, BX
	JMP  qz8

qztail:
	CMPQ BX, CX
	JEQ  qznext
	MOVQ DX, BX
	QCOLSZ8

qznext:
	LEAQ (SI)(CX*4), SI
	ADDQ CX, DI
	DECQ R9
	JMP  qzrow

qcolsdone:
	VZEROUPPER
	RET

#define AMC8 \
	VANDPS  (SI)(BX*4), Y13, Y0; \
	VMOVUPS (DI)(BX*4), Y1; \
	VMAXPS  Y1, Y0, Y1; \
	VMOVUPS Y1, (DI)(BX*4)

// func absMaxColsAsm(acc *float32, src *float32, rows, p int)
// acc[j] = |x| where |x| > acc[j]: VMAXPS with |x| first returns acc for a NaN on either
// side, exactly the scalar comparison. p >= 8; the overlapping last block is idempotent.
TEXT ·absMaxColsAsm(SB), NOSPLIT, $0-32
	MOVQ     acc+0(FP), DI
	MOVQ     src+8(FP), SI
	MOVQ     rows+16(FP), R9
	MOVQ     p+24(FP), CX
	VPCMPEQD Y13, Y13, Y13
	VPSRLD   $1, Y13, Y13
	MOVQ     CX, DX
	SUBQ     $8, DX

amcrow:
	TESTQ R9, R9
	JEQ   amcdone
	XORQ  BX, BX

amc8:
	CMPQ BX, DX
	JGT  amctail
	PREFETCHT0 1024(SI)(BX*4)
	AMC8
	ADDQ $8, BX
	JMP  amc8

amctail:
	CMPQ BX, CX
	JEQ  amcnext
	MOVQ DX, BX
	AMC8

amcnext:
	LEAQ (SI)(CX*4), SI
	DECQ R9
	JMP  amcrow

amcdone:
	VZEROUPPER
	RET

// func absMaxAVX2(src *float32, n int) float32
// n >= 8. Lanes start at +0 and never hold a NaN, so the final reduction order is free.
TEXT ·absMaxAVX2(SB), NOSPLIT, $0-20
	MOVQ     src+0(FP), SI
	MOVQ     n+8(FP), CX
	VPCMPEQD Y13, Y13, Y13
	VPSRLD   $1, Y13, Y13
	VXORPS   Y4, Y4, Y4
	VXORPS   Y5, Y5, Y5
	VXORPS   Y6, Y6, Y6
	VXORPS   Y7, Y7, Y7
	XORQ     BX, BX
	MOVQ     CX, DX
	SUBQ     $32, DX

am32:
	CMPQ    BX, DX
	JGT     am8start
	PREFETCHT0 1024(SI)(BX*4)
	PREFETCHT0 1088(SI)(BX*4)
	VANDPS  (SI)(BX*4), Y13, Y0
	VANDPS  32(SI)(BX*4), Y13, Y1
	VANDPS  64(SI)(BX*4), Y13, Y2
	VANDPS  96(SI)(BX*4), Y13, Y3
	VMAXPS  Y4, Y0, Y4
	VMAXPS  Y5, Y1, Y5
	VMAXPS  Y6, Y2, Y6
	VMAXPS  Y7, Y3, Y7
	ADDQ    $32, BX
	JMP     am32

am8start:
	ADDQ $24, DX

am8:
	CMPQ   BX, DX
	JGT    amtail
	VANDPS (SI)(BX*4), Y13, Y0
	VMAXPS Y4, Y0, Y4
	ADDQ   $8, BX
	JMP    am8

amtail:
	CMPQ   BX, CX
	JEQ    amreduce
	VANDPS (SI)(DX*4), Y13, Y0
	VMAXPS Y4, Y0, Y4

amreduce:
	VMAXPS       Y5, Y4, Y4
	VMAXPS       Y7, Y6, Y6
	VMAXPS       Y6, Y4, Y4
	VEXTRACTF128 $1, Y4, X5
	VMAXPS       X5, X4, X4
	VPERMILPS    $0x4e, X4, X5
	VMAXPS       X5, X4, X4
	VPERMILPS    $0xb1, X4, X5
	VMAXPS       X5, X4, X4
	VMOVSS       X4, ret+16(FP)
	VZEROUPPER
	RET

// KEY8 turns the float32 bits in x into int32 keys whose signed order is MinMax's order
// (-0 below +0, NaNs beyond ±Inf at either end): negative floats get their magnitude bits
// flipped. Y15 holds 0x7fffffff; t is scratch.
#define KEY8(x, t) \
	VPSRAD $31, x, t; \
	VPAND  Y15, t, t; \
	VPXOR  t, x, x

// HREDUCE folds the eight int32 lanes of y (using x, its low half, and scratch s) with op,
// leaving the result in the low lane.
#define HREDUCE(op, y, x, s) \
	VEXTRACTI128 $1, y, s; \
	op           s, x, x; \
	VPSHUFD      $0x4e, x, s; \
	op           s, x, x; \
	VPSHUFD      $0xb1, x, s; \
	op           s, x, x

// func minMaxKeysAVX2(src *float32, n int) (kmin, kmax int32)
// n >= 8. The smallest and largest key over src; the caller turns them back into floats, or
// notices a NaN among them (a key beyond ±Inf's) and takes the NaN-skipping path instead.
// Integer min/max have one-cycle latency, so this runs at memory speed.
TEXT ·minMaxKeysAVX2(SB), NOSPLIT, $0-24
	MOVQ     src+0(FP), SI
	MOVQ     n+8(FP), CX
	VPCMPEQD Y15, Y15, Y15
	VPSRLD   $1, Y15, Y15
	VMOVDQA  Y15, Y4
	VMOVDQA  Y15, Y5
	VPCMPEQD Y6, Y6, Y6
	VPSLLD   $31, Y6, Y6
	VMOVDQA  Y6, Y7
	XORQ     BX, BX
	MOVQ     CX, DX
	SUBQ     $16, DX

mk16:
	CMPQ    BX, DX
	JGT     mk8start
	PREFETCHT0 1024(SI)(BX*4)
	VMOVDQU (SI)(BX*4), Y0
	VMOVDQU 32(SI)(BX*4), Y1
	KEY8(Y0, Y2)
	KEY8(Y1, Y3)
	VPMINSD Y0, Y4, Y4
	VPMAXSD Y0, Y6, Y6
	VPMINSD Y1, Y5, Y5
	VPMAXSD Y1, Y7, Y7
	ADDQ    $16, BX
	JMP     mk16

mk8start:
	ADDQ $8, DX

mk8:
	CMPQ    BX, DX
	JGT     mktail
	VMOVDQU (SI)(BX*4), Y0
	KEY8(Y0, Y2)
	VPMINSD Y0, Y4, Y4
	VPMAXSD Y0, Y6, Y6
	ADDQ    $8, BX
	JMP     mk8

mktail:
	CMPQ    BX, CX
	JEQ     mkreduce
	VMOVDQU (SI)(DX*4), Y0
	KEY8(Y0, Y2)
	VPMINSD Y0, Y4, Y4
	VPMAXSD Y0, Y6, Y6

mkreduce:
	VPMINSD Y5, Y4, Y4
	VPMAXSD Y7, Y6, Y6
	HREDUCE(VPMINSD, Y4, X4, X5)
	HREDUCE(VPMAXSD, Y6, X6, X7)
	VMOVD   X4, AX
	MOVL    AX, kmin+16(FP)
	VMOVD   X6, AX
	MOVL    AX, kmax+20(FP)
	VZEROUPPER
	RET

// MINMAX_STEP folds x into the running minimum mn and maximum mx with MinMax's order: the
// ordered min/max skip a NaN x (they return their second source), and on a tie the bits are
// OR-ed into mn / AND-ed into mx so -0 wins the minimum and +0 the maximum.
#define MINMAX_STEP(x, mn, mx, t, e) \
	VMINPS  mn, x, t; \
	VCMPPS  $0, mn, x, e; \
	VANDPS  x, e, e; \
	VORPS   e, t, mn; \
	VMAXPS  mx, x, t; \
	VCMPPS  $0, mx, x, e; \
	VANDNPS e, x, e; \
	VANDNPS t, e, mx

// func minMaxAVX2(src *float32, n int, lanes *[32]float32)
// n >= 8. The path for slices holding a NaN, which minMaxKeysAVX2 cannot skip. Writes two minimum accumulators then two maximum accumulators, eight lanes each,
// for the caller to reduce with the same order.
TEXT ·minMaxAVX2(SB), NOSPLIT, $0-24
	MOVQ         src+0(FP), SI
	MOVQ         n+8(FP), CX
	MOVQ         lanes+16(FP), DI
	MOVL         $0x7f800000, AX
	VMOVD        AX, X4
	VPBROADCASTD X4, Y4
	VMOVAPS      Y4, Y5
	MOVL         $0xff800000, AX
	VMOVD        AX, X6
	VPBROADCASTD X6, Y6
	VMOVAPS      Y6, Y7
	XORQ         BX, BX
	MOVQ         CX, DX
	SUBQ         $16, DX

mm16:
	CMPQ    BX, DX
	JGT     mm8start
	VMOVUPS (SI)(BX*4), Y0
	VMOVUPS 32(SI)(BX*4), Y1
	MINMAX_STEP(Y0, Y4, Y6, Y2, Y3)
	MINMAX_STEP(Y1, Y5, Y7, Y8, Y9)
	ADDQ    $16, BX
	JMP     mm16

mm8start:
	ADDQ $8, DX

mm8:
	CMPQ    BX, DX
	JGT     mmtail
	VMOVUPS (SI)(BX*4), Y0
	MINMAX_STEP(Y0, Y4, Y6, Y2, Y3)
	ADDQ    $8, BX
	JMP     mm8

mmtail:
	CMPQ    BX, CX
	JEQ     mmdone
	VMOVUPS (SI)(DX*4), Y0
	MINMAX_STEP(Y0, Y4, Y6, Y2, Y3)

mmdone:
	VMOVUPS Y4, (DI)
	VMOVUPS Y5, 32(DI)
	VMOVUPS Y6, 64(DI)
	VMOVUPS Y7, 96(DI)
	VZEROUPPER
	RET

#define MMC8 \
	VMOVUPS (SI)(BX*4), Y0; \
	VMOVUPS (DI)(BX*4), Y4; \
	VMOVUPS (R8)(BX*4), Y6; \
	MINMAX_STEP(Y0, Y4, Y6, Y2, Y3); \
	VMOVUPS Y4, (DI)(BX*4); \
	VMOVUPS Y6, (R8)(BX*4)

// func minMaxColsAsm(lo, hi *float32, src *float32, rows, p int)
// lo[j] and hi[j] take each row's element j with MinMax's order (MINMAX_STEP). p >= 8; the
// overlapping last block of a row folds some elements twice, which changes nothing.
TEXT ·minMaxColsAsm(SB), NOSPLIT, $0-40
	MOVQ lo+0(FP), DI
	MOVQ hi+8(FP), R8
	MOVQ src+16(FP), SI
	MOVQ rows+24(FP), R9
	MOVQ p+32(FP), CX
	MOVQ CX, DX
	SUBQ $8, DX

mmcrow:
	TESTQ R9, R9
	JEQ   mmcdone
	XORQ  BX, BX

mmc8:
	CMPQ BX, DX
	JGT  mmctail
	PREFETCHT0 1024(SI)(BX*4)
	MMC8
	ADDQ $8, BX
	JMP  mmc8

mmctail:
	CMPQ BX, CX
	JEQ  mmcnext
	MOVQ DX, BX
	MMC8

mmcnext:
	LEAQ (SI)(CX*4), SI
	DECQ R9
	JMP  mmcrow

mmcdone:
	VZEROUPPER
	RET

// func firstNonFiniteAsm(src *float32, n int) int
// n >= 8. Returns the start of the first 8- or 32-element block holding a NaN or ±Inf (all
// exponent bits set), or n. Everything before the returned index is finite.
TEXT ·firstNonFiniteAsm(SB), NOSPLIT, $0-24
	MOVQ         src+0(FP), SI
	MOVQ         n+8(FP), CX
	MOVL         $0x7f800000, AX
	VMOVD        AX, X15
	VPBROADCASTD X15, Y15
	XORQ         BX, BX
	MOVQ         CX, DX
	SUBQ         $32, DX

nf32:
	CMPQ     BX, DX
	JGT      nf8start
	PREFETCHT0 1024(SI)(BX*4)
	PREFETCHT0 1088(SI)(BX*4)
	VPAND    (SI)(BX*4), Y15, Y0
	VPAND    32(SI)(BX*4), Y15, Y1
	VPAND    64(SI)(BX*4), Y15, Y2
	VPAND    96(SI)(BX*4), Y15, Y3
	VPCMPEQD Y15, Y0, Y0
	VPCMPEQD Y15, Y1, Y1
	VPCMPEQD Y15, Y2, Y2
	VPCMPEQD Y15, Y3, Y3
	VPOR     Y1, Y0, Y0
	VPOR     Y3, Y2, Y2
	VPOR     Y2, Y0, Y0
	VPTEST   Y0, Y0
	JNE      nffound
	ADDQ     $32, BX
	JMP      nf32

nf8start:
	ADDQ $24, DX

nf8:
	CMPQ     BX, DX
	JGT      nftail
	VPAND    (SI)(BX*4), Y15, Y0
	VPCMPEQD Y15, Y0, Y0
	VPTEST   Y0, Y0
	JNE      nffound
	ADDQ     $8, BX
	JMP      nf8

nftail:
	CMPQ     BX, CX
	JEQ      nffound
	VPAND    (SI)(DX*4), Y15, Y0
	VPCMPEQD Y15, Y0, Y0
	VPTEST   Y0, Y0
	JE       nfnone
	MOVQ     DX, BX
	JMP      nffound

nfnone:
	MOVQ CX, BX

nffound:
	MOVQ BX, ret+16(FP)
	VZEROUPPER
	RET

// SNAN8 sets the sign bit of each lane of m where x is a signalling NaN (a NaN whose quiet
// bit, bit 22, is clear), using t as scratch; VTESTPS then looks at the sign bits alone.
#define SNAN8(x, m, t) \
	VCMPPS  $3, x, x, m; \
	VPSLLD  $9, x, t; \
	VANDNPS m, t, m

// func f32ToF16Asm(dst *uint16, src *float32, n int) int
// n >= 8. F16C rounds to nearest even exactly as numpy does, and treats quiet NaNs alike, but
// quietens signalling NaNs, which numpy keeps signalling; so a block holding one stops the
// loop and its start is returned for the scalar code. Returns n when done.
TEXT ·f32ToF16Asm(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	XORQ BX, BX
	MOVQ CX, DX
	SUBQ $32, DX

h32:
	CMPQ      BX, DX
	JGT       h8start
	PREFETCHT0 1024(SI)(BX*4)
	PREFETCHT0 1088(SI)(BX*4)
	VMOVUPS   (SI)(BX*4), Y0
	VMOVUPS   32(SI)(BX*4), Y1
	VMOVUPS   64(SI)(BX*4), Y2
	VMOVUPS   96(SI)(BX*4), Y3
	SNAN8(Y0, Y4, Y8)
	SNAN8(Y1, Y5, Y9)
	SNAN8(Y2, Y6, Y10)
	SNAN8(Y3, Y7, Y11)
	VORPS     Y5, Y4, Y4
	VORPS     Y7, Y6, Y6
	VORPS     Y6, Y4, Y4
	VTESTPS   Y4, Y4
	JNE       h8b
	VCVTPS2PH $0, Y0, (DI)(BX*2)
	VCVTPS2PH $0, Y1, 16(DI)(BX*2)
	VCVTPS2PH $0, Y2, 32(DI)(BX*2)
	VCVTPS2PH $0, Y3, 48(DI)(BX*2)
	ADDQ      $32, BX
	JMP       h32

h8b:
	// A signalling NaN somewhere in these 32: convert up to its block of 8.
	VMOVUPS   (SI)(BX*4), Y0
	SNAN8(Y0, Y4, Y8)
	VTESTPS   Y4, Y4
	JNE       hstop
	VCVTPS2PH $0, Y0, (DI)(BX*2)
	ADDQ      $8, BX
	JMP       h8b

h8start:
	ADDQ $24, DX

h8:
	CMPQ      BX, DX
	JGT       htail
	VMOVUPS   (SI)(BX*4), Y0
	SNAN8(Y0, Y4, Y8)
	VTESTPS   Y4, Y4
	JNE       hstop
	VCVTPS2PH $0, Y0, (DI)(BX*2)
	ADDQ      $8, BX
	JMP       h8

htail:
	CMPQ      BX, CX
	JEQ       hstop
	MOVQ      DX, BX
	VMOVUPS   (SI)(BX*4), Y0
	SNAN8(Y0, Y4, Y8)
	VTESTPS   Y4, Y4
	JNE       hstop
	VCVTPS2PH $0, Y0, (DI)(BX*2)
	MOVQ      CX, BX

hstop:
	MOVQ BX, ret+24(FP)
	VZEROUPPER
	RET

// HSNAN sets the words of m where the half in x is a signalling NaN: with the sign cleared,
// above 0x7c00 (Inf) and below 0x7e00 (the first quiet NaN). q, a and i hold 0x7e00, 0x7fff
// and 0x7c00 in every word (Y13..Y15, or their X halves); t is scratch.
#define HSNAN(x, m, t, q, a, i) \
	VPAND    a, x, t; \
	VPCMPGTW i, t, m; \
	VPCMPGTW t, q, t; \
	VPAND    t, m, m

// func f16ToF32Asm(dst *float32, src *uint16, n int) int
// n >= 8. VCVTPH2PS is exact for every number and quiet NaN but quietens signalling NaNs,
// which numpy keeps; a block holding one stops the loop and its start is returned. Returns n
// when done.
TEXT ·f16ToF32Asm(SB), NOSPLIT, $0-32
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         n+16(FP), CX
	MOVL         $0x7e007e00, AX
	VMOVD        AX, X13
	VPBROADCASTD X13, Y13
	MOVL         $0x7fff7fff, AX
	VMOVD        AX, X14
	VPBROADCASTD X14, Y14
	MOVL         $0x7c007c00, AX
	VMOVD        AX, X15
	VPBROADCASTD X15, Y15
	XORQ         BX, BX
	MOVQ         CX, DX
	SUBQ         $16, DX

w16:
	CMPQ         BX, DX
	JGT          w8start
	PREFETCHT0   1024(SI)(BX*2)
	VMOVDQU      (SI)(BX*2), Y0
	HSNAN(Y0, Y1, Y4, Y13, Y14, Y15)
	VPTEST       Y1, Y1
	JNE          w8b
	VCVTPH2PS    X0, Y2
	VEXTRACTI128 $1, Y0, X0
	VCVTPH2PS    X0, Y3
	VMOVUPS      Y2, (DI)(BX*4)
	VMOVUPS      Y3, 32(DI)(BX*4)
	ADDQ         $16, BX
	JMP          w16

w8b:
	// A signalling NaN somewhere in these 16: convert up to its block of 8.
	VMOVDQU   (SI)(BX*2), X0
	HSNAN(X0, X1, X4, X13, X14, X15)
	VPTEST    X1, X1
	JNE       wstop
	VCVTPH2PS X0, Y2
	VMOVUPS   Y2, (DI)(BX*4)
	ADDQ      $8, BX
	JMP       w8b

w8start:
	ADDQ $8, DX

w8:
	CMPQ      BX, DX
	JGT       wtail
	VMOVDQU   (SI)(BX*2), X0
	HSNAN(X0, X1, X4, X13, X14, X15)
	VPTEST    X1, X1
	JNE       wstop
	VCVTPH2PS X0, Y2
	VMOVUPS   Y2, (DI)(BX*4)
	ADDQ      $8, BX
	JMP       w8

wtail:
	CMPQ      BX, CX
	JEQ       wstop
	MOVQ      DX, BX
	VMOVDQU   (SI)(BX*2), X0
	HSNAN(X0, X1, X4, X13, X14, X15)
	VPTEST    X1, X1
	JNE       wstop
	VCVTPH2PS X0, Y2
	VMOVUPS   Y2, (DI)(BX*4)
	MOVQ      CX, BX

wstop:
	MOVQ BX, ret+24(FP)
	VZEROUPPER
	RET
