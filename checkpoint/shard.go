package checkpoint

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/apollo-hpc/apollo/internal/crc32c"
	"github.com/klauspost/reedsolomon"
)

// Shard format, version 1 (all integers little-endian):
//
//	off  size  field
//	  0     4  magic "APSH"
//	  4     2  format version (1)
//	  6     2  shard index (0..k+m-1; indices >= k are parity)
//	  8     2  k (data shards)
//	 10     2  m (parity shards)
//	 12     4  header length in bytes, including the trailing header CRC
//	 16     8  checkpoint id
//	 24     8  rank (int64)
//	 32     8  step (int64)
//	 40     8  epoch
//	 48     8  time (IEEE-754 bits)
//	 56     8  snapshot length in bytes
//	 64     8  shard payload length in bytes
//	 72     4  layout length L (<= MaxLayout)
//	 76     L  layout
//	 76+L  4(k+m)  CRC32C of every shard's payload, by index
//	  ...   4  CRC32C of all preceding header bytes
//	then exactly "payload length" bytes of payload.
//
// CRC32C (Castagnoli) rather than BLAKE3: it is hardware-accelerated
// (payloads go through internal/crc32c, PCLMULQDQ folding on amd64, the same
// values as hash/crc32, which the small headers use), needs no new
// dependency, and the threat is accidental corruption (torn writes, bit rot,
// truncation), not an adversary. Every shard carries the payload CRCs of all
// k+m shards, so a shard rebuilt from parity is checked against the CRC
// recorded when it was encoded, and the snapshot digest (SHA-256 over the
// metadata and that CRC table) binds the whole snapshot without a second
// pass over its bytes.
const (
	shardMagic   = "APSH"
	shardVersion = 1
	fixedHeader  = 76

	// MaxLayout bounds Meta.Layout, so a header is never large.
	MaxLayout = 1 << 16
	// MaxShards bounds k+m (the Reed-Solomon limit over GF(2^8)).
	MaxShards = 256
	// MaxSnapshot bounds a snapshot's length (1 TiB); decoders reject more.
	MaxSnapshot = 1 << 40
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrNotEnoughShards is wrapped by every error returned when fewer than k
// shards of a snapshot verify; use errors.As with *ShardsError for detail.
var ErrNotEnoughShards = errors.New("not enough verified shards")

// Meta is the metadata stored with a snapshot in every one of its shards.
type Meta struct {
	ID     uint64  // checkpoint id, increasing over a run
	Rank   int     // the rank whose state this is
	Step   int64   // time step of the state
	Epoch  uint64  // run epoch the checkpoint was taken in
	Time   float64 // simulation time
	Layout []byte  // opaque description of the state (decomposition, fields); <= MaxLayout bytes
}

// Digest identifies a snapshot: SHA-256 over its metadata, length and the
// CRC32C of every shard. Manifests record it per rank.
type Digest [32]byte

func (d Digest) String() string { return fmt.Sprintf("%x", d[:8]) }

// header is a decoded shard header.
type header struct {
	index, k, m int
	hdrLen      int
	meta        Meta
	dataLen     int64
	shardSize   int64
	crcs        []uint32
}

func headerLen(layoutLen, n int) int { return fixedHeader + layoutLen + 4*n + 4 }

func checkKM(k, m int) error {
	if k < 1 || m < 1 || k+m > MaxShards {
		return fmt.Errorf("checkpoint: invalid k=%d m=%d (need k>=1, m>=1, k+m<=%d)", k, m, MaxShards)
	}
	return nil
}

// shardSizeFor returns the payload length of each shard of an n-byte
// snapshot split k ways (at least 1: the codec refuses empty shards).
func shardSizeFor(n int64, k int) int64 {
	s := (n + int64(k) - 1) / int64(k)
	if s < 1 {
		s = 1
	}
	return s
}

// putHeader writes the header of shard h.index into dst, which must be
// exactly headerLen bytes long.
func putHeader(dst []byte, h *header) {
	le := binary.LittleEndian
	copy(dst[0:4], shardMagic)
	le.PutUint16(dst[4:], shardVersion)
	le.PutUint16(dst[6:], uint16(h.index))
	le.PutUint16(dst[8:], uint16(h.k))
	le.PutUint16(dst[10:], uint16(h.m))
	le.PutUint32(dst[12:], uint32(len(dst)))
	le.PutUint64(dst[16:], h.meta.ID)
	le.PutUint64(dst[24:], uint64(int64(h.meta.Rank)))
	le.PutUint64(dst[32:], uint64(h.meta.Step))
	le.PutUint64(dst[40:], h.meta.Epoch)
	le.PutUint64(dst[48:], math.Float64bits(h.meta.Time))
	le.PutUint64(dst[56:], uint64(h.dataLen))
	le.PutUint64(dst[64:], uint64(h.shardSize))
	le.PutUint32(dst[72:], uint32(len(h.meta.Layout)))
	off := fixedHeader + copy(dst[fixedHeader:], h.meta.Layout)
	for _, c := range h.crcs {
		le.PutUint32(dst[off:], c)
		off += 4
	}
	le.PutUint32(dst[off:], crc32.Checksum(dst[:off], castagnoli))
}

// parseHeader decodes and checks a shard's header and its total length. It
// does not check the payload CRC (see verifyShard). Layout aliases b.
func parseHeader(b []byte) (*header, error) {
	le := binary.LittleEndian
	if len(b) < fixedHeader {
		return nil, fmt.Errorf("shard truncated: %d bytes, header needs %d", len(b), fixedHeader)
	}
	if string(b[0:4]) != shardMagic {
		return nil, errors.New("not a shard: bad magic")
	}
	if v := le.Uint16(b[4:]); v != shardVersion {
		return nil, fmt.Errorf("unsupported shard format version %d", v)
	}
	h := &header{
		index:  int(le.Uint16(b[6:])),
		k:      int(le.Uint16(b[8:])),
		m:      int(le.Uint16(b[10:])),
		hdrLen: int(le.Uint32(b[12:])),
	}
	if err := checkKM(h.k, h.m); err != nil {
		return nil, err
	}
	if h.index >= h.k+h.m {
		return nil, fmt.Errorf("shard index %d out of range for k=%d m=%d", h.index, h.k, h.m)
	}
	layoutLen := int(le.Uint32(b[72:]))
	if layoutLen > MaxLayout {
		return nil, fmt.Errorf("layout length %d exceeds %d", layoutLen, MaxLayout)
	}
	n := h.k + h.m
	if h.hdrLen != headerLen(layoutLen, n) {
		return nil, fmt.Errorf("header length %d inconsistent with layout %d and %d shards", h.hdrLen, layoutLen, n)
	}
	if len(b) < h.hdrLen {
		return nil, fmt.Errorf("shard truncated: %d bytes, header needs %d", len(b), h.hdrLen)
	}
	crcOff := h.hdrLen - 4
	if got, want := crc32.Checksum(b[:crcOff], castagnoli), le.Uint32(b[crcOff:]); got != want {
		return nil, fmt.Errorf("header checksum mismatch (%08x != %08x)", got, want)
	}
	h.meta = Meta{
		ID:    le.Uint64(b[16:]),
		Rank:  int(int64(le.Uint64(b[24:]))),
		Step:  int64(le.Uint64(b[32:])),
		Epoch: le.Uint64(b[40:]),
		Time:  math.Float64frombits(le.Uint64(b[48:])),
	}
	if layoutLen > 0 {
		h.meta.Layout = b[fixedHeader : fixedHeader+layoutLen]
	}
	dl, ss := le.Uint64(b[56:]), le.Uint64(b[64:])
	if dl > MaxSnapshot {
		return nil, fmt.Errorf("snapshot length %d exceeds %d", dl, int64(MaxSnapshot))
	}
	h.dataLen = int64(dl)
	h.shardSize = shardSizeFor(h.dataLen, h.k)
	if ss != uint64(h.shardSize) {
		return nil, fmt.Errorf("shard size %d inconsistent with snapshot length %d and k=%d", ss, dl, h.k)
	}
	if got, want := int64(len(b)-h.hdrLen), h.shardSize; got != want {
		return nil, fmt.Errorf("shard payload is %d bytes, header says %d (truncated or extended)", got, want)
	}
	h.crcs = make([]uint32, n)
	off := fixedHeader + layoutLen
	for i := range h.crcs {
		h.crcs[i] = le.Uint32(b[off:])
		off += 4
	}
	return h, nil
}

// digest computes the snapshot digest from a header (any shard's).
func (h *header) digest() Digest {
	d := sha256.New()
	var buf [fixedHeader]byte
	le := binary.LittleEndian
	le.PutUint64(buf[0:], h.meta.ID)
	le.PutUint64(buf[8:], uint64(int64(h.meta.Rank)))
	le.PutUint64(buf[16:], uint64(h.meta.Step))
	le.PutUint64(buf[24:], h.meta.Epoch)
	le.PutUint64(buf[32:], math.Float64bits(h.meta.Time))
	le.PutUint64(buf[40:], uint64(h.dataLen))
	le.PutUint16(buf[48:], uint16(h.k))
	le.PutUint16(buf[50:], uint16(h.m))
	le.PutUint32(buf[52:], uint32(len(h.meta.Layout)))
	d.Write(buf[:56])
	d.Write(h.meta.Layout)
	for _, c := range h.crcs {
		le.PutUint32(buf[:4], c)
		d.Write(buf[:4])
	}
	var out Digest
	d.Sum(out[:0])
	return out
}

// sameSnapshot reports whether two headers describe the same snapshot.
func (h *header) sameSnapshot(o *header) bool {
	if h.k != o.k || h.m != o.m || h.dataLen != o.dataLen || h.meta.ID != o.meta.ID ||
		h.meta.Rank != o.meta.Rank || h.meta.Step != o.meta.Step || h.meta.Epoch != o.meta.Epoch ||
		math.Float64bits(h.meta.Time) != math.Float64bits(o.meta.Time) || string(h.meta.Layout) != string(o.meta.Layout) {
		return false
	}
	for i := range h.crcs {
		if h.crcs[i] != o.crcs[i] {
			return false
		}
	}
	return true
}

// ShardsError says why a snapshot could not be rebuilt: which shard indices
// were missing and which were present but failed verification.
type ShardsError struct {
	Rank    int
	ID      uint64
	Need    int            // k
	Have    int            // shards that verified
	Missing []int          // indices with no shard at all
	Bad     map[int]string // index -> why it was rejected
}

func (e *ShardsError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "checkpoint %d rank %d: %d verified shards, %d needed", e.ID, e.Rank, e.Have, e.Need)
	if len(e.Missing) > 0 {
		fmt.Fprintf(&b, "; missing %v", e.Missing)
	}
	if len(e.Bad) > 0 {
		idx := make([]int, 0, len(e.Bad))
		for i := range e.Bad {
			idx = append(idx, i)
		}
		sort.Ints(idx)
		b.WriteString("; bad")
		for _, i := range idx {
			fmt.Fprintf(&b, " [%d: %s]", i, e.Bad[i])
		}
	}
	return b.String()
}

