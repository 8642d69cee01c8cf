//go:build amd64 && !purego && !goexperiment.simd

#include "textflag.h"
#include "go_asm.h"

// AVX2 row kernels of the MHD solver. Each computes four cells per
// iteration with the IEEE operations of its scalar Go twin in the same order
// (separate multiplies and adds, no FMA; VDIVPD is correctly rounded), so the
// results are bit-identical (kern_asm_test.go). Operand order follows the Go
// assembler: VSUBPD b, a, d sets d = a − b; VCMPPD $p, b, a, d sets
// d = (a p b). Branches become compares and masks.

// Load the data pointer of slice field f of the struct at DI into reg.
#define SLICE(f, reg) MOVQ f(DI), reg

// func primRow4(r *primRowArgs, t, m int) int
//
// Converts the groups of four cells [t, t+4), [t+4, t+8), ... below m
// (m − t a multiple of 4) and returns the start of the first group in which
// a cell needs the density or pressure floor, or m. Such a group is left
// untouched: primRowGo applies and counts the floors there.
TEXT ·primRow4(SB), NOSPLIT, $0-32
	MOVQ r+0(FP), DI
	MOVQ t+8(FP), AX
	MOVQ m+16(FP), CX
	// Constants: Y15 = 0.5, Y14 = 1.0, Y13 = γ−1, Y12 = ρ floor, Y11 = p floor.
	MOVQ $0x3FE0000000000000, DX
	VMOVQ DX, X15
	VBROADCASTSD X15, Y15
	MOVQ $0x3FF0000000000000, DX
	VMOVQ DX, X14
	VBROADCASTSD X14, Y14
	VBROADCASTSD primRowArgs_gm1(DI), Y13
	VBROADCASTSD primRowArgs_dfloor(DI), Y12
	VBROADCASTSD primRowArgs_pfloor(DI), Y11

ploop:
	CMPQ AX, CX
	JGE  pdone

	// Y0 = ρ; Y10 = ρ < floor (false for NaN, like the Go comparison).
	SLICE(primRowArgs_rd, R8)
	VMOVUPD (R8)(AX*8), Y0
	VCMPPD  $1, Y12, Y0, Y10

	// Cell-centred B: Y1..Y3 = 0.5·(B_low + B_high).
	SLICE(primRowArgs_bxl, R8)
	SLICE(primRowArgs_bxr, R9)
	VMOVUPD (R8)(AX*8), Y1
	VADDPD  (R9)(AX*8), Y1, Y1
	VMULPD  Y15, Y1, Y1
	SLICE(primRowArgs_byl, R8)
	SLICE(primRowArgs_byr, R9)
	VMOVUPD (R8)(AX*8), Y2
	VADDPD  (R9)(AX*8), Y2, Y2
	VMULPD  Y15, Y2, Y2
	SLICE(primRowArgs_bzl, R8)
	SLICE(primRowArgs_bzr, R9)
	VMOVUPD (R8)(AX*8), Y3
	VADDPD  (R9)(AX*8), Y3, Y3
	VMULPD  Y15, Y3, Y3

	// Y4 = 1/ρ; velocities Y5..Y7 = momentum · (1/ρ).
	VDIVPD  Y0, Y14, Y4
	SLICE(primRowArgs_rm1, R8)
	SLICE(primRowArgs_rm2, R9)
	SLICE(primRowArgs_rm3, R10)
	VMULPD  (R8)(AX*8), Y4, Y5
	VMULPD  (R9)(AX*8), Y4, Y6
	VMULPD  (R10)(AX*8), Y4, Y7

	// Y8 = ke = (0.5·ρ)·((v1² + v2²) + v3²).
	VMULPD Y5, Y5, Y8
	VMULPD Y6, Y6, Y9
	VADDPD Y9, Y8, Y8
	VMULPD Y7, Y7, Y9
	VADDPD Y9, Y8, Y8
	VMULPD Y0, Y15, Y9
	VMULPD Y8, Y9, Y8

	// Y9 = me = 0.5·((b1² + b2²) + b3²).
	VMULPD Y1, Y1, Y9
	VMULPD Y2, Y2, Y4
	VADDPD Y4, Y9, Y9
	VMULPD Y3, Y3, Y4
	VADDPD Y4, Y9, Y9
	VMULPD Y15, Y9, Y9

	// Y4 = p = (γ−1)·((E − ke) − me); stop if any ρ or p is below its floor.
	SLICE(primRowArgs_ren, R8)
	VMOVUPD   (R8)(AX*8), Y4
	VSUBPD    Y8, Y4, Y4
	VSUBPD    Y9, Y4, Y4
	VMULPD    Y13, Y4, Y4
	VCMPPD    $1, Y11, Y4, Y8
	VORPD     Y8, Y10, Y10
	VMOVMSKPD Y10, DX
	TESTQ     DX, DX
	JNZ       pdone

	// Store the primitives.
	SLICE(primRowArgs_od, R8)
	SLICE(primRowArgs_ov1, R9)
	SLICE(primRowArgs_ov2, R10)
	SLICE(primRowArgs_ov3, R11)
	SLICE(primRowArgs_op, R12)
	VMOVUPD Y0, (R8)(AX*8)
	VMOVUPD Y5, (R9)(AX*8)
	VMOVUPD Y6, (R10)(AX*8)
	VMOVUPD Y7, (R11)(AX*8)
	VMOVUPD Y4, (R12)(AX*8)
	SLICE(primRowArgs_ob1, R8)
	SLICE(primRowArgs_ob2, R9)
	SLICE(primRowArgs_ob3, R10)
	VMOVUPD Y1, (R8)(AX*8)
	VMOVUPD Y2, (R9)(AX*8)
	VMOVUPD Y3, (R10)(AX*8)

	// Cell-centred E = −v×B: e1 = v3·b2 − v2·b3, e2 = v1·b3 − v3·b1,
	// e3 = v2·b1 − v1·b2.
	SLICE(primRowArgs_oe1, R8)
	SLICE(primRowArgs_oe2, R9)
	SLICE(primRowArgs_oe3, R10)
	VMULPD  Y2, Y7, Y8
	VMULPD  Y3, Y6, Y9
	VSUBPD  Y9, Y8, Y8
	VMOVUPD Y8, (R8)(AX*8)
	VMULPD  Y3, Y5, Y8
	VMULPD  Y1, Y7, Y9
	VSUBPD  Y9, Y8, Y8
	VMOVUPD Y8, (R9)(AX*8)
	VMULPD  Y1, Y6, Y8
	VMULPD  Y2, Y5, Y9
	VSUBPD  Y9, Y8, Y8
	VMOVUPD Y8, (R10)(AX*8)

	ADDQ $4, AX
	JMP  ploop

