//go:build amd64 && !purego && !goexperiment.simd

#include "textflag.h"

// func hlldAVX2(a *hlldArgs, n int)
//
// hlldGo on faces [0, n), n >= 4, four faces per iteration (the last
// four again if n is not a multiple of 4; f must not overlap the inputs).
// Every operation is hlldGo's IEEE operation in its order (VMULPD,
// VADDPD, VDIVPD, VSQRTPD; no FMA), and each of its branches is a compare
// (ordered, so NaN compares false as in Go) and VBLENDVPD, so the bits are
// hlldGo's. A prefix computes the wave speeds and the masks of hlldGo's
// branches; one of seven suffixes then computes the fluxes: the general one
// with every blend, or, when the four faces agree on the degenerate-state,
// supersonic and rotation guards, one that leaves out the blends (and the
// values) that no face of the group selects.
//
// Straight-line code laid out by a register-allocating generator from
// hlldGo's expressions; each instruction's comment gives the expression it
// computes (a name in parentheses is a partial result of that variable).
// Registers: DI the arguments, AX the byte offset of the current faces, CX
// the end, R15 a 32-byte aligned frame base holding the broadcast constants
// then the spill slots, R14 scratch; the other GPRs hold the most used
// pencil pointers.
TEXT ·hlldAVX2(SB), 0, $1728-16
	MOVQ	a+0(FP), DI
	MOVQ	n+8(FP), CX
	SHLQ	$3, CX
	LEAQ	31(SP), R15
	ANDQ	$-32, R15

	// Broadcast the constants (hlldArgs.k) into the frame.
	VBROADCASTSD	176(DI), Y0
	VMOVAPD	Y0, 0(R15)	// gamma
	VBROADCASTSD	184(DI), Y0
	VMOVAPD	Y0, 32(R15)	// igm1
	VBROADCASTSD	192(DI), Y0
	VMOVAPD	Y0, 64(R15)	// 1.0
	VBROADCASTSD	200(DI), Y0
	VMOVAPD	Y0, 96(R15)	// 0.5
	VBROADCASTSD	208(DI), Y0
	VMOVAPD	Y0, 128(R15)	// 4.0
	VBROADCASTSD	216(DI), Y0
	VMOVAPD	Y0, 160(R15)	// 1e-08
	VBROADCASTSD	224(DI), Y0
	VMOVAPD	Y0, 192(R15)	// -1.0
	VBROADCASTSD	232(DI), Y0
	VMOVAPD	Y0, 224(R15)	// 0.0
	VBROADCASTSD	240(DI), Y0
	VMOVAPD	Y0, 256(R15)	// absmask

	// Pencil pointers kept in registers.
	MOVQ	8(DI), R10	// pl1
	MOVQ	16(DI), R12	// pl2
	MOVQ	24(DI), R13	// pl3
	MOVQ	40(DI), DX	// pl5
	MOVQ	48(DI), SI	// pl6
	MOVQ	64(DI), R11	// pr1
	MOVQ	96(DI), R8	// pr5
	MOVQ	104(DI), R9	// pr6
	MOVQ	168(DI), BX	// bn
	XORQ	AX, AX

loop:

	// Energies, total pressures and fast speeds of both states (hlldGo pass 1).
	VMOVUPD	(BX)(AX*1), Y0	// bx
	VMULPD	Y0, Y0, Y1	// bxsq = bx * bx
	VMOVAPD	64(R15), Y2	// 1.0
	MOVQ	0(DI), R14
	VDIVPD	(R14)(AX*1), Y2, Y3	// id1 = 1.0 / d1
	VMOVUPD	(DX)(AX*1), Y4	// by1
	VMULPD	Y4, Y4, Y4	// (bt1) = by1 * by1
	VMOVUPD	(SI)(AX*1), Y5	// bz1
	VMULPD	Y5, Y5, Y5	// (bt1) = bz1 * bz1
	VADDPD	Y5, Y4, Y4	// bt1 = (bt1) + (bt1)
	VADDPD	Y4, Y1, Y5	// (pb1) = bxsq + bt1
	VMULPD	96(R15), Y5, Y5	// pb1 = (pb1) * 0.5
	MOVQ	32(DI), R14
	VMOVUPD	(R14)(AX*1), Y6	// p1
	VMULPD	32(R15), Y6, Y7	// (e1) = p1 * igm1
	MOVQ	0(DI), R14
	VMOVUPD	(R14)(AX*1), Y8	// d1
	VMULPD	96(R15), Y8, Y9	// (e1) = d1 * 0.5
	VMOVUPD	(R10)(AX*1), Y10	// u1
	VMULPD	Y10, Y10, Y11	// (e1) = u1 * u1
	VMOVUPD	(R12)(AX*1), Y12	// v1
	VMULPD	Y12, Y12, Y12	// (e1) = v1 * v1
	VADDPD	Y12, Y11, Y11	// (e1) = (e1) + (e1)
	VMOVUPD	(R13)(AX*1), Y12	// w1
	VMULPD	Y12, Y12, Y12	// (e1) = w1 * w1
	VADDPD	Y12, Y11, Y11	// (e1) = (e1) + (e1)
	VMULPD	Y11, Y9, Y9	// (e1) = (e1) * (e1)
	VADDPD	Y9, Y7, Y7	// (e1) = (e1) + (e1)
	VADDPD	Y5, Y7, Y7	// e1 = (e1) + pb1
	VADDPD	Y5, Y6, Y5	// pt1 = p1 + pb1
	VMULPD	0(R15), Y6, Y6	// (asq1) = p1 * gamma
	VMULPD	Y3, Y6, Y6	// asq1 = (asq1) * id1
	VMULPD	Y3, Y1, Y9	// ca21 = bxsq * id1
	VMULPD	Y3, Y4, Y3	// ct21 = bt1 * id1
	VADDPD	Y3, Y9, Y4	// (tmp1) = ca21 + ct21
	VSUBPD	Y6, Y4, Y9	// tmp1 = (tmp1) - asq1
	VADDPD	Y6, Y4, Y4	// (cf1) = (tmp1) + asq1
	VMULPD	Y9, Y9, Y9	// (cf1) = tmp1 * tmp1
	VMULPD	128(R15), Y6, Y6	// (cf1) = asq1 * 4.0
	VMULPD	Y3, Y6, Y3	// (cf1) = (cf1) * ct21
	VADDPD	Y3, Y9, Y3	// (cf1) = (cf1) + (cf1)
	VSQRTPD	Y3, Y3	// (cf1) = sqrt((cf1))
	VADDPD	Y3, Y4, Y3	// (cf1) = (cf1) + (cf1)
	VMULPD	96(R15), Y3, Y3	// (cf1) = (cf1) * 0.5
	VSQRTPD	Y3, Y3	// cf1 = sqrt((cf1))
	MOVQ	56(DI), R14
	VDIVPD	(R14)(AX*1), Y2, Y4	// id2 = 1.0 / d2
	VMOVUPD	(R8)(AX*1), Y6	// by2
	VMULPD	Y6, Y6, Y6	// (bt2) = by2 * by2
	VMOVUPD	(R9)(AX*1), Y9	// bz2
	VMULPD	Y9, Y9, Y9	// (bt2) = bz2 * bz2
	VADDPD	Y9, Y6, Y6	// bt2 = (bt2) + (bt2)
	VADDPD	Y6, Y1, Y9	// (pb2) = bxsq + bt2
	VMULPD	96(R15), Y9, Y9	// pb2 = (pb2) * 0.5
	MOVQ	88(DI), R14
	VMOVUPD	(R14)(AX*1), Y11	// p2
	VMULPD	32(R15), Y11, Y12	// (e2) = p2 * igm1
	MOVQ	56(DI), R14
	VMOVUPD	(R14)(AX*1), Y13	// d2
	VMULPD	96(R15), Y13, Y14	// (e2) = d2 * 0.5
	VMOVUPD	(R11)(AX*1), Y15	// u2
	VMOVAPD	Y7, 288(R15)	// spill e1
	VMULPD	Y15, Y15, Y7	// (e2) = u2 * u2
	MOVQ	72(DI), R14
	VMOVUPD	(R14)(AX*1), Y0	// v2
	VMULPD	Y0, Y0, Y0	// (e2) = v2 * v2
	VADDPD	Y0, Y7, Y0	// (e2) = (e2) + (e2)
	MOVQ	80(DI), R14
	VMOVUPD	(R14)(AX*1), Y7	// w2
	VMULPD	Y7, Y7, Y7	// (e2) = w2 * w2
	VADDPD	Y7, Y0, Y0	// (e2) = (e2) + (e2)
	VMULPD	Y0, Y14, Y0	// (e2) = (e2) * (e2)
	VADDPD	Y0, Y12, Y0	// (e2) = (e2) + (e2)
	VADDPD	Y9, Y0, Y0	// e2 = (e2) + pb2
	VADDPD	Y9, Y11, Y7	// pt2 = p2 + pb2
	VMULPD	0(R15), Y11, Y9	// (asq2) = p2 * gamma
	VMULPD	Y4, Y9, Y9	// asq2 = (asq2) * id2
	VMULPD	Y4, Y1, Y11	// ca22 = bxsq * id2
	VMULPD	Y4, Y6, Y4	// ct22 = bt2 * id2
	VADDPD	Y4, Y11, Y6	// (tmp2) = ca22 + ct22
	VSUBPD	Y9, Y6, Y11	// tmp2 = (tmp2) - asq2
	VADDPD	Y9, Y6, Y6	// (cf2) = (tmp2) + asq2
	VMULPD	Y11, Y11, Y11	// (cf2) = tmp2 * tmp2
	VMULPD	128(R15), Y9, Y9	// (cf2) = asq2 * 4.0
	VMULPD	Y4, Y9, Y4	// (cf2) = (cf2) * ct22
	VADDPD	Y4, Y11, Y4	// (cf2) = (cf2) + (cf2)
	VSQRTPD	Y4, Y4	// (cf2) = sqrt((cf2))
	VADDPD	Y4, Y6, Y4	// (cf2) = (cf2) + (cf2)
	VMULPD	96(R15), Y4, Y4	// (cf2) = (cf2) * 0.5
	VSQRTPD	Y4, Y4	// cf2 = sqrt((cf2))

	// Davis outer speeds: s0 = min(u1-cf1, u2-cf2), s4 = max(u1+cf1, u2+cf2), as hlldGo's ifs.
	VSUBPD	Y3, Y10, Y6	// s0a = u1 - cf1
	VSUBPD	Y4, Y15, Y9	// x0 = u2 - cf2
	VCMPPD	$0x11, Y6, Y9, Y11	// (s0) = x0 < s0a
	VBLENDVPD	Y11, Y9, Y6, Y6	// s0 = (s0) ? x0 : s0a
	VADDPD	Y3, Y10, Y3	// s4a = u1 + cf1
	VADDPD	Y4, Y15, Y4	// x4 = u2 + cf2
	VCMPPD	$0x1e, Y3, Y4, Y9	// (s4) = x4 > s4a
	VBLENDVPD	Y9, Y4, Y3, Y3	// s4 = (s4) ? x4 : s4a

	// Contact speed s2 and star total pressure ptst (M&K 38, 41).
	VSUBPD	Y10, Y6, Y4	// sdl = s0 - u1
	VSUBPD	Y15, Y3, Y9	// sdr = s4 - u2
	VMULPD	Y8, Y4, Y8	// sdl1 = sdl * d1
	VMULPD	Y13, Y9, Y11	// sdr2 = sdr * d2
	VSUBPD	Y8, Y11, Y12	// (iden) = sdr2 - sdl1
	VDIVPD	Y12, Y2, Y2	// iden = 1.0 / (iden)
	VMULPD	Y15, Y11, Y12	// (s2) = sdr2 * u2
	VMULPD	Y10, Y8, Y13	// (s2) = sdl1 * u1
	VSUBPD	Y13, Y12, Y12	// (s2) = (s2) - (s2)
	VSUBPD	Y7, Y5, Y13	// (s2) = pt1 - pt2
	VADDPD	Y13, Y12, Y12	// (s2) = (s2) + (s2)
	VMULPD	Y2, Y12, Y12	// s2 = (s2) * iden
	VSUBPD	Y12, Y6, Y13	// sdml = s0 - s2
	VSUBPD	Y12, Y3, Y14	// sdmr = s4 - s2
	VMOVAPD	Y0, 320(R15)	// spill e2
	VMULPD	Y5, Y11, Y0	// (ptst) = sdr2 * pt1
	VMOVAPD	Y4, 352(R15)	// spill sdl
	VMULPD	Y7, Y8, Y4	// (ptst) = sdl1 * pt2
	VSUBPD	Y4, Y0, Y0	// (ptst) = (ptst) - (ptst)
	VMULPD	Y11, Y8, Y4	// (ptst) = sdl1 * sdr2
	VSUBPD	Y10, Y15, Y10	// (ptst) = u2 - u1
	VMULPD	Y10, Y4, Y4	// (ptst) = (ptst) * (ptst)
	VADDPD	Y4, Y0, Y0	// (ptst) = (ptst) + (ptst)
	VMULPD	Y2, Y0, Y0	// ptst = (ptst) * iden
	VMULPD	160(R15), Y0, Y2	// sptst = ptst * 1e-08

	// Star densities, Alfven speeds s1, s3 and the guards: degl, degr (|sd*sdm - bx^2| < small*ptst keeps the outer v, B), rot (0.5*bx^2 >= small*ptst, else U** = U*).
	VDIVPD	Y13, Y8, Y4	// ld = sdl1 / sdml
	VDIVPD	Y14, Y11, Y10	// rd = sdr2 / sdmr
	VMULPD	Y13, Y8, Y15	// (tmpl) = sdl1 * sdml
	VSUBPD	Y1, Y15, Y15	// tmpl = (tmpl) - bxsq
	VMOVAPD	Y0, 384(R15)	// spill ptst
	VANDPD	256(R15), Y15, Y0	// (degl) = tmpl & absmask
	VCMPPD	$0x11, Y2, Y0, Y0	// degl = (degl) < sptst
	VMOVAPD	Y5, 416(R15)	// spill pt1
	VMULPD	Y14, Y11, Y5	// (tmpr) = sdr2 * sdmr
	VSUBPD	Y1, Y5, Y5	// tmpr = (tmpr) - bxsq
	VMOVAPD	Y5, 448(R15)	// spill tmpr
	VANDPD	256(R15), Y5, Y5	// (degr) = tmpr & absmask
	VCMPPD	$0x11, Y2, Y5, Y5	// degr = (degr) < sptst
	VMOVAPD	Y4, 480(R15)	// spill ld
	VSQRTPD	Y4, Y4	// sqdl = sqrt(ld)
	VMOVAPD	Y7, 512(R15)	// spill pt2
	VSQRTPD	Y10, Y7	// sqdr = sqrt(rd)
	VMOVAPD	Y8, 544(R15)	// spill sdl1
	VMOVUPD	(BX)(AX*1), Y8	// bx
	VANDPD	256(R15), Y8, Y8	// abx = bx & absmask
	VMOVAPD	Y4, 576(R15)	// spill sqdl
	VDIVPD	Y4, Y8, Y4	// (s1) = abx / sqdl
	VSUBPD	Y4, Y12, Y4	// s1 = s2 - (s1)
	VDIVPD	Y7, Y8, Y8	// (s3) = abx / sqdr
	VADDPD	Y8, Y12, Y8	// s3 = s2 + (s3)
	VMOVAPD	Y1, 608(R15)	// spill bxsq
	VMULPD	96(R15), Y1, Y1	// (rot) = bxsq * 0.5
	VCMPPD	$0x1d, Y2, Y1, Y1	// rot = (rot) >= sptst

	// Region masks in hlldGo's order: FL (s0 >= 0), FR (s4 <= 0), F*L (s1 >= 0), F**L (s2 >= 0), F**R (s3 > 0), else F*R.
	VCMPPD	$0x1d, 224(R15), Y6, Y2	// mL = s0 >= 0.0
	VMOVAPD	Y1, 640(R15)	// spill rot
	VCMPPD	$0x12, 224(R15), Y3, Y1	// mR = s4 <= 0.0
	VMOVAPD	Y3, 672(R15)	// spill s4
	VCMPPD	$0x1d, 224(R15), Y4, Y3	// m1 = s1 >= 0.0
	VMOVAPD	Y4, 704(R15)	// spill s1
	VCMPPD	$0x1d, 224(R15), Y12, Y4	// m2 = s2 >= 0.0
	VMOVAPD	Y6, 736(R15)	// spill s0
	VCMPPD	$0x1e, 224(R15), Y8, Y6	// m3 = s3 > 0.0
	VMOVAPD	Y3, 768(R15)	// spill m1
	VORPD	Y4, Y3, Y3	// m12 = m1 | m2
	VMOVAPD	Y0, 800(R15)	// spill degl
	VORPD	Y5, Y0, Y0	// (anyg) = degl | degr
	VMOVAPD	Y1, 832(R15)	// spill mR
	VORPD	Y1, Y2, Y1	// (anyg) = mL | mR
	VORPD	Y1, Y0, Y0	// anyg = (anyg) | (anyg)
	VMOVAPD	640(R15), Y1	// rot

	// Dispatch: the general suffix unless no face of the group is
	// degenerate or supersonic and rot is the same on all four; then by
	// side: all F*L/F**L (m2 on all), all F*R/F**R (m1, m2 on none), or mixed.
	VMOVMSKPD	Y0, R14	// anyg
	TESTQ	R14, R14
	JNE	sfx_mixed_general
	VMOVMSKPD	Y1, R14	// rot
	CMPQ	R14, $15
	JEQ	rotall
	TESTQ	R14, R14
	JNE	sfx_mixed_general
	VMOVMSKPD	Y4, R14	// m2
	CMPQ	R14, $15
	JEQ	sfx_none_L
	VMOVMSKPD	Y3, R14	// m12
	TESTQ	R14, R14
	JEQ	sfx_none_R
	JMP	sfx_none_M

rotall:
	VMOVMSKPD	Y4, R14	// m2
	CMPQ	R14, $15
	JEQ	sfx_all_L
	VMOVMSKPD	Y3, R14	// m12
	TESTQ	R14, R14
	JEQ	sfx_all_R
	JMP	sfx_all_M

