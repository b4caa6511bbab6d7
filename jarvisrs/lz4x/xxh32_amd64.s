//go:build amd64 && !purego

#include "textflag.h"

// xxHash32's stripe loop, the four lanes in R8-R11: per lane and 4-byte word,
// acc = rotl(acc + word*prime2, 13) * prime1. IMUL3L multiplies straight from memory, so a
// stripe of 16 bytes is 16 instructions plus the loop's 3; the Go loop needed about twice that
// (slice bookkeeping and spills), and the lanes' multiplies are what bounds the speed.
// prime2 = 2246822519 and prime1 = 2654435761, written as the int32 of the same bits.

#define ROUND(off, acc) \
	IMUL3L $-2048144777, off(SI), AX; \
	ADDL   AX, acc; \
	ROLL   $13, acc; \
	IMUL3L $-1640531535, acc, acc

// func xxhStripesAsm(v *[4]uint32, p *byte, n int)
TEXT ·xxhStripesAsm(SB), NOSPLIT, $0-24
	MOVQ v+0(FP), DI
	MOVQ p+8(FP), SI
	MOVQ n+16(FP), CX
	MOVL 0(DI), R8
	MOVL 4(DI), R9
	MOVL 8(DI), R10
	MOVL 12(DI), R11
	LEAQ (SI)(CX*1), CX

loop:
	ROUND(0, R8)
	ROUND(4, R9)
	ROUND(8, R10)
	ROUND(12, R11)
	ADDQ $16, SI
	CMPQ SI, CX
	JB   loop
	MOVL R8, 0(DI)
	MOVL R9, 4(DI)
	MOVL R10, 8(DI)
	MOVL R11, 12(DI)
	RET

// func xxhStripesCopyAsm(v *[4]uint32, dst, p *byte, n int)
TEXT ·xxhStripesCopyAsm(SB), NOSPLIT, $0-32
	MOVQ v+0(FP), DI
	MOVQ dst+8(FP), DX
	MOVQ p+16(FP), SI
	MOVQ n+24(FP), CX
	MOVL 0(DI), R8
	MOVL 4(DI), R9
	MOVL 8(DI), R10
	MOVL 12(DI), R11
	LEAQ (SI)(CX*1), CX

copyloop:
	MOVOU (SI), X0
	MOVOU X0, (DX)
	ROUND(0, R8)
	ROUND(4, R9)
	ROUND(8, R10)
	ROUND(12, R11)
	ADDQ $16, SI
	ADDQ $16, DX
	CMPQ SI, CX
	JB   copyloop
	MOVL R8, 0(DI)
	MOVL R9, 4(DI)
	MOVL R10, 8(DI)
	MOVL R11, 12(DI)
	RET
