//go:build !purego

#include "textflag.h"

// func rowsAVX2(v, u, b, t *float64, n, rows, sx int, c *coefs, stream bool)
//
// For r in [0, rows) and i in [0, n), with o = r*sx + i:
// v[o] = ((c0*u[o] + cx*(u[o-1]+u[o+1])) + cy*(u[o-sx]+u[o+sx])) + cz*(b[o]+t[o]),
// separate multiplies and adds (no FMA) in the order of rowGo, so the bits
// match it: eight cells at a time, then four, then one (scalar SSE2, same
// rounding). One call does a whole tile of rows, so the per-row cost is a
// few register additions rather than a Go call with eight slices. With
// stream the vector stores are non-temporal (v's rows must be 32-byte
// aligned) and an SFENCE orders them before the return.
TEXT ·rowsAVX2(SB), NOSPLIT, $0-65
	MOVQ v+0(FP), DI
	MOVQ u+8(FP), SI
	MOVQ b+16(FP), R12
	MOVQ t+24(FP), R13
	MOVQ n+32(FP), CX
	MOVQ rows+40(FP), R15
	MOVQ sx+48(FP), R14
	MOVQ c+56(FP), BX
	MOVBQZX stream+64(FP), R9
	VBROADCASTSD 0(BX), Y12
	VBROADCASTSD 8(BX), Y13
	VBROADCASTSD 16(BX), Y14
	VBROADCASTSD 24(BX), Y15
	SHLQ $3, CX           // row length in bytes
	SHLQ $3, R14          // row stride in bytes
	TESTQ R15, R15
	JLE  done
	MOVQ CX, DX
	ANDQ $-64, DX         // bytes done eight at a time
	MOVQ CX, BX
	ANDQ $-32, BX         // bytes done eight or four at a time

row:
	MOVQ SI, R10
	SUBQ R14, R10         // u - sx
	MOVQ SI, R11
	ADDQ R14, R11         // u + sx
	XORQ AX, AX
	CMPQ AX, DX
	JGE  four

loop8:
	VMULPD  (SI)(AX*1), Y12, Y0
	VMULPD  32(SI)(AX*1), Y12, Y4
	VMOVUPD -8(SI)(AX*1), Y1
	VMOVUPD 24(SI)(AX*1), Y5
	VADDPD  8(SI)(AX*1), Y1, Y1
	VADDPD  40(SI)(AX*1), Y5, Y5
	VMULPD  Y13, Y1, Y1
	VMULPD  Y13, Y5, Y5
	VADDPD  Y1, Y0, Y0
	VADDPD  Y5, Y4, Y4
	VMOVUPD (R10)(AX*1), Y2
	VMOVUPD 32(R10)(AX*1), Y6
	VADDPD  (R11)(AX*1), Y2, Y2
	VADDPD  32(R11)(AX*1), Y6, Y6
	VMULPD  Y14, Y2, Y2
	VMULPD  Y14, Y6, Y6
	VADDPD  Y2, Y0, Y0
	VADDPD  Y6, Y4, Y4
	VMOVUPD (R12)(AX*1), Y3
	VMOVUPD 32(R12)(AX*1), Y7
	VADDPD  (R13)(AX*1), Y3, Y3
	VADDPD  32(R13)(AX*1), Y7, Y7
	VMULPD  Y15, Y3, Y3
	VMULPD  Y15, Y7, Y7
	VADDPD  Y3, Y0, Y0
	VADDPD  Y7, Y4, Y4
	TESTQ   R9, R9
	JNZ     stream8
	VMOVUPD Y0, (DI)(AX*1)
	VMOVUPD Y4, 32(DI)(AX*1)
	JMP     stored8

stream8:
	VMOVNTPD Y0, (DI)(AX*1)
	VMOVNTPD Y4, 32(DI)(AX*1)

stored8:
	ADDQ    $64, AX
	CMPQ    AX, DX
	JLT     loop8

four:
	CMPQ    AX, BX
	JGE     one
	VMULPD  (SI)(AX*1), Y12, Y0
	VMOVUPD -8(SI)(AX*1), Y1
	VADDPD  8(SI)(AX*1), Y1, Y1
	VMULPD  Y13, Y1, Y1
	VADDPD  Y1, Y0, Y0
	VMOVUPD (R10)(AX*1), Y2
	VADDPD  (R11)(AX*1), Y2, Y2
	VMULPD  Y14, Y2, Y2
	VADDPD  Y2, Y0, Y0
	VMOVUPD (R12)(AX*1), Y3
	VADDPD  (R13)(AX*1), Y3, Y3
	VMULPD  Y15, Y3, Y3
	VADDPD  Y3, Y0, Y0
	TESTQ   R9, R9
	JNZ     stream4
	VMOVUPD Y0, (DI)(AX*1)
	JMP     stored4

stream4:
	VMOVNTPD Y0, (DI)(AX*1)

stored4:
	ADDQ    $32, AX

one:
	CMPQ    AX, CX
	JGE     next
	VMOVSD  (SI)(AX*1), X0
	VMULSD  X12, X0, X0
	VMOVSD  -8(SI)(AX*1), X1
	VADDSD  8(SI)(AX*1), X1, X1
	VMULSD  X13, X1, X1
	VADDSD  X1, X0, X0
	VMOVSD  (R10)(AX*1), X2
	VADDSD  (R11)(AX*1), X2, X2
	VMULSD  X14, X2, X2
	VADDSD  X2, X0, X0
	VMOVSD  (R12)(AX*1), X3
	VADDSD  (R13)(AX*1), X3, X3
	VMULSD  X15, X3, X3
	VADDSD  X3, X0, X0
	VMOVSD  X0, (DI)(AX*1)
	ADDQ    $8, AX
	JMP     one

next:
	ADDQ R14, DI
	ADDQ R14, SI
	ADDQ R14, R12
	ADDQ R14, R13
	DECQ R15
	JNZ  row

done:
	TESTQ R9, R9
	JZ    out
	SFENCE

out:
	VZEROUPPER
	RET