sfx_mixed_general:
	// Fluxes: rot mixed, side general.

	// U*L (M&K 43-48).
	VMULPD	480(R15), Y12, Y0	// lmx = s2 * ld
	VMOVAPD	Y4, 864(R15)	// spill m2
	VMOVAPD	64(R15), Y4	// 1.0
	VDIVPD	Y15, Y4, Y15	// itl = 1.0 / tmpl
	VMOVAPD	Y6, 896(R15)	// spill m3
	VMOVAPD	352(R15), Y6	// sdl
	VMOVAPD	Y8, 928(R15)	// spill s3
	VSUBPD	Y13, Y6, Y8	// (ql) = sdl - sdml
	VMULPD	(BX)(AX*1), Y8, Y8	// (ql) = (ql) * bx
	VMULPD	Y15, Y8, Y8	// ql = (ql) * itl
	VMOVAPD	Y0, 960(R15)	// spill lmx
	VMULPD	(DX)(AX*1), Y8, Y0	// (lvy) = ql * by1
	VMOVAPD	Y2, 992(R15)	// spill mL
	VMOVUPD	(R12)(AX*1), Y2	// v1
	VSUBPD	Y0, Y2, Y0	// (lvy) = v1 - (lvy)
	VMOVAPD	Y3, 1024(R15)	// spill m12
	VMOVAPD	800(R15), Y3	// degl
	VBLENDVPD	Y3, Y2, Y0, Y0	// lvy = degl ? v1 : (lvy)
	VMULPD	(SI)(AX*1), Y8, Y8	// (lvz) = ql * bz1
	VMOVUPD	(R13)(AX*1), Y1	// w1
	VSUBPD	Y8, Y1, Y8	// (lvz) = w1 - (lvz)
	VBLENDVPD	Y3, Y1, Y8, Y8	// lvz = degl ? w1 : (lvz)
	VMOVAPD	Y7, 1056(R15)	// spill sqdr
	VMULPD	544(R15), Y6, Y7	// (ql2) = sdl * sdl1
	VSUBPD	608(R15), Y7, Y7	// (ql2) = (ql2) - bxsq
	VMULPD	Y15, Y7, Y7	// ql2 = (ql2) * itl
	VMULPD	(DX)(AX*1), Y7, Y15	// (lby) = ql2 * by1
	VBLENDVPD	Y3, (DX)(AX*1), Y15, Y15	// lby = degl ? by1 : (lby)
	VMULPD	(SI)(AX*1), Y7, Y7	// (lbz) = ql2 * bz1
	VBLENDVPD	Y3, (SI)(AX*1), Y7, Y3	// lbz = degl ? bz1 : (lbz)
	VMULPD	480(R15), Y0, Y7	// lmy = lvy * ld
	VMOVAPD	Y7, 1088(R15)	// spill lmy
	VMULPD	480(R15), Y8, Y7	// lmz = lvz * ld
	VMOVAPD	Y7, 1120(R15)	// spill lmz
	VMOVUPD	(R10)(AX*1), Y7	// u1
	VMOVAPD	Y11, 1152(R15)	// spill sdr2
	VMULPD	(BX)(AX*1), Y7, Y11	// (vb1) = u1 * bx
	VMULPD	(DX)(AX*1), Y2, Y2	// (vb1) = v1 * by1
	VADDPD	Y2, Y11, Y2	// (vb1) = (vb1) + (vb1)
	VMULPD	(SI)(AX*1), Y1, Y11	// (vb1) = w1 * bz1
	VADDPD	Y11, Y2, Y2	// vb1 = (vb1) + (vb1)
	VMULPD	(BX)(AX*1), Y12, Y11	// (vbstl) = s2 * bx
	VMULPD	Y15, Y0, Y1	// (vbstl) = lvy * lby
	VADDPD	Y1, Y11, Y1	// (vbstl) = (vbstl) + (vbstl)
	VMOVAPD	Y3, 1184(R15)	// spill lbz
	VMULPD	Y3, Y8, Y3	// (vbstl) = lvz * lbz
	VADDPD	Y3, Y1, Y1	// vbstl = (vbstl) + (vbstl)
	VDIVPD	Y13, Y4, Y3	// isdml = 1.0 / sdml
	VMULPD	288(R15), Y6, Y6	// (le) = sdl * e1
	VMULPD	416(R15), Y7, Y13	// (le) = u1 * pt1
	VSUBPD	Y13, Y6, Y6	// (le) = (le) - (le)
	VMULPD	384(R15), Y12, Y13	// (le) = s2 * ptst
	VADDPD	Y13, Y6, Y6	// (le) = (le) + (le)
	VMOVAPD	Y2, 1216(R15)	// spill vb1
	VSUBPD	Y1, Y2, Y2	// (le) = vb1 - vbstl
	VMULPD	(BX)(AX*1), Y2, Y2	// (le) = (le) * bx
	VADDPD	Y2, Y6, Y2	// (le) = (le) + (le)
	VMULPD	Y3, Y2, Y2	// le = (le) * isdml

	// U*R, the mirror image.
	VMULPD	Y12, Y10, Y3	// rmx = rd * s2
	VDIVPD	448(R15), Y4, Y6	// itr = 1.0 / tmpr
	VSUBPD	Y14, Y9, Y12	// (qr) = sdr - sdmr
	VMULPD	(BX)(AX*1), Y12, Y12	// (qr) = (qr) * bx
	VMULPD	Y6, Y12, Y12	// qr = (qr) * itr
	VMOVAPD	Y3, 1248(R15)	// spill rmx
	VMULPD	(R8)(AX*1), Y12, Y3	// (rvy) = qr * by2
	MOVQ	72(DI), R14
	VMOVUPD	(R14)(AX*1), Y7	// v2
	VSUBPD	Y3, Y7, Y3	// (rvy) = v2 - (rvy)
	VBLENDVPD	Y5, Y7, Y3, Y3	// rvy = degr ? v2 : (rvy)
	VMULPD	(R9)(AX*1), Y12, Y12	// (rvz) = qr * bz2
	VMOVAPD	Y2, 1280(R15)	// spill le
	MOVQ	80(DI), R14
	VMOVUPD	(R14)(AX*1), Y2	// w2
	VSUBPD	Y12, Y2, Y12	// (rvz) = w2 - (rvz)
	VBLENDVPD	Y5, Y2, Y12, Y12	// rvz = degr ? w2 : (rvz)
	VMOVAPD	Y1, 1312(R15)	// spill vbstl
	VMULPD	1152(R15), Y9, Y1	// (qr2) = sdr * sdr2
	VSUBPD	608(R15), Y1, Y1	// (qr2) = (qr2) - bxsq
	VMULPD	Y6, Y1, Y1	// qr2 = (qr2) * itr
	VMULPD	(R8)(AX*1), Y1, Y6	// (rby) = qr2 * by2
	VBLENDVPD	Y5, (R8)(AX*1), Y6, Y6	// rby = degr ? by2 : (rby)
	VMULPD	(R9)(AX*1), Y1, Y1	// (rbz) = qr2 * bz2
	VBLENDVPD	Y5, (R9)(AX*1), Y1, Y1	// rbz = degr ? bz2 : (rbz)
	VMULPD	Y3, Y10, Y5	// rmy = rd * rvy
	VMOVAPD	Y5, 1152(R15)	// spill rmy
	VMULPD	Y12, Y10, Y5	// rmz = rd * rvz
	VMOVAPD	Y5, 1344(R15)	// spill rmz
	VMOVUPD	(R11)(AX*1), Y5	// u2
	VMOVAPD	Y10, 1376(R15)	// spill rd
	VMULPD	(BX)(AX*1), Y5, Y10	// (vb2) = u2 * bx
	VMULPD	(R8)(AX*1), Y7, Y7	// (vb2) = v2 * by2
	VADDPD	Y7, Y10, Y7	// (vb2) = (vb2) + (vb2)
	VMULPD	(R9)(AX*1), Y2, Y10	// (vb2) = w2 * bz2
	VADDPD	Y10, Y7, Y7	// vb2 = (vb2) + (vb2)
	VMULPD	Y6, Y3, Y10	// (vbstr) = rvy * rby
	VADDPD	Y10, Y11, Y10	// (vbstr) = (vbstl) + (vbstr)
	VMULPD	Y1, Y12, Y2	// (vbstr) = rvz * rbz
	VADDPD	Y2, Y10, Y2	// vbstr = (vbstr) + (vbstr)
	VDIVPD	Y14, Y4, Y10	// isdmr = 1.0 / sdmr
	VMULPD	320(R15), Y9, Y9	// (re) = sdr * e2
	VMULPD	512(R15), Y5, Y14	// (re) = u2 * pt2
	VSUBPD	Y14, Y9, Y9	// (re) = (re) - (re)
	VADDPD	Y13, Y9, Y9	// (re) = (re) + (le)
	VSUBPD	Y2, Y7, Y13	// (re) = vb2 - vbstr
	VMULPD	(BX)(AX*1), Y13, Y13	// (re) = (re) * bx
	VADDPD	Y13, Y9, Y9	// (re) = (re) + (re)
	VMULPD	Y10, Y9, Y9	// re = (re) * isdmr

	// U** (M&K 59-63), where rot holds.
	VMOVAPD	576(R15), Y10	// sqdl
	VADDPD	1056(R15), Y10, Y13	// (inv) = sqdl + sqdr
	VDIVPD	Y13, Y4, Y13	// inv = 1.0 / (inv)
	VMOVUPD	(BX)(AX*1), Y14	// bx
	VMOVAPD	Y7, 1408(R15)	// spill vb2
	VCMPPD	$0x11, 224(R15), Y14, Y7	// (sg) = bx < 0.0
	VBLENDVPD	Y7, 192(R15), Y4, Y4	// sg = (sg) ? -1.0 : 1.0
	VMULPD	Y0, Y10, Y7	// (vy) = sqdl * lvy
	VMULPD	1056(R15), Y3, Y14	// (vy) = rvy * sqdr
	VADDPD	Y14, Y7, Y7	// (vy) = (vy) + (vy)
	VSUBPD	Y15, Y6, Y14	// (vy) = rby - lby
	VMULPD	Y14, Y4, Y14	// (vy) = sg * (vy)
	VADDPD	Y14, Y7, Y7	// (vy) = (vy) + (vy)
	VMULPD	Y7, Y13, Y7	// vy = inv * (vy)
	VMULPD	Y8, Y10, Y14	// (vz) = sqdl * lvz
	VMULPD	1056(R15), Y12, Y5	// (vz) = rvz * sqdr
	VADDPD	Y5, Y14, Y5	// (vz) = (vz) + (vz)
	VSUBPD	1184(R15), Y1, Y14	// (vz) = rbz - lbz
	VMULPD	Y14, Y4, Y14	// (vz) = sg * (vz)
	VADDPD	Y14, Y5, Y5	// (vz) = (vz) + (vz)
	VMULPD	Y5, Y13, Y5	// vz = inv * (vz)
	VMULPD	Y6, Y10, Y14	// (by) = sqdl * rby
	VMOVAPD	Y9, 1440(R15)	// spill re
	VMULPD	1056(R15), Y15, Y9	// (by) = lby * sqdr
	VADDPD	Y9, Y14, Y9	// (by) = (by) + (by)
	VMULPD	Y10, Y4, Y14	// (by) = sg * sqdl
	VMOVAPD	Y2, 1472(R15)	// spill vbstr
	VMULPD	1056(R15), Y14, Y2	// (by) = (by) * sqdr
	VSUBPD	Y0, Y3, Y0	// (by) = rvy - lvy
	VMULPD	Y0, Y2, Y0	// (by) = (by) * (by)
	VADDPD	Y0, Y9, Y0	// (by) = (by) + (by)
	VMULPD	Y0, Y13, Y0	// by = inv * (by)
	VMULPD	Y1, Y10, Y3	// (bz) = sqdl * rbz
	VMOVAPD	1056(R15), Y9	// sqdr
	VMULPD	1184(R15), Y9, Y10	// (bz) = sqdr * lbz
	VADDPD	Y10, Y3, Y3	// (bz) = (bz) + (bz)
	VSUBPD	Y8, Y12, Y8	// (bz) = rvz - lvz
	VMULPD	Y8, Y2, Y2	// (bz) = (by) * (bz)
	VADDPD	Y2, Y3, Y2	// (bz) = (bz) + (bz)
	VMULPD	Y2, Y13, Y2	// bz = inv * (bz)
	VMULPD	Y0, Y7, Y3	// (vbdst) = vy * by
	VADDPD	Y3, Y11, Y3	// (vbdst) = (vbstl) + (vbdst)
	VMULPD	Y2, Y5, Y8	// (vbdst) = vz * bz
	VADDPD	Y8, Y3, Y3	// vbdst = (vbdst) + (vbdst)
	VMULPD	480(R15), Y7, Y8	// (ldmy) = vy * ld
	VMOVAPD	640(R15), Y10	// rot
	VMOVAPD	1088(R15), Y11	// lmy
	VBLENDVPD	Y10, Y8, Y11, Y8	// ldmy = rot ? (ldmy) : lmy
	VMULPD	480(R15), Y5, Y12	// (ldmz) = vz * ld
	VMOVAPD	1120(R15), Y13	// lmz
	VBLENDVPD	Y10, Y12, Y13, Y12	// ldmz = rot ? (ldmz) : lmz
	VMULPD	1376(R15), Y7, Y7	// (rdmy) = vy * rd
	VMOVAPD	Y12, 1504(R15)	// spill ldmz
	VMOVAPD	1152(R15), Y12	// rmy
	VBLENDVPD	Y10, Y7, Y12, Y7	// rdmy = rot ? (rdmy) : rmy
	VMULPD	1376(R15), Y5, Y5	// (rdmz) = vz * rd
	VMOVAPD	1344(R15), Y13	// rmz
	VBLENDVPD	Y10, Y5, Y13, Y5	// rdmz = rot ? (rdmz) : rmz
	VMOVAPD	Y15, 1536(R15)	// spill lby
	VBLENDVPD	Y10, Y0, Y15, Y15	// ldby = rot ? by : lby
	VMOVAPD	Y15, 1568(R15)	// spill ldby
	VMOVAPD	1184(R15), Y15	// lbz
	VBLENDVPD	Y10, Y2, Y15, Y15	// ldbz = rot ? bz : lbz
	VBLENDVPD	Y10, Y0, Y6, Y0	// rdby = rot ? by : rby
	VBLENDVPD	Y10, Y2, Y1, Y2	// rdbz = rot ? bz : rbz
	VMOVAPD	Y2, 1600(R15)	// spill rdbz
	VMOVAPD	1312(R15), Y2	// vbstl
	VSUBPD	Y3, Y2, Y2	// (lde) = vbstl - vbdst
	VMULPD	Y2, Y14, Y2	// (lde) = (by) * (lde)
	VMOVAPD	1280(R15), Y14	// le
	VSUBPD	Y2, Y14, Y2	// (lde) = le - (lde)
	VBLENDVPD	Y10, Y2, Y14, Y2	// lde = rot ? (lde) : le
	VMULPD	Y4, Y9, Y4	// (rde) = sqdr * sg
	VMOVAPD	1472(R15), Y9	// vbstr
	VSUBPD	Y3, Y9, Y3	// (rde) = vbstr - vbdst
	VMULPD	Y3, Y4, Y3	// (rde) = (rde) * (rde)
	VADDPD	1440(R15), Y3, Y3	// (rde) = (rde) + re
	VMOVAPD	1440(R15), Y4	// re
	VBLENDVPD	Y10, Y3, Y4, Y3	// rde = rot ? (rde) : re

	// Mass flux: F*L and F**L (and F*R, F**R) coincide.
	MOVQ	0(DI), R14
	VMOVUPD	(R14)(AX*1), Y9	// d1
	VMULPD	(R10)(AX*1), Y9, Y10	// fl0 = d1 * u1
	VMOVAPD	Y15, 1472(R15)	// spill ldbz
	MOVQ	56(DI), R14
	VMOVUPD	(R14)(AX*1), Y15	// d2
	VMOVAPD	Y1, 1056(R15)	// spill rbz
	VMULPD	(R11)(AX*1), Y15, Y1	// fr0 = d2 * u2
	VMOVAPD	Y0, 1312(R15)	// spill rdby
	VMOVAPD	480(R15), Y0	// ld
	VSUBPD	Y9, Y0, Y0	// (OUT_f0) = ld - d1
	VMULPD	736(R15), Y0, Y0	// (OUT_f0) = (OUT_f0) * s0
	VADDPD	Y0, Y10, Y0	// (OUT_f0) = fl0 + (OUT_f0)
	VMOVAPD	Y6, 1632(R15)	// spill rby
	VMOVAPD	1376(R15), Y6	// rd
	VSUBPD	Y15, Y6, Y6	// (OUT_f0) = rd - d2
	VMULPD	672(R15), Y6, Y6	// (OUT_f0) = (OUT_f0) * s4
	VADDPD	Y6, Y1, Y6	// (OUT_f0) = fr0 + (OUT_f0)
	VMOVAPD	Y3, 1376(R15)	// spill rde
	VMOVAPD	1024(R15), Y3	// m12
	VBLENDVPD	Y3, Y0, Y6, Y0	// (OUT_f0) = m12 ? (OUT_f0) : (OUT_f0)
	VMOVAPD	832(R15), Y6	// mR
	VBLENDVPD	Y6, Y1, Y0, Y0	// (OUT_f0) = mR ? fr0 : (OUT_f0)
	VMOVAPD	Y2, 1664(R15)	// spill lde
	VMOVAPD	992(R15), Y2	// mL
	VBLENDVPD	Y2, Y10, Y0, Y0	// OUT_f0 = mL ? fl0 : (OUT_f0)
	MOVQ	112(DI), R14
	VMOVUPD	Y0, (R14)(AX*1)	// f0 = OUT_f0

	// Normal momentum flux.
	VMULPD	(R10)(AX*1), Y10, Y0	// (fl1) = fl0 * u1
	VADDPD	416(R15), Y0, Y0	// (fl1) = (fl1) + pt1
	VSUBPD	608(R15), Y0, Y0	// fl1 = (fl1) - bxsq
	VMULPD	(R11)(AX*1), Y1, Y4	// (fr1) = fr0 * u2
	VADDPD	512(R15), Y4, Y4	// (fr1) = (fr1) + pt2
	VSUBPD	608(R15), Y4, Y4	// fr1 = (fr1) - bxsq
	VMOVAPD	960(R15), Y14	// lmx
	VSUBPD	Y10, Y14, Y14	// (OUT_f1) = lmx - fl0
	VMULPD	736(R15), Y14, Y14	// (OUT_f1) = (OUT_f1) * s0
	VADDPD	Y14, Y0, Y14	// (OUT_f1) = fl1 + (OUT_f1)
	VMOVAPD	Y5, 960(R15)	// spill rdmz
	VMOVAPD	1248(R15), Y5	// rmx
	VSUBPD	Y1, Y5, Y5	// (OUT_f1) = rmx - fr0
	VMULPD	672(R15), Y5, Y5	// (OUT_f1) = (OUT_f1) * s4
	VADDPD	Y5, Y4, Y5	// (OUT_f1) = fr1 + (OUT_f1)
	VBLENDVPD	Y3, Y14, Y5, Y3	// (OUT_f1) = m12 ? (OUT_f1) : (OUT_f1)
	VBLENDVPD	Y6, Y4, Y3, Y3	// (OUT_f1) = mR ? fr1 : (OUT_f1)
	VBLENDVPD	Y2, Y0, Y3, Y0	// OUT_f1 = mL ? fl1 : (OUT_f1)
	MOVQ	120(DI), R14
	VMOVUPD	Y0, (R14)(AX*1)	// f1 = OUT_f1

	// Tangential momentum t1: F*L = FL + s0 (U*L - UL), F**L = F*L + s1 (U**L - U*L), mirrored on the right.
	VMULPD	(R12)(AX*1), Y10, Y0	// (fl2) = fl0 * v1
	VMOVUPD	(BX)(AX*1), Y3	// bx
	VMULPD	(DX)(AX*1), Y3, Y4	// (fl2) = bx * by1
	VSUBPD	Y4, Y0, Y0	// fl2 = (fl2) - (fl2)
	MOVQ	72(DI), R14
	VMULPD	(R14)(AX*1), Y1, Y4	// (fr2) = fr0 * v2
	VMULPD	(R8)(AX*1), Y3, Y5	// (fr2) = bx * by2
	VSUBPD	Y5, Y4, Y4	// fr2 = (fr2) - (fr2)
	VMULPD	(R12)(AX*1), Y9, Y5	// (sl2) = d1 * v1
	VSUBPD	Y5, Y11, Y5	// (sl2) = lmy - (sl2)
	VMULPD	736(R15), Y5, Y5	// (sl2) = (sl2) * s0
	VADDPD	Y5, Y0, Y5	// sl2 = fl2 + (sl2)
	MOVQ	72(DI), R14
	VMULPD	(R14)(AX*1), Y15, Y14	// (sr2) = d2 * v2
	VSUBPD	Y14, Y12, Y14	// (sr2) = rmy - (sr2)
	VMULPD	672(R15), Y14, Y14	// (sr2) = (sr2) * s4
	VADDPD	Y14, Y4, Y14	// sr2 = fr2 + (sr2)
	VSUBPD	Y11, Y8, Y8	// (OUT_f2) = ldmy - lmy
	VMULPD	704(R15), Y8, Y8	// (OUT_f2) = (OUT_f2) * s1
	VADDPD	Y8, Y5, Y8	// (OUT_f2) = sl2 + (OUT_f2)
	VSUBPD	Y12, Y7, Y7	// (OUT_f2) = rdmy - rmy
	VMULPD	928(R15), Y7, Y7	// (OUT_f2) = (OUT_f2) * s3
	VADDPD	Y7, Y14, Y7	// (OUT_f2) = sr2 + (OUT_f2)
	VMOVAPD	896(R15), Y11	// m3
	VBLENDVPD	Y11, Y7, Y14, Y7	// (OUT_f2) = m3 ? (OUT_f2) : sr2
	VMOVAPD	864(R15), Y12	// m2
	VBLENDVPD	Y12, Y8, Y7, Y7	// (OUT_f2) = m2 ? (OUT_f2) : (OUT_f2)
	VMOVAPD	768(R15), Y8	// m1
	VBLENDVPD	Y8, Y5, Y7, Y5	// (OUT_f2) = m1 ? sl2 : (OUT_f2)
	VBLENDVPD	Y6, Y4, Y5, Y4	// (OUT_f2) = mR ? fr2 : (OUT_f2)
	VBLENDVPD	Y2, Y0, Y4, Y0	// OUT_f2 = mL ? fl2 : (OUT_f2)
	MOVQ	128(DI), R14
	VMOVUPD	Y0, (R14)(AX*1)	// f2 = OUT_f2

	// Tangential momentum t2.
	VMULPD	(R13)(AX*1), Y10, Y0	// (fl3) = fl0 * w1
	VMULPD	(SI)(AX*1), Y3, Y4	// (fl3) = bx * bz1
	VSUBPD	Y4, Y0, Y0	// fl3 = (fl3) - (fl3)
	MOVQ	80(DI), R14
	VMULPD	(R14)(AX*1), Y1, Y1	// (fr3) = fr0 * w2
	VMULPD	(R9)(AX*1), Y3, Y4	// (fr3) = bx * bz2
	VSUBPD	Y4, Y1, Y1	// fr3 = (fr3) - (fr3)
	VMULPD	(R13)(AX*1), Y9, Y4	// (sl3) = d1 * w1
	VMOVAPD	1120(R15), Y5	// lmz
	VSUBPD	Y4, Y5, Y4	// (sl3) = lmz - (sl3)
	VMULPD	736(R15), Y4, Y4	// (sl3) = (sl3) * s0
	VADDPD	Y4, Y0, Y4	// sl3 = fl3 + (sl3)
	MOVQ	80(DI), R14
	VMULPD	(R14)(AX*1), Y15, Y7	// (sr3) = d2 * w2
	VSUBPD	Y7, Y13, Y7	// (sr3) = rmz - (sr3)
	VMULPD	672(R15), Y7, Y7	// (sr3) = (sr3) * s4
	VADDPD	Y7, Y1, Y7	// sr3 = fr3 + (sr3)
	VMOVAPD	1504(R15), Y9	// ldmz
	VSUBPD	Y5, Y9, Y5	// (OUT_f3) = ldmz - lmz
	VMULPD	704(R15), Y5, Y5	// (OUT_f3) = (OUT_f3) * s1
	VADDPD	Y5, Y4, Y5	// (OUT_f3) = sl3 + (OUT_f3)
	VMOVAPD	960(R15), Y9	// rdmz
	VSUBPD	Y13, Y9, Y9	// (OUT_f3) = rdmz - rmz
	VMULPD	928(R15), Y9, Y9	// (OUT_f3) = (OUT_f3) * s3
	VADDPD	Y9, Y7, Y9	// (OUT_f3) = sr3 + (OUT_f3)
	VBLENDVPD	Y11, Y9, Y7, Y7	// (OUT_f3) = m3 ? (OUT_f3) : sr3
	VBLENDVPD	Y12, Y5, Y7, Y5	// (OUT_f3) = m2 ? (OUT_f3) : (OUT_f3)
	VBLENDVPD	Y8, Y4, Y5, Y4	// (OUT_f3) = m1 ? sl3 : (OUT_f3)
	VBLENDVPD	Y6, Y1, Y4, Y1	// (OUT_f3) = mR ? fr3 : (OUT_f3)
	VBLENDVPD	Y2, Y0, Y1, Y0	// OUT_f3 = mL ? fl3 : (OUT_f3)
	MOVQ	136(DI), R14
	VMOVUPD	Y0, (R14)(AX*1)	// f3 = OUT_f3

	// Energy.
	VMOVAPD	288(R15), Y0	// e1
	VADDPD	416(R15), Y0, Y1	// (fl4) = e1 + pt1
	VMULPD	(R10)(AX*1), Y1, Y1	// (fl4) = (fl4) * u1
	VMULPD	1216(R15), Y3, Y4	// (fl4) = bx * vb1
	VSUBPD	Y4, Y1, Y1	// fl4 = (fl4) - (fl4)
	VMOVAPD	320(R15), Y4	// e2
	VADDPD	512(R15), Y4, Y5	// (fr4) = e2 + pt2
	VMULPD	(R11)(AX*1), Y5, Y5	// (fr4) = (fr4) * u2
	VMULPD	1408(R15), Y3, Y7	// (fr4) = bx * vb2
	VSUBPD	Y7, Y5, Y5	// fr4 = (fr4) - (fr4)
	VMOVAPD	1280(R15), Y7	// le
	VSUBPD	Y0, Y7, Y0	// (sl4) = le - e1
	VMULPD	736(R15), Y0, Y0	// (sl4) = (sl4) * s0
	VADDPD	Y0, Y1, Y0	// sl4 = fl4 + (sl4)
	VMOVAPD	1440(R15), Y9	// re
	VSUBPD	Y4, Y9, Y4	// (sr4) = re - e2
	VMULPD	672(R15), Y4, Y4	// (sr4) = (sr4) * s4
	VADDPD	Y4, Y5, Y4	// sr4 = fr4 + (sr4)
	VMOVAPD	1664(R15), Y10	// lde
	VSUBPD	Y7, Y10, Y7	// (OUT_f4) = lde - le
	VMULPD	704(R15), Y7, Y7	// (OUT_f4) = (OUT_f4) * s1
	VADDPD	Y7, Y0, Y7	// (OUT_f4) = sl4 + (OUT_f4)
	VMOVAPD	1376(R15), Y10	// rde
	VSUBPD	Y9, Y10, Y9	// (OUT_f4) = rde - re
	VMULPD	928(R15), Y9, Y9	// (OUT_f4) = (OUT_f4) * s3
	VADDPD	Y9, Y4, Y9	// (OUT_f4) = sr4 + (OUT_f4)
	VBLENDVPD	Y11, Y9, Y4, Y4	// (OUT_f4) = m3 ? (OUT_f4) : sr4
	VBLENDVPD	Y12, Y7, Y4, Y4	// (OUT_f4) = m2 ? (OUT_f4) : (OUT_f4)
	VBLENDVPD	Y8, Y0, Y4, Y0	// (OUT_f4) = m1 ? sl4 : (OUT_f4)
	VBLENDVPD	Y6, Y5, Y0, Y0	// (OUT_f4) = mR ? fr4 : (OUT_f4)
	VBLENDVPD	Y2, Y1, Y0, Y0	// OUT_f4 = mL ? fl4 : (OUT_f4)
	MOVQ	144(DI), R14
	VMOVUPD	Y0, (R14)(AX*1)	// f4 = OUT_f4

	// B_t1.
	VMOVUPD	(DX)(AX*1), Y0	// by1
	VMULPD	(R10)(AX*1), Y0, Y1	// (fl5) = by1 * u1
	VMULPD	(R12)(AX*1), Y3, Y4	// (fl5) = bx * v1
	VSUBPD	Y4, Y1, Y1	// fl5 = (fl5) - (fl5)
	VMOVUPD	(R8)(AX*1), Y4	// by2
	VMULPD	(R11)(AX*1), Y4, Y5	// (fr5) = by2 * u2
	MOVQ	72(DI), R14
	VMULPD	(R14)(AX*1), Y3, Y7	// (fr5) = bx * v2
	VSUBPD	Y7, Y5, Y5	// fr5 = (fr5) - (fr5)
	VMOVAPD	1536(R15), Y7	// lby
	VSUBPD	Y0, Y7, Y0	// (sl5) = lby - by1
	VMULPD	736(R15), Y0, Y0	// (sl5) = (sl5) * s0
	VADDPD	Y0, Y1, Y0	// sl5 = fl5 + (sl5)
	VMOVAPD	1632(R15), Y9	// rby
	VSUBPD	Y4, Y9, Y4	// (sr5) = rby - by2
	VMULPD	672(R15), Y4, Y4	// (sr5) = (sr5) * s4
	VADDPD	Y4, Y5, Y4	// sr5 = fr5 + (sr5)
	VMOVAPD	1568(R15), Y10	// ldby
	VSUBPD	Y7, Y10, Y7	// (OUT_f5) = ldby - lby
	VMULPD	704(R15), Y7, Y7	// (OUT_f5) = (OUT_f5) * s1
	VADDPD	Y7, Y0, Y7	// (OUT_f5) = sl5 + (OUT_f5)
	VMOVAPD	1312(R15), Y10	// rdby
	VSUBPD	Y9, Y10, Y9	// (OUT_f5) = rdby - rby
	VMULPD	928(R15), Y9, Y9	// (OUT_f5) = (OUT_f5) * s3
	VADDPD	Y9, Y4, Y9	// (OUT_f5) = sr5 + (OUT_f5)
	VBLENDVPD	Y11, Y9, Y4, Y4	// (OUT_f5) = m3 ? (OUT_f5) : sr5
	VBLENDVPD	Y12, Y7, Y4, Y4	// (OUT_f5) = m2 ? (OUT_f5) : (OUT_f5)
	VBLENDVPD	Y8, Y0, Y4, Y0	// (OUT_f5) = m1 ? sl5 : (OUT_f5)
	VBLENDVPD	Y6, Y5, Y0, Y0	// (OUT_f5) = mR ? fr5 : (OUT_f5)
	VBLENDVPD	Y2, Y1, Y0, Y0	// OUT_f5 = mL ? fl5 : (OUT_f5)
	MOVQ	152(DI), R14
	VMOVUPD	Y0, (R14)(AX*1)	// f5 = OUT_f5

	// B_t2.
	VMOVUPD	(SI)(AX*1), Y0	// bz1
	VMULPD	(R10)(AX*1), Y0, Y1	// (fl6) = bz1 * u1
	VMULPD	(R13)(AX*1), Y3, Y4	// (fl6) = bx * w1
	VSUBPD	Y4, Y1, Y1	// fl6 = (fl6) - (fl6)
	VMOVUPD	(R9)(AX*1), Y4	// bz2
	VMULPD	(R11)(AX*1), Y4, Y5	// (fr6) = bz2 * u2
	MOVQ	80(DI), R14
	VMULPD	(R14)(AX*1), Y3, Y3	// (fr6) = bx * w2
	VSUBPD	Y3, Y5, Y3	// fr6 = (fr6) - (fr6)
	VMOVAPD	1184(R15), Y5	// lbz
	VSUBPD	Y0, Y5, Y0	// (sl6) = lbz - bz1
	VMULPD	736(R15), Y0, Y0	// (sl6) = (sl6) * s0
	VADDPD	Y0, Y1, Y0	// sl6 = fl6 + (sl6)
	VMOVAPD	1056(R15), Y7	// rbz
	VSUBPD	Y4, Y7, Y4	// (sr6) = rbz - bz2
	VMULPD	672(R15), Y4, Y4	// (sr6) = (sr6) * s4
	VADDPD	Y4, Y3, Y4	// sr6 = fr6 + (sr6)
	VMOVAPD	1472(R15), Y9	// ldbz
	VSUBPD	Y5, Y9, Y5	// (OUT_f6) = ldbz - lbz
	VMULPD	704(R15), Y5, Y5	// (OUT_f6) = (OUT_f6) * s1
	VADDPD	Y5, Y0, Y5	// (OUT_f6) = sl6 + (OUT_f6)
	VMOVAPD	1600(R15), Y9	// rdbz
	VSUBPD	Y7, Y9, Y7	// (OUT_f6) = rdbz - rbz
	VMULPD	928(R15), Y7, Y7	// (OUT_f6) = (OUT_f6) * s3
	VADDPD	Y7, Y4, Y7	// (OUT_f6) = sr6 + (OUT_f6)
	VBLENDVPD	Y11, Y7, Y4, Y4	// (OUT_f6) = m3 ? (OUT_f6) : sr6
	VBLENDVPD	Y12, Y5, Y4, Y4	// (OUT_f6) = m2 ? (OUT_f6) : (OUT_f6)
	VBLENDVPD	Y8, Y0, Y4, Y0	// (OUT_f6) = m1 ? sl6 : (OUT_f6)
	VBLENDVPD	Y6, Y3, Y0, Y0	// (OUT_f6) = mR ? fr6 : (OUT_f6)
	VBLENDVPD	Y2, Y1, Y0, Y0	// OUT_f6 = mL ? fl6 : (OUT_f6)
	MOVQ	160(DI), R14
	VMOVUPD	Y0, (R14)(AX*1)	// f6 = OUT_f6
	JMP	next