func (e *ShardsError) Unwrap() error { return ErrNotEnoughShards }

// Encoder splits snapshots into k+m self-describing shards. It owns the
// shard buffers and reuses them, so the large allocation (and its page
// faults) is paid once. Not safe for concurrent use.
//
// Load is a plain parallel copy (the solver's stall). For the shapes with a
// fused kernel (4+1, 4+2, 8+2 on amd64 with AVX2 and VPCLMULQDQ; see
// enc_fused.go) Encode codes parity and checksums every shard in one pass
// over memory. Otherwise it computes parity stripe by stripe (a cache-sized
// slice of every shard at a time) and checksums each stripe of every shard
// while it is still in cache, so the checksums add no pass over memory; the
// codec writes a stripe's parity into a small per-worker buffer that stays
// in cache, where it is checksummed and then moved to the parity shard
// with non-temporal stores (crc32c.UpdateCopy). Workers claim chunks of the
// byte range from a counter, so a worker slowed by another process does
// not hold the others up; the chunks' CRCs are combined.
type Encoder struct {
	k, m      int
	capacity  int64    // largest snapshot the buffers hold
	maxLayout int      // longest Meta.Layout the reserve has room for
	reserve   int      // bytes reserved before each payload for the header, a multiple of 64
	bufs      [][]byte // k+m buffers: reserve bytes, then payload
	payloads  [][]byte // payload views, current shard size
	shards    [][]byte // header+payload views returned by Encode
	crcs      []uint32
	chunkCRC  []uint32 // per chunk, per shard; reused
	dataLen   int64
	loaded    bool

	workers []encWorker
	fused   *fusedKernel // nil: no fused kernel for this shape or CPU
}