pdone:
	VZEROUPPER
	MOVQ AX, ret+24(FP)
	RET

// func cornerRow4(r *cornerRowArgs, t, m int)
//
// Edge EMFs [t, m) of a row, m − t a multiple of 4 (see cornerRowGo).
TEXT ·cornerRow4(SB), NOSPLIT, $0-24
	MOVQ r+0(FP), DI
	MOVQ t+8(FP), AX
	MOVQ m+16(FP), CX
	// Y15 = 0.5, Y14 = 0.25.
	MOVQ $0x3FE0000000000000, DX
	VMOVQ DX, X15
	VBROADCASTSD X15, Y15
	MOVQ $0x3FD0000000000000, DX
	VMOVQ DX, X14
	VBROADCASTSD X14, Y14

cloop:
	CMPQ AX, CX
	JGE  cdone

	// Face EMFs Y0 = ec0, Y1 = ecB, Y2 = eb0, Y3 = ebC; cell EMFs
	// Y4 = cc0, Y5 = ccB, Y6 = ccC, Y7 = ccBC.
	SLICE(cornerRowArgs_ec0, R8)
	SLICE(cornerRowArgs_ecB, R9)
	SLICE(cornerRowArgs_eb0, R10)
	SLICE(cornerRowArgs_ebC, R11)
	VMOVUPD (R8)(AX*8), Y0
	VMOVUPD (R9)(AX*8), Y1
	VMOVUPD (R10)(AX*8), Y2
	VMOVUPD (R11)(AX*8), Y3
	SLICE(cornerRowArgs_cc0, R8)
	SLICE(cornerRowArgs_ccB, R9)
	SLICE(cornerRowArgs_ccC, R10)
	SLICE(cornerRowArgs_ccBC, R11)
	VMOVUPD (R8)(AX*8), Y4
	VMOVUPD (R9)(AX*8), Y5
	VMOVUPD (R10)(AX*8), Y6
	VMOVUPD (R11)(AX*8), Y7

	// Y8 = deLc = (½ − wbC)·(ec0 − ccC) + (½ + wbC)·(ecB − ccBC).
	SLICE(cornerRowArgs_wbC, R8)
	VSUBPD (R8)(AX*8), Y15, Y8
	VSUBPD Y6, Y0, Y9
	VMULPD Y9, Y8, Y8
	VADDPD (R8)(AX*8), Y15, Y9
	VSUBPD Y7, Y1, Y10
	VMULPD Y10, Y9, Y9
	VADDPD Y9, Y8, Y8

	// Y9 = deRc = (½ − wb0)·(ec0 − cc0) + (½ + wb0)·(ecB − ccB).
	SLICE(cornerRowArgs_wb0, R8)
	VSUBPD (R8)(AX*8), Y15, Y9
	VSUBPD Y4, Y0, Y10
	VMULPD Y10, Y9, Y9
	VADDPD (R8)(AX*8), Y15, Y10
	VSUBPD Y5, Y1, Y11
	VMULPD Y11, Y10, Y10
	VADDPD Y10, Y9, Y9

	// Y10 = deLb = (½ − wcB)·(eb0 − ccB) + (½ + wcB)·(ebC − ccBC).
	SLICE(cornerRowArgs_wcB, R8)
	VSUBPD (R8)(AX*8), Y15, Y10
	VSUBPD Y5, Y2, Y11
	VMULPD Y11, Y10, Y10
	VADDPD (R8)(AX*8), Y15, Y11
	VSUBPD Y7, Y3, Y12
	VMULPD Y12, Y11, Y11
	VADDPD Y11, Y10, Y10

	// Y11 = deRb = (½ − wc0)·(eb0 − cc0) + (½ + wc0)·(ebC − ccC).
	SLICE(cornerRowArgs_wc0, R8)
	VSUBPD (R8)(AX*8), Y15, Y11
	VSUBPD Y4, Y2, Y12
	VMULPD Y12, Y11, Y11
	VADDPD (R8)(AX*8), Y15, Y12
	VSUBPD Y6, Y3, Y13
	VMULPD Y13, Y12, Y12
	VADDPD Y12, Y11, Y11

	// o = ¼·(((deLb + deRb) + (deLc + deRc)) + ((ecB + ec0) + (ebC + eb0))).
	VADDPD  Y11, Y10, Y10
	VADDPD  Y9, Y8, Y8
	VADDPD  Y8, Y10, Y10
	VADDPD  Y0, Y1, Y12
	VADDPD  Y2, Y3, Y13
	VADDPD  Y13, Y12, Y12
	VADDPD  Y12, Y10, Y10
	VMULPD  Y10, Y14, Y10
	SLICE(cornerRowArgs_o, R8)
	VMOVUPD Y10, (R8)(AX*8)

	ADDQ $4, AX
	JMP  cloop