sfx_all_M:
	// Fluxes: rot all, side M.

	// U*L (M&K 43-48).
	VMULPD	480(R15), Y12, Y0	// lmx = s2 * ld
	VMOVAPD	64(R15), Y1	// 1.0
	VDIVPD	Y15, Y1, Y2	// itl = 1.0 / tmpl
	VMOVAPD	352(R15), Y5	// sdl
	VSUBPD	Y13, Y5, Y15	// (ql) = sdl - sdml
	VMULPD	(BX)(AX*1), Y15, Y15	// (ql) = (ql) * bx
	VMULPD	Y2, Y15, Y15	// ql = (ql) * itl
	VMOVAPD	Y4, 864(R15)	// spill m2
	VMULPD	(DX)(AX*1), Y15, Y4	// (lvy) = ql * by1
	VMOVAPD	Y6, 896(R15)	// spill m3
	VMOVUPD	(R12)(AX*1), Y6	// v1
	VSUBPD	Y4, Y6, Y4	// lvy = v1 - (lvy)
	VMULPD	(SI)(AX*1), Y15, Y15	// (lvz) = ql * bz1
	VMOVAPD	Y8, 928(R15)	// spill s3
	VMOVUPD	(R13)(AX*1), Y8	// w1
	VSUBPD	Y15, Y8, Y15	// lvz = w1 - (lvz)
	VMOVAPD	Y0, 960(R15)	// spill lmx
	VMULPD	544(R15), Y5, Y0	// (ql2) = sdl * sdl1
	VSUBPD	608(R15), Y0, Y0	// (ql2) = (ql2) - bxsq
	VMULPD	Y2, Y0, Y0	// ql2 = (ql2) * itl
	VMULPD	(DX)(AX*1), Y0, Y2	// lby = ql2 * by1
	VMULPD	(SI)(AX*1), Y0, Y0	// lbz = ql2 * bz1
	VMOVAPD	Y3, 992(R15)	// spill m12
	VMULPD	480(R15), Y4, Y3	// lmy = lvy * ld
	VMOVAPD	Y3, 1024(R15)	// spill lmy
	VMULPD	480(R15), Y15, Y3	// lmz = lvz * ld
	VMOVAPD	Y3, 1056(R15)	// spill lmz
	VMOVUPD	(R10)(AX*1), Y3	// u1
	VMOVAPD	Y7, 1088(R15)	// spill sqdr
	VMULPD	(BX)(AX*1), Y3, Y7	// (vb1) = u1 * bx
	VMULPD	(DX)(AX*1), Y6, Y6	// (vb1) = v1 * by1
	VADDPD	Y6, Y7, Y6	// (vb1) = (vb1) + (vb1)
	VMULPD	(SI)(AX*1), Y8, Y7	// (vb1) = w1 * bz1
	VADDPD	Y7, Y6, Y6	// vb1 = (vb1) + (vb1)
	VMULPD	(BX)(AX*1), Y12, Y7	// (vbstl) = s2 * bx
	VMULPD	Y2, Y4, Y8	// (vbstl) = lvy * lby
	VADDPD	Y8, Y7, Y8	// (vbstl) = (vbstl) + (vbstl)
	VMOVAPD	Y0, 1120(R15)	// spill lbz
	VMULPD	Y0, Y15, Y0	// (vbstl) = lvz * lbz
	VADDPD	Y0, Y8, Y0	// vbstl = (vbstl) + (vbstl)
	VDIVPD	Y13, Y1, Y8	// isdml = 1.0 / sdml
	VMULPD	288(R15), Y5, Y5	// (le) = sdl * e1
	VMULPD	416(R15), Y3, Y13	// (le) = u1 * pt1
	VSUBPD	Y13, Y5, Y5	// (le) = (le) - (le)
	VMULPD	384(R15), Y12, Y13	// (le) = s2 * ptst
	VADDPD	Y13, Y5, Y5	// (le) = (le) + (le)
	VMOVAPD	Y6, 1152(R15)	// spill vb1
	VSUBPD	Y0, Y6, Y6	// (le) = vb1 - vbstl
	VMULPD	(BX)(AX*1), Y6, Y6	// (le) = (le) * bx
	VADDPD	Y6, Y5, Y5	// (le) = (le) + (le)
	VMULPD	Y8, Y5, Y5	// le = (le) * isdml

	// U*R, the mirror image.
	VMULPD	Y12, Y10, Y6	// rmx = rd * s2
	VDIVPD	448(R15), Y1, Y8	// itr = 1.0 / tmpr
	VSUBPD	Y14, Y9, Y12	// (qr) = sdr - sdmr
	VMULPD	(BX)(AX*1), Y12, Y12	// (qr) = (qr) * bx
	VMULPD	Y8, Y12, Y12	// qr = (qr) * itr
	VMOVAPD	Y6, 1184(R15)	// spill rmx
	VMULPD	(R8)(AX*1), Y12, Y6	// (rvy) = qr * by2
	MOVQ	72(DI), R14
	VMOVUPD	(R14)(AX*1), Y3	// v2
	VSUBPD	Y6, Y3, Y6	// rvy = v2 - (rvy)
	VMULPD	(R9)(AX*1), Y12, Y12	// (rvz) = qr * bz2
	VMOVAPD	Y5, 1216(R15)	// spill le
	MOVQ	80(DI), R14
	VMOVUPD	(R14)(AX*1), Y5	// w2
	VSUBPD	Y12, Y5, Y12	// rvz = w2 - (rvz)
	VMULPD	Y9, Y11, Y11	// (qr2) = sdr2 * sdr
	VSUBPD	608(R15), Y11, Y11	// (qr2) = (qr2) - bxsq
	VMULPD	Y8, Y11, Y8	// qr2 = (qr2) * itr
	VMULPD	(R8)(AX*1), Y8, Y11	// rby = qr2 * by2
	VMULPD	(R9)(AX*1), Y8, Y8	// rbz = qr2 * bz2
	VMOVAPD	Y0, 1248(R15)	// spill vbstl
	VMULPD	Y6, Y10, Y0	// rmy = rd * rvy
	VMOVAPD	Y0, 1280(R15)	// spill rmy
	VMULPD	Y12, Y10, Y0	// rmz = rd * rvz
	VMOVAPD	Y0, 1312(R15)	// spill rmz
	VMOVUPD	(R11)(AX*1), Y0	// u2
	VMOVAPD	Y10, 1344(R15)	// spill rd
	VMULPD	(BX)(AX*1), Y0, Y10	// (vb2) = u2 * bx
	VMULPD	(R8)(AX*1), Y3, Y3	// (vb2) = v2 * by2
	VADDPD	Y3, Y10, Y3	// (vb2) = (vb2) + (vb2)
	VMULPD	(R9)(AX*1), Y5, Y10	// (vb2) = w2 * bz2
	VADDPD	Y10, Y3, Y3	// vb2 = (vb2) + (vb2)
	VMULPD	Y11, Y6, Y10	// (vbstr) = rvy * rby
	VADDPD	Y10, Y7, Y10	// (vbstr) = (vbstl) + (vbstr)
	VMULPD	Y8, Y12, Y5	// (vbstr) = rvz * rbz
	VADDPD	Y5, Y10, Y5	// vbstr = (vbstr) + (vbstr)
	VDIVPD	Y14, Y1, Y10	// isdmr = 1.0 / sdmr
	VMULPD	320(R15), Y9, Y9	// (re) = sdr * e2
	VMULPD	512(R15), Y0, Y14	// (re) = u2 * pt2
	VSUBPD	Y14, Y9, Y9	// (re) = (re) - (re)
	VADDPD	Y13, Y9, Y9	// (re) = (re) + (le)
	VSUBPD	Y5, Y3, Y13	// (re) = vb2 - vbstr
	VMULPD	(BX)(AX*1), Y13, Y13	// (re) = (re) * bx
	VADDPD	Y13, Y9, Y9	// (re) = (re) + (re)
	VMULPD	Y10, Y9, Y9	// re = (re) * isdmr

	// U** (M&K 59-63), where rot holds.
	VMOVAPD	576(R15), Y10	// sqdl
	VADDPD	1088(R15), Y10, Y13	// (inv) = sqdl + sqdr
	VDIVPD	Y13, Y1, Y13	// inv = 1.0 / (inv)
	VMOVUPD	(BX)(AX*1), Y14	// bx
	VMOVAPD	Y3, 1376(R15)	// spill vb2
	VCMPPD	$0x11, 224(R15), Y14, Y3	// (sg) = bx < 0.0
	VBLENDVPD	Y3, 192(R15), Y1, Y1	// sg = (sg) ? -1.0 : 1.0
	VMULPD	Y4, Y10, Y3	// (vy) = sqdl * lvy
	VMULPD	1088(R15), Y6, Y14	// (vy) = rvy * sqdr
	VADDPD	Y14, Y3, Y3	// (vy) = (vy) + (vy)
	VSUBPD	Y2, Y11, Y14	// (vy) = rby - lby
	VMULPD	Y14, Y1, Y14	// (vy) = sg * (vy)
	VADDPD	Y14, Y3, Y3	// (vy) = (vy) + (vy)
	VMULPD	Y3, Y13, Y3	// vy = inv * (vy)
	VMULPD	Y15, Y10, Y14	// (vz) = sqdl * lvz
	VMULPD	1088(R15), Y12, Y0	// (vz) = rvz * sqdr
	VADDPD	Y0, Y14, Y0	// (vz) = (vz) + (vz)
	VSUBPD	1120(R15), Y8, Y14	// (vz) = rbz - lbz
	VMULPD	Y14, Y1, Y14	// (vz) = sg * (vz)
	VADDPD	Y14, Y0, Y0	// (vz) = (vz) + (vz)
	VMULPD	Y0, Y13, Y0	// vz = inv * (vz)
	VMULPD	Y11, Y10, Y14	// (by) = sqdl * rby
	VMOVAPD	Y11, 1408(R15)	// spill rby
	VMULPD	1088(R15), Y2, Y11	// (by) = lby * sqdr
	VADDPD	Y11, Y14, Y11	// (by) = (by) + (by)
	VMULPD	Y10, Y1, Y14	// (by) = sg * sqdl
	VMOVAPD	Y2, 1440(R15)	// spill lby
	VMULPD	1088(R15), Y14, Y2	// (by) = (by) * sqdr
	VSUBPD	Y4, Y6, Y4	// (by) = rvy - lvy
	VMULPD	Y4, Y2, Y4	// (by) = (by) * (by)
	VADDPD	Y4, Y11, Y4	// (by) = (by) + (by)
	VMULPD	Y4, Y13, Y4	// by = inv * (by)
	VMULPD	Y8, Y10, Y6	// (bz) = sqdl * rbz
	VMOVAPD	1088(R15), Y10	// sqdr
	VMULPD	1120(R15), Y10, Y11	// (bz) = sqdr * lbz
	VADDPD	Y11, Y6, Y6	// (bz) = (bz) + (bz)
	VSUBPD	Y15, Y12, Y11	// (bz) = rvz - lvz
	VMULPD	Y11, Y2, Y2	// (bz) = (by) * (bz)
	VADDPD	Y2, Y6, Y2	// (bz) = (bz) + (bz)
	VMULPD	Y2, Y13, Y2	// bz = inv * (bz)
	VMULPD	Y4, Y3, Y6	// (vbdst) = vy * by
	VADDPD	Y6, Y7, Y6	// (vbdst) = (vbstl) + (vbdst)
	VMULPD	Y2, Y0, Y7	// (vbdst) = vz * bz
	VADDPD	Y7, Y6, Y6	// vbdst = (vbdst) + (vbdst)
	VMULPD	480(R15), Y3, Y7	// ldmy = vy * ld
	VMULPD	480(R15), Y0, Y11	// ldmz = vz * ld
	VMULPD	1344(R15), Y3, Y3	// rdmy = vy * rd
	VMULPD	1344(R15), Y0, Y0	// rdmz = vz * rd
	VMOVAPD	1248(R15), Y12	// vbstl
	VSUBPD	Y6, Y12, Y12	// (lde) = vbstl - vbdst
	VMULPD	Y12, Y14, Y12	// (lde) = (by) * (lde)
	VMOVAPD	1216(R15), Y13	// le
	VSUBPD	Y12, Y13, Y12	// lde = le - (lde)
	VMULPD	Y1, Y10, Y1	// (rde) = sqdr * sg
	VSUBPD	Y6, Y5, Y5	// (rde) = vbstr - vbdst
	VMULPD	Y5, Y1, Y1	// (rde) = (rde) * (rde)
	VADDPD	Y1, Y9, Y1	// rde = re + (rde)

	// Mass flux: F*L and F**L (and F*R, F**R) coincide.
	MOVQ	0(DI), R14
	VMOVUPD	(R14)(AX*1), Y5	// d1
	VMULPD	(R10)(AX*1), Y5, Y6	// fl0 = d1 * u1
	MOVQ	56(DI), R14
	VMOVUPD	(R14)(AX*1), Y10	// d2
	VMULPD	(R11)(AX*1), Y10, Y14	// fr0 = d2 * u2
	VMOVAPD	480(R15), Y15	// ld
	VSUBPD	Y5, Y15, Y15	// (OUT_f0) = ld - d1
	VMULPD	736(R15), Y15, Y15	// (OUT_f0) = (OUT_f0) * s0
	VADDPD	Y15, Y6, Y15	// (OUT_f0) = fl0 + (OUT_f0)
	VMOVAPD	Y2, 1088(R15)	// spill bz
	VMOVAPD	1344(R15), Y2	// rd
	VSUBPD	Y10, Y2, Y2	// (OUT_f0) = rd - d2
	VMULPD	672(R15), Y2, Y2	// (OUT_f0) = (OUT_f0) * s4
	VADDPD	Y2, Y14, Y2	// (OUT_f0) = fr0 + (OUT_f0)
	VMOVAPD	Y8, 1344(R15)	// spill rbz
	VMOVAPD	992(R15), Y8	// m12
	VBLENDVPD	Y8, Y15, Y2, Y2	// OUT_f0 = m12 ? (OUT_f0) : (OUT_f0)
	MOVQ	112(DI), R14
	VMOVUPD	Y2, (R14)(AX*1)	// f0 = OUT_f0

	// Normal momentum flux.
	VMULPD	(R10)(AX*1), Y6, Y2	// (fl1) = fl0 * u1
	VADDPD	416(R15), Y2, Y2	// (fl1) = (fl1) + pt1
	VSUBPD	608(R15), Y2, Y2	// fl1 = (fl1) - bxsq
	VMULPD	(R11)(AX*1), Y14, Y15	// (fr1) = fr0 * u2
	VADDPD	512(R15), Y15, Y15	// (fr1) = (fr1) + pt2
	VSUBPD	608(R15), Y15, Y15	// fr1 = (fr1) - bxsq
	VMOVAPD	Y4, 1248(R15)	// spill by
	VMOVAPD	960(R15), Y4	// lmx
	VSUBPD	Y6, Y4, Y4	// (OUT_f1) = lmx - fl0
	VMULPD	736(R15), Y4, Y4	// (OUT_f1) = (OUT_f1) * s0
	VADDPD	Y4, Y2, Y2	// (OUT_f1) = fl1 + (OUT_f1)
	VMOVAPD	1184(R15), Y4	// rmx
	VSUBPD	Y14, Y4, Y4	// (OUT_f1) = rmx - fr0
	VMULPD	672(R15), Y4, Y4	// (OUT_f1) = (OUT_f1) * s4
	VADDPD	Y4, Y15, Y4	// (OUT_f1) = fr1 + (OUT_f1)
	VBLENDVPD	Y8, Y2, Y4, Y2	// OUT_f1 = m12 ? (OUT_f1) : (OUT_f1)
	MOVQ	120(DI), R14
	VMOVUPD	Y2, (R14)(AX*1)	// f1 = OUT_f1

	// Tangential momentum t1: F*L = FL + s0 (U*L - UL), F**L = F*L + s1 (U**L - U*L), mirrored on the right.
	VMULPD	(R12)(AX*1), Y6, Y2	// (fl2) = fl0 * v1
	VMOVUPD	(BX)(AX*1), Y4	// bx
	VMULPD	(DX)(AX*1), Y4, Y8	// (fl2) = bx * by1
	VSUBPD	Y8, Y2, Y2	// fl2 = (fl2) - (fl2)
	MOVQ	72(DI), R14
	VMULPD	(R14)(AX*1), Y14, Y8	// (fr2) = fr0 * v2
	VMULPD	(R8)(AX*1), Y4, Y15	// (fr2) = bx * by2
	VSUBPD	Y15, Y8, Y8	// fr2 = (fr2) - (fr2)
	VMULPD	(R12)(AX*1), Y5, Y15	// (sl2) = d1 * v1
	VMOVAPD	Y1, 992(R15)	// spill rde
	VMOVAPD	1024(R15), Y1	// lmy
	VSUBPD	Y15, Y1, Y15	// (sl2) = lmy - (sl2)
	VMULPD	736(R15), Y15, Y15	// (sl2) = (sl2) * s0
	VADDPD	Y15, Y2, Y2	// sl2 = fl2 + (sl2)
	MOVQ	72(DI), R14
	VMULPD	(R14)(AX*1), Y10, Y15	// (sr2) = d2 * v2
	VMOVAPD	Y12, 1184(R15)	// spill lde
	VMOVAPD	1280(R15), Y12	// rmy
	VSUBPD	Y15, Y12, Y15	// (sr2) = rmy - (sr2)
	VMULPD	672(R15), Y15, Y15	// (sr2) = (sr2) * s4
	VADDPD	Y15, Y8, Y8	// sr2 = fr2 + (sr2)
	VSUBPD	Y1, Y7, Y1	// (OUT_f2) = ldmy - lmy
	VMULPD	704(R15), Y1, Y1	// (OUT_f2) = (OUT_f2) * s1
	VADDPD	Y1, Y2, Y1	// (OUT_f2) = sl2 + (OUT_f2)
	VSUBPD	Y12, Y3, Y3	// (OUT_f2) = rdmy - rmy
	VMULPD	928(R15), Y3, Y3	// (OUT_f2) = (OUT_f2) * s3
	VADDPD	Y3, Y8, Y3	// (OUT_f2) = sr2 + (OUT_f2)
	VMOVAPD	896(R15), Y7	// m3
	VBLENDVPD	Y7, Y3, Y8, Y3	// (OUT_f2) = m3 ? (OUT_f2) : sr2
	VMOVAPD	864(R15), Y8	// m2
	VBLENDVPD	Y8, Y1, Y3, Y1	// (OUT_f2) = m2 ? (OUT_f2) : (OUT_f2)
	VMOVAPD	768(R15), Y3	// m1
	VBLENDVPD	Y3, Y2, Y1, Y1	// OUT_f2 = m1 ? sl2 : (OUT_f2)
	MOVQ	128(DI), R14
	VMOVUPD	Y1, (R14)(AX*1)	// f2 = OUT_f2

	// Tangential momentum t2.
	VMULPD	(R13)(AX*1), Y6, Y1	// (fl3) = fl0 * w1
	VMULPD	(SI)(AX*1), Y4, Y2	// (fl3) = bx * bz1
	VSUBPD	Y2, Y1, Y1	// fl3 = (fl3) - (fl3)
	MOVQ	80(DI), R14
	VMULPD	(R14)(AX*1), Y14, Y2	// (fr3) = fr0 * w2
	VMULPD	(R9)(AX*1), Y4, Y6	// (fr3) = bx * bz2
	VSUBPD	Y6, Y2, Y2	// fr3 = (fr3) - (fr3)
	VMULPD	(R13)(AX*1), Y5, Y5	// (sl3) = d1 * w1
	VMOVAPD	1056(R15), Y6	// lmz
	VSUBPD	Y5, Y6, Y5	// (sl3) = lmz - (sl3)
	VMULPD	736(R15), Y5, Y5	// (sl3) = (sl3) * s0
	VADDPD	Y5, Y1, Y1	// sl3 = fl3 + (sl3)
	MOVQ	80(DI), R14
	VMULPD	(R14)(AX*1), Y10, Y5	// (sr3) = d2 * w2
	VMOVAPD	1312(R15), Y10	// rmz
	VSUBPD	Y5, Y10, Y5	// (sr3) = rmz - (sr3)
	VMULPD	672(R15), Y5, Y5	// (sr3) = (sr3) * s4
	VADDPD	Y5, Y2, Y2	// sr3 = fr3 + (sr3)
	VSUBPD	Y6, Y11, Y5	// (OUT_f3) = ldmz - lmz
	VMULPD	704(R15), Y5, Y5	// (OUT_f3) = (OUT_f3) * s1
	VADDPD	Y5, Y1, Y5	// (OUT_f3) = sl3 + (OUT_f3)
	VSUBPD	Y10, Y0, Y0	// (OUT_f3) = rdmz - rmz
	VMULPD	928(R15), Y0, Y0	// (OUT_f3) = (OUT_f3) * s3
	VADDPD	Y0, Y2, Y0	// (OUT_f3) = sr3 + (OUT_f3)
	VBLENDVPD	Y7, Y0, Y2, Y0	// (OUT_f3) = m3 ? (OUT_f3) : sr3
	VBLENDVPD	Y8, Y5, Y0, Y0	// (OUT_f3) = m2 ? (OUT_f3) : (OUT_f3)
	VBLENDVPD	Y3, Y1, Y0, Y0	// OUT_f3 = m1 ? sl3 : (OUT_f3)
	MOVQ	136(DI), R14
	VMOVUPD	Y0, (R14)(AX*1)	// f3 = OUT_f3

	// Energy.
	VMOVAPD	288(R15), Y0	// e1
	VADDPD	416(R15), Y0, Y1	// (fl4) = e1 + pt1
	VMULPD	(R10)(AX*1), Y1, Y1	// (fl4) = (fl4) * u1
	VMULPD	1152(R15), Y4, Y2	// (fl4) = bx * vb1
	VSUBPD	Y2, Y1, Y1	// fl4 = (fl4) - (fl4)
	VMOVAPD	320(R15), Y2	// e2
	VADDPD	512(R15), Y2, Y5	// (fr4) = e2 + pt2
	VMULPD	(R11)(AX*1), Y5, Y5	// (fr4) = (fr4) * u2
	VMULPD	1376(R15), Y4, Y6	// (fr4) = bx * vb2
	VSUBPD	Y6, Y5, Y5	// fr4 = (fr4) - (fr4)
	VSUBPD	Y0, Y13, Y0	// (sl4) = le - e1
	VMULPD	736(R15), Y0, Y0	// (sl4) = (sl4) * s0
	VADDPD	Y0, Y1, Y0	// sl4 = fl4 + (sl4)
	VSUBPD	Y2, Y9, Y1	// (sr4) = re - e2
	VMULPD	672(R15), Y1, Y1	// (sr4) = (sr4) * s4
	VADDPD	Y1, Y5, Y1	// sr4 = fr4 + (sr4)
	VMOVAPD	1184(R15), Y2	// lde
	VSUBPD	Y13, Y2, Y2	// (OUT_f4) = lde - le
	VMULPD	704(R15), Y2, Y2	// (OUT_f4) = (OUT_f4) * s1
	VADDPD	Y2, Y0, Y2	// (OUT_f4) = sl4 + (OUT_f4)
	VMOVAPD	992(R15), Y5	// rde
	VSUBPD	Y9, Y5, Y5	// (OUT_f4) = rde - re
	VMULPD	928(R15), Y5, Y5	// (OUT_f4) = (OUT_f4) * s3
	VADDPD	Y5, Y1, Y5	// (OUT_f4) = sr4 + (OUT_f4)
	VBLENDVPD	Y7, Y5, Y1, Y1	// (OUT_f4) = m3 ? (OUT_f4) : sr4
	VBLENDVPD	Y8, Y2, Y1, Y1	// (OUT_f4) = m2 ? (OUT_f4) : (OUT_f4)
	VBLENDVPD	Y3, Y0, Y1, Y0	// OUT_f4 = m1 ? sl4 : (OUT_f4)
	MOVQ	144(DI), R14
	VMOVUPD	Y0, (R14)(AX*1)	// f4 = OUT_f4

	// B_t1.
	VMOVUPD	(DX)(AX*1), Y0	// by1
	VMULPD	(R10)(AX*1), Y0, Y1	// (fl5) = by1 * u1
	VMULPD	(R12)(AX*1), Y4, Y2	// (fl5) = bx * v1
	VSUBPD	Y2, Y1, Y1	// fl5 = (fl5) - (fl5)
	VMOVUPD	(R8)(AX*1), Y2	// by2
	VMULPD	(R11)(AX*1), Y2, Y5	// (fr5) = by2 * u2
	MOVQ	72(DI), R14
	VMULPD	(R14)(AX*1), Y4, Y6	// (fr5) = bx * v2
	VSUBPD	Y6, Y5, Y5	// fr5 = (fr5) - (fr5)
	VMOVAPD	1440(R15), Y6	// lby
	VSUBPD	Y0, Y6, Y0	// (sl5) = lby - by1
	VMULPD	736(R15), Y0, Y0	// (sl5) = (sl5) * s0
	VADDPD	Y0, Y1, Y0	// sl5 = fl5 + (sl5)
	VMOVAPD	1408(R15), Y1	// rby
	VSUBPD	Y2, Y1, Y2	// (sr5) = rby - by2
	VMULPD	672(R15), Y2, Y2	// (sr5) = (sr5) * s4
	VADDPD	Y2, Y5, Y2	// sr5 = fr5 + (sr5)
	VMOVAPD	1248(R15), Y5	// by
	VSUBPD	Y6, Y5, Y6	// (OUT_f5) = by - lby
	VMULPD	704(R15), Y6, Y6	// (OUT_f5) = (OUT_f5) * s1
	VADDPD	Y6, Y0, Y6	// (OUT_f5) = sl5 + (OUT_f5)
	VSUBPD	Y1, Y5, Y1	// (OUT_f5) = by - rby
	VMULPD	928(R15), Y1, Y1	// (OUT_f5) = (OUT_f5) * s3
	VADDPD	Y1, Y2, Y1	// (OUT_f5) = sr5 + (OUT_f5)
	VBLENDVPD	Y7, Y1, Y2, Y1	// (OUT_f5) = m3 ? (OUT_f5) : sr5
	VBLENDVPD	Y8, Y6, Y1, Y1	// (OUT_f5) = m2 ? (OUT_f5) : (OUT_f5)
	VBLENDVPD	Y3, Y0, Y1, Y0	// OUT_f5 = m1 ? sl5 : (OUT_f5)
	MOVQ	152(DI), R14
	VMOVUPD	Y0, (R14)(AX*1)	// f5 = OUT_f5

	// B_t2.
	VMOVUPD	(SI)(AX*1), Y0	// bz1
	VMULPD	(R10)(AX*1), Y0, Y1	// (fl6) = bz1 * u1
	VMULPD	(R13)(AX*1), Y4, Y2	// (fl6) = bx * w1
	VSUBPD	Y2, Y1, Y1	// fl6 = (fl6) - (fl6)
	VMOVUPD	(R9)(AX*1), Y2	// bz2
	VMULPD	(R11)(AX*1), Y2, Y5	// (fr6) = bz2 * u2
	MOVQ	80(DI), R14
	VMULPD	(R14)(AX*1), Y4, Y4	// (fr6) = bx * w2
	VSUBPD	Y4, Y5, Y4	// fr6 = (fr6) - (fr6)
	VMOVAPD	1120(R15), Y5	// lbz
	VSUBPD	Y0, Y5, Y0	// (sl6) = lbz - bz1
	VMULPD	736(R15), Y0, Y0	// (sl6) = (sl6) * s0
	VADDPD	Y0, Y1, Y0	// sl6 = fl6 + (sl6)
	VMOVAPD	1344(R15), Y1	// rbz
	VSUBPD	Y2, Y1, Y2	// (sr6) = rbz - bz2
	VMULPD	672(R15), Y2, Y2	// (sr6) = (sr6) * s4
	VADDPD	Y2, Y4, Y2	// sr6 = fr6 + (sr6)
	VMOVAPD	1088(R15), Y4	// bz
	VSUBPD	Y5, Y4, Y5	// (OUT_f6) = bz - lbz
	VMULPD	704(R15), Y5, Y5	// (OUT_f6) = (OUT_f6) * s1
	VADDPD	Y5, Y0, Y5	// (OUT_f6) = sl6 + (OUT_f6)
	VSUBPD	Y1, Y4, Y1	// (OUT_f6) = bz - rbz
	VMULPD	928(R15), Y1, Y1	// (OUT_f6) = (OUT_f6) * s3
	VADDPD	Y1, Y2, Y1	// (OUT_f6) = sr6 + (OUT_f6)
	VBLENDVPD	Y7, Y1, Y2, Y1	// (OUT_f6) = m3 ? (OUT_f6) : sr6
	VBLENDVPD	Y8, Y5, Y1, Y1	// (OUT_f6) = m2 ? (OUT_f6) : (OUT_f6)
	VBLENDVPD	Y3, Y0, Y1, Y0	// OUT_f6 = m1 ? sl6 : (OUT_f6)
	MOVQ	160(DI), R14
	VMOVUPD	Y0, (R14)(AX*1)	// f6 = OUT_f6
	JMP	next

