//go:build !purego

#include "textflag.h"

// func rowAVX2(v, u, w, e, s, nn, b, t *float64, n int, c *coefs)
//
// v[i] = ((c0*u[i] + cx*(w[i]+e[i])) + cy*(s[i]+nn[i])) + cz*(b[i]+t[i]),
// separate multiplies and adds (no FMA) in the order of rowGo, so the bits
// match it. Eight cells per iteration, then four if n is not a multiple of 8.
TEXT ·rowAVX2(SB), NOSPLIT, $0-80
	MOVQ v+0(FP), DI
	MOVQ u+8(FP), SI
	MOVQ w+16(FP), R8
	MOVQ e+24(FP), R9
	MOVQ s+32(FP), R10
	MOVQ nn+40(FP), R11
	MOVQ b+48(FP), R12
	MOVQ t+56(FP), R13
	MOVQ n+64(FP), CX
	MOVQ c+72(FP), BX
	VBROADCASTSD 0(BX), Y12
	VBROADCASTSD 8(BX), Y13
	VBROADCASTSD 16(BX), Y14
	VBROADCASTSD 24(BX), Y15
	SHLQ $3, CX           // bytes
	XORQ AX, AX
	MOVQ CX, DX
	ANDQ $-64, DX         // bytes done eight at a time
	JZ   four

loop8:
	VMULPD  (SI)(AX*1), Y12, Y0
	VMULPD  32(SI)(AX*1), Y12, Y4
	VMOVUPD (R8)(AX*1), Y1
	VMOVUPD 32(R8)(AX*1), Y5
	VADDPD  (R9)(AX*1), Y1, Y1
	VADDPD  32(R9)(AX*1), Y5, Y5
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
	VMOVUPD Y0, (DI)(AX*1)
	VMOVUPD Y4, 32(DI)(AX*1)
	ADDQ    $64, AX
	CMPQ    AX, DX
	JLT     loop8

four:
	CMPQ    AX, CX
	JGE     done
	VMULPD  (SI)(AX*1), Y12, Y0
	VMOVUPD (R8)(AX*1), Y1
	VADDPD  (R9)(AX*1), Y1, Y1
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
	VMOVUPD Y0, (DI)(AX*1)

done:
	VZEROUPPER
	RET