// encWorker is one goroutine's share of Load and Encode.
type encWorker struct {
	rs     reedsolomon.Encoder // single-goroutine codec: workers split the bytes
	views  [][]byte
	parity [][]byte // m stripe buffers the codec writes into (stay in cache)
	fs     fusedScratch
	err    error
}

const (
	// stripe is the per-shard byte count coded at once: k stripes of
	// data and m of parity stay in L2 (512 KiB here) while parity is
	// computed and checksummed.
	stripe = 32 << 10
	// encChunk is the per-shard byte range an Encode worker claims at
	// once: small enough that the last chunk finishing late costs little
	// (under 1 ms), large enough that claiming and combining CRCs is
	// negligible. A multiple of stripe.
	encChunk = 16 * stripe
)

// chunkShift joins the CRCs of consecutive full chunks.
var chunkShift = crc32c.ShiftFor(encChunk)

// NewEncoder returns an Encoder for snapshots of up to capacity bytes with
// layouts of up to maxLayout bytes.
func NewEncoder(k, m int, capacity int64, maxLayout int) (*Encoder, error) {
	if err := checkKM(k, m); err != nil {
		return nil, err
	}
	if capacity < 0 || capacity > MaxSnapshot {
		return nil, fmt.Errorf("checkpoint: capacity %d out of range", capacity)
	}
	if maxLayout < 0 || maxLayout > MaxLayout {
		return nil, fmt.Errorf("checkpoint: max layout %d out of range [0,%d]", maxLayout, MaxLayout)
	}
	size := shardSizeFor(capacity, k)
	e := &Encoder{
		k: k, m: m, capacity: capacity, maxLayout: maxLayout,
		// Rounded up so that payloads start 64-byte aligned in the
		// (page-aligned) large buffers, as the fused kernel's
		// non-temporal parity stores need (enc_fused.go).
		reserve:  (headerLen(maxLayout, k+m) + 63) &^ 63,
		bufs:     make([][]byte, k+m),
		payloads: make([][]byte, k+m),
		shards:   make([][]byte, k+m),
		crcs:     make([]uint32, k+m),
		workers:  make([]encWorker, runtime.GOMAXPROCS(0)),
	}
	for i := range e.workers {
		rs, err := reedsolomon.New(k, m, reedsolomon.WithMaxGoroutines(1))
		if err != nil {
			return nil, fmt.Errorf("checkpoint: reedsolomon: %w", err)
		}
		w := encWorker{rs: rs, views: make([][]byte, k+m), parity: make([][]byte, m), fs: newFusedScratch(k + m)}
		for j := range w.parity {
			w.parity[j] = make([]byte, min(stripe, size)) // a stripe never exceeds a shard
		}
		e.workers[i] = w
	}
	fk, err := newFusedKernel(e.workers[0].rs, k, m)
	if err != nil {
		return nil, err
	}
	e.fused = fk
	for i := range e.bufs {
		e.bufs[i] = make([]byte, e.reserve+int(size))
	}
	return e, nil
}