sfx_all_L:
	// Fluxes: rot all, side L.

	// U*L (M&K 43-48).
	VMULPD	480(R15), Y12, Y0	// lmx = s2 * ld
	VMOVAPD	64(R15), Y1	// 1.0
	VDIVPD	Y15, Y1, Y2	// itl = 1.0 / tmpl
	VMOVAPD	352(R15), Y3	// sdl
	VSUBPD	Y13, Y3, Y4	// (ql) = sdl - sdml
	VMULPD	(BX)(AX*1), Y4, Y4	// (ql) = (ql) * bx
	VMULPD	Y2, Y4, Y4	// ql = (ql) * itl
	VMULPD	(DX)(AX*1), Y4, Y5	// (lvy) = ql * by1
	VMOVUPD	(R12)(AX*1), Y6	// v1
	VSUBPD	Y5, Y6, Y5	// lvy = v1 - (lvy)
	VMULPD	(SI)(AX*1), Y4, Y4	// (lvz) = ql * bz1
	VMOVUPD	(R13)(AX*1), Y8	// w1
	VSUBPD	Y4, Y8, Y4	// lvz = w1 - (lvz)
	VMULPD	544(R15), Y3, Y10	// (ql2) = sdl * sdl1
	VSUBPD	608(R15), Y10, Y10	// (ql2) = (ql2) - bxsq
	VMULPD	Y2, Y10, Y2	// ql2 = (ql2) * itl
	VMULPD	(DX)(AX*1), Y2, Y10	// lby = ql2 * by1
	VMULPD	(SI)(AX*1), Y2, Y2	// lbz = ql2 * bz1
	VMULPD	480(R15), Y5, Y15	// lmy = lvy * ld
	VMOVAPD	Y15, 864(R15)	// spill lmy
	VMULPD	480(R15), Y4, Y15	// lmz = lvz * ld
	VMOVAPD	Y15, 896(R15)	// spill lmz
	VMOVUPD	(R10)(AX*1), Y15	// u1
	VMOVAPD	Y0, 928(R15)	// spill lmx
	VMULPD	(BX)(AX*1), Y15, Y0	// (vb1) = u1 * bx
	VMULPD	(DX)(AX*1), Y6, Y6	// (vb1) = v1 * by1
	VADDPD	Y6, Y0, Y0	// (vb1) = (vb1) + (vb1)
	VMULPD	(SI)(AX*1), Y8, Y6	// (vb1) = w1 * bz1
	VADDPD	Y6, Y0, Y0	// vb1 = (vb1) + (vb1)
	VMULPD	(BX)(AX*1), Y12, Y6	// (vbstl) = s2 * bx
	VMULPD	Y10, Y5, Y8	// (vbstl) = lvy * lby
	VADDPD	Y8, Y6, Y8	// (vbstl) = (vbstl) + (vbstl)
	VMOVAPD	Y6, 960(R15)	// spill (vbstl)
	VMULPD	Y2, Y4, Y6	// (vbstl) = lvz * lbz
	VADDPD	Y6, Y8, Y6	// vbstl = (vbstl) + (vbstl)
	VDIVPD	Y13, Y1, Y8	// isdml = 1.0 / sdml
	VMULPD	288(R15), Y3, Y3	// (le) = sdl * e1
	VMULPD	416(R15), Y15, Y13	// (le) = u1 * pt1
	VSUBPD	Y13, Y3, Y3	// (le) = (le) - (le)
	VMULPD	384(R15), Y12, Y12	// (le) = s2 * ptst
	VADDPD	Y12, Y3, Y3	// (le) = (le) + (le)
	VSUBPD	Y6, Y0, Y12	// (le) = vb1 - vbstl
	VMULPD	(BX)(AX*1), Y12, Y12	// (le) = (le) * bx
	VADDPD	Y12, Y3, Y3	// (le) = (le) + (le)
	VMULPD	Y8, Y3, Y3	// le = (le) * isdml

	// U*R, the mirror image.
	VDIVPD	448(R15), Y1, Y8	// itr = 1.0 / tmpr
	VSUBPD	Y14, Y9, Y12	// (qr) = sdr - sdmr
	VMULPD	(BX)(AX*1), Y12, Y12	// (qr) = (qr) * bx
	VMULPD	Y8, Y12, Y12	// qr = (qr) * itr
	VMULPD	(R8)(AX*1), Y12, Y13	// (rvy) = qr * by2
	MOVQ	72(DI), R14
	VMOVUPD	(R14)(AX*1), Y14	// v2
	VSUBPD	Y13, Y14, Y13	// rvy = v2 - (rvy)
	VMULPD	(R9)(AX*1), Y12, Y12	// (rvz) = qr * bz2
	MOVQ	80(DI), R14
	VMOVUPD	(R14)(AX*1), Y14	// w2
	VSUBPD	Y12, Y14, Y12	// rvz = w2 - (rvz)
	VMULPD	Y9, Y11, Y9	// (qr2) = sdr2 * sdr
	VSUBPD	608(R15), Y9, Y9	// (qr2) = (qr2) - bxsq
	VMULPD	Y8, Y9, Y8	// qr2 = (qr2) * itr
	VMULPD	(R8)(AX*1), Y8, Y9	// rby = qr2 * by2
	VMULPD	(R9)(AX*1), Y8, Y8	// rbz = qr2 * bz2

	// U** (M&K 59-63), where rot holds.
	VADDPD	576(R15), Y7, Y11	// (inv) = sqdr + sqdl
	VDIVPD	Y11, Y1, Y11	// inv = 1.0 / (inv)
	VMOVUPD	(BX)(AX*1), Y14	// bx
	VMOVAPD	Y0, 992(R15)	// spill vb1
	VCMPPD	$0x11, 224(R15), Y14, Y0	// (sg) = bx < 0.0
	VBLENDVPD	Y0, 192(R15), Y1, Y0	// sg = (sg) ? -1.0 : 1.0
	VMULPD	576(R15), Y5, Y1	// (vy) = lvy * sqdl
	VMULPD	Y13, Y7, Y14	// (vy) = sqdr * rvy
	VADDPD	Y14, Y1, Y1	// (vy) = (vy) + (vy)
	VSUBPD	Y10, Y9, Y14	// (vy) = rby - lby
	VMULPD	Y14, Y0, Y14	// (vy) = sg * (vy)
	VADDPD	Y14, Y1, Y1	// (vy) = (vy) + (vy)
	VMULPD	Y1, Y11, Y1	// vy = inv * (vy)
	VMULPD	576(R15), Y4, Y14	// (vz) = lvz * sqdl
	VMULPD	Y12, Y7, Y15	// (vz) = sqdr * rvz
	VADDPD	Y15, Y14, Y14	// (vz) = (vz) + (vz)
	VSUBPD	Y2, Y8, Y15	// (vz) = rbz - lbz
	VMULPD	Y15, Y0, Y15	// (vz) = sg * (vz)
	VADDPD	Y15, Y14, Y14	// (vz) = (vz) + (vz)
	VMULPD	Y14, Y11, Y14	// vz = inv * (vz)
	VMULPD	576(R15), Y9, Y9	// (by) = rby * sqdl
	VMULPD	Y10, Y7, Y15	// (by) = sqdr * lby
	VADDPD	Y15, Y9, Y9	// (by) = (by) + (by)
	VMULPD	576(R15), Y0, Y0	// (by) = sg * sqdl
	VMULPD	Y7, Y0, Y15	// (by) = (by) * sqdr
	VSUBPD	Y5, Y13, Y5	// (by) = rvy - lvy
	VMULPD	Y5, Y15, Y5	// (by) = (by) * (by)
	VADDPD	Y5, Y9, Y5	// (by) = (by) + (by)
	VMULPD	Y5, Y11, Y5	// by = inv * (by)
	VMULPD	576(R15), Y8, Y8	// (bz) = rbz * sqdl
	VMULPD	Y2, Y7, Y7	// (bz) = sqdr * lbz
	VADDPD	Y7, Y8, Y7	// (bz) = (bz) + (bz)
	VSUBPD	Y4, Y12, Y4	// (bz) = rvz - lvz
	VMULPD	Y4, Y15, Y4	// (bz) = (by) * (bz)
	VADDPD	Y4, Y7, Y4	// (bz) = (bz) + (bz)
	VMULPD	Y4, Y11, Y4	// bz = inv * (bz)
	VMULPD	Y5, Y1, Y7	// (vbdst) = vy * by
	VADDPD	960(R15), Y7, Y7	// (vbdst) = (vbdst) + (vbstl)
	VMULPD	Y4, Y14, Y8	// (vbdst) = vz * bz
	VADDPD	Y8, Y7, Y7	// vbdst = (vbdst) + (vbdst)
	VMULPD	480(R15), Y1, Y1	// ldmy = vy * ld
	VMULPD	480(R15), Y14, Y8	// ldmz = vz * ld
	VSUBPD	Y7, Y6, Y6	// (lde) = vbstl - vbdst
	VMULPD	Y6, Y0, Y0	// (lde) = (by) * (lde)
	VSUBPD	Y0, Y3, Y0	// lde = le - (lde)

	// Mass flux: F*L and F**L (and F*R, F**R) coincide.
	MOVQ	0(DI), R14
	VMOVUPD	(R14)(AX*1), Y6	// d1
	VMULPD	(R10)(AX*1), Y6, Y7	// fl0 = d1 * u1
	VMOVAPD	480(R15), Y9	// ld
	VSUBPD	Y6, Y9, Y9	// (OUT_f0) = ld - d1
	VMULPD	736(R15), Y9, Y9	// (OUT_f0) = (OUT_f0) * s0
	VADDPD	Y9, Y7, Y9	// OUT_f0 = fl0 + (OUT_f0)
	MOVQ	112(DI), R14
	VMOVUPD	Y9, (R14)(AX*1)	// f0 = OUT_f0

	// Normal momentum flux.
	VMULPD	(R10)(AX*1), Y7, Y9	// (fl1) = fl0 * u1
	VADDPD	416(R15), Y9, Y9	// (fl1) = (fl1) + pt1
	VSUBPD	608(R15), Y9, Y9	// fl1 = (fl1) - bxsq
	VMOVAPD	928(R15), Y11	// lmx
	VSUBPD	Y7, Y11, Y11	// (OUT_f1) = lmx - fl0
	VMULPD	736(R15), Y11, Y11	// (OUT_f1) = (OUT_f1) * s0
	VADDPD	Y11, Y9, Y9	// OUT_f1 = fl1 + (OUT_f1)
	MOVQ	120(DI), R14
	VMOVUPD	Y9, (R14)(AX*1)	// f1 = OUT_f1

	// Tangential momentum t1: F*L = FL + s0 (U*L - UL), F**L = F*L + s1 (U**L - U*L), mirrored on the right.
	VMULPD	(R12)(AX*1), Y7, Y9	// (fl2) = fl0 * v1
	VMOVUPD	(BX)(AX*1), Y11	// bx
	VMULPD	(DX)(AX*1), Y11, Y12	// (fl2) = bx * by1
	VSUBPD	Y12, Y9, Y9	// fl2 = (fl2) - (fl2)
	VMULPD	(R12)(AX*1), Y6, Y12	// (sl2) = d1 * v1
	VMOVAPD	864(R15), Y13	// lmy
	VSUBPD	Y12, Y13, Y12	// (sl2) = lmy - (sl2)
	VMULPD	736(R15), Y12, Y12	// (sl2) = (sl2) * s0
	VADDPD	Y12, Y9, Y9	// sl2 = fl2 + (sl2)
	VSUBPD	Y13, Y1, Y1	// (OUT_f2) = ldmy - lmy
	VMULPD	704(R15), Y1, Y1	// (OUT_f2) = (OUT_f2) * s1
	VADDPD	Y1, Y9, Y1	// (OUT_f2) = sl2 + (OUT_f2)
	VMOVAPD	768(R15), Y12	// m1
	VBLENDVPD	Y12, Y9, Y1, Y1	// OUT_f2 = m1 ? sl2 : (OUT_f2)
	MOVQ	128(DI), R14
	VMOVUPD	Y1, (R14)(AX*1)	// f2 = OUT_f2

	// Tangential momentum t2.
	VMULPD	(R13)(AX*1), Y7, Y1	// (fl3) = fl0 * w1
	VMULPD	(SI)(AX*1), Y11, Y7	// (fl3) = bx * bz1
	VSUBPD	Y7, Y1, Y1	// fl3 = (fl3) - (fl3)
	VMULPD	(R13)(AX*1), Y6, Y6	// (sl3) = d1 * w1
	VMOVAPD	896(R15), Y7	// lmz
	VSUBPD	Y6, Y7, Y6	// (sl3) = lmz - (sl3)
	VMULPD	736(R15), Y6, Y6	// (sl3) = (sl3) * s0
	VADDPD	Y6, Y1, Y1	// sl3 = fl3 + (sl3)
	VSUBPD	Y7, Y8, Y6	// (OUT_f3) = ldmz - lmz
	VMULPD	704(R15), Y6, Y6	// (OUT_f3) = (OUT_f3) * s1
	VADDPD	Y6, Y1, Y6	// (OUT_f3) = sl3 + (OUT_f3)
	VBLENDVPD	Y12, Y1, Y6, Y1	// OUT_f3 = m1 ? sl3 : (OUT_f3)
	MOVQ	136(DI), R14
	VMOVUPD	Y1, (R14)(AX*1)	// f3 = OUT_f3

	// Energy.
	VMOVAPD	288(R15), Y1	// e1
	VADDPD	416(R15), Y1, Y6	// (fl4) = e1 + pt1
	VMULPD	(R10)(AX*1), Y6, Y6	// (fl4) = (fl4) * u1
	VMULPD	992(R15), Y11, Y7	// (fl4) = bx * vb1
	VSUBPD	Y7, Y6, Y6	// fl4 = (fl4) - (fl4)
	VSUBPD	Y1, Y3, Y1	// (sl4) = le - e1
	VMULPD	736(R15), Y1, Y1	// (sl4) = (sl4) * s0
	VADDPD	Y1, Y6, Y1	// sl4 = fl4 + (sl4)
	VSUBPD	Y3, Y0, Y0	// (OUT_f4) = lde - le
	VMULPD	704(R15), Y0, Y0	// (OUT_f4) = (OUT_f4) * s1
	VADDPD	Y0, Y1, Y0	// (OUT_f4) = sl4 + (OUT_f4)
	VBLENDVPD	Y12, Y1, Y0, Y0	// OUT_f4 = m1 ? sl4 : (OUT_f4)
	MOVQ	144(DI), R14
	VMOVUPD	Y0, (R14)(AX*1)	// f4 = OUT_f4

	// B_t1.
	VMOVUPD	(DX)(AX*1), Y0	// by1
	VMULPD	(R10)(AX*1), Y0, Y1	// (fl5) = by1 * u1
	VMULPD	(R12)(AX*1), Y11, Y3	// (fl5) = bx * v1
	VSUBPD	Y3, Y1, Y1	// fl5 = (fl5) - (fl5)
	VSUBPD	Y0, Y10, Y0	// (sl5) = lby - by1
	VMULPD	736(R15), Y0, Y0	// (sl5) = (sl5) * s0
	VADDPD	Y0, Y1, Y0	// sl5 = fl5 + (sl5)
	VSUBPD	Y10, Y5, Y1	// (OUT_f5) = by - lby
	VMULPD	704(R15), Y1, Y1	// (OUT_f5) = (OUT_f5) * s1
	VADDPD	Y1, Y0, Y1	// (OUT_f5) = sl5 + (OUT_f5)
	VBLENDVPD	Y12, Y0, Y1, Y0	// OUT_f5 = m1 ? sl5 : (OUT_f5)
	MOVQ	152(DI), R14
	VMOVUPD	Y0, (R14)(AX*1)	// f5 = OUT_f5

	// B_t2.
	VMOVUPD	(SI)(AX*1), Y0	// bz1
	VMULPD	(R10)(AX*1), Y0, Y1	// (fl6) = bz1 * u1
	VMULPD	(R13)(AX*1), Y11, Y3	// (fl6) = bx * w1
	VSUBPD	Y3, Y1, Y1	// fl6 = (fl6) - (fl6)
	VSUBPD	Y0, Y2, Y0	// (sl6) = lbz - bz1
	VMULPD	736(R15), Y0, Y0	// (sl6) = (sl6) * s0
	VADDPD	Y0, Y1, Y0	// sl6 = fl6 + (sl6)
	VSUBPD	Y2, Y4, Y1	// (OUT_f6) = bz - lbz
	VMULPD	704(R15), Y1, Y1	// (OUT_f6) = (OUT_f6) * s1
	VADDPD	Y1, Y0, Y1	// (OUT_f6) = sl6 + (OUT_f6)
	VBLENDVPD	Y12, Y0, Y1, Y0	// OUT_f6 = m1 ? sl6 : (OUT_f6)
	MOVQ	160(DI), R14
	VMOVUPD	Y0, (R14)(AX*1)	// f6 = OUT_f6
	JMP	next

