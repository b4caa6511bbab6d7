//go:build amd64 && !purego

#include "textflag.h"

// fastLoopAsm is fastLoop (fastcompress.go) instruction for instruction in spirit and byte for
// byte in output: the same probes, hash, table updates, room checks and sequences. go_tests/lz4x
// compares the two on many inputs and capacities (UseAssembly).
//
// Registers:
//   SI src   DI dst   R8 table   R9 ip   R10 anchor (tok while a match is written)
//   R11 op   R12 ref   R13 the hash multiplier   AX BX CX DX scratch
// In the search: BX next, CX probes, DX the hash at next.
// Limits derived from n = src_len and dn = dst_len live in the frame: mflp1 = n-11 (a probe
// past it ends the search), mfl = n-12, mend = n-9 (a match from ip is compared for at most
// mend-ip bytes after its first 4), droom = dn-9 (a new token needs op <= droom).

// HASH turns the 8 bytes loaded into r into a fastHashLog-bit table index, in place.
#define HASH(r) \
	SHLQ $24, r; \
	IMULQ R13, r; \
	SHRQ $52, r

// func fastLoopAsm(dst, src []byte, t *fastTable) (op, anchor int)
TEXT ·fastLoopAsm(SB), NOSPLIT, $32-72
	MOVQ src_len+32(FP), AX
	LEAQ -11(AX), BX
	MOVQ BX, mflp1-8(SP)
	LEAQ -12(AX), BX
	MOVQ BX, mfl-16(SP)
	LEAQ -9(AX), BX
	MOVQ BX, mend-24(SP)
	MOVQ dst_len+8(FP), AX
	LEAQ -9(AX), BX
	MOVQ BX, droom-32(SP)
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ t+48(FP), R8
	MOVQ $0x9E3779B97F4A7C15, R13
	XORQ R10, R10
	XORQ R11, R11
	MOVQ (SI), AX
	HASH(AX)
	MOVL $0, (R8)(AX*4)
	MOVQ $1, R9
	MOVQ 1(SI), DX
	HASH(DX)

outer:
	MOVQ R9, BX
	MOVQ $64, CX

search:
	MOVQ BX, R9
	MOVQ CX, AX
	SHRQ $6, AX
	ADDQ AX, BX
	INCQ CX
	CMPQ BX, mflp1-8(SP)
	JGT  last
	MOVL (R8)(DX*4), R12
	MOVL R9, (R8)(DX*4)
	MOVQ (SI)(BX*1), DX
	HASH(DX)
	MOVQ R9, AX
	SUBQ R12, AX
	CMPQ AX, $65535
	JGT  search
	MOVL (SI)(R12*1), AX
	CMPL AX, (SI)(R9*1)
	JNE  search

	// Extend backwards over literals the match also covers.
catchup:
	CMPQ R9, R10
	JLE  catchdone
	TESTQ R12, R12
	JLE  catchdone
	MOVBLZX -1(SI)(R9*1), AX
	MOVBLZX -1(SI)(R12*1), BX
	CMPL AX, BX
	JNE  catchdone
	DECQ R9
	DECQ R12
	JMP  catchup

catchdone:
	// CX = lit; room: op + lit + lit/255 + 9 <= dn.
	MOVQ R9, CX
	SUBQ R10, CX
	MOVQ CX, AX
	MOVQ $0x8080808080808081, DX
	MULQ DX
	SHRQ $7, DX
	LEAQ 9(R11)(CX*1), AX
	ADDQ DX, AX
	CMPQ AX, dst_len+8(FP)
	JGT  fail
	MOVQ R11, BX
	CMPQ CX, $15
	JGE  longlit
	LEAQ 17(R11), AX
	CMPQ AX, dst_len+8(FP)
	JGT  shortslow
	LEAQ 16(R10), AX
	CMPQ AX, src_len+32(FP)
	JGT  shortslow
	MOVQ CX, AX
	SHLQ $4, AX
	MOVB AL, (DI)(R11*1)
	MOVOU (SI)(R10*1), X0
	MOVOU X0, 1(DI)(R11*1)
	LEAQ 1(R11)(CX*1), R11
	JMP  litdone

shortslow:
	MOVQ CX, AX
	SHLQ $4, AX
	MOVB AL, (DI)(R11*1)
	INCQ R11
	JMP  bytecopy

longlit:
	MOVB $0xF0, (DI)(R11*1)
	INCQ R11
	LEAQ -15(CX), AX