// parallel runs f(w, lo, hi) for w over the workers, splitting [0, n) into
// contiguous 64-byte-aligned ranges; small n runs on one worker.
func (e *Encoder) parallel(n int, f func(w *encWorker, lo, hi int)) int {
	nw := len(e.workers)
	if n < 2*stripe*nw {
		nw = 1
	}
	chunk := ((n+nw-1)/nw + 63) &^ 63
	var wg sync.WaitGroup
	used := 0
	for w := 0; w < nw; w++ {
		lo, hi := w*chunk, min((w+1)*chunk, n)
		if lo >= hi {
			break
		}
		used++
		if w == nw-1 || hi == n {
			f(&e.workers[w], lo, hi)
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(&e.workers[w], lo, hi)
		}()
	}
	wg.Wait()
	return used
}

// fits returns an error if an n-byte snapshot exceeds the capacity.
func (e *Encoder) fits(n int) error {
	if int64(n) > e.capacity {
		return fmt.Errorf("checkpoint: snapshot of %d bytes exceeds encoder capacity %d", n, e.capacity)
	}
	return nil
}

// Load copies a snapshot into the shard buffers. This copy is the only
// part of a checkpoint the solver waits for; after it returns, data may be
// modified. Load invalidates shards returned by an earlier Encode.
func (e *Encoder) Load(data []byte) error {
	if err := e.fits(len(data)); err != nil {
		return err
	}
	e.dataLen = int64(len(data))
	size := int(shardSizeFor(e.dataLen, e.k))
	for i := range e.bufs {
		e.payloads[i] = e.bufs[i][e.reserve : e.reserve+size]
	}
	// Workers copy disjoint byte ranges of every data shard.
	e.parallel(size, func(w *encWorker, lo, hi int) {
		for i := 0; i < e.k; i++ {
			n := 0
			if s := i*size + lo; s < len(data) {
				n = copy(e.payloads[i][lo:hi], data[s:min(i*size+hi, len(data))])
			}
			clear(e.payloads[i][lo+n : hi]) // zero padding past the end of the snapshot
		}
	})
	e.loaded = true
	return nil
}