sfx_all_R:
	// Fluxes: rot all, side R.

	// U*L (M&K 43-48).
	VMOVAPD	64(R15), Y0	// 1.0
	VDIVPD	Y15, Y0, Y1	// itl = 1.0 / tmpl
	VMOVAPD	352(R15), Y2	// sdl
	VSUBPD	Y13, Y2, Y3	// (ql) = sdl - sdml
	VMULPD	(BX)(AX*1), Y3, Y3	// (ql) = (ql) * bx
	VMULPD	Y1, Y3, Y3	// ql = (ql) * itl
	VMULPD	(DX)(AX*1), Y3, Y4	// (lvy) = ql * by1
	VMOVUPD	(R12)(AX*1), Y5	// v1
	VSUBPD	Y4, Y5, Y4	// lvy = v1 - (lvy)
	VMULPD	(SI)(AX*1), Y3, Y3	// (lvz) = ql * bz1
	VMOVUPD	(R13)(AX*1), Y5	// w1
	VSUBPD	Y3, Y5, Y3	// lvz = w1 - (lvz)
	VMULPD	544(R15), Y2, Y2	// (ql2) = sdl * sdl1
	VSUBPD	608(R15), Y2, Y2	// (ql2) = (ql2) - bxsq
	VMULPD	Y1, Y2, Y1	// ql2 = (ql2) * itl
	VMULPD	(DX)(AX*1), Y1, Y2	// lby = ql2 * by1
	VMULPD	(SI)(AX*1), Y1, Y1	// lbz = ql2 * bz1
	VMULPD	(BX)(AX*1), Y12, Y5	// (vbstl) = s2 * bx
	VMULPD	384(R15), Y12, Y13	// (le) = s2 * ptst

	// U*R, the mirror image.
	VMULPD	Y12, Y10, Y12	// rmx = rd * s2
	VDIVPD	448(R15), Y0, Y15	// itr = 1.0 / tmpr
	VMOVAPD	Y6, 864(R15)	// spill m3
	VSUBPD	Y14, Y9, Y6	// (qr) = sdr - sdmr
	VMULPD	(BX)(AX*1), Y6, Y6	// (qr) = (qr) * bx
	VMULPD	Y15, Y6, Y6	// qr = (qr) * itr
	VMOVAPD	Y8, 896(R15)	// spill s3
	VMULPD	(R8)(AX*1), Y6, Y8	// (rvy) = qr * by2
	VMOVAPD	Y12, 928(R15)	// spill rmx
	MOVQ	72(DI), R14
	VMOVUPD	(R14)(AX*1), Y12	// v2
	VSUBPD	Y8, Y12, Y8	// rvy = v2 - (rvy)
	VMULPD	(R9)(AX*1), Y6, Y6	// (rvz) = qr * bz2
	VMOVAPD	Y1, 960(R15)	// spill lbz
	MOVQ	80(DI), R14
	VMOVUPD	(R14)(AX*1), Y1	// w2
	VSUBPD	Y6, Y1, Y6	// rvz = w2 - (rvz)
	VMULPD	Y9, Y11, Y11	// (qr2) = sdr2 * sdr
	VSUBPD	608(R15), Y11, Y11	// (qr2) = (qr2) - bxsq
	VMULPD	Y15, Y11, Y11	// qr2 = (qr2) * itr
	VMULPD	(R8)(AX*1), Y11, Y15	// rby = qr2 * by2
	VMULPD	(R9)(AX*1), Y11, Y11	// rbz = qr2 * bz2
	VMOVAPD	Y3, 992(R15)	// spill lvz
	VMULPD	Y8, Y10, Y3	// rmy = rd * rvy
	VMOVAPD	Y3, 1024(R15)	// spill rmy
	VMULPD	Y6, Y10, Y3	// rmz = rd * rvz
	VMOVAPD	Y3, 1056(R15)	// spill rmz
	VMOVUPD	(R11)(AX*1), Y3	// u2
	VMOVAPD	Y10, 1088(R15)	// spill rd
	VMULPD	(BX)(AX*1), Y3, Y10	// (vb2) = u2 * bx
	VMULPD	(R8)(AX*1), Y12, Y12	// (vb2) = v2 * by2
	VADDPD	Y12, Y10, Y10	// (vb2) = (vb2) + (vb2)
	VMULPD	(R9)(AX*1), Y1, Y12	// (vb2) = w2 * bz2
	VADDPD	Y12, Y10, Y10	// vb2 = (vb2) + (vb2)
	VMULPD	Y15, Y8, Y12	// (vbstr) = rvy * rby
	VADDPD	Y12, Y5, Y12	// (vbstr) = (vbstl) + (vbstr)
	VMULPD	Y11, Y6, Y1	// (vbstr) = rvz * rbz
	VADDPD	Y1, Y12, Y1	// vbstr = (vbstr) + (vbstr)
	VDIVPD	Y14, Y0, Y12	// isdmr = 1.0 / sdmr
	VMULPD	320(R15), Y9, Y9	// (re) = sdr * e2
	VMULPD	512(R15), Y3, Y14	// (re) = u2 * pt2
	VSUBPD	Y14, Y9, Y9	// (re) = (re) - (re)
	VADDPD	Y13, Y9, Y9	// (re) = (re) + (le)
	VSUBPD	Y1, Y10, Y13	// (re) = vb2 - vbstr
	VMULPD	(BX)(AX*1), Y13, Y13	// (re) = (re) * bx
	VADDPD	Y13, Y9, Y9	// (re) = (re) + (re)
	VMULPD	Y12, Y9, Y9	// re = (re) * isdmr

	// U** (M&K 59-63), where rot holds.
	VADDPD	576(R15), Y7, Y12	// (inv) = sqdr + sqdl
	VDIVPD	Y12, Y0, Y12	// inv = 1.0 / (inv)
	VMOVUPD	(BX)(AX*1), Y13	// bx
	VCMPPD	$0x11, 224(R15), Y13, Y14	// (sg) = bx < 0.0
	VBLENDVPD	Y14, 192(R15), Y0, Y0	// sg = (sg) ? -1.0 : 1.0
	VMULPD	576(R15), Y4, Y14	// (vy) = lvy * sqdl
	VMOVAPD	Y10, 1120(R15)	// spill vb2
	VMULPD	Y8, Y7, Y10	// (vy) = sqdr * rvy
	VADDPD	Y10, Y14, Y10	// (vy) = (vy) + (vy)
	VSUBPD	Y2, Y15, Y14	// (vy) = rby - lby
	VMULPD	Y14, Y0, Y14	// (vy) = sg * (vy)
	VADDPD	Y14, Y10, Y10	// (vy) = (vy) + (vy)
	VMULPD	Y10, Y12, Y10	// vy = inv * (vy)
	VMOVAPD	576(R15), Y14	// sqdl
	VMULPD	992(R15), Y14, Y13	// (vz) = sqdl * lvz
	VMULPD	Y6, Y7, Y3	// (vz) = sqdr * rvz
	VADDPD	Y3, Y13, Y3	// (vz) = (vz) + (vz)
	VSUBPD	960(R15), Y11, Y13	// (vz) = rbz - lbz
	VMULPD	Y13, Y0, Y13	// (vz) = sg * (vz)
	VADDPD	Y13, Y3, Y3	// (vz) = (vz) + (vz)
	VMULPD	Y3, Y12, Y3	// vz = inv * (vz)
	VMULPD	Y15, Y14, Y13	// (by) = sqdl * rby
	VMULPD	Y2, Y7, Y2	// (by) = sqdr * lby
	VADDPD	Y2, Y13, Y2	// (by) = (by) + (by)
	VMULPD	Y14, Y0, Y13	// (by) = sg * sqdl
	VMULPD	Y7, Y13, Y13	// (by) = (by) * sqdr
	VSUBPD	Y4, Y8, Y4	// (by) = rvy - lvy
	VMULPD	Y4, Y13, Y4	// (by) = (by) * (by)
	VADDPD	Y4, Y2, Y2	// (by) = (by) + (by)
	VMULPD	Y2, Y12, Y2	// by = inv * (by)
	VMULPD	Y11, Y14, Y4	// (bz) = sqdl * rbz
	VMULPD	960(R15), Y7, Y8	// (bz) = sqdr * lbz
	VADDPD	Y8, Y4, Y4	// (bz) = (bz) + (bz)
	VSUBPD	992(R15), Y6, Y6	// (bz) = rvz - lvz
	VMULPD	Y6, Y13, Y6	// (bz) = (by) * (bz)
	VADDPD	Y6, Y4, Y4	// (bz) = (bz) + (bz)
	VMULPD	Y4, Y12, Y4	// bz = inv * (bz)
	VMULPD	Y2, Y10, Y6	// (vbdst) = vy * by
	VADDPD	Y6, Y5, Y5	// (vbdst) = (vbstl) + (vbdst)
	VMULPD	Y4, Y3, Y6	// (vbdst) = vz * bz
	VADDPD	Y6, Y5, Y5	// vbdst = (vbdst) + (vbdst)
	VMULPD	1088(R15), Y10, Y6	// rdmy = vy * rd
	VMULPD	1088(R15), Y3, Y3	// rdmz = vz * rd
	VMULPD	Y0, Y7, Y0	// (rde) = sqdr * sg
	VSUBPD	Y5, Y1, Y1	// (rde) = vbstr - vbdst
	VMULPD	Y1, Y0, Y0	// (rde) = (rde) * (rde)
	VADDPD	Y0, Y9, Y0	// rde = re + (rde)

	// Mass flux: F*L and F**L (and F*R, F**R) coincide.
	MOVQ	56(DI), R14
	VMOVUPD	(R14)(AX*1), Y1	// d2
	VMULPD	(R11)(AX*1), Y1, Y5	// fr0 = d2 * u2
	VMOVAPD	1088(R15), Y7	// rd
	VSUBPD	Y1, Y7, Y7	// (OUT_f0) = rd - d2
	VMULPD	672(R15), Y7, Y7	// (OUT_f0) = (OUT_f0) * s4
	VADDPD	Y7, Y5, Y7	// OUT_f0 = fr0 + (OUT_f0)
	MOVQ	112(DI), R14
	VMOVUPD	Y7, (R14)(AX*1)	// f0 = OUT_f0

	// Normal momentum flux.
	VMULPD	(R11)(AX*1), Y5, Y7	// (fr1) = fr0 * u2
	VADDPD	512(R15), Y7, Y7	// (fr1) = (fr1) + pt2
	VSUBPD	608(R15), Y7, Y7	// fr1 = (fr1) - bxsq
	VMOVAPD	928(R15), Y8	// rmx
	VSUBPD	Y5, Y8, Y8	// (OUT_f1) = rmx - fr0
	VMULPD	672(R15), Y8, Y8	// (OUT_f1) = (OUT_f1) * s4
	VADDPD	Y8, Y7, Y7	// OUT_f1 = fr1 + (OUT_f1)
	MOVQ	120(DI), R14
	VMOVUPD	Y7, (R14)(AX*1)	// f1 = OUT_f1

	// Tangential momentum t1: F*L = FL + s0 (U*L - UL), F**L = F*L + s1 (U**L - U*L), mirrored on the right.
	MOVQ	72(DI), R14
	VMULPD	(R14)(AX*1), Y5, Y7	// (fr2) = fr0 * v2
	VMOVUPD	(BX)(AX*1), Y8	// bx
	VMULPD	(R8)(AX*1), Y8, Y10	// (fr2) = bx * by2
	VSUBPD	Y10, Y7, Y7	// fr2 = (fr2) - (fr2)
	MOVQ	72(DI), R14
	VMULPD	(R14)(AX*1), Y1, Y10	// (sr2) = d2 * v2
	VMOVAPD	1024(R15), Y12	// rmy
	VSUBPD	Y10, Y12, Y10	// (sr2) = rmy - (sr2)
	VMULPD	672(R15), Y10, Y10	// (sr2) = (sr2) * s4
	VADDPD	Y10, Y7, Y7	// sr2 = fr2 + (sr2)
	VSUBPD	Y12, Y6, Y6	// (OUT_f2) = rdmy - rmy
	VMULPD	896(R15), Y6, Y6	// (OUT_f2) = (OUT_f2) * s3
	VADDPD	Y6, Y7, Y6	// (OUT_f2) = sr2 + (OUT_f2)
	VMOVAPD	864(R15), Y10	// m3
	VBLENDVPD	Y10, Y6, Y7, Y6	// OUT_f2 = m3 ? (OUT_f2) : sr2
	MOVQ	128(DI), R14
	VMOVUPD	Y6, (R14)(AX*1)	// f2 = OUT_f2

	// Tangential momentum t2.
	MOVQ	80(DI), R14
	VMULPD	(R14)(AX*1), Y5, Y5	// (fr3) = fr0 * w2
	VMULPD	(R9)(AX*1), Y8, Y6	// (fr3) = bx * bz2
	VSUBPD	Y6, Y5, Y5	// fr3 = (fr3) - (fr3)
	MOVQ	80(DI), R14
	VMULPD	(R14)(AX*1), Y1, Y1	// (sr3) = d2 * w2
	VMOVAPD	1056(R15), Y6	// rmz
	VSUBPD	Y1, Y6, Y1	// (sr3) = rmz - (sr3)
	VMULPD	672(R15), Y1, Y1	// (sr3) = (sr3) * s4
	VADDPD	Y1, Y5, Y1	// sr3 = fr3 + (sr3)
	VSUBPD	Y6, Y3, Y3	// (OUT_f3) = rdmz - rmz
	VMULPD	896(R15), Y3, Y3	// (OUT_f3) = (OUT_f3) * s3
	VADDPD	Y3, Y1, Y3	// (OUT_f3) = sr3 + (OUT_f3)
	VBLENDVPD	Y10, Y3, Y1, Y1	// OUT_f3 = m3 ? (OUT_f3) : sr3
	MOVQ	136(DI), R14
	VMOVUPD	Y1, (R14)(AX*1)	// f3 = OUT_f3

	// Energy.
	VMOVAPD	320(R15), Y1	// e2
	VADDPD	512(R15), Y1, Y3	// (fr4) = e2 + pt2
	VMULPD	(R11)(AX*1), Y3, Y3	// (fr4) = (fr4) * u2
	VMULPD	1120(R15), Y8, Y5	// (fr4) = bx * vb2
	VSUBPD	Y5, Y3, Y3	// fr4 = (fr4) - (fr4)
	VSUBPD	Y1, Y9, Y1	// (sr4) = re - e2
	VMULPD	672(R15), Y1, Y1	// (sr4) = (sr4) * s4
	VADDPD	Y1, Y3, Y1	// sr4 = fr4 + (sr4)
	VSUBPD	Y9, Y0, Y0	// (OUT_f4) = rde - re
	VMULPD	896(R15), Y0, Y0	// (OUT_f4) = (OUT_f4) * s3
	VADDPD	Y0, Y1, Y0	// (OUT_f4) = sr4 + (OUT_f4)
	VBLENDVPD	Y10, Y0, Y1, Y0	// OUT_f4 = m3 ? (OUT_f4) : sr4
	MOVQ	144(DI), R14
	VMOVUPD	Y0, (R14)(AX*1)	// f4 = OUT_f4

	// B_t1.
	VMOVUPD	(R8)(AX*1), Y0	// by2
	VMULPD	(R11)(AX*1), Y0, Y1	// (fr5) = by2 * u2
	MOVQ	72(DI), R14
	VMULPD	(R14)(AX*1), Y8, Y3	// (fr5) = bx * v2
	VSUBPD	Y3, Y1, Y1	// fr5 = (fr5) - (fr5)
	VSUBPD	Y0, Y15, Y0	// (sr5) = rby - by2
	VMULPD	672(R15), Y0, Y0	// (sr5) = (sr5) * s4
	VADDPD	Y0, Y1, Y0	// sr5 = fr5 + (sr5)
	VSUBPD	Y15, Y2, Y1	// (OUT_f5) = by - rby
	VMULPD	896(R15), Y1, Y1	// (OUT_f5) = (OUT_f5) * s3
	VADDPD	Y1, Y0, Y1	// (OUT_f5) = sr5 + (OUT_f5)
	VBLENDVPD	Y10, Y1, Y0, Y0	// OUT_f5 = m3 ? (OUT_f5) : sr5
	MOVQ	152(DI), R14
	VMOVUPD	Y0, (R14)(AX*1)	// f5 = OUT_f5

	// B_t2.
	VMOVUPD	(R9)(AX*1), Y0	// bz2
	VMULPD	(R11)(AX*1), Y0, Y1	// (fr6) = bz2 * u2
	MOVQ	80(DI), R14
	VMULPD	(R14)(AX*1), Y8, Y2	// (fr6) = bx * w2
	VSUBPD	Y2, Y1, Y1	// fr6 = (fr6) - (fr6)
	VSUBPD	Y0, Y11, Y0	// (sr6) = rbz - bz2
	VMULPD	672(R15), Y0, Y0	// (sr6) = (sr6) * s4
	VADDPD	Y0, Y1, Y0	// sr6 = fr6 + (sr6)
	VSUBPD	Y11, Y4, Y1	// (OUT_f6) = bz - rbz
	VMULPD	896(R15), Y1, Y1	// (OUT_f6) = (OUT_f6) * s3
	VADDPD	Y1, Y0, Y1	// (OUT_f6) = sr6 + (OUT_f6)
	VBLENDVPD	Y10, Y1, Y0, Y0	// OUT_f6 = m3 ? (OUT_f6) : sr6
	MOVQ	160(DI), R14
	VMOVUPD	Y0, (R14)(AX*1)	// f6 = OUT_f6
	JMP	next

