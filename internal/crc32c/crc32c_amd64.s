//go:build amd64 && !purego

#include "textflag.h"

// FOLD moves accumulator a forward onto b: b ^= a.lo·k.lo ^ a.hi·k.hi per
// 128-bit lane, which keeps the message's remainder mod P unchanged. a is
// clobbered, t is scratch.
#define FOLD(k, a, b, t) \
	VPCLMULQDQ $0x00, k, a, t \
	VPCLMULQDQ $0x11, k, a, a \
	VPXOR      t, b, b        \
	VPXOR      a, b, b

// FOLDMEM is FOLD onto 32 bytes of input at off(SI).
#define FOLDMEM(off, k, a, t) \
	VPCLMULQDQ $0x00, k, a, t \
	VPCLMULQDQ $0x11, k, a, a \
	VPXOR      off(SI), t, t  \
	VPXOR      t, a, a

// func updateVPCLMUL(crc uint32, p []byte) uint32
TEXT ·updateVPCLMUL(SB), NOSPLIT, $0-36
	MOVL crc+0(FP), AX
	MOVQ p_base+8(FP), SI
	MOVQ p_len+16(FP), CX
	LEAQ ·foldK(SB), R8

	// Eight 32-byte accumulators take the first 256 bytes. Xoring the
	// state into the first four bytes turns the rest into a CRC from a
	// zero state.
	VMOVDQU (SI), Y0
	VMOVDQU 32(SI), Y1
	VMOVDQU 64(SI), Y2
	VMOVDQU 96(SI), Y3
	VMOVDQU 128(SI), Y4
	VMOVDQU 160(SI), Y5
	VMOVDQU 192(SI), Y6
	VMOVDQU 224(SI), Y7
	VMOVD   AX, X8
	VPXOR   Y8, Y0, Y0
	ADDQ    $256, SI
	SUBQ    $256, CX

	// Eight independent chains hide the multiplier latency.
	VBROADCASTI128 (R8), Y8
	CMPQ           CX, $256
	JB             reduce

	PCALIGN $32
loop256:
	FOLDMEM(0, Y8, Y0, Y9)
	FOLDMEM(32, Y8, Y1, Y10)
	FOLDMEM(64, Y8, Y2, Y11)
	FOLDMEM(96, Y8, Y3, Y12)
	FOLDMEM(128, Y8, Y4, Y13)
	FOLDMEM(160, Y8, Y5, Y14)
	FOLDMEM(192, Y8, Y6, Y15)
	FOLDMEM(224, Y8, Y7, Y9)
	ADDQ $256, SI
	SUBQ $256, CX
	CMPQ CX, $256
	JAE  loop256

reduce:
	// Tree of folds: 128, 64, then 32 bytes apart, ending in Y7.
	VBROADCASTI128 16(R8), Y8
	FOLD(Y8, Y0, Y4, Y9)
	FOLD(Y8, Y1, Y5, Y10)
	FOLD(Y8, Y2, Y6, Y11)
	FOLD(Y8, Y3, Y7, Y12)
	VBROADCASTI128 32(R8), Y8
	FOLD(Y8, Y4, Y6, Y9)
	FOLD(Y8, Y5, Y7, Y10)
	VBROADCASTI128 48(R8), Y8
	FOLD(Y8, Y6, Y7, Y9)

	CMPQ CX, $32
	JB   lanes

loop32:
	FOLDMEM(0, Y8, Y7, Y9)
	ADDQ $32, SI
	SUBQ $32, CX
	CMPQ CX, $32
	JAE  loop32

lanes:
	// Fold the low 128-bit lane onto the high one.
	VMOVDQU      64(R8), X8
	VEXTRACTI128 $1, Y7, X10
	VPCLMULQDQ   $0x00, X8, X7, X9
	VPCLMULQDQ   $0x11, X8, X7, X7
	VPXOR        X9, X10, X10
	VPXOR        X7, X10, X10

	// The 16 bytes left stand for the whole prefix; their CRC from a zero
	// state is the state after it.
	VMOVQ   X10, R9
	VPEXTRQ $1, X10, R10
	VZEROUPPER
	XORL    AX, AX
	CRC32Q  R9, AX
	CRC32Q  R10, AX

	// Fewer than 32 bytes remain.
tail8:
	CMPQ   CX, $8
	JB     tail4
	CRC32Q (SI), AX
	ADDQ   $8, SI
	SUBQ   $8, CX
	JMP    tail8

tail4:
	BTQ    $2, CX
	JNC    tail2
	CRC32L (SI), AX
	ADDQ   $4, SI

tail2:
	BTQ    $1, CX
	JNC    tail1
	CRC32W (SI), AX
	ADDQ   $2, SI

tail1:
	BTQ    $0, CX
	JNC    done
	CRC32B (SI), AX

done:
	MOVL AX, ret+32(FP)
	RET