// Encode computes parity and checksums for the loaded snapshot and returns
// the k+m shards (header followed by payload) and the snapshot digest. The
// shards alias the Encoder's buffers and stay valid until the next Load.
func (e *Encoder) Encode(meta Meta) ([][]byte, Digest, error) {
	if !e.loaded {
		return nil, Digest{}, errors.New("checkpoint: Encode before Load")
	}
	if len(meta.Layout) > e.maxLayout {
		return nil, Digest{}, fmt.Errorf("checkpoint: layout of %d bytes exceeds encoder limit", len(meta.Layout))
	}
	size := len(e.payloads[0])
	n := e.k + e.m
	chunks := (size + encChunk - 1) / encChunk
	if cap(e.chunkCRC) < chunks*n {
		e.chunkCRC = make([]uint32, chunks*n)
	}
	crcs := e.chunkCRC[:chunks*n]
	var next atomic.Int64
	nw := min(len(e.workers), chunks)
	var wg sync.WaitGroup
	for i := range nw {
		w := &e.workers[i]
		w.err = nil
		if i == nw-1 {
			e.encodeChunks(w, &next, chunks, size, crcs)
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.encodeChunks(w, &next, chunks, size, crcs)
		}()
	}
	wg.Wait()
	for i := range nw {
		if err := e.workers[i].err; err != nil {
			return nil, Digest{}, fmt.Errorf("checkpoint: reedsolomon encode: %w", err)
		}
	}
	// Join the chunks' CRCs in order: every chunk but the last is full.
	for i := range n {
		c := crcs[i]
		for ch := 1; ch < chunks; ch++ {
			if ch < chunks-1 {
				c = chunkShift.Combine(c, crcs[ch*n+i])
			} else {
				c = crc32c.Combine(c, crcs[ch*n+i], int64(size-ch*encChunk))
			}
		}
		e.crcs[i] = c
	}
	h := &header{k: e.k, m: e.m, meta: meta, dataLen: e.dataLen, shardSize: int64(size), crcs: e.crcs}
	hl := headerLen(len(meta.Layout), e.k+e.m)
	for i := range e.bufs {
		h.index = i
		start := e.reserve - hl // header sits right before the payload: no payload copy
		putHeader(e.bufs[i][start:e.reserve], h)
		e.shards[i] = e.bufs[i][start : e.reserve+size]
	}
	return e.shards, h.digest(), nil
}