cdone:
	VZEROUPPER
	RET

// func plm4(qm2, qm1, q0, qp1 *float64, n int, ql, qr *float64)
//
// PLM states of faces [0, n), n a multiple of 4, from the cell rows qm2,
// qm1, q0, qp1 (the two cells below and above each face; see plm):
// ql = q₋₁ + sl, qr = q₀ − sr with sl = ab/(a+b) where ab = a·b > 0, else
// +0 (a NaN product compares false, as in Go). The rows are separate
// pointers, so they may lie in any planes of a ring of planes.
TEXT ·plm4(SB), NOSPLIT, $0-56
	MOVQ qm2+0(FP), R8
	MOVQ qm1+8(FP), R9
	MOVQ q0+16(FP), SI
	MOVQ qp1+24(FP), R12
	MOVQ n+32(FP), CX
	MOVQ ql+40(FP), R10
	MOVQ qr+48(FP), R11
	VXORPD Y15, Y15, Y15
	XORQ  AX, AX
	// BX = n + 4 elements in bytes, the distance to the next row of the
	// sweep (n + 4 = x row length with two ghosts a side), whose four cell
	// rows the next call for this variable reads: prefetched, since in the z
	// sweep they are 28 streams in four planes, more than the hardware
	// prefetcher follows.
	LEAQ  32(CX*8), BX