litlen:
	CMPQ AX, $255
	JLT  litlenlast
	MOVB $255, (DI)(R11*1)
	INCQ R11
	SUBQ $255, AX
	JMP  litlen

litlenlast:
	MOVB AL, (DI)(R11*1)
	INCQ R11
	CMPQ CX, $16
	JLT  bytecopy

	// Exact copy of CX >= 16 literals: 16-byte chunks, then the last 16 bytes again.
chunk:
	CMPQ CX, $16
	JLT  chunktail
	MOVOU (SI)(R10*1), X0
	MOVOU X0, (DI)(R11*1)
	ADDQ $16, R10
	ADDQ $16, R11
	SUBQ $16, CX
	JMP  chunk

chunktail:
	TESTQ CX, CX
	JEQ  litdone
	ADDQ CX, R10
	ADDQ CX, R11
	MOVOU -16(SI)(R10*1), X0
	MOVOU X0, -16(DI)(R11*1)
	JMP  litdone

bytecopy:
	TESTQ CX, CX
	JEQ  litdone
	MOVBLZX (SI)(R10*1), AX
	MOVB AL, (DI)(R11*1)
	INCQ R10
	INCQ R11
	DECQ CX
	JMP  bytecopy

litdone:
	MOVQ BX, R10

matchloop:
	// The offset, then the match length m after the first 4 bytes, compared up to n-5.
	MOVQ R9, AX
	SUBQ R12, AX
	MOVW AX, (DI)(R11*1)
	ADDQ $2, R11
	LEAQ 4(SI)(R12*1), R12
	LEAQ 4(SI)(R9*1), BX
	XORQ CX, CX
	MOVQ mend-24(SP), DX
	SUBQ R9, DX

mlloop:
	LEAQ 8(CX), AX
	CMPQ AX, DX
	JGT  mltail
	MOVQ (R12)(CX*1), AX
	XORQ (BX)(CX*1), AX
	JNZ  mlfound
	ADDQ $8, CX
	JMP  mlloop

mlfound:
	BSFQ AX, AX
	SHRQ $3, AX
	ADDQ AX, CX

mldone:
	LEAQ 4(R9)(CX*1), R9
	CMPQ CX, $15
	JGE  longml
	ORB  CL, (DI)(R10*1)

mlend:
	MOVQ R9, R10
	CMPQ R9, mfl-16(SP)
	JGT  last
	// Try a match right at ip.
	MOVQ (SI)(R9*1), AX
	HASH(AX)
	MOVL (R8)(AX*4), R12
	MOVL R9, (R8)(AX*4)
	MOVQ R9, AX
	SUBQ R12, AX
	CMPQ AX, $65535
	JGT  nomatch
	MOVL (SI)(R12*1), AX
	CMPL AX, (SI)(R9*1)
	JNE  nomatch
	CMPQ R11, droom-32(SP)
	JGT  fail
	MOVQ R11, R10
	MOVB $0, (DI)(R11*1)
	INCQ R11
	JMP  matchloop

nomatch:
	INCQ R9
	MOVQ (SI)(R9*1), DX
	HASH(DX)
	JMP  outer

mltail:
	CMPQ CX, DX
	JGE  mldone
	MOVBLZX (R12)(CX*1), AX
	MOVBLZX (BX)(CX*1), R12
	CMPL AX, R12
	JNE  mldone
	// R12 was clobbered: rebuild the pointer from BX (ref = ip - offset).
	MOVWLZX -2(DI)(R11*1), AX
	MOVQ BX, R12
	SUBQ AX, R12
	INCQ CX
	JMP  mltail

longml:
	MOVQ CX, AX
	MOVQ $0x8080808080808081, DX
	MULQ DX
	SHRQ $7, DX
	LEAQ 6(R11)(DX*1), AX
	CMPQ AX, dst_len+8(FP)
	JGT  fail
	ORB  $15, (DI)(R10*1)
	SUBQ $15, CX

mllen:
	CMPQ CX, $255
	JLT  mllenlast
	MOVB $255, (DI)(R11*1)
	INCQ R11
	SUBQ $255, CX
	JMP  mllen

mllenlast:
	MOVB CL, (DI)(R11*1)
	INCQ R11
	JMP  mlend

last:
	MOVQ R11, op+56(FP)
	MOVQ R10, anchor+64(FP)
	RET

fail:
	MOVQ $-1, op+56(FP)
	MOVQ $0, anchor+64(FP)
	RET
