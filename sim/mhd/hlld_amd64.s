//go:build amd64 && !purego && !goexperiment.simd

#include "textflag.h"

// func hlldAVX2(a *hlldArgs, n int)
//
// Straight-line code laid out by a register-allocating generator from
// hlldGo's expressions; each instruction's comment gives the expression it
// computes (a name in parentheses is a partial result of that variable).
//
// hlldGo on faces [0, n), n >= 4, four faces per iteration (the last
// four again if n is not a multiple of 4; f must not overlap the inputs).
// Every operation is hlldGo's IEEE operation in its order
// (VMULPD, VADDPD, VDIVPD, VSQRTPD; no FMA), and each of its branches is
// a compare (ordered, so NaN compares false as in Go) and VBLENDVPD, so the
// bits are hlldGo's. Registers: DI the arguments, AX the byte offset of
// the current faces, CX the end, R15 a 32-byte aligned frame base holding
// the broadcast constants then the spill slots, R14 a pointer scratch;
// the other GPRs hold the most used pencil pointers.
TEXT ·hlldAVX2(SB), 0, $1440-16
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

	// Pencil pointers kept in registers for this loop.
	MOVQ	8(DI), R10	// pl1
	MOVQ	16(DI), R11	// pl2
	MOVQ	24(DI), R12	// pl3
	MOVQ	40(DI), DX	// pl5
	MOVQ	48(DI), SI	// pl6
	MOVQ	64(DI), BX	// pr1
	MOVQ	72(DI), R13	// pr2
	MOVQ	96(DI), R8	// pr5
	MOVQ	104(DI), R9	// pr6
	XORQ	AX, AX