// encodeChunks is one Encode worker: it claims chunks until none are left
// and codes each with the fused kernel where there is one, else stripe by
// stripe (encodeStripes). crcs[c*(k+m)+i] gets the CRC of chunk c of
// shard i.
func (e *Encoder) encodeChunks(w *encWorker, next *atomic.Int64, chunks, size int, crcs []uint32) {
	n := e.k + e.m
	for {
		c := int(next.Add(1) - 1)
		if c >= chunks {
			return
		}
		lo, hi := c*encChunk, min((c+1)*encChunk, size)
		cc := crcs[c*n : (c+1)*n]
		clear(cc)
		if e.fused == nil {
			if !e.encodeStripes(w, lo, hi, cc) {
				return
			}
			continue
		}
		// The kernel codes whole, aligned 64-byte blocks; the bytes
		// before and after them go the striped way.
		a, body := e.fused.split(e.payloads, lo, hi)
		if !e.encodeStripes(w, lo, a, cc) {
			return
		}
		if body > 0 {
			e.fused.code(&w.fs, e.payloads, a, body, cc)
		}
		if !e.encodeStripes(w, a+body, hi, cc) {
			return
		}
	}
}

// encodeStripes codes bytes [lo, hi) of every shard stripe by stripe: it
// computes parity into w.parity, checksums the data stripes (just read by
// the codec, in cache) and checksums and moves the parity stripes to the
// parity shards, advancing the CRCs in cc. It returns false after a codec
// error (in w.err).
func (e *Encoder) encodeStripes(w *encWorker, lo, hi int, cc []uint32) bool {
	for a := lo; a < hi; a += stripe {
		b := min(a+stripe, hi)
		for i := range e.k {
			w.views[i] = e.payloads[i][a:b]
		}
		for j := range e.m {
			w.views[e.k+j] = w.parity[j][:b-a]
		}
		if err := w.rs.Encode(w.views); err != nil {
			w.err = err // only possible for malformed shards
			return false
		}
		for i := range e.k {
			cc[i] = crc32c.Update(cc[i], w.views[i])
		}
		for j := range e.m {
			cc[e.k+j] = crc32c.UpdateCopy(cc[e.k+j], e.payloads[e.k+j][a:b], w.views[e.k+j])
		}
	}
	return true
}

// EncodeShards splits data into k data and m parity shards, each a freshly
// allocated, self-describing byte slice (header with CRC32C, then payload),
// and returns them with the snapshot digest. For repeated checkpoints use an
// Encoder, which reuses its buffers.
func EncodeShards(meta Meta, data []byte, k, m int) ([][]byte, Digest, error) {
	e, err := NewEncoder(k, m, int64(len(data)), len(meta.Layout))
	if err != nil {
		return nil, Digest{}, err
	}
	if err := e.Load(data); err != nil {
		return nil, Digest{}, err
	}
	return e.Encode(meta)
}

// verifyShard parses a shard and checks its payload CRC.
func verifyShard(b []byte) (*header, error) {
	h, err := parseHeader(b)
	if err != nil {
		return nil, err
	}
	if got, want := crc32c.Checksum(b[h.hdrLen:]), h.crcs[h.index]; got != want {
		return nil, fmt.Errorf("payload checksum mismatch (%08x != %08x)", got, want)
	}
	return h, nil
}

// Reconstruct rebuilds a snapshot from its shards, given by index (nil =
// missing). Every shard is verified before use; a shard that fails is
// skipped. It needs k verified shards of one snapshot, checks every rebuilt
// data shard against the CRC recorded at encode time, and otherwise returns
// a *ShardsError naming the missing and bad shards.
func Reconstruct(shards [][]byte, k, m int) (Meta, []byte, error) {
	meta, data, _, err := reconstruct(shards, k, m, nil)
	return meta, data, err
}

// ReconstructDigest is Reconstruct that also requires the snapshot digest to
// equal want (from a committed manifest), so shards of another snapshot
// under the same names are never taken for this one.
func ReconstructDigest(shards [][]byte, k, m int, want Digest) (Meta, []byte, error) {
	meta, data, _, err := reconstruct(shards, k, m, &want)
	return meta, data, err
}