sfx_none_M:
	// Fluxes: rot none, side M.

	// U*L (M&K 43-48).
	VMULPD	480(R15), Y12, Y0	// lmx = s2 * ld
	VMOVAPD	64(R15), Y1	// 1.0
	VDIVPD	Y15, Y1, Y2	// itl = 1.0 / tmpl
	VMOVAPD	352(R15), Y5	// sdl
	VSUBPD	Y13, Y5, Y7	// (ql) = sdl - sdml
	VMULPD	(BX)(AX*1), Y7, Y7	// (ql) = (ql) * bx
	VMULPD	Y2, Y7, Y7	// ql = (ql) * itl
	VMULPD	(DX)(AX*1), Y7, Y15	// (lvy) = ql * by1
	VMOVAPD	Y4, 864(R15)	// spill m2
	VMOVUPD	(R12)(AX*1), Y4	// v1
	VSUBPD	Y15, Y4, Y15	// lvy = v1 - (lvy)
	VMULPD	(SI)(AX*1), Y7, Y7	// (lvz) = ql * bz1
	VMOVAPD	Y6, 896(R15)	// spill m3
	VMOVUPD	(R13)(AX*1), Y6	// w1
	VSUBPD	Y7, Y6, Y7	// lvz = w1 - (lvz)
	VMOVAPD	Y8, 928(R15)	// spill s3
	VMULPD	544(R15), Y5, Y8	// (ql2) = sdl * sdl1
	VSUBPD	608(R15), Y8, Y8	// (ql2) = (ql2) - bxsq
	VMULPD	Y2, Y8, Y2	// ql2 = (ql2) * itl
	VMULPD	(DX)(AX*1), Y2, Y8	// lby = ql2 * by1
	VMULPD	(SI)(AX*1), Y2, Y2	// lbz = ql2 * bz1
	VMOVAPD	Y0, 960(R15)	// spill lmx
	VMULPD	480(R15), Y15, Y0	// lmy = lvy * ld
	VMOVAPD	Y0, 992(R15)	// spill lmy
	VMULPD	480(R15), Y7, Y0	// lmz = lvz * ld
	VMOVAPD	Y0, 1024(R15)	// spill lmz
	VMOVUPD	(R10)(AX*1), Y0	// u1
	VMOVAPD	Y3, 1056(R15)	// spill m12
	VMULPD	(BX)(AX*1), Y0, Y3	// (vb1) = u1 * bx
	VMULPD	(DX)(AX*1), Y4, Y4	// (vb1) = v1 * by1
	VADDPD	Y4, Y3, Y3	// (vb1) = (vb1) + (vb1)
	VMULPD	(SI)(AX*1), Y6, Y4	// (vb1) = w1 * bz1
	VADDPD	Y4, Y3, Y3	// vb1 = (vb1) + (vb1)
	VMULPD	(BX)(AX*1), Y12, Y4	// (vbstl) = s2 * bx
	VMULPD	Y8, Y15, Y15	// (vbstl) = lvy * lby
	VADDPD	Y15, Y4, Y15	// (vbstl) = (vbstl) + (vbstl)
	VMULPD	Y2, Y7, Y7	// (vbstl) = lvz * lbz
	VADDPD	Y7, Y15, Y7	// vbstl = (vbstl) + (vbstl)
	VDIVPD	Y13, Y1, Y13	// isdml = 1.0 / sdml
	VMULPD	288(R15), Y5, Y5	// (le) = sdl * e1
	VMULPD	416(R15), Y0, Y15	// (le) = u1 * pt1
	VSUBPD	Y15, Y5, Y5	// (le) = (le) - (le)
	VMULPD	384(R15), Y12, Y15	// (le) = s2 * ptst
	VADDPD	Y15, Y5, Y5	// (le) = (le) + (le)
	VSUBPD	Y7, Y3, Y7	// (le) = vb1 - vbstl
	VMULPD	(BX)(AX*1), Y7, Y7	// (le) = (le) * bx
	VADDPD	Y7, Y5, Y5	// (le) = (le) + (le)
	VMULPD	Y13, Y5, Y5	// le = (le) * isdml

	// U*R, the mirror image.
	VMULPD	Y12, Y10, Y7	// rmx = rd * s2
	VDIVPD	448(R15), Y1, Y12	// itr = 1.0 / tmpr
	VSUBPD	Y14, Y9, Y13	// (qr) = sdr - sdmr
	VMULPD	(BX)(AX*1), Y13, Y13	// (qr) = (qr) * bx
	VMULPD	Y12, Y13, Y13	// qr = (qr) * itr
	VMOVAPD	Y2, 1088(R15)	// spill lbz
	VMULPD	(R8)(AX*1), Y13, Y2	// (rvy) = qr * by2
	VMOVAPD	Y8, 1120(R15)	// spill lby
	MOVQ	72(DI), R14
	VMOVUPD	(R14)(AX*1), Y8	// v2
	VSUBPD	Y2, Y8, Y2	// rvy = v2 - (rvy)
	VMULPD	(R9)(AX*1), Y13, Y13	// (rvz) = qr * bz2
	VMOVAPD	Y5, 1152(R15)	// spill le
	MOVQ	80(DI), R14
	VMOVUPD	(R14)(AX*1), Y5	// w2
	VSUBPD	Y13, Y5, Y13	// rvz = w2 - (rvz)
	VMULPD	Y9, Y11, Y11	// (qr2) = sdr2 * sdr
	VSUBPD	608(R15), Y11, Y11	// (qr2) = (qr2) - bxsq
	VMULPD	Y12, Y11, Y11	// qr2 = (qr2) * itr
	VMULPD	(R8)(AX*1), Y11, Y12	// rby = qr2 * by2
	VMULPD	(R9)(AX*1), Y11, Y11	// rbz = qr2 * bz2
	VMOVAPD	Y3, 1184(R15)	// spill vb1
	VMULPD	Y2, Y10, Y3	// rmy = rd * rvy
	VMULPD	Y13, Y10, Y6	// rmz = rd * rvz
	VMOVAPD	Y6, 1216(R15)	// spill rmz
	VMOVUPD	(R11)(AX*1), Y6	// u2
	VMOVAPD	Y3, 1248(R15)	// spill rmy
	VMULPD	(BX)(AX*1), Y6, Y3	// (vb2) = u2 * bx
	VMULPD	(R8)(AX*1), Y8, Y8	// (vb2) = v2 * by2
	VADDPD	Y8, Y3, Y3	// (vb2) = (vb2) + (vb2)
	VMULPD	(R9)(AX*1), Y5, Y8	// (vb2) = w2 * bz2
	VADDPD	Y8, Y3, Y3	// vb2 = (vb2) + (vb2)
	VMULPD	Y12, Y2, Y2	// (vbstr) = rvy * rby
	VADDPD	Y2, Y4, Y2	// (vbstr) = (vbstl) + (vbstr)
	VMULPD	Y11, Y13, Y4	// (vbstr) = rvz * rbz
	VADDPD	Y4, Y2, Y2	// vbstr = (vbstr) + (vbstr)
	VDIVPD	Y14, Y1, Y1	// isdmr = 1.0 / sdmr
	VMULPD	320(R15), Y9, Y4	// (re) = sdr * e2
	VMULPD	512(R15), Y6, Y8	// (re) = u2 * pt2
	VSUBPD	Y8, Y4, Y4	// (re) = (re) - (re)
	VADDPD	Y15, Y4, Y4	// (re) = (re) + (le)
	VSUBPD	Y2, Y3, Y2	// (re) = vb2 - vbstr
	VMULPD	(BX)(AX*1), Y2, Y2	// (re) = (re) * bx
	VADDPD	Y2, Y4, Y2	// (re) = (re) + (re)
	VMULPD	Y1, Y2, Y1	// re = (re) * isdmr

	// Mass flux: F*L and F**L (and F*R, F**R) coincide.
	MOVQ	0(DI), R14
	VMULPD	(R14)(AX*1), Y0, Y2	// fl0 = u1 * d1
	MOVQ	56(DI), R14
	VMULPD	(R14)(AX*1), Y6, Y4	// fr0 = u2 * d2
	VMOVAPD	480(R15), Y8	// ld
	MOVQ	0(DI), R14
	VSUBPD	(R14)(AX*1), Y8, Y8	// (OUT_f0) = ld - d1
	VMULPD	736(R15), Y8, Y8	// (OUT_f0) = (OUT_f0) * s0
	VADDPD	Y8, Y2, Y8	// (OUT_f0) = fl0 + (OUT_f0)
	MOVQ	56(DI), R14
	VSUBPD	(R14)(AX*1), Y10, Y9	// (OUT_f0) = rd - d2
	VMULPD	672(R15), Y9, Y9	// (OUT_f0) = (OUT_f0) * s4
	VADDPD	Y9, Y4, Y9	// (OUT_f0) = fr0 + (OUT_f0)
	VMOVAPD	1056(R15), Y10	// m12
	VBLENDVPD	Y10, Y8, Y9, Y8	// OUT_f0 = m12 ? (OUT_f0) : (OUT_f0)
	MOVQ	112(DI), R14
	VMOVUPD	Y8, (R14)(AX*1)	// f0 = OUT_f0

	// Normal momentum flux.
	VMULPD	Y0, Y2, Y8	// (fl1) = fl0 * u1
	VADDPD	416(R15), Y8, Y8	// (fl1) = (fl1) + pt1
	VSUBPD	608(R15), Y8, Y8	// fl1 = (fl1) - bxsq
	VMULPD	Y6, Y4, Y9	// (fr1) = fr0 * u2
	VADDPD	512(R15), Y9, Y9	// (fr1) = (fr1) + pt2
	VSUBPD	608(R15), Y9, Y9	// fr1 = (fr1) - bxsq
	VMOVAPD	960(R15), Y13	// lmx
	VSUBPD	Y2, Y13, Y13	// (OUT_f1) = lmx - fl0
	VMULPD	736(R15), Y13, Y13	// (OUT_f1) = (OUT_f1) * s0
	VADDPD	Y13, Y8, Y8	// (OUT_f1) = fl1 + (OUT_f1)
	VSUBPD	Y4, Y7, Y7	// (OUT_f1) = rmx - fr0
	VMULPD	672(R15), Y7, Y7	// (OUT_f1) = (OUT_f1) * s4
	VADDPD	Y7, Y9, Y7	// (OUT_f1) = fr1 + (OUT_f1)
	VBLENDVPD	Y10, Y8, Y7, Y7	// OUT_f1 = m12 ? (OUT_f1) : (OUT_f1)
	MOVQ	120(DI), R14
	VMOVUPD	Y7, (R14)(AX*1)	// f1 = OUT_f1

	// Tangential momentum t1: F*L = FL + s0 (U*L - UL), F**L = F*L + s1 (U**L - U*L), mirrored on the right.
	VMULPD	(R12)(AX*1), Y2, Y7	// (fl2) = fl0 * v1
	VMOVUPD	(BX)(AX*1), Y8	// bx
	VMULPD	(DX)(AX*1), Y8, Y9	// (fl2) = bx * by1
	VSUBPD	Y9, Y7, Y7	// fl2 = (fl2) - (fl2)
	MOVQ	72(DI), R14
	VMULPD	(R14)(AX*1), Y4, Y9	// (fr2) = fr0 * v2
	VMULPD	(R8)(AX*1), Y8, Y10	// (fr2) = bx * by2
	VSUBPD	Y10, Y9, Y9	// fr2 = (fr2) - (fr2)
	MOVQ	0(DI), R14
	VMOVUPD	(R14)(AX*1), Y10	// d1
	VMULPD	(R12)(AX*1), Y10, Y13	// (sl2) = d1 * v1
	VMOVAPD	992(R15), Y14	// lmy
	VSUBPD	Y13, Y14, Y13	// (sl2) = lmy - (sl2)
	VMULPD	736(R15), Y13, Y13	// (sl2) = (sl2) * s0
	VADDPD	Y13, Y7, Y7	// sl2 = fl2 + (sl2)
	MOVQ	56(DI), R14
	VMOVUPD	(R14)(AX*1), Y13	// d2
	MOVQ	72(DI), R14
	VMULPD	(R14)(AX*1), Y13, Y15	// (sr2) = d2 * v2
	VMOVAPD	Y11, 1056(R15)	// spill rbz
	VMOVAPD	1248(R15), Y11	// rmy
	VSUBPD	Y15, Y11, Y15	// (sr2) = rmy - (sr2)
	VMULPD	672(R15), Y15, Y15	// (sr2) = (sr2) * s4
	VADDPD	Y15, Y9, Y9	// sr2 = fr2 + (sr2)
	VSUBPD	Y14, Y14, Y14	// (OUT_f2) = lmy - lmy
	VMULPD	704(R15), Y14, Y14	// (OUT_f2) = (OUT_f2) * s1
	VADDPD	Y14, Y7, Y14	// (OUT_f2) = sl2 + (OUT_f2)
	VSUBPD	Y11, Y11, Y11	// (OUT_f2) = rmy - rmy
	VMULPD	928(R15), Y11, Y11	// (OUT_f2) = (OUT_f2) * s3
	VADDPD	Y11, Y9, Y11	// (OUT_f2) = sr2 + (OUT_f2)
	VMOVAPD	896(R15), Y15	// m3
	VBLENDVPD	Y15, Y11, Y9, Y9	// (OUT_f2) = m3 ? (OUT_f2) : sr2
	VMOVAPD	864(R15), Y11	// m2
	VBLENDVPD	Y11, Y14, Y9, Y9	// (OUT_f2) = m2 ? (OUT_f2) : (OUT_f2)
	VMOVAPD	768(R15), Y14	// m1
	VBLENDVPD	Y14, Y7, Y9, Y7	// OUT_f2 = m1 ? sl2 : (OUT_f2)
	MOVQ	128(DI), R14
	VMOVUPD	Y7, (R14)(AX*1)	// f2 = OUT_f2

	// Tangential momentum t2.
	VMULPD	(R13)(AX*1), Y2, Y2	// (fl3) = fl0 * w1
	VMULPD	(SI)(AX*1), Y8, Y7	// (fl3) = bx * bz1
	VSUBPD	Y7, Y2, Y2	// fl3 = (fl3) - (fl3)
	VMULPD	Y5, Y4, Y4	// (fr3) = fr0 * w2
	VMULPD	(R9)(AX*1), Y8, Y7	// (fr3) = bx * bz2
	VSUBPD	Y7, Y4, Y4	// fr3 = (fr3) - (fr3)
	VMULPD	(R13)(AX*1), Y10, Y7	// (sl3) = d1 * w1
	VMOVAPD	1024(R15), Y9	// lmz
	VSUBPD	Y7, Y9, Y7	// (sl3) = lmz - (sl3)
	VMULPD	736(R15), Y7, Y7	// (sl3) = (sl3) * s0
	VADDPD	Y7, Y2, Y2	// sl3 = fl3 + (sl3)
	VMULPD	Y5, Y13, Y7	// (sr3) = d2 * w2
	VMOVAPD	1216(R15), Y10	// rmz
	VSUBPD	Y7, Y10, Y7	// (sr3) = rmz - (sr3)
	VMULPD	672(R15), Y7, Y7	// (sr3) = (sr3) * s4
	VADDPD	Y7, Y4, Y4	// sr3 = fr3 + (sr3)
	VSUBPD	Y9, Y9, Y7	// (OUT_f3) = lmz - lmz
	VMULPD	704(R15), Y7, Y7	// (OUT_f3) = (OUT_f3) * s1
	VADDPD	Y7, Y2, Y7	// (OUT_f3) = sl3 + (OUT_f3)
	VSUBPD	Y10, Y10, Y9	// (OUT_f3) = rmz - rmz
	VMULPD	928(R15), Y9, Y9	// (OUT_f3) = (OUT_f3) * s3
	VADDPD	Y9, Y4, Y9	// (OUT_f3) = sr3 + (OUT_f3)
	VBLENDVPD	Y15, Y9, Y4, Y4	// (OUT_f3) = m3 ? (OUT_f3) : sr3
	VBLENDVPD	Y11, Y7, Y4, Y4	// (OUT_f3) = m2 ? (OUT_f3) : (OUT_f3)
	VBLENDVPD	Y14, Y2, Y4, Y2	// OUT_f3 = m1 ? sl3 : (OUT_f3)
	MOVQ	136(DI), R14
	VMOVUPD	Y2, (R14)(AX*1)	// f3 = OUT_f3

	// Energy.
	VMOVAPD	288(R15), Y2	// e1
	VADDPD	416(R15), Y2, Y4	// (fl4) = e1 + pt1
	VMULPD	Y0, Y4, Y4	// (fl4) = (fl4) * u1
	VMULPD	1184(R15), Y8, Y7	// (fl4) = bx * vb1
	VSUBPD	Y7, Y4, Y4	// fl4 = (fl4) - (fl4)
	VMOVAPD	320(R15), Y7	// e2
	VADDPD	512(R15), Y7, Y9	// (fr4) = e2 + pt2
	VMULPD	Y6, Y9, Y9	// (fr4) = (fr4) * u2
	VMULPD	Y3, Y8, Y3	// (fr4) = bx * vb2
	VSUBPD	Y3, Y9, Y3	// fr4 = (fr4) - (fr4)
	VMOVAPD	1152(R15), Y9	// le
	VSUBPD	Y2, Y9, Y2	// (sl4) = le - e1
	VMULPD	736(R15), Y2, Y2	// (sl4) = (sl4) * s0
	VADDPD	Y2, Y4, Y2	// sl4 = fl4 + (sl4)
	VSUBPD	Y7, Y1, Y4	// (sr4) = re - e2
	VMULPD	672(R15), Y4, Y4	// (sr4) = (sr4) * s4
	VADDPD	Y4, Y3, Y3	// sr4 = fr4 + (sr4)
	VSUBPD	Y9, Y9, Y4	// (OUT_f4) = le - le
	VMULPD	704(R15), Y4, Y4	// (OUT_f4) = (OUT_f4) * s1
	VADDPD	Y4, Y2, Y4	// (OUT_f4) = sl4 + (OUT_f4)
	VSUBPD	Y1, Y1, Y1	// (OUT_f4) = re - re
	VMULPD	928(R15), Y1, Y1	// (OUT_f4) = (OUT_f4) * s3
	VADDPD	Y1, Y3, Y1	// (OUT_f4) = sr4 + (OUT_f4)
	VBLENDVPD	Y15, Y1, Y3, Y1	// (OUT_f4) = m3 ? (OUT_f4) : sr4
	VBLENDVPD	Y11, Y4, Y1, Y1	// (OUT_f4) = m2 ? (OUT_f4) : (OUT_f4)
	VBLENDVPD	Y14, Y2, Y1, Y1	// OUT_f4 = m1 ? sl4 : (OUT_f4)
	MOVQ	144(DI), R14
	VMOVUPD	Y1, (R14)(AX*1)	// f4 = OUT_f4

	// B_t1.
	VMULPD	(DX)(AX*1), Y0, Y1	// (fl5) = u1 * by1
	VMULPD	(R12)(AX*1), Y8, Y2	// (fl5) = bx * v1
	VSUBPD	Y2, Y1, Y1	// fl5 = (fl5) - (fl5)
	VMULPD	(R8)(AX*1), Y6, Y2	// (fr5) = u2 * by2
	MOVQ	72(DI), R14
	VMULPD	(R14)(AX*1), Y8, Y3	// (fr5) = bx * v2
	VSUBPD	Y3, Y2, Y2	// fr5 = (fr5) - (fr5)
	VMOVAPD	1120(R15), Y3	// lby
	VSUBPD	(DX)(AX*1), Y3, Y4	// (sl5) = lby - by1
	VMULPD	736(R15), Y4, Y4	// (sl5) = (sl5) * s0
	VADDPD	Y4, Y1, Y1	// sl5 = fl5 + (sl5)
	VSUBPD	(R8)(AX*1), Y12, Y4	// (sr5) = rby - by2
	VMULPD	672(R15), Y4, Y4	// (sr5) = (sr5) * s4
	VADDPD	Y4, Y2, Y2	// sr5 = fr5 + (sr5)
	VSUBPD	Y3, Y3, Y3	// (OUT_f5) = lby - lby
	VMULPD	704(R15), Y3, Y3	// (OUT_f5) = (OUT_f5) * s1
	VADDPD	Y3, Y1, Y3	// (OUT_f5) = sl5 + (OUT_f5)
	VSUBPD	Y12, Y12, Y4	// (OUT_f5) = rby - rby
	VMULPD	928(R15), Y4, Y4	// (OUT_f5) = (OUT_f5) * s3
	VADDPD	Y4, Y2, Y4	// (OUT_f5) = sr5 + (OUT_f5)
	VBLENDVPD	Y15, Y4, Y2, Y2	// (OUT_f5) = m3 ? (OUT_f5) : sr5
	VBLENDVPD	Y11, Y3, Y2, Y2	// (OUT_f5) = m2 ? (OUT_f5) : (OUT_f5)
	VBLENDVPD	Y14, Y1, Y2, Y1	// OUT_f5 = m1 ? sl5 : (OUT_f5)
	MOVQ	152(DI), R14
	VMOVUPD	Y1, (R14)(AX*1)	// f5 = OUT_f5

	// B_t2.
	VMULPD	(SI)(AX*1), Y0, Y0	// (fl6) = u1 * bz1
	VMULPD	(R13)(AX*1), Y8, Y1	// (fl6) = bx * w1
	VSUBPD	Y1, Y0, Y0	// fl6 = (fl6) - (fl6)
	VMULPD	(R9)(AX*1), Y6, Y1	// (fr6) = u2 * bz2
	VMULPD	Y5, Y8, Y2	// (fr6) = bx * w2
	VSUBPD	Y2, Y1, Y1	// fr6 = (fr6) - (fr6)
	VMOVAPD	1088(R15), Y2	// lbz
	VSUBPD	(SI)(AX*1), Y2, Y3	// (sl6) = lbz - bz1
	VMULPD	736(R15), Y3, Y3	// (sl6) = (sl6) * s0
	VADDPD	Y3, Y0, Y0	// sl6 = fl6 + (sl6)
	VMOVAPD	1056(R15), Y3	// rbz
	VSUBPD	(R9)(AX*1), Y3, Y4	// (sr6) = rbz - bz2
	VMULPD	672(R15), Y4, Y4	// (sr6) = (sr6) * s4
	VADDPD	Y4, Y1, Y1	// sr6 = fr6 + (sr6)
	VSUBPD	Y2, Y2, Y2	// (OUT_f6) = lbz - lbz
	VMULPD	704(R15), Y2, Y2	// (OUT_f6) = (OUT_f6) * s1
	VADDPD	Y2, Y0, Y2	// (OUT_f6) = sl6 + (OUT_f6)
	VSUBPD	Y3, Y3, Y3	// (OUT_f6) = rbz - rbz
	VMULPD	928(R15), Y3, Y3	// (OUT_f6) = (OUT_f6) * s3
	VADDPD	Y3, Y1, Y3	// (OUT_f6) = sr6 + (OUT_f6)
	VBLENDVPD	Y15, Y3, Y1, Y1	// (OUT_f6) = m3 ? (OUT_f6) : sr6
	VBLENDVPD	Y11, Y2, Y1, Y1	// (OUT_f6) = m2 ? (OUT_f6) : (OUT_f6)
	VBLENDVPD	Y14, Y0, Y1, Y0	// OUT_f6 = m1 ? sl6 : (OUT_f6)
	MOVQ	160(DI), R14
	VMOVUPD	Y0, (R14)(AX*1)	// f6 = OUT_f6
	JMP	next

