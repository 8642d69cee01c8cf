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

	PCALIGN $32

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
	PCALIGN $32

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

// CRC4 advances the four scalar streams by one 8-byte word each; streams 0
// to 2 sit 0, DX and 2·DX bytes after BX, stream 3 at R12 = BX + 3·DX.
#define CRC4(off) \
	CRC32Q off(BX), AX        \
	CRC32Q off(BX)(DX*1), R9  \
	CRC32Q off(BX)(DX*2), R10 \
	CRC32Q off(R12), R11

// func hybridChunk(crc uint32, p []byte, blk int, k *[4]uint64) uint32
TEXT ·hybridChunk(SB), NOSPLIT, $0-52
	MOVL crc+0(FP), AX
	MOVQ p_base+8(FP), SI
	MOVQ blk+32(FP), CX
	MOVQ k+40(FP), DI
	LEAQ ·foldK(SB), R8

	// The chunk is blk·256 bytes for the vector unit followed by four
	// streams of DX = blk·64 bytes for the crc32 instruction; both run in
	// the same loop so that the multiplier and the integer units overlap.
	MOVQ CX, DX
	SHLQ $6, DX
	MOVQ CX, BX
	SHLQ $8, BX
	ADDQ SI, BX
	LEAQ (BX)(DX*2), R12
	ADDQ DX, R12

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
	VBROADCASTI128 (R8), Y8
	XORL    AX, AX
	XORL    R9, R9
	XORL    R10, R10
	XORL    R11, R11
	DECQ    CX

	PCALIGN $32
hloop:
	FOLDMEM(0, Y8, Y0, Y9)
	CRC4(0)
	FOLDMEM(32, Y8, Y1, Y10)
	CRC4(8)
	FOLDMEM(64, Y8, Y2, Y11)
	CRC4(16)
	FOLDMEM(96, Y8, Y3, Y12)
	CRC4(24)
	FOLDMEM(128, Y8, Y4, Y13)
	CRC4(32)
	FOLDMEM(160, Y8, Y5, Y14)
	CRC4(40)
	FOLDMEM(192, Y8, Y6, Y15)
	CRC4(48)
	FOLDMEM(224, Y8, Y7, Y9)
	CRC4(56)
	ADDQ $256, SI
	ADDQ $64, BX
	ADDQ $64, R12
	DECQ CX
	JNZ  hloop

	// The scalar streams have one more round than the vector loop.
	CRC4(0)
	CRC4(8)
	CRC4(16)
	CRC4(24)
	CRC4(32)
	CRC4(40)
	CRC4(48)
	CRC4(56)

	// Vector accumulators: a tree of folds 128, 64, then 32 bytes apart
	// into Y7, then its low lane onto its high lane, then to a 32-bit state
	// in BX.
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
	VMOVDQU      64(R8), X8
	VEXTRACTI128 $1, Y7, X10
	VPCLMULQDQ   $0x00, X8, X7, X9
	VPCLMULQDQ   $0x11, X8, X7, X7
	VPXOR        X9, X10, X10
	VPXOR        X7, X10, X10
	VMOVQ        X10, R12
	VPEXTRQ      $1, X10, R13
	XORL         BX, BX
	CRC32Q       R12, BX
	CRC32Q       R13, BX

	// Move the vector state and the first three streams' states to the
	// end of the chunk (multiply by x^(8n) mod P: a carry-less product with
	// x^(8n-33), reduced by the crc32 instruction), and add the last
	// stream's state.
	VMOVD      BX, X0
	VMOVQ      (DI), X1
	VPCLMULQDQ $0x00, X1, X0, X0
	VMOVD      AX, X2
	VMOVQ      8(DI), X3
	VPCLMULQDQ $0x00, X3, X2, X2
	VMOVD      R9, X4
	VMOVQ      16(DI), X5
	VPCLMULQDQ $0x00, X5, X4, X4
	VMOVD      R10, X6
	VMOVQ      24(DI), X7
	VPCLMULQDQ $0x00, X7, X6, X6
	VPXOR      X2, X0, X0
	VPXOR      X4, X0, X0
	VPXOR      X6, X0, X0
	VMOVQ      X0, R12
	VZEROUPPER
	XORL       AX, AX
	CRC32Q     R12, AX
	XORL       R11, AX
	MOVL       AX, ret+48(FP)
	RET

// func updateSSE42(crc uint32, p []byte) uint32
//
// One crc32 stream: for short inputs, where hash/crc32 does the same work
// behind more dispatch.
TEXT ·updateSSE42(SB), NOSPLIT, $0-36
	MOVL crc+0(FP), AX
	MOVQ p_base+8(FP), SI
	MOVQ p_len+16(FP), CX

	// Aligned so that the loop's speed does not depend on where the linker
	// places it.
	PCALIGN $32

loop8:
	CMPQ   CX, $8
	JB     less8
	CRC32Q (SI), AX
	ADDQ   $8, SI
	SUBQ   $8, CX
	JMP    loop8

less8:
	BTQ    $2, CX
	JNC    less4
	CRC32L (SI), AX
	ADDQ   $4, SI

less4:
	BTQ    $1, CX
	JNC    less2
	CRC32W (SI), AX
	ADDQ   $2, SI

less2:
	BTQ    $0, CX
	JNC    ret
	CRC32B (SI), AX

ret:
	MOVL AX, ret+32(FP)
	RET

// func copyNT(dst, src *byte, n int)
//
// Copies n bytes (n > 0, a multiple of 64; dst 64-byte aligned) with
// non-temporal stores: each destination line is written whole from
// write-combining buffers, never read into the cache first.
TEXT ·copyNT(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX

	PCALIGN $32

ntloop:
	VMOVDQU  (SI), Y0
	VMOVDQU  32(SI), Y1
	VMOVNTDQ Y0, (DI)
	VMOVNTDQ Y1, 32(DI)
	ADDQ     $64, SI
	ADDQ     $64, DI
	SUBQ     $64, CX
	JNZ      ntloop

	// Non-temporal stores are weakly ordered: fence them before the
	// caller publishes dst.
	SFENCE
	VZEROUPPER
	RET