lloop:
	CMPQ AX, CX
	JGE  ldone
	LEAQ (R8)(AX*8), DX
	PREFETCHT0 (DX)(BX*1)
	LEAQ (R9)(AX*8), DX
	PREFETCHT0 (DX)(BX*1)
	LEAQ (SI)(AX*8), DX
	PREFETCHT0 (DX)(BX*1)
	LEAQ (R12)(AX*8), DX
	PREFETCHT0 (DX)(BX*1)
	// Y0 = q₋₂, Y1 = q₋₁, Y2 = q₀, Y3 = q₊₁; a, b, c the three differences.
	VMOVUPD (R8)(AX*8), Y0
	VMOVUPD (R9)(AX*8), Y1
	VMOVUPD (SI)(AX*8), Y2
	VMOVUPD (R12)(AX*8), Y3
	VSUBPD  Y0, Y1, Y4 // a = q₋₁ − q₋₂
	VSUBPD  Y1, Y2, Y5 // b = q₀ − q₋₁
	VSUBPD  Y2, Y3, Y6 // c = q₊₁ − q₀

	// Left state: q₋₁ + (ab > 0 ? ab/(a+b) : +0).
	VMULPD  Y5, Y4, Y7
	VADDPD  Y5, Y4, Y8
	VDIVPD  Y8, Y7, Y8
	VCMPPD  $0x1E, Y15, Y7, Y9 // ab > 0, ordered (false for NaN)
	VANDPD  Y9, Y8, Y8
	VADDPD  Y8, Y1, Y8
	VMOVUPD Y8, (R10)(AX*8)

	// Right state: q₀ − (bc > 0 ? bc/(b+c) : +0).
	VMULPD  Y6, Y5, Y7
	VADDPD  Y6, Y5, Y8
	VDIVPD  Y8, Y7, Y8
	VCMPPD  $0x1E, Y15, Y7, Y9
	VANDPD  Y9, Y8, Y8
	VSUBPD  Y8, Y2, Y8
	VMOVUPD Y8, (R11)(AX*8)

	ADDQ $4, AX
	JMP  lloop

ldone:
	VZEROUPPER
	RET

// func updateCells4(q, flo, fhi *float64, n int, dtdx float64)
//
// q[t] += dtdx·flo[t] − dtdx·fhi[t] for t in [0, n), n a multiple of 4 (see
// updateCells): both products rounded, then their difference, then the sum.
// Eight cells per iteration while eight remain.
TEXT ·updateCells4(SB), NOSPLIT, $0-40
	MOVQ q+0(FP), DI
	MOVQ flo+8(FP), SI
	MOVQ fhi+16(FP), DX
	MOVQ n+24(FP), CX
	VBROADCASTSD dtdx+32(FP), Y15
	XORQ AX, AX
	MOVQ CX, BX
	ANDQ $-8, BX
	// R9 = n + 4 elements in bytes: q of the next call for this variable
	// (next row of the sweep, see plm4), prefetched.
	LEAQ 32(CX*8), R9

uloop8:
	CMPQ AX, BX
	JGE  uloop4
	LEAQ (DI)(AX*8), R8
	PREFETCHT0 (R8)(R9*1)
	PREFETCHT0 64(R8)(R9*1)
	VMULPD  (SI)(AX*8), Y15, Y0
	VMULPD  32(SI)(AX*8), Y15, Y1
	VMULPD  (DX)(AX*8), Y15, Y2
	VMULPD  32(DX)(AX*8), Y15, Y3
	VSUBPD  Y2, Y0, Y0
	VSUBPD  Y3, Y1, Y1
	VADDPD  (DI)(AX*8), Y0, Y0
	VADDPD  32(DI)(AX*8), Y1, Y1
	VMOVUPD Y0, (DI)(AX*8)
	VMOVUPD Y1, 32(DI)(AX*8)
	ADDQ    $8, AX
	JMP     uloop8

uloop4:
	CMPQ AX, CX
	JGE  udone
	VMULPD  (SI)(AX*8), Y15, Y0
	VMULPD  (DX)(AX*8), Y15, Y2
	VSUBPD  Y2, Y0, Y0
	VADDPD  (DI)(AX*8), Y0, Y0
	VMOVUPD Y0, (DI)(AX*8)
	ADDQ    $4, AX
	JMP     uloop4

udone:
	VZEROUPPER
	RET