sfx_none_L:
	// Fluxes: rot none, side L.

	// U*L (M&K 43-48).
	VMULPD	480(R15), Y12, Y0	// lmx = s2 * ld
	VMOVAPD	64(R15), Y1	// 1.0
	VDIVPD	Y15, Y1, Y2	// itl = 1.0 / tmpl
	VMOVAPD	352(R15), Y3	// sdl
	VSUBPD	Y13, Y3, Y4	// (ql) = sdl - sdml
	VMULPD	(BX)(AX*1), Y4, Y4	// (ql) = (ql) * bx
	VMULPD	Y2, Y4, Y4	// ql = (ql) * itl
	VMULPD	(DX)(AX*1), Y4, Y5	// (lvy) = ql * by1
	VMOVUPD	(R12)(AX*1), Y6	// v1
	VSUBPD	Y5, Y6, Y5	// lvy = v1 - (lvy)
	VMULPD	(SI)(AX*1), Y4, Y4	// (lvz) = ql * bz1
	VMOVUPD	(R13)(AX*1), Y7	// w1
	VSUBPD	Y4, Y7, Y4	// lvz = w1 - (lvz)
	VMULPD	544(R15), Y3, Y8	// (ql2) = sdl * sdl1
	VSUBPD	608(R15), Y8, Y8	// (ql2) = (ql2) - bxsq
	VMULPD	Y2, Y8, Y2	// ql2 = (ql2) * itl
	VMULPD	(DX)(AX*1), Y2, Y8	// lby = ql2 * by1
	VMULPD	(SI)(AX*1), Y2, Y2	// lbz = ql2 * bz1
	VMULPD	480(R15), Y5, Y9	// lmy = lvy * ld
	VMULPD	480(R15), Y4, Y10	// lmz = lvz * ld
	VMOVUPD	(R10)(AX*1), Y11	// u1
	VMULPD	(BX)(AX*1), Y11, Y14	// (vb1) = u1 * bx
	VMULPD	(DX)(AX*1), Y6, Y15	// (vb1) = v1 * by1
	VADDPD	Y15, Y14, Y14	// (vb1) = (vb1) + (vb1)
	VMULPD	(SI)(AX*1), Y7, Y15	// (vb1) = w1 * bz1
	VADDPD	Y15, Y14, Y14	// vb1 = (vb1) + (vb1)
	VMULPD	(BX)(AX*1), Y12, Y15	// (vbstl) = s2 * bx
	VMULPD	Y8, Y5, Y5	// (vbstl) = lvy * lby
	VADDPD	Y5, Y15, Y5	// (vbstl) = (vbstl) + (vbstl)
	VMULPD	Y2, Y4, Y4	// (vbstl) = lvz * lbz
	VADDPD	Y4, Y5, Y4	// vbstl = (vbstl) + (vbstl)
	VDIVPD	Y13, Y1, Y1	// isdml = 1.0 / sdml
	VMULPD	288(R15), Y3, Y3	// (le) = sdl * e1
	VMULPD	416(R15), Y11, Y5	// (le) = u1 * pt1
	VSUBPD	Y5, Y3, Y3	// (le) = (le) - (le)
	VMULPD	384(R15), Y12, Y5	// (le) = s2 * ptst
	VADDPD	Y5, Y3, Y3	// (le) = (le) + (le)
	VSUBPD	Y4, Y14, Y4	// (le) = vb1 - vbstl
	VMULPD	(BX)(AX*1), Y4, Y4	// (le) = (le) * bx
	VADDPD	Y4, Y3, Y3	// (le) = (le) + (le)
	VMULPD	Y1, Y3, Y1	// le = (le) * isdml

	// Mass flux: F*L and F**L (and F*R, F**R) coincide.
	MOVQ	0(DI), R14
	VMULPD	(R14)(AX*1), Y11, Y3	// fl0 = u1 * d1
	VMOVAPD	480(R15), Y4	// ld
	MOVQ	0(DI), R14
	VSUBPD	(R14)(AX*1), Y4, Y4	// (OUT_f0) = ld - d1
	VMULPD	736(R15), Y4, Y4	// (OUT_f0) = (OUT_f0) * s0
	VADDPD	Y4, Y3, Y4	// OUT_f0 = fl0 + (OUT_f0)
	MOVQ	112(DI), R14
	VMOVUPD	Y4, (R14)(AX*1)	// f0 = OUT_f0

	// Normal momentum flux.
	VMULPD	Y11, Y3, Y4	// (fl1) = fl0 * u1
	VADDPD	416(R15), Y4, Y4	// (fl1) = (fl1) + pt1
	VSUBPD	608(R15), Y4, Y4	// fl1 = (fl1) - bxsq
	VSUBPD	Y3, Y0, Y0	// (OUT_f1) = lmx - fl0
	VMULPD	736(R15), Y0, Y0	// (OUT_f1) = (OUT_f1) * s0
	VADDPD	Y0, Y4, Y0	// OUT_f1 = fl1 + (OUT_f1)
	MOVQ	120(DI), R14
	VMOVUPD	Y0, (R14)(AX*1)	// f1 = OUT_f1

	// Tangential momentum t1: F*L = FL + s0 (U*L - UL), F**L = F*L + s1 (U**L - U*L), mirrored on the right.
	VMULPD	Y6, Y3, Y0	// (fl2) = fl0 * v1
	VMOVUPD	(BX)(AX*1), Y4	// bx
	VMULPD	(DX)(AX*1), Y4, Y5	// (fl2) = bx * by1
	VSUBPD	Y5, Y0, Y0	// fl2 = (fl2) - (fl2)
	MOVQ	0(DI), R14
	VMULPD	(R14)(AX*1), Y6, Y5	// (sl2) = v1 * d1
	VSUBPD	Y5, Y9, Y5	// (sl2) = lmy - (sl2)
	VMULPD	736(R15), Y5, Y5	// (sl2) = (sl2) * s0
	VADDPD	Y5, Y0, Y0	// sl2 = fl2 + (sl2)
	VSUBPD	Y9, Y9, Y5	// (OUT_f2) = lmy - lmy
	VMULPD	704(R15), Y5, Y5	// (OUT_f2) = (OUT_f2) * s1
	VADDPD	Y5, Y0, Y5	// (OUT_f2) = sl2 + (OUT_f2)
	VMOVAPD	768(R15), Y9	// m1
	VBLENDVPD	Y9, Y0, Y5, Y0	// OUT_f2 = m1 ? sl2 : (OUT_f2)
	MOVQ	128(DI), R14
	VMOVUPD	Y0, (R14)(AX*1)	// f2 = OUT_f2

	// Tangential momentum t2.
	VMULPD	Y7, Y3, Y0	// (fl3) = fl0 * w1
	VMULPD	(SI)(AX*1), Y4, Y3	// (fl3) = bx * bz1
	VSUBPD	Y3, Y0, Y0	// fl3 = (fl3) - (fl3)
	MOVQ	0(DI), R14
	VMULPD	(R14)(AX*1), Y7, Y3	// (sl3) = w1 * d1
	VSUBPD	Y3, Y10, Y3	// (sl3) = lmz - (sl3)
	VMULPD	736(R15), Y3, Y3	// (sl3) = (sl3) * s0
	VADDPD	Y3, Y0, Y0	// sl3 = fl3 + (sl3)
	VSUBPD	Y10, Y10, Y3	// (OUT_f3) = lmz - lmz
	VMULPD	704(R15), Y3, Y3	// (OUT_f3) = (OUT_f3) * s1
	VADDPD	Y3, Y0, Y3	// (OUT_f3) = sl3 + (OUT_f3)
	VBLENDVPD	Y9, Y0, Y3, Y0	// OUT_f3 = m1 ? sl3 : (OUT_f3)
	MOVQ	136(DI), R14
	VMOVUPD	Y0, (R14)(AX*1)	// f3 = OUT_f3

	// Energy.
	VMOVAPD	288(R15), Y0	// e1
	VADDPD	416(R15), Y0, Y3	// (fl4) = e1 + pt1
	VMULPD	Y11, Y3, Y3	// (fl4) = (fl4) * u1
	VMULPD	Y14, Y4, Y5	// (fl4) = bx * vb1
	VSUBPD	Y5, Y3, Y3	// fl4 = (fl4) - (fl4)
	VSUBPD	Y0, Y1, Y0	// (sl4) = le - e1
	VMULPD	736(R15), Y0, Y0	// (sl4) = (sl4) * s0
	VADDPD	Y0, Y3, Y0	// sl4 = fl4 + (sl4)
	VSUBPD	Y1, Y1, Y1	// (OUT_f4) = le - le
	VMULPD	704(R15), Y1, Y1	// (OUT_f4) = (OUT_f4) * s1
	VADDPD	Y1, Y0, Y1	// (OUT_f4) = sl4 + (OUT_f4)
	VBLENDVPD	Y9, Y0, Y1, Y0	// OUT_f4 = m1 ? sl4 : (OUT_f4)
	MOVQ	144(DI), R14
	VMOVUPD	Y0, (R14)(AX*1)	// f4 = OUT_f4

	// B_t1.
	VMULPD	(DX)(AX*1), Y11, Y0	// (fl5) = u1 * by1
	VMULPD	Y6, Y4, Y1	// (fl5) = bx * v1
	VSUBPD	Y1, Y0, Y0	// fl5 = (fl5) - (fl5)
	VSUBPD	(DX)(AX*1), Y8, Y1	// (sl5) = lby - by1
	VMULPD	736(R15), Y1, Y1	// (sl5) = (sl5) * s0
	VADDPD	Y1, Y0, Y0	// sl5 = fl5 + (sl5)
	VSUBPD	Y8, Y8, Y1	// (OUT_f5) = lby - lby
	VMULPD	704(R15), Y1, Y1	// (OUT_f5) = (OUT_f5) * s1
	VADDPD	Y1, Y0, Y1	// (OUT_f5) = sl5 + (OUT_f5)
	VBLENDVPD	Y9, Y0, Y1, Y0	// OUT_f5 = m1 ? sl5 : (OUT_f5)
	MOVQ	152(DI), R14
	VMOVUPD	Y0, (R14)(AX*1)	// f5 = OUT_f5

	// B_t2.
	VMULPD	(SI)(AX*1), Y11, Y0	// (fl6) = u1 * bz1
	VMULPD	Y7, Y4, Y1	// (fl6) = bx * w1
	VSUBPD	Y1, Y0, Y0	// fl6 = (fl6) - (fl6)
	VSUBPD	(SI)(AX*1), Y2, Y1	// (sl6) = lbz - bz1
	VMULPD	736(R15), Y1, Y1	// (sl6) = (sl6) * s0
	VADDPD	Y1, Y0, Y0	// sl6 = fl6 + (sl6)
	VSUBPD	Y2, Y2, Y1	// (OUT_f6) = lbz - lbz
	VMULPD	704(R15), Y1, Y1	// (OUT_f6) = (OUT_f6) * s1
	VADDPD	Y1, Y0, Y1	// (OUT_f6) = sl6 + (OUT_f6)
	VBLENDVPD	Y9, Y0, Y1, Y0	// OUT_f6 = m1 ? sl6 : (OUT_f6)
	MOVQ	160(DI), R14
	VMOVUPD	Y0, (R14)(AX*1)	// f6 = OUT_f6
	JMP	next