func reconstruct(shards [][]byte, k, m int, want *Digest) (Meta, []byte, Digest, error) {
	if err := checkKM(k, m); err != nil {
		return Meta{}, nil, Digest{}, err
	}
	if len(shards) != k+m {
		return Meta{}, nil, Digest{}, fmt.Errorf("checkpoint: got %d shard slots, want k+m=%d", len(shards), k+m)
	}
	serr := &ShardsError{Need: k, Bad: map[int]string{}}
	hs := make([]*header, k+m)
	// Verify shards in parallel: the payload CRCs are most of a restore's
	// CPU time.
	hs0 := make([]*header, k+m)
	errs := make([]error, k+m)
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, b := range shards {
		if b == nil {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			hs0[i], errs[i] = verifyShard(b)
		}()
	}
	wg.Wait()
	for i, b := range shards {
		if b == nil {
			serr.Missing = append(serr.Missing, i)
			continue
		}
		h, err := hs0[i], errs[i]
		switch {
		case err != nil:
			serr.Bad[i] = err.Error()
		case h.index != i:
			serr.Bad[i] = fmt.Sprintf("holds shard index %d", h.index)
		case h.k != k || h.m != m:
			serr.Bad[i] = fmt.Sprintf("encoded with k=%d m=%d", h.k, h.m)
		case want != nil && h.digest() != *want:
			serr.Bad[i] = "belongs to another snapshot (digest mismatch)"
		default:
			hs[i] = h
		}
	}
	// Without an expected digest, the snapshot is the one most verified
	// shards agree on; shards of any other are bad.
	var ref *header
	best := 0
	for _, h := range hs {
		if h == nil {
			continue
		}
		n := 0
		for _, o := range hs {
			if o != nil && h.sameSnapshot(o) {
				n++
			}
		}
		if n > best {
			best, ref = n, h
		}
	}
	var view [][]byte
	if ref != nil {
		serr.Rank, serr.ID = ref.meta.Rank, ref.meta.ID
		view = make([][]byte, k+m)
		for i, h := range hs {
			if h == nil {
				continue
			}
			if !ref.sameSnapshot(h) {
				serr.Bad[i] = "belongs to another snapshot"
				continue
			}
			view[i] = shards[i][h.hdrLen:]
			serr.Have++
		}
	}
	if serr.Have < k {
		return Meta{}, nil, Digest{}, serr
	}
	// Present data shards are copied (in parallel) straight into the
	// output; missing ones are rebuilt into their place in it.
	ss := int(ref.shardSize)
	full := make([]byte, k*ss)
	rebuild := make([][]byte, k+m)
	copy(rebuild[k:], view[k:])
	var missing []int
	for i := 0; i < k; i++ {
		dst := full[i*ss : (i+1)*ss]
		if view[i] == nil {
			missing = append(missing, i)
			rebuild[i] = dst[:0] // zero length, enough capacity: the codec fills it in place
			continue
		}
		rebuild[i] = dst
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			copy(dst, view[i])
		}()
	}
	wg.Wait()
	if len(missing) > 0 {
		dec, err := reedsolomon.New(k, m)
		if err != nil {
			return Meta{}, nil, Digest{}, fmt.Errorf("checkpoint: reedsolomon: %w", err)
		}
		if err := dec.ReconstructData(rebuild); err != nil {
			return Meta{}, nil, Digest{}, fmt.Errorf("checkpoint %d rank %d: reedsolomon: %w", ref.meta.ID, ref.meta.Rank, err)
		}
		for _, i := range missing {
			dst := full[i*ss : (i+1)*ss]
			if len(rebuild[i]) != ss || &rebuild[i][0] != &dst[0] {
				copy(dst, rebuild[i]) // the codec allocated after all
			}
			if crc32c.Checksum(dst) != ref.crcs[i] {
				return Meta{}, nil, Digest{}, fmt.Errorf("checkpoint %d rank %d: rebuilt shard %d fails its recorded checksum: %w",
					ref.meta.ID, ref.meta.Rank, i, ErrNotEnoughShards)
			}
		}
	}
	data := full[:ref.dataLen:ref.dataLen]
	meta := ref.meta
	meta.Layout = append([]byte(nil), ref.meta.Layout...)
	if len(meta.Layout) == 0 {
		meta.Layout = nil
	}
	return meta, data, ref.digest(), nil
}