loop0:

	// Energies, total pressures and fast speeds of both states (hlldGo pass 1).
	MOVQ	168(DI), R14
	VMOVUPD	(R14)(AX*1), Y0	// bx
	VMULPD	Y0, Y0, Y1	// bxsq = bx * bx
	VMOVAPD	64(R15), Y2	// 1.0
	MOVQ	0(DI), R14
	VDIVPD	(R14)(AX*1), Y2, Y3	// id1 = 1.0 / d1
	VMOVUPD	(DX)(AX*1), Y4	// by1
	VMULPD	Y4, Y4, Y5	// (bt1) = by1 * by1
	VMOVUPD	(SI)(AX*1), Y6	// bz1
	VMULPD	Y6, Y6, Y7	// (bt1) = bz1 * bz1
	VADDPD	Y7, Y5, Y5	// bt1 = (bt1) + (bt1)
	VADDPD	Y5, Y1, Y7	// (pb1) = bxsq + bt1
	VMULPD	96(R15), Y7, Y7	// pb1 = (pb1) * 0.5
	MOVQ	32(DI), R14
	VMOVUPD	(R14)(AX*1), Y8	// p1
	VMULPD	32(R15), Y8, Y9	// (e1) = p1 * igm1
	VMOVAPD	96(R15), Y10	// 0.5
	MOVQ	0(DI), R14
	VMULPD	(R14)(AX*1), Y10, Y11	// (e1) = 0.5 * d1
	VMOVUPD	(R10)(AX*1), Y12	// u1
	VMULPD	Y12, Y12, Y13	// (e1) = u1 * u1
	VMOVUPD	(R11)(AX*1), Y14	// v1
	VMULPD	Y14, Y14, Y15	// (e1) = v1 * v1
	VADDPD	Y15, Y13, Y13	// (e1) = (e1) + (e1)
	VMOVUPD	(R12)(AX*1), Y15	// w1
	VMULPD	Y15, Y15, Y15	// (e1) = w1 * w1
	VADDPD	Y15, Y13, Y13	// (e1) = (e1) + (e1)
	VMULPD	Y13, Y11, Y11	// (e1) = (e1) * (e1)
	VADDPD	Y11, Y9, Y9	// (e1) = (e1) + (e1)
	VADDPD	Y7, Y9, Y9	// e1 = (e1) + pb1
	VADDPD	Y7, Y8, Y7	// pt1 = p1 + pb1
	VMULPD	0(R15), Y8, Y8	// (asq1) = p1 * gamma
	VMULPD	Y3, Y8, Y8	// asq1 = (asq1) * id1
	VMULPD	Y3, Y1, Y11	// ca21 = bxsq * id1
	VMULPD	Y3, Y5, Y3	// ct21 = bt1 * id1
	VADDPD	Y3, Y11, Y5	// (tmp1) = ca21 + ct21
	VSUBPD	Y8, Y5, Y11	// tmp1 = (tmp1) - asq1
	VADDPD	Y8, Y5, Y5	// (cf1) = (tmp1) + asq1
	VMULPD	Y11, Y11, Y11	// (cf1) = tmp1 * tmp1
	VMULPD	128(R15), Y8, Y8	// (cf1) = asq1 * 4.0
	VMULPD	Y3, Y8, Y3	// (cf1) = (cf1) * ct21
	VADDPD	Y3, Y11, Y3	// (cf1) = (cf1) + (cf1)
	VSQRTPD	Y3, Y3	// (cf1) = sqrt((cf1))
	VADDPD	Y3, Y5, Y3	// (cf1) = (cf1) + (cf1)
	VMULPD	Y3, Y10, Y3	// (cf1) = 0.5 * (cf1)
	VSQRTPD	Y3, Y3	// cf1 = sqrt((cf1))
	MOVQ	56(DI), R14
	VDIVPD	(R14)(AX*1), Y2, Y5	// id2 = 1.0 / d2
	VMOVUPD	(R8)(AX*1), Y8	// by2
	VMULPD	Y8, Y8, Y11	// (bt2) = by2 * by2
	VMOVUPD	(R9)(AX*1), Y13	// bz2
	VMULPD	Y13, Y13, Y15	// (bt2) = bz2 * bz2
	VADDPD	Y15, Y11, Y11	// bt2 = (bt2) + (bt2)
	VADDPD	Y11, Y1, Y15	// (pb2) = bxsq + bt2
	VMULPD	Y15, Y10, Y15	// pb2 = 0.5 * (pb2)
	MOVQ	88(DI), R14
	VMOVUPD	(R14)(AX*1), Y13	// p2
	VMULPD	32(R15), Y13, Y8	// (e2) = p2 * igm1
	VMOVAPD	Y9, 288(R15)	// spill e1
	MOVQ	56(DI), R14
	VMULPD	(R14)(AX*1), Y10, Y9	// (e2) = 0.5 * d2
	VMOVUPD	(BX)(AX*1), Y6	// u2
	VMULPD	Y6, Y6, Y14	// (e2) = u2 * u2
	VMOVUPD	(R13)(AX*1), Y4	// v2
	VMULPD	Y4, Y4, Y4	// (e2) = v2 * v2
	VADDPD	Y4, Y14, Y4	// (e2) = (e2) + (e2)
	MOVQ	80(DI), R14
	VMOVUPD	(R14)(AX*1), Y14	// w2
	VMULPD	Y14, Y14, Y14	// (e2) = w2 * w2
	VADDPD	Y14, Y4, Y4	// (e2) = (e2) + (e2)
	VMULPD	Y4, Y9, Y4	// (e2) = (e2) * (e2)
	VADDPD	Y4, Y8, Y4	// (e2) = (e2) + (e2)
	VADDPD	Y15, Y4, Y4	// e2 = (e2) + pb2
	VADDPD	Y15, Y13, Y8	// pt2 = p2 + pb2
	VMULPD	0(R15), Y13, Y9	// (asq2) = p2 * gamma
	VMULPD	Y5, Y9, Y9	// asq2 = (asq2) * id2
	VMULPD	Y5, Y1, Y13	// ca22 = bxsq * id2
	VMULPD	Y5, Y11, Y5	// ct22 = bt2 * id2
	VADDPD	Y5, Y13, Y11	// (tmp2) = ca22 + ct22
	VSUBPD	Y9, Y11, Y13	// tmp2 = (tmp2) - asq2
	VADDPD	Y9, Y11, Y11	// (cf2) = (tmp2) + asq2
	VMULPD	Y13, Y13, Y13	// (cf2) = tmp2 * tmp2
	VMULPD	128(R15), Y9, Y9	// (cf2) = asq2 * 4.0
	VMULPD	Y5, Y9, Y5	// (cf2) = (cf2) * ct22
	VADDPD	Y5, Y13, Y5	// (cf2) = (cf2) + (cf2)
	VSQRTPD	Y5, Y5	// (cf2) = sqrt((cf2))
	VADDPD	Y5, Y11, Y5	// (cf2) = (cf2) + (cf2)
	VMULPD	Y5, Y10, Y5	// (cf2) = 0.5 * (cf2)
	VSQRTPD	Y5, Y5	// cf2 = sqrt((cf2))

	// Davis outer speeds: s0 = min(u1-cf1, u2-cf2), s4 = max(u1+cf1, u2+cf2), as hlldGo's ifs.
	VSUBPD	Y3, Y12, Y9	// s0a = u1 - cf1
	VSUBPD	Y5, Y6, Y11	// x0 = u2 - cf2
	VCMPPD	$0x11, Y9, Y11, Y13	// (s0) = x0 < s0a
	VBLENDVPD	Y13, Y11, Y9, Y9	// s0 = (s0) ? x0 : s0a
	VADDPD	Y3, Y12, Y3	// s4a = u1 + cf1
	VADDPD	Y5, Y6, Y5	// x4 = u2 + cf2
	VCMPPD	$0x1e, Y3, Y5, Y11	// (s4) = x4 > s4a
	VBLENDVPD	Y11, Y5, Y3, Y3	// s4 = (s4) ? x4 : s4a

	// Contact speed s2 and star total pressure ptst (M&K 38, 41).
	VSUBPD	Y12, Y9, Y5	// sdl = s0 - u1
	VSUBPD	Y6, Y3, Y11	// sdr = s4 - u2
	MOVQ	0(DI), R14
	VMULPD	(R14)(AX*1), Y5, Y13	// sdl1 = sdl * d1
	MOVQ	56(DI), R14
	VMULPD	(R14)(AX*1), Y11, Y14	// sdr2 = sdr * d2
	VSUBPD	Y13, Y14, Y15	// (iden) = sdr2 - sdl1
	VDIVPD	Y15, Y2, Y15	// iden = 1.0 / (iden)
	VMULPD	Y6, Y14, Y10	// (s2) = sdr2 * u2
	VMOVAPD	Y4, 320(R15)	// spill e2
	VMULPD	Y12, Y13, Y4	// (s2) = sdl1 * u1
	VSUBPD	Y4, Y10, Y4	// (s2) = (s2) - (s2)
	VSUBPD	Y8, Y7, Y10	// (s2) = pt1 - pt2
	VADDPD	Y10, Y4, Y4	// (s2) = (s2) + (s2)
	VMULPD	Y15, Y4, Y4	// s2 = (s2) * iden
	VSUBPD	Y4, Y9, Y10	// sdml = s0 - s2
	VMOVAPD	Y3, 352(R15)	// spill s4
	VSUBPD	Y4, Y3, Y3	// sdmr = s4 - s2
	VMOVAPD	Y9, 384(R15)	// spill s0
	VMULPD	Y7, Y14, Y9	// (ptst) = sdr2 * pt1
	VMOVAPD	Y8, 416(R15)	// spill pt2
	VMULPD	Y8, Y13, Y8	// (ptst) = sdl1 * pt2
	VSUBPD	Y8, Y9, Y8	// (ptst) = (ptst) - (ptst)
	VMULPD	Y14, Y13, Y9	// (ptst) = sdl1 * sdr2
	VSUBPD	Y12, Y6, Y6	// (ptst) = u2 - u1
	VMULPD	Y6, Y9, Y6	// (ptst) = (ptst) * (ptst)
	VADDPD	Y6, Y8, Y6	// (ptst) = (ptst) + (ptst)
	VMULPD	Y15, Y6, Y6	// ptst = (ptst) * iden
	VMULPD	160(R15), Y6, Y8	// sptst = ptst * 1e-08

	// U*L (M&K 43-48); degl: |sdl1*sdml - bx^2| < small*ptst keeps the outer v, B.
	VDIVPD	Y10, Y13, Y9	// ld = sdl1 / sdml
	VMULPD	Y4, Y9, Y15	// lmx = ld * s2
	VMOVAPD	Y15, 448(R15)	// spill lmx
	VMULPD	Y10, Y13, Y15	// (tmpl) = sdl1 * sdml
	VSUBPD	Y1, Y15, Y15	// tmpl = (tmpl) - bxsq
	VMOVAPD	Y11, 480(R15)	// spill sdr
	VANDPD	256(R15), Y15, Y11	// (degl) = tmpl & absmask
	VCMPPD	$0x11, Y8, Y11, Y11	// degl = (degl) < sptst
	VDIVPD	Y15, Y2, Y15	// itl = 1.0 / tmpl
	VMOVAPD	Y8, 512(R15)	// spill sptst
	VSUBPD	Y10, Y5, Y8	// (ql) = sdl - sdml
	VMULPD	Y8, Y0, Y8	// (ql) = bx * (ql)
	VMULPD	Y15, Y8, Y8	// ql = (ql) * itl
	VMOVAPD	Y3, 544(R15)	// spill sdmr
	VMULPD	(DX)(AX*1), Y8, Y3	// (lvy) = ql * by1
	VMOVAPD	Y14, 576(R15)	// spill sdr2
	VMOVUPD	(R11)(AX*1), Y14	// v1
	VSUBPD	Y3, Y14, Y3	// (lvy) = v1 - (lvy)
	VBLENDVPD	Y11, Y14, Y3, Y3	// lvy = degl ? v1 : (lvy)
	VMULPD	(SI)(AX*1), Y8, Y8	// (lvz) = ql * bz1
	VMOVAPD	Y6, 608(R15)	// spill ptst
	VMOVUPD	(R12)(AX*1), Y6	// w1
	VSUBPD	Y8, Y6, Y8	// (lvz) = w1 - (lvz)
	VBLENDVPD	Y11, Y6, Y8, Y8	// lvz = degl ? w1 : (lvz)
	VMULPD	Y5, Y13, Y13	// (ql2) = sdl1 * sdl
	VSUBPD	Y1, Y13, Y13	// (ql2) = (ql2) - bxsq
	VMULPD	Y15, Y13, Y13	// ql2 = (ql2) * itl
	VMULPD	(DX)(AX*1), Y13, Y15	// (lby) = ql2 * by1
	VBLENDVPD	Y11, (DX)(AX*1), Y15, Y15	// lby = degl ? by1 : (lby)
	VMULPD	(SI)(AX*1), Y13, Y13	// (lbz) = ql2 * bz1
	VBLENDVPD	Y11, (SI)(AX*1), Y13, Y11	// lbz = degl ? bz1 : (lbz)
	VMULPD	Y3, Y9, Y13	// lmy = ld * lvy
	VMOVAPD	Y13, 640(R15)	// spill lmy
	VMULPD	Y8, Y9, Y13	// lmz = ld * lvz
	VMOVAPD	Y13, 672(R15)	// spill lmz
	VMULPD	Y0, Y12, Y13	// (vb1) = u1 * bx
	VMULPD	(DX)(AX*1), Y14, Y14	// (vb1) = v1 * by1
	VADDPD	Y14, Y13, Y13	// (vb1) = (vb1) + (vb1)
	VMULPD	(SI)(AX*1), Y6, Y14	// (vb1) = w1 * bz1
	VADDPD	Y14, Y13, Y13	// vb1 = (vb1) + (vb1)
	VMULPD	Y0, Y4, Y14	// (vbstl) = s2 * bx
	VMULPD	Y15, Y3, Y6	// (vbstl) = lvy * lby
	VADDPD	Y6, Y14, Y6	// (vbstl) = (vbstl) + (vbstl)
	VMOVAPD	Y11, 704(R15)	// spill lbz
	VMULPD	Y11, Y8, Y11	// (vbstl) = lvz * lbz
	VADDPD	Y11, Y6, Y6	// vbstl = (vbstl) + (vbstl)
	VDIVPD	Y10, Y2, Y10	// isdml = 1.0 / sdml
	VMULPD	288(R15), Y5, Y5	// (le) = sdl * e1
	VMULPD	Y12, Y7, Y11	// (le) = pt1 * u1
	VSUBPD	Y11, Y5, Y5	// (le) = (le) - (le)
	VMULPD	608(R15), Y4, Y11	// (le) = s2 * ptst
	VADDPD	Y11, Y5, Y5	// (le) = (le) + (le)
	VMOVAPD	Y13, 608(R15)	// spill vb1
	VSUBPD	Y6, Y13, Y13	// (le) = vb1 - vbstl
	VMULPD	Y13, Y0, Y13	// (le) = bx * (le)
	VADDPD	Y13, Y5, Y5	// (le) = (le) + (le)
	VMULPD	Y10, Y5, Y5	// le = (le) * isdml

	// U*R, the mirror image.
	VMOVAPD	576(R15), Y10	// sdr2
	VDIVPD	544(R15), Y10, Y13	// rd = sdr2 / sdmr
	VMOVAPD	Y7, 736(R15)	// spill pt1
	VMULPD	Y4, Y13, Y7	// rmx = rd * s2
	VMOVAPD	Y7, 768(R15)	// spill rmx
	VMULPD	544(R15), Y10, Y7	// (tmpr) = sdr2 * sdmr
	VSUBPD	Y1, Y7, Y7	// tmpr = (tmpr) - bxsq
	VANDPD	256(R15), Y7, Y12	// (degr) = tmpr & absmask
	VCMPPD	$0x11, 512(R15), Y12, Y12	// degr = (degr) < sptst
	VDIVPD	Y7, Y2, Y7	// itr = 1.0 / tmpr
	VMOVAPD	Y5, 800(R15)	// spill le
	VMOVAPD	480(R15), Y5	// sdr
	VMOVAPD	Y6, 832(R15)	// spill vbstl
	VSUBPD	544(R15), Y5, Y6	// (qr) = sdr - sdmr
	VMULPD	Y6, Y0, Y6	// (qr) = bx * (qr)
	VMULPD	Y7, Y6, Y6	// qr = (qr) * itr
	VMOVAPD	Y8, 864(R15)	// spill lvz
	VMULPD	(R8)(AX*1), Y6, Y8	// (rvy) = qr * by2
	VMOVAPD	Y15, 896(R15)	// spill lby
	VMOVUPD	(R13)(AX*1), Y15	// v2
	VSUBPD	Y8, Y15, Y8	// (rvy) = v2 - (rvy)
	VBLENDVPD	Y12, Y15, Y8, Y8	// rvy = degr ? v2 : (rvy)
	VMULPD	(R9)(AX*1), Y6, Y6	// (rvz) = qr * bz2
	VMOVAPD	Y3, 928(R15)	// spill lvy
	MOVQ	80(DI), R14
	VMOVUPD	(R14)(AX*1), Y3	// w2
	VSUBPD	Y6, Y3, Y6	// (rvz) = w2 - (rvz)
	VBLENDVPD	Y12, Y3, Y6, Y6	// rvz = degr ? w2 : (rvz)
	VMULPD	Y5, Y10, Y10	// (qr2) = sdr2 * sdr
	VSUBPD	Y1, Y10, Y10	// (qr2) = (qr2) - bxsq
	VMULPD	Y7, Y10, Y7	// qr2 = (qr2) * itr
	VMULPD	(R8)(AX*1), Y7, Y10	// (rby) = qr2 * by2
	VBLENDVPD	Y12, (R8)(AX*1), Y10, Y10	// rby = degr ? by2 : (rby)
	VMULPD	(R9)(AX*1), Y7, Y7	// (rbz) = qr2 * bz2
	VBLENDVPD	Y12, (R9)(AX*1), Y7, Y7	// rbz = degr ? bz2 : (rbz)
	VMULPD	Y8, Y13, Y12	// rmy = rd * rvy
	VMOVAPD	Y12, 576(R15)	// spill rmy
	VMULPD	Y6, Y13, Y12	// rmz = rd * rvz
	VMOVAPD	Y12, 960(R15)	// spill rmz
	VMULPD	(BX)(AX*1), Y0, Y12	// (vb2) = bx * u2
	VMULPD	(R8)(AX*1), Y15, Y15	// (vb2) = v2 * by2
	VADDPD	Y15, Y12, Y12	// (vb2) = (vb2) + (vb2)
	VMULPD	(R9)(AX*1), Y3, Y15	// (vb2) = w2 * bz2
	VADDPD	Y15, Y12, Y12	// vb2 = (vb2) + (vb2)
	VMULPD	Y10, Y8, Y15	// (vbstr) = rvy * rby
	VADDPD	Y15, Y14, Y15	// (vbstr) = (vbstl) + (vbstr)
	VMULPD	Y7, Y6, Y3	// (vbstr) = rvz * rbz
	VADDPD	Y3, Y15, Y3	// vbstr = (vbstr) + (vbstr)
	VDIVPD	544(R15), Y2, Y15	// isdmr = 1.0 / sdmr
	VMULPD	320(R15), Y5, Y5	// (re) = sdr * e2
	VMOVAPD	Y14, 480(R15)	// spill (vbstl)
	VMOVAPD	416(R15), Y14	// pt2
	VMULPD	(BX)(AX*1), Y14, Y14	// (re) = pt2 * u2
	VSUBPD	Y14, Y5, Y5	// (re) = (re) - (re)
	VADDPD	Y11, Y5, Y5	// (re) = (re) + (le)
	VSUBPD	Y3, Y12, Y11	// (re) = vb2 - vbstr
	VMULPD	Y11, Y0, Y11	// (re) = bx * (re)
	VADDPD	Y11, Y5, Y5	// (re) = (re) + (re)
	VMULPD	Y15, Y5, Y5	// re = (re) * isdmr

	// Alfven speeds s1, s3 and U** (M&K 59-63); rot: 0.5*bx^2 >= small*ptst, else U** = U*.
	VSQRTPD	Y9, Y11	// sqdl = sqrt(ld)
	VSQRTPD	Y13, Y14	// sqdr = sqrt(rd)
	VANDPD	256(R15), Y0, Y15	// abx = bx & absmask
	VMOVAPD	Y12, 544(R15)	// spill vb2
	VDIVPD	Y11, Y15, Y12	// (s1) = abx / sqdl
	VSUBPD	Y12, Y4, Y12	// s1 = s2 - (s1)
	VDIVPD	Y14, Y15, Y15	// (s3) = abx / sqdr
	VADDPD	Y15, Y4, Y15	// s3 = s2 + (s3)
	VMOVAPD	Y1, 992(R15)	// spill bxsq
	VMULPD	96(R15), Y1, Y1	// (rot) = bxsq * 0.5
	VCMPPD	$0x1d, 512(R15), Y1, Y1	// rot = (rot) >= sptst
	VMOVAPD	Y15, 512(R15)	// spill s3
	VADDPD	Y14, Y11, Y15	// (inv) = sqdl + sqdr
	VDIVPD	Y15, Y2, Y15	// inv = 1.0 / (inv)
	VCMPPD	$0x11, 224(R15), Y0, Y0	// (sg) = bx < 0.0
	VBLENDVPD	Y0, 192(R15), Y2, Y0	// sg = (sg) ? -1.0 : 1.0
	VMULPD	928(R15), Y11, Y2	// (vy) = sqdl * lvy
	VMOVAPD	Y4, 1024(R15)	// spill s2
	VMULPD	Y8, Y14, Y4	// (vy) = sqdr * rvy
	VADDPD	Y4, Y2, Y2	// (vy) = (vy) + (vy)
	VSUBPD	896(R15), Y10, Y4	// (vy) = rby - lby
	VMULPD	Y4, Y0, Y4	// (vy) = sg * (vy)
	VADDPD	Y4, Y2, Y2	// (vy) = (vy) + (vy)
	VMULPD	Y2, Y15, Y2	// vy = inv * (vy)
	VMULPD	864(R15), Y11, Y4	// (vz) = sqdl * lvz
	VMOVAPD	Y12, 1056(R15)	// spill s1
	VMULPD	Y6, Y14, Y12	// (vz) = sqdr * rvz
	VADDPD	Y12, Y4, Y4	// (vz) = (vz) + (vz)
	VSUBPD	704(R15), Y7, Y12	// (vz) = rbz - lbz
	VMULPD	Y12, Y0, Y12	// (vz) = sg * (vz)
	VADDPD	Y12, Y4, Y4	// (vz) = (vz) + (vz)
	VMULPD	Y4, Y15, Y4	// vz = inv * (vz)
	VMULPD	Y10, Y11, Y12	// (by) = sqdl * rby
	VMOVAPD	Y5, 1088(R15)	// spill re
	VMULPD	896(R15), Y14, Y5	// (by) = sqdr * lby
	VADDPD	Y5, Y12, Y5	// (by) = (by) + (by)
	VMULPD	Y11, Y0, Y12	// (by) = sg * sqdl
	VMOVAPD	Y3, 1120(R15)	// spill vbstr
	VMULPD	Y14, Y12, Y3	// (by) = (by) * sqdr
	VSUBPD	928(R15), Y8, Y8	// (by) = rvy - lvy
	VMULPD	Y8, Y3, Y8	// (by) = (by) * (by)
	VADDPD	Y8, Y5, Y5	// (by) = (by) + (by)
	VMULPD	Y5, Y15, Y5	// by = inv * (by)
	VMULPD	Y7, Y11, Y8	// (bz) = sqdl * rbz
	VMULPD	704(R15), Y14, Y11	// (bz) = sqdr * lbz
	VADDPD	Y11, Y8, Y8	// (bz) = (bz) + (bz)
	VSUBPD	864(R15), Y6, Y6	// (bz) = rvz - lvz
	VMULPD	Y6, Y3, Y3	// (bz) = (by) * (bz)
	VADDPD	Y3, Y8, Y3	// (bz) = (bz) + (bz)
	VMULPD	Y3, Y15, Y3	// bz = inv * (bz)
	VMULPD	Y5, Y2, Y6	// (vbdst) = vy * by
	VADDPD	480(R15), Y6, Y6	// (vbdst) = (vbdst) + (vbstl)
	VMULPD	Y3, Y4, Y8	// (vbdst) = vz * bz
	VADDPD	Y8, Y6, Y6	// vbdst = (vbdst) + (vbdst)
	VMULPD	Y2, Y9, Y8	// (ldmy) = ld * vy
	VMOVAPD	640(R15), Y11	// lmy
	VBLENDVPD	Y1, Y8, Y11, Y8	// ldmy = rot ? (ldmy) : lmy
	VMULPD	Y4, Y9, Y15	// (ldmz) = ld * vz
	VMOVAPD	Y8, 480(R15)	// spill ldmy
	VMOVAPD	672(R15), Y8	// lmz
	VBLENDVPD	Y1, Y15, Y8, Y15	// ldmz = rot ? (ldmz) : lmz
	VMULPD	Y2, Y13, Y2	// (rdmy) = rd * vy
	VMOVAPD	Y15, 864(R15)	// spill ldmz
	VMOVAPD	576(R15), Y15	// rmy
	VBLENDVPD	Y1, Y2, Y15, Y2	// rdmy = rot ? (rdmy) : rmy
	VMULPD	Y4, Y13, Y4	// (rdmz) = rd * vz
	VMOVAPD	960(R15), Y8	// rmz
	VBLENDVPD	Y1, Y4, Y8, Y4	// rdmz = rot ? (rdmz) : rmz
	VMOVAPD	Y4, 928(R15)	// spill rdmz
	VMOVAPD	896(R15), Y4	// lby
	VBLENDVPD	Y1, Y5, Y4, Y4	// ldby = rot ? by : lby
	VMOVAPD	Y4, 1152(R15)	// spill ldby
	VMOVAPD	704(R15), Y4	// lbz
	VBLENDVPD	Y1, Y3, Y4, Y4	// ldbz = rot ? bz : lbz
	VBLENDVPD	Y1, Y5, Y10, Y5	// rdby = rot ? by : rby
	VBLENDVPD	Y1, Y3, Y7, Y3	// rdbz = rot ? bz : rbz
	VMOVAPD	Y3, 1184(R15)	// spill rdbz
	VMOVAPD	832(R15), Y3	// vbstl
	VSUBPD	Y6, Y3, Y3	// (lde) = vbstl - vbdst
	VMULPD	Y3, Y12, Y3	// (lde) = (by) * (lde)
	VMOVAPD	800(R15), Y12	// le
	VSUBPD	Y3, Y12, Y3	// (lde) = le - (lde)
	VBLENDVPD	Y1, Y3, Y12, Y3	// lde = rot ? (lde) : le
	VMULPD	Y0, Y14, Y0	// (rde) = sqdr * sg
	VMOVAPD	1120(R15), Y14	// vbstr
	VSUBPD	Y6, Y14, Y6	// (rde) = vbstr - vbdst
	VMULPD	Y6, Y0, Y0	// (rde) = (rde) * (rde)
	VADDPD	1088(R15), Y0, Y0	// (rde) = (rde) + re
	VMOVAPD	1088(R15), Y6	// re
	VBLENDVPD	Y1, Y0, Y6, Y0	// rde = rot ? (rde) : re

	// Region masks in hlldGo's order: FL (s0 >= 0), FR (s4 <= 0), F*L (s1 >= 0), F**L (s2 >= 0), F**R (s3 > 0), else F*R.
	VMOVAPD	384(R15), Y1	// s0
	VCMPPD	$0x1d, 224(R15), Y1, Y14	// mL = s0 >= 0.0
	VMOVAPD	Y4, 1120(R15)	// spill ldbz
	VMOVAPD	352(R15), Y4	// s4
	VMOVAPD	Y7, 832(R15)	// spill rbz
	VCMPPD	$0x12, 224(R15), Y4, Y7	// mR = s4 <= 0.0
	VMOVAPD	Y5, 1216(R15)	// spill rdby
	VMOVAPD	1056(R15), Y5	// s1
	VMOVAPD	Y10, 1248(R15)	// spill rby
	VCMPPD	$0x1d, 224(R15), Y5, Y10	// m1 = s1 >= 0.0
	VMOVAPD	Y0, 1280(R15)	// spill rde
	VMOVAPD	1024(R15), Y0	// s2
	VCMPPD	$0x1d, 224(R15), Y0, Y0	// m2 = s2 >= 0.0
	VMOVAPD	Y3, 1024(R15)	// spill lde
	VMOVAPD	512(R15), Y3	// s3
	VCMPPD	$0x1e, 224(R15), Y3, Y6	// m3 = s3 > 0.0
	VORPD	Y0, Y10, Y12	// m12 = m1 | m2

	// Mass flux: F*L and F**L (and F*R, F**R) coincide, so one blend picks the side.
	MOVQ	0(DI), R14
	VMOVUPD	(R14)(AX*1), Y8	// d1
	VMOVAPD	Y10, 1312(R15)	// spill m1
	VMULPD	(R10)(AX*1), Y8, Y10	// fl0 = d1 * u1
	VMOVAPD	Y0, 1344(R15)	// spill m2
	MOVQ	56(DI), R14
	VMOVUPD	(R14)(AX*1), Y0	// d2
	VMOVAPD	Y6, 1376(R15)	// spill m3
	VMULPD	(BX)(AX*1), Y0, Y6	// fr0 = d2 * u2
	VSUBPD	Y8, Y9, Y9	// (OUT_f0) = ld - d1
	VMULPD	Y9, Y1, Y9	// (OUT_f0) = s0 * (OUT_f0)
	VADDPD	Y9, Y10, Y9	// (OUT_f0) = fl0 + (OUT_f0)
	VSUBPD	Y0, Y13, Y13	// (OUT_f0) = rd - d2
	VMULPD	Y13, Y4, Y13	// (OUT_f0) = s4 * (OUT_f0)
	VADDPD	Y13, Y6, Y13	// (OUT_f0) = fr0 + (OUT_f0)
	VBLENDVPD	Y12, Y9, Y13, Y9	// (OUT_f0) = m12 ? (OUT_f0) : (OUT_f0)
	VBLENDVPD	Y7, Y6, Y9, Y9	// (OUT_f0) = mR ? fr0 : (OUT_f0)
	VBLENDVPD	Y14, Y10, Y9, Y9	// OUT_f0 = mL ? fl0 : (OUT_f0)
	MOVQ	112(DI), R14
	VMOVUPD	Y9, (R14)(AX*1)	// f0 = OUT_f0

	// Normal momentum flux.
	VMULPD	(R10)(AX*1), Y10, Y9	// (fl1) = fl0 * u1
	VADDPD	736(R15), Y9, Y9	// (fl1) = (fl1) + pt1
	VSUBPD	992(R15), Y9, Y9	// fl1 = (fl1) - bxsq
	VMULPD	(BX)(AX*1), Y6, Y13	// (fr1) = fr0 * u2
	VADDPD	416(R15), Y13, Y13	// (fr1) = (fr1) + pt2
	VSUBPD	992(R15), Y13, Y13	// fr1 = (fr1) - bxsq
	VMOVAPD	448(R15), Y3	// lmx
	VSUBPD	Y10, Y3, Y3	// (OUT_f1) = lmx - fl0
	VMULPD	Y3, Y1, Y3	// (OUT_f1) = s0 * (OUT_f1)
	VADDPD	Y3, Y9, Y3	// (OUT_f1) = fl1 + (OUT_f1)
	VMOVAPD	Y2, 448(R15)	// spill rdmy
	VMOVAPD	768(R15), Y2	// rmx
	VSUBPD	Y6, Y2, Y2	// (OUT_f1) = rmx - fr0
	VMULPD	Y2, Y4, Y2	// (OUT_f1) = s4 * (OUT_f1)
	VADDPD	Y2, Y13, Y2	// (OUT_f1) = fr1 + (OUT_f1)
	VBLENDVPD	Y12, Y3, Y2, Y2	// (OUT_f1) = m12 ? (OUT_f1) : (OUT_f1)
	VBLENDVPD	Y7, Y13, Y2, Y2	// (OUT_f1) = mR ? fr1 : (OUT_f1)
	VBLENDVPD	Y14, Y9, Y2, Y2	// OUT_f1 = mL ? fl1 : (OUT_f1)
	MOVQ	120(DI), R14
	VMOVUPD	Y2, (R14)(AX*1)	// f1 = OUT_f1

	// Tangential momentum t1: F*L = FL + s0 (U*L - UL), F**L = F*L + s1 (U**L - U*L), mirrored on the right.
	VMULPD	(R11)(AX*1), Y10, Y2	// (fl2) = fl0 * v1
	MOVQ	168(DI), R14
	VMOVUPD	(R14)(AX*1), Y3	// bx
	VMULPD	(DX)(AX*1), Y3, Y9	// (fl2) = bx * by1
	VSUBPD	Y9, Y2, Y2	// fl2 = (fl2) - (fl2)
	VMULPD	(R13)(AX*1), Y6, Y9	// (fr2) = fr0 * v2
	VMULPD	(R8)(AX*1), Y3, Y12	// (fr2) = bx * by2
	VSUBPD	Y12, Y9, Y9	// fr2 = (fr2) - (fr2)
	VMULPD	(R11)(AX*1), Y8, Y12	// (sl2) = d1 * v1
	VSUBPD	Y12, Y11, Y12	// (sl2) = lmy - (sl2)
	VMULPD	Y12, Y1, Y12	// (sl2) = s0 * (sl2)
	VADDPD	Y12, Y2, Y12	// sl2 = fl2 + (sl2)
	VMULPD	(R13)(AX*1), Y0, Y13	// (sr2) = d2 * v2
	VSUBPD	Y13, Y15, Y13	// (sr2) = rmy - (sr2)
	VMULPD	Y13, Y4, Y13	// (sr2) = s4 * (sr2)
	VADDPD	Y13, Y9, Y13	// sr2 = fr2 + (sr2)
	VMOVAPD	480(R15), Y4	// ldmy
	VSUBPD	Y11, Y4, Y4	// (OUT_f2) = ldmy - lmy
	VMULPD	Y4, Y5, Y4	// (OUT_f2) = s1 * (OUT_f2)
	VADDPD	Y4, Y12, Y4	// (OUT_f2) = sl2 + (OUT_f2)
	VMOVAPD	448(R15), Y11	// rdmy
	VSUBPD	Y15, Y11, Y11	// (OUT_f2) = rdmy - rmy
	VMULPD	512(R15), Y11, Y11	// (OUT_f2) = (OUT_f2) * s3
	VADDPD	Y11, Y13, Y11	// (OUT_f2) = sr2 + (OUT_f2)
	VMOVAPD	1376(R15), Y15	// m3
	VBLENDVPD	Y15, Y11, Y13, Y11	// (OUT_f2) = m3 ? (OUT_f2) : sr2
	VMOVAPD	1344(R15), Y13	// m2
	VBLENDVPD	Y13, Y4, Y11, Y4	// (OUT_f2) = m2 ? (OUT_f2) : (OUT_f2)
	VMOVAPD	1312(R15), Y11	// m1
	VBLENDVPD	Y11, Y12, Y4, Y4	// (OUT_f2) = m1 ? sl2 : (OUT_f2)
	VBLENDVPD	Y7, Y9, Y4, Y4	// (OUT_f2) = mR ? fr2 : (OUT_f2)
	VBLENDVPD	Y14, Y2, Y4, Y2	// OUT_f2 = mL ? fl2 : (OUT_f2)
	MOVQ	128(DI), R14
	VMOVUPD	Y2, (R14)(AX*1)	// f2 = OUT_f2

	// Tangential momentum t2.
	VMULPD	(R12)(AX*1), Y10, Y2	// (fl3) = fl0 * w1
	VMULPD	(SI)(AX*1), Y3, Y4	// (fl3) = bx * bz1
	VSUBPD	Y4, Y2, Y2	// fl3 = (fl3) - (fl3)
	MOVQ	80(DI), R14
	VMULPD	(R14)(AX*1), Y6, Y4	// (fr3) = fr0 * w2
	VMULPD	(R9)(AX*1), Y3, Y6	// (fr3) = bx * bz2
	VSUBPD	Y6, Y4, Y4	// fr3 = (fr3) - (fr3)
	VMULPD	(R12)(AX*1), Y8, Y6	// (sl3) = d1 * w1
	VMOVAPD	672(R15), Y8	// lmz
	VSUBPD	Y6, Y8, Y6	// (sl3) = lmz - (sl3)
	VMULPD	Y6, Y1, Y6	// (sl3) = s0 * (sl3)
	VADDPD	Y6, Y2, Y6	// sl3 = fl3 + (sl3)
	MOVQ	80(DI), R14
	VMULPD	(R14)(AX*1), Y0, Y0	// (sr3) = d2 * w2
	VMOVAPD	960(R15), Y9	// rmz
	VSUBPD	Y0, Y9, Y0	// (sr3) = rmz - (sr3)
	VMULPD	352(R15), Y0, Y0	// (sr3) = (sr3) * s4
	VADDPD	Y0, Y4, Y0	// sr3 = fr3 + (sr3)
	VMOVAPD	864(R15), Y10	// ldmz
	VSUBPD	Y8, Y10, Y8	// (OUT_f3) = ldmz - lmz
	VMULPD	Y8, Y5, Y8	// (OUT_f3) = s1 * (OUT_f3)
	VADDPD	Y8, Y6, Y8	// (OUT_f3) = sl3 + (OUT_f3)
	VMOVAPD	928(R15), Y10	// rdmz
	VSUBPD	Y9, Y10, Y9	// (OUT_f3) = rdmz - rmz
	VMULPD	512(R15), Y9, Y9	// (OUT_f3) = (OUT_f3) * s3
	VADDPD	Y9, Y0, Y9	// (OUT_f3) = sr3 + (OUT_f3)
	VBLENDVPD	Y15, Y9, Y0, Y0	// (OUT_f3) = m3 ? (OUT_f3) : sr3
	VBLENDVPD	Y13, Y8, Y0, Y0	// (OUT_f3) = m2 ? (OUT_f3) : (OUT_f3)
	VBLENDVPD	Y11, Y6, Y0, Y0	// (OUT_f3) = m1 ? sl3 : (OUT_f3)
	VBLENDVPD	Y7, Y4, Y0, Y0	// (OUT_f3) = mR ? fr3 : (OUT_f3)
	VBLENDVPD	Y14, Y2, Y0, Y0	// OUT_f3 = mL ? fl3 : (OUT_f3)
	MOVQ	136(DI), R14
	VMOVUPD	Y0, (R14)(AX*1)	// f3 = OUT_f3

	// Energy.
	VMOVAPD	288(R15), Y0	// e1
	VADDPD	736(R15), Y0, Y2	// (fl4) = e1 + pt1
	VMULPD	(R10)(AX*1), Y2, Y2	// (fl4) = (fl4) * u1
	VMULPD	608(R15), Y3, Y4	// (fl4) = bx * vb1
	VSUBPD	Y4, Y2, Y2	// fl4 = (fl4) - (fl4)
	VMOVAPD	320(R15), Y4	// e2
	VADDPD	416(R15), Y4, Y6	// (fr4) = e2 + pt2
	VMULPD	(BX)(AX*1), Y6, Y6	// (fr4) = (fr4) * u2
	VMULPD	544(R15), Y3, Y8	// (fr4) = bx * vb2
	VSUBPD	Y8, Y6, Y6	// fr4 = (fr4) - (fr4)
	VMOVAPD	800(R15), Y8	// le
	VSUBPD	Y0, Y8, Y0	// (sl4) = le - e1
	VMULPD	Y0, Y1, Y0	// (sl4) = s0 * (sl4)
	VADDPD	Y0, Y2, Y0	// sl4 = fl4 + (sl4)
	VMOVAPD	1088(R15), Y9	// re
	VSUBPD	Y4, Y9, Y4	// (sr4) = re - e2
	VMULPD	352(R15), Y4, Y4	// (sr4) = (sr4) * s4
	VADDPD	Y4, Y6, Y4	// sr4 = fr4 + (sr4)
	VMOVAPD	1024(R15), Y10	// lde
	VSUBPD	Y8, Y10, Y8	// (OUT_f4) = lde - le
	VMULPD	Y8, Y5, Y8	// (OUT_f4) = s1 * (OUT_f4)
	VADDPD	Y8, Y0, Y8	// (OUT_f4) = sl4 + (OUT_f4)
	VMOVAPD	1280(R15), Y10	// rde
	VSUBPD	Y9, Y10, Y9	// (OUT_f4) = rde - re
	VMULPD	512(R15), Y9, Y9	// (OUT_f4) = (OUT_f4) * s3
	VADDPD	Y9, Y4, Y9	// (OUT_f4) = sr4 + (OUT_f4)
	VBLENDVPD	Y15, Y9, Y4, Y4	// (OUT_f4) = m3 ? (OUT_f4) : sr4
	VBLENDVPD	Y13, Y8, Y4, Y4	// (OUT_f4) = m2 ? (OUT_f4) : (OUT_f4)
	VBLENDVPD	Y11, Y0, Y4, Y0	// (OUT_f4) = m1 ? sl4 : (OUT_f4)
	VBLENDVPD	Y7, Y6, Y0, Y0	// (OUT_f4) = mR ? fr4 : (OUT_f4)
	VBLENDVPD	Y14, Y2, Y0, Y0	// OUT_f4 = mL ? fl4 : (OUT_f4)
	MOVQ	144(DI), R14
	VMOVUPD	Y0, (R14)(AX*1)	// f4 = OUT_f4

	// B_t1.
	VMOVUPD	(DX)(AX*1), Y0	// by1
	VMULPD	(R10)(AX*1), Y0, Y2	// (fl5) = by1 * u1
	VMULPD	(R11)(AX*1), Y3, Y4	// (fl5) = bx * v1
	VSUBPD	Y4, Y2, Y2	// fl5 = (fl5) - (fl5)
	VMOVUPD	(R8)(AX*1), Y4	// by2
	VMULPD	(BX)(AX*1), Y4, Y6	// (fr5) = by2 * u2
	VMULPD	(R13)(AX*1), Y3, Y8	// (fr5) = bx * v2
	VSUBPD	Y8, Y6, Y6	// fr5 = (fr5) - (fr5)
	VMOVAPD	896(R15), Y8	// lby
	VSUBPD	Y0, Y8, Y0	// (sl5) = lby - by1
	VMULPD	Y0, Y1, Y0	// (sl5) = s0 * (sl5)
	VADDPD	Y0, Y2, Y0	// sl5 = fl5 + (sl5)
	VMOVAPD	1248(R15), Y9	// rby
	VSUBPD	Y4, Y9, Y4	// (sr5) = rby - by2
	VMULPD	352(R15), Y4, Y4	// (sr5) = (sr5) * s4
	VADDPD	Y4, Y6, Y4	// sr5 = fr5 + (sr5)
	VMOVAPD	1152(R15), Y10	// ldby
	VSUBPD	Y8, Y10, Y8	// (OUT_f5) = ldby - lby
	VMULPD	Y8, Y5, Y8	// (OUT_f5) = s1 * (OUT_f5)
	VADDPD	Y8, Y0, Y8	// (OUT_f5) = sl5 + (OUT_f5)
	VMOVAPD	1216(R15), Y10	// rdby
	VSUBPD	Y9, Y10, Y9	// (OUT_f5) = rdby - rby
	VMULPD	512(R15), Y9, Y9	// (OUT_f5) = (OUT_f5) * s3
	VADDPD	Y9, Y4, Y9	// (OUT_f5) = sr5 + (OUT_f5)
	VBLENDVPD	Y15, Y9, Y4, Y4	// (OUT_f5) = m3 ? (OUT_f5) : sr5
	VBLENDVPD	Y13, Y8, Y4, Y4	// (OUT_f5) = m2 ? (OUT_f5) : (OUT_f5)
	VBLENDVPD	Y11, Y0, Y4, Y0	// (OUT_f5) = m1 ? sl5 : (OUT_f5)
	VBLENDVPD	Y7, Y6, Y0, Y0	// (OUT_f5) = mR ? fr5 : (OUT_f5)
	VBLENDVPD	Y14, Y2, Y0, Y0	// OUT_f5 = mL ? fl5 : (OUT_f5)
	MOVQ	152(DI), R14
	VMOVUPD	Y0, (R14)(AX*1)	// f5 = OUT_f5

	// B_t2.
	VMOVUPD	(SI)(AX*1), Y0	// bz1
	VMULPD	(R10)(AX*1), Y0, Y2	// (fl6) = bz1 * u1
	VMULPD	(R12)(AX*1), Y3, Y4	// (fl6) = bx * w1
	VSUBPD	Y4, Y2, Y2	// fl6 = (fl6) - (fl6)
	VMOVUPD	(R9)(AX*1), Y4	// bz2
	VMULPD	(BX)(AX*1), Y4, Y6	// (fr6) = bz2 * u2
	MOVQ	80(DI), R14
	VMULPD	(R14)(AX*1), Y3, Y3	// (fr6) = bx * w2
	VSUBPD	Y3, Y6, Y3	// fr6 = (fr6) - (fr6)
	VMOVAPD	704(R15), Y6	// lbz
	VSUBPD	Y0, Y6, Y0	// (sl6) = lbz - bz1
	VMULPD	Y0, Y1, Y0	// (sl6) = s0 * (sl6)
	VADDPD	Y0, Y2, Y0	// sl6 = fl6 + (sl6)
	VMOVAPD	832(R15), Y1	// rbz
	VSUBPD	Y4, Y1, Y4	// (sr6) = rbz - bz2
	VMULPD	352(R15), Y4, Y4	// (sr6) = (sr6) * s4
	VADDPD	Y4, Y3, Y4	// sr6 = fr6 + (sr6)
	VMOVAPD	1120(R15), Y8	// ldbz
	VSUBPD	Y6, Y8, Y6	// (OUT_f6) = ldbz - lbz
	VMULPD	Y6, Y5, Y5	// (OUT_f6) = s1 * (OUT_f6)
	VADDPD	Y5, Y0, Y5	// (OUT_f6) = sl6 + (OUT_f6)
	VMOVAPD	1184(R15), Y6	// rdbz
	VSUBPD	Y1, Y6, Y1	// (OUT_f6) = rdbz - rbz
	VMULPD	512(R15), Y1, Y1	// (OUT_f6) = (OUT_f6) * s3
	VADDPD	Y1, Y4, Y1	// (OUT_f6) = sr6 + (OUT_f6)
	VBLENDVPD	Y15, Y1, Y4, Y1	// (OUT_f6) = m3 ? (OUT_f6) : sr6
	VBLENDVPD	Y13, Y5, Y1, Y1	// (OUT_f6) = m2 ? (OUT_f6) : (OUT_f6)
	VBLENDVPD	Y11, Y0, Y1, Y0	// (OUT_f6) = m1 ? sl6 : (OUT_f6)
	VBLENDVPD	Y7, Y3, Y0, Y0	// (OUT_f6) = mR ? fr6 : (OUT_f6)
	VBLENDVPD	Y14, Y2, Y0, Y0	// OUT_f6 = mL ? fl6 : (OUT_f6)
	MOVQ	160(DI), R14
	VMOVUPD	Y0, (R14)(AX*1)	// f6 = OUT_f6

	// Next group; a last partial group is redone as the final four
	// faces, which rewrites some outputs with the same bits.
	ADDQ	$32, AX
	CMPQ	AX, CX
	JGE	done0
	LEAQ	32(AX), R14
	CMPQ	R14, CX
	JLE	loop0
	LEAQ	-32(CX), AX
	JMP	loop0

done0:

	VZEROUPPER
	RET