sfx_none_R:
	// Fluxes: rot none, side R.

	// U*L (M&K 43-48).
	VMULPD	(BX)(AX*1), Y12, Y0	// (vbstl) = s2 * bx
	VMULPD	384(R15), Y12, Y1	// (le) = s2 * ptst

	// U*R, the mirror image.
	VMULPD	Y12, Y10, Y2	// rmx = rd * s2
	VMOVAPD	64(R15), Y3	// 1.0
	VDIVPD	448(R15), Y3, Y4	// itr = 1.0 / tmpr
	VSUBPD	Y14, Y9, Y5	// (qr) = sdr - sdmr
	VMULPD	(BX)(AX*1), Y5, Y5	// (qr) = (qr) * bx
	VMULPD	Y4, Y5, Y5	// qr = (qr) * itr
	VMULPD	(R8)(AX*1), Y5, Y7	// (rvy) = qr * by2
	MOVQ	72(DI), R14
	VMOVUPD	(R14)(AX*1), Y12	// v2
	VSUBPD	Y7, Y12, Y7	// rvy = v2 - (rvy)
	VMULPD	(R9)(AX*1), Y5, Y5	// (rvz) = qr * bz2
	MOVQ	80(DI), R14
	VMOVUPD	(R14)(AX*1), Y13	// w2
	VSUBPD	Y5, Y13, Y5	// rvz = w2 - (rvz)
	VMULPD	Y9, Y11, Y11	// (qr2) = sdr2 * sdr
	VSUBPD	608(R15), Y11, Y11	// (qr2) = (qr2) - bxsq
	VMULPD	Y4, Y11, Y4	// qr2 = (qr2) * itr
	VMULPD	(R8)(AX*1), Y4, Y11	// rby = qr2 * by2
	VMULPD	(R9)(AX*1), Y4, Y4	// rbz = qr2 * bz2
	VMULPD	Y7, Y10, Y15	// rmy = rd * rvy
	VMOVAPD	Y6, 864(R15)	// spill m3
	VMULPD	Y5, Y10, Y6	// rmz = rd * rvz
	VMOVAPD	Y6, 896(R15)	// spill rmz
	VMOVUPD	(R11)(AX*1), Y6	// u2
	VMOVAPD	Y8, 928(R15)	// spill s3
	VMULPD	(BX)(AX*1), Y6, Y8	// (vb2) = u2 * bx
	VMOVAPD	Y15, 960(R15)	// spill rmy
	VMULPD	(R8)(AX*1), Y12, Y15	// (vb2) = v2 * by2
	VADDPD	Y15, Y8, Y8	// (vb2) = (vb2) + (vb2)
	VMULPD	(R9)(AX*1), Y13, Y15	// (vb2) = w2 * bz2
	VADDPD	Y15, Y8, Y8	// vb2 = (vb2) + (vb2)
	VMULPD	Y11, Y7, Y7	// (vbstr) = rvy * rby
	VADDPD	Y7, Y0, Y0	// (vbstr) = (vbstl) + (vbstr)
	VMULPD	Y4, Y5, Y5	// (vbstr) = rvz * rbz
	VADDPD	Y5, Y0, Y0	// vbstr = (vbstr) + (vbstr)
	VDIVPD	Y14, Y3, Y3	// isdmr = 1.0 / sdmr
	VMULPD	320(R15), Y9, Y5	// (re) = sdr * e2
	VMULPD	512(R15), Y6, Y7	// (re) = u2 * pt2
	VSUBPD	Y7, Y5, Y5	// (re) = (re) - (re)
	VADDPD	Y1, Y5, Y1	// (re) = (re) + (le)
	VSUBPD	Y0, Y8, Y0	// (re) = vb2 - vbstr
	VMULPD	(BX)(AX*1), Y0, Y0	// (re) = (re) * bx
	VADDPD	Y0, Y1, Y0	// (re) = (re) + (re)
	VMULPD	Y3, Y0, Y0	// re = (re) * isdmr

	// Mass flux: F*L and F**L (and F*R, F**R) coincide.
	MOVQ	56(DI), R14
	VMULPD	(R14)(AX*1), Y6, Y1	// fr0 = u2 * d2
	MOVQ	56(DI), R14
	VSUBPD	(R14)(AX*1), Y10, Y3	// (OUT_f0) = rd - d2
	VMULPD	672(R15), Y3, Y3	// (OUT_f0) = (OUT_f0) * s4
	VADDPD	Y3, Y1, Y3	// OUT_f0 = fr0 + (OUT_f0)
	MOVQ	112(DI), R14
	VMOVUPD	Y3, (R14)(AX*1)	// f0 = OUT_f0

	// Normal momentum flux.
	VMULPD	Y6, Y1, Y3	// (fr1) = fr0 * u2
	VADDPD	512(R15), Y3, Y3	// (fr1) = (fr1) + pt2
	VSUBPD	608(R15), Y3, Y3	// fr1 = (fr1) - bxsq
	VSUBPD	Y1, Y2, Y2	// (OUT_f1) = rmx - fr0
	VMULPD	672(R15), Y2, Y2	// (OUT_f1) = (OUT_f1) * s4
	VADDPD	Y2, Y3, Y2	// OUT_f1 = fr1 + (OUT_f1)
	MOVQ	120(DI), R14
	VMOVUPD	Y2, (R14)(AX*1)	// f1 = OUT_f1

	// Tangential momentum t1: F*L = FL + s0 (U*L - UL), F**L = F*L + s1 (U**L - U*L), mirrored on the right.
	VMULPD	Y12, Y1, Y2	// (fr2) = fr0 * v2
	VMOVUPD	(BX)(AX*1), Y3	// bx
	VMULPD	(R8)(AX*1), Y3, Y5	// (fr2) = bx * by2
	VSUBPD	Y5, Y2, Y2	// fr2 = (fr2) - (fr2)
	MOVQ	56(DI), R14
	VMULPD	(R14)(AX*1), Y12, Y5	// (sr2) = v2 * d2
	VMOVAPD	960(R15), Y7	// rmy
	VSUBPD	Y5, Y7, Y5	// (sr2) = rmy - (sr2)
	VMULPD	672(R15), Y5, Y5	// (sr2) = (sr2) * s4
	VADDPD	Y5, Y2, Y2	// sr2 = fr2 + (sr2)
	VSUBPD	Y7, Y7, Y5	// (OUT_f2) = rmy - rmy
	VMULPD	928(R15), Y5, Y5	// (OUT_f2) = (OUT_f2) * s3
	VADDPD	Y5, Y2, Y5	// (OUT_f2) = sr2 + (OUT_f2)
	VMOVAPD	864(R15), Y7	// m3
	VBLENDVPD	Y7, Y5, Y2, Y2	// OUT_f2 = m3 ? (OUT_f2) : sr2
	MOVQ	128(DI), R14
	VMOVUPD	Y2, (R14)(AX*1)	// f2 = OUT_f2

	// Tangential momentum t2.
	VMULPD	Y13, Y1, Y1	// (fr3) = fr0 * w2
	VMULPD	(R9)(AX*1), Y3, Y2	// (fr3) = bx * bz2
	VSUBPD	Y2, Y1, Y1	// fr3 = (fr3) - (fr3)
	MOVQ	56(DI), R14
	VMULPD	(R14)(AX*1), Y13, Y2	// (sr3) = w2 * d2
	VMOVAPD	896(R15), Y5	// rmz
	VSUBPD	Y2, Y5, Y2	// (sr3) = rmz - (sr3)
	VMULPD	672(R15), Y2, Y2	// (sr3) = (sr3) * s4
	VADDPD	Y2, Y1, Y1	// sr3 = fr3 + (sr3)
	VSUBPD	Y5, Y5, Y2	// (OUT_f3) = rmz - rmz
	VMULPD	928(R15), Y2, Y2	// (OUT_f3) = (OUT_f3) * s3
	VADDPD	Y2, Y1, Y2	// (OUT_f3) = sr3 + (OUT_f3)
	VBLENDVPD	Y7, Y2, Y1, Y1	// OUT_f3 = m3 ? (OUT_f3) : sr3
	MOVQ	136(DI), R14
	VMOVUPD	Y1, (R14)(AX*1)	// f3 = OUT_f3

	// Energy.
	VMOVAPD	320(R15), Y1	// e2
	VADDPD	512(R15), Y1, Y2	// (fr4) = e2 + pt2
	VMULPD	Y6, Y2, Y2	// (fr4) = (fr4) * u2
	VMULPD	Y8, Y3, Y5	// (fr4) = bx * vb2
	VSUBPD	Y5, Y2, Y2	// fr4 = (fr4) - (fr4)
	VSUBPD	Y1, Y0, Y1	// (sr4) = re - e2
	VMULPD	672(R15), Y1, Y1	// (sr4) = (sr4) * s4
	VADDPD	Y1, Y2, Y1	// sr4 = fr4 + (sr4)
	VSUBPD	Y0, Y0, Y0	// (OUT_f4) = re - re
	VMULPD	928(R15), Y0, Y0	// (OUT_f4) = (OUT_f4) * s3
	VADDPD	Y0, Y1, Y0	// (OUT_f4) = sr4 + (OUT_f4)
	VBLENDVPD	Y7, Y0, Y1, Y0	// OUT_f4 = m3 ? (OUT_f4) : sr4
	MOVQ	144(DI), R14
	VMOVUPD	Y0, (R14)(AX*1)	// f4 = OUT_f4

	// B_t1.
	VMULPD	(R8)(AX*1), Y6, Y0	// (fr5) = u2 * by2
	VMULPD	Y12, Y3, Y1	// (fr5) = bx * v2
	VSUBPD	Y1, Y0, Y0	// fr5 = (fr5) - (fr5)
	VSUBPD	(R8)(AX*1), Y11, Y1	// (sr5) = rby - by2
	VMULPD	672(R15), Y1, Y1	// (sr5) = (sr5) * s4
	VADDPD	Y1, Y0, Y0	// sr5 = fr5 + (sr5)
	VSUBPD	Y11, Y11, Y1	// (OUT_f5) = rby - rby
	VMULPD	928(R15), Y1, Y1	// (OUT_f5) = (OUT_f5) * s3
	VADDPD	Y1, Y0, Y1	// (OUT_f5) = sr5 + (OUT_f5)
	VBLENDVPD	Y7, Y1, Y0, Y0	// OUT_f5 = m3 ? (OUT_f5) : sr5
	MOVQ	152(DI), R14
	VMOVUPD	Y0, (R14)(AX*1)	// f5 = OUT_f5

	// B_t2.
	VMULPD	(R9)(AX*1), Y6, Y0	// (fr6) = u2 * bz2
	VMULPD	Y13, Y3, Y1	// (fr6) = bx * w2
	VSUBPD	Y1, Y0, Y0	// fr6 = (fr6) - (fr6)
	VSUBPD	(R9)(AX*1), Y4, Y1	// (sr6) = rbz - bz2
	VMULPD	672(R15), Y1, Y1	// (sr6) = (sr6) * s4
	VADDPD	Y1, Y0, Y0	// sr6 = fr6 + (sr6)
	VSUBPD	Y4, Y4, Y1	// (OUT_f6) = rbz - rbz
	VMULPD	928(R15), Y1, Y1	// (OUT_f6) = (OUT_f6) * s3
	VADDPD	Y1, Y0, Y1	// (OUT_f6) = sr6 + (OUT_f6)
	VBLENDVPD	Y7, Y1, Y0, Y0	// OUT_f6 = m3 ? (OUT_f6) : sr6
	MOVQ	160(DI), R14
	VMOVUPD	Y0, (R14)(AX*1)	// f6 = OUT_f6
	JMP	next

	// Next group; a last partial group is redone as the final four
	// faces, which rewrites some outputs with the same bits.
next:
	ADDQ	$32, AX
	CMPQ	AX, CX
	JGE	done
	LEAQ	32(AX), R14
	CMPQ	R14, CX
	JLE	loop
	LEAQ	-32(CX), AX
	JMP	loop

done:
	VZEROUPPER
	RET
