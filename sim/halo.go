package sim

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"unsafe"

	"github.com/apollo-hpc/apollo/comm"
)

// TagBase is the first message tag sim reserves for itself; models use tags
// below it. Every Halo uses the tags TagBase..TagBase+5, which is safe because
// all ranks run their exchanges in the same order and messages of one tag
// between two ranks arrive in order.
const TagBase = 1 << 29

// messenger is the part of *comm.Comm the halo exchange needs.
type messenger interface {
	SendVec(ctx context.Context, dst, tag int, segs [][]byte) error
	RecvVec(ctx context.Context, src, tag int, vec [][]byte) (comm.Status, error)
	SendrecvVec(ctx context.Context, send [][]byte, dst, sendTag int, recv [][]byte, src, recvTag int) (comm.Status, error)
}

// UserBC fills the ghost layers of f on one physical face (axis, side 0 low
// or 1 high) of a UserBoundary. It is called once per field and face per
// exchange, after the faces of earlier axes are done; filling the full extent
// of the other axes (ghosts included) gives correct edges and corners.
type UserBC func(b *Block, f *Field, axis, side int)

type box struct{ lo, hi [3]int }

func (r box) points() int { return (r.hi[0] - r.lo[0]) * (r.hi[1] - r.lo[1]) * (r.hi[2] - r.lo[2]) }

// Halo exchanges the ghost zones of a fixed set of fields of one block and
// fills physical boundaries, all in one call. It sweeps x, then y over the
// x-ghosts too, then z over x- and y-ghosts, so six messages (one per
// neighbour, all fields together) also fill edges and corners. Each message
// is sent from the fields' rows and received into their ghost rows as
// segments (comm's vector calls): nothing is packed or unpacked, and
// between ranks of one process the bytes move once, row to row. Its
// segment lists are made once.
type Halo struct {
	m      messenger
	rank   int
	b      *Block
	fields []*Field
	flip   [3][]float64 // sign applied when reflecting across an axis, per field
	user   UserBC
	// Per axis and side (0 low, 1 high): the regions sent to and received
	// from that neighbour, per field, and the messages as segments: on
	// little-endian machines (the wire order) views of the fields' rows,
	// adjacent rows merged (a z face of one field is a single segment);
	// elsewhere the one buffer sendBuf or recvBuf, packed explicitly.
	sendBox, recvBox [3][2][]box
	sendVec, recvVec [3][2][][]byte
	sendBuf, recvBuf [3][2][]byte
	// bases: where each field's Data started when the segments were made.
	bases []*float64
	// deferX, deferZ: Exchange leaves the x or z self-wrap to the caller
	// (DeferWrapX, DeferWrapZ).
	deferX, deferZ bool
}

// nativeLE reports whether float64s in memory are already in wire order.
var nativeLE = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// floatBytes views f as its little-endian bytes (on little-endian machines
// only), with capacity len.
func floatBytes(f []float64) []byte {
	if len(f) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&f[0])), 8*len(f))
}

// rowSegments returns the rows of region r of each field (boxes[i] of
// fields[i]) in message order as byte views of the fields' memory, rows
// that follow each other in memory merged into one segment.
func rowSegments(fields []*Field, boxes []box) [][]byte {
	var segs [][]byte
	for fi, f := range fields {
		r := boxes[fi]
		run := r.hi[0] - r.lo[0]
		if run <= 0 {
			continue
		}
		start, end := -1, -1 // the segment being merged, in f.Data
		for k := r.lo[2]; k < r.hi[2]; k++ {
			for j := r.lo[1]; j < r.hi[1]; j++ {
				c := f.Idx(r.lo[0], j, k)
				if c != end {
					if start >= 0 {
						segs = append(segs, floatBytes(f.Data[start:end:end]))
					}
					start = c
				}
				end = c + run
			}
		}
		if start >= 0 {
			segs = append(segs, floatBytes(f.Data[start:end:end]))
		}
	}
	return segs
}

// NewHalo prepares the exchange of fields, which must belong to b (made by
// b.NewField), over c.
func NewHalo(c *comm.Comm, b *Block, fields ...*Field) (*Halo, error) {
	if c == nil {
		return nil, fmt.Errorf("sim: NewHalo: nil communicator")
	}
	if c.Size() != b.Size() || c.Rank() != b.Rank {
		return nil, fmt.Errorf("sim: NewHalo: communicator rank %d of %d does not match block rank %d of %d",
			c.Rank(), c.Size(), b.Rank, b.Size())
	}
	return newHalo(c, b, fields...)
}

// thinStaggeredBlock returns the cell count of a block along axis a that has
// a neighbour rank on both sides but fewer than ng+1 cells, or -1 if none has.
func thinStaggeredBlock(b *Block, a, ng int) int {
	p, n := b.Procs[a], b.Grid.N[a]
	if p == 1 {
		return -1 // one block wraps onto itself by local copies, in order
	}
	periodic := b.Grid.BC[a][0] == Periodic
	for c := 0; c < p; c++ {
		nc := n / p
		if c < n%p {
			nc++
		}
		if nc < ng+1 && (c > 0 || periodic) && (c < p-1 || periodic) {
			return nc
		}
	}
	return -1
}

func newHalo(m messenger, b *Block, fields ...*Field) (*Halo, error) {
	h := &Halo{m: m, rank: b.Rank, b: b, fields: fields}
	ng := b.Ng
	for fi, f := range fields {
		st := f.Loc.Stag()
		ok := f.Ng == ng && f.Stag == st && len(f.Data) == f.Dim[0]*f.Dim[1]*f.Dim[2] &&
			f.Sx == f.Dim[0] && f.Sy == f.Dim[1] && f.Off == ng+f.Sx*(ng+f.Sy*ng)
		for a := 0; a < 3; a++ {
			ok = ok && f.N[a] == b.N[a]+st[a] && f.Dim[a] == f.N[a]+2*ng
		}
		if !ok {
			return nil, fmt.Errorf("sim: NewHalo: field %d (%q) does not have this block's shape", fi, f.Name)
		}
		// A staggered field's point N is the high neighbour's point 0: it
		// arrives in the same sweep that sends points 0..ng down to the low
		// neighbour. A block of fewer than ng+1 cells between two neighbours
		// would forward its point N before receiving it. Every rank checks
		// every block along the axis, so all refuse alike.
		for a := 0; a < 3; a++ {
			if n := thinStaggeredBlock(b, a, ng); st[a] == 1 && n >= 0 {
				return nil, fmt.Errorf("sim: NewHalo: field %q is staggered along axis %d, where a block of %d cells lies between two neighbours; it needs at least ghost width + 1 = %d cells (use fewer ranks along that axis)",
					f.Name, a, n, ng+1)
			}
		}
	}
	for a := 0; a < 3; a++ {
		h.flip[a] = make([]float64, len(fields))
		for i := range h.flip[a] {
			h.flip[a][i] = 1
		}
		for s := 0; s < 2; s++ {
			if b.Nbr[a][s] == NoNeighbor && b.Grid.BC[a][s] == Reflecting && b.N[a] < ng {
				return nil, fmt.Errorf("sim: NewHalo: axis %d: %d cells cannot mirror %d ghost layers", a, b.N[a], ng)
			}
		}
		for s := 0; s < 2; s++ {
			ns, nr := 0, 0
			for _, f := range fields {
				var sb, rb box
				for e := 0; e < 3; e++ {
					switch {
					case e < a: // earlier sweeps filled these ghosts: pass them on
						sb.lo[e], sb.hi[e] = -ng, f.N[e]+ng
					default:
						sb.lo[e], sb.hi[e] = 0, f.N[e]
					}
				}
				rb = sb
				n, st := b.N[a], f.Stag[a]
				if s == 0 { // to/from the low neighbour
					sb.lo[a], sb.hi[a] = 0, st+ng
					rb.lo[a], rb.hi[a] = -ng, 0
				} else {
					sb.lo[a], sb.hi[a] = n-ng, n
					rb.lo[a], rb.hi[a] = n, n+st+ng
				}
				h.sendBox[a][s] = append(h.sendBox[a][s], sb)
				h.recvBox[a][s] = append(h.recvBox[a][s], rb)
				ns += sb.points()
				nr += rb.points()
			}
			if nb := b.Nbr[a][s]; nb != NoNeighbor && nb != b.Rank {
				if !nativeLE {
					h.sendBuf[a][s], h.recvBuf[a][s] = make([]byte, 8*ns), make([]byte, 8*nr)
					h.sendVec[a][s], h.recvVec[a][s] = [][]byte{h.sendBuf[a][s]}, [][]byte{h.recvBuf[a][s]}
				}
			}
		}
	}
	h.bases = make([]*float64, len(fields))
	h.segment()
	return h, nil
}

// segment makes the segment lists of the little-endian path from the
// fields' current memory and records where that memory is.
func (h *Halo) segment() {
	for i, f := range h.fields {
		h.bases[i] = &f.Data[0]
	}
	if !nativeLE {
		return
	}
	for a := 0; a < 3; a++ {
		for s := 0; s < 2; s++ {
			if nb := h.b.Nbr[a][s]; nb != NoNeighbor && nb != h.rank {
				h.sendVec[a][s] = rowSegments(h.fields, h.sendBox[a][s])
				h.recvVec[a][s] = rowSegments(h.fields, h.recvBox[a][s])
			}
		}
	}
}

// moved reports whether a field's Data is no longer the memory the segments
// view (a model swapped two fields' slices, say), and fails if it no longer
// has the field's shape.
func (h *Halo) moved() (bool, error) {
	moved := false
	for i, f := range h.fields {
		if n := f.Dim[0] * f.Dim[1] * f.Dim[2]; len(f.Data) != n {
			return false, fmt.Errorf("sim: halo exchange: field %d (%q) holds %d values, its shape %d", i, f.Name, len(f.Data), n)
		}
		moved = moved || &f.Data[0] != h.bases[i]
	}
	return moved, nil
}

// Fields returns the fields this halo exchanges.
func (h *Halo) Fields() []*Field { return h.fields }

// SetReflectSign names the fields that change sign when mirrored across a
// Reflecting face normal to axis: the axis components of vectors (velocity,
// momentum, magnetic field).
func (h *Halo) SetReflectSign(axis int, names ...string) error {
	if axis < 0 || axis > 2 {
		return fmt.Errorf("sim: SetReflectSign: axis %d", axis)
	}
	for _, name := range names {
		found := false
		for i, f := range h.fields {
			if f.Name == name {
				h.flip[axis][i] = -1
				found = true
			}
		}
		if !found {
			return fmt.Errorf("sim: SetReflectSign: no field %q in this halo", name)
		}
	}
	return nil
}

// SetUserBC sets the function that fills UserBoundary faces.
func (h *Halo) SetUserBC(fn UserBC) { h.user = fn }

// DeferWrapX makes Exchange leave the x ghosts to the caller when this block
// is its own neighbour across a periodic x axis (one block along x), and
// reports whether it does; otherwise (x neighbours or a physical x face) it
// changes nothing and returns false. The x wrap touches the first and last
// cache line of every row of every field, typically just after they left
// the cache, and costs more than the copy suggests; a sweep that reads each
// row anyway fills them for almost nothing by calling WrapX on the row just
// before it reads the row's x ghosts. Exchange still fills the y and z
// ghosts, but the x ghosts of every row, the y and z ghost rows included,
// keep whatever they held: only a stencil that reads no edge or corner
// ghost (such as the 7-point Laplacian) may defer.
func (h *Halo) DeferWrapX() bool {
	b := h.b
	h.deferX = b.Nbr[0][0] == h.rank && b.Nbr[0][1] == h.rank
	return h.deferX
}

// DeferWrapZ makes Exchange leave the z ghost planes to the caller when this
// block is its own neighbour across a periodic z axis (one block along z),
// and reports whether it does; otherwise it changes nothing and returns
// false. The z wrap copies 2·Ng whole planes of every field, as many bytes
// as a y exchange moves, from planes that are cold by then; a sweep that
// reads planes by index can read plane WrapZ(f, k) wherever it would read
// ghost plane k, and needs no copy. Exchange still fills the x and y ghosts
// of the interior planes; the z ghost planes keep whatever they held.
func (h *Halo) DeferWrapZ() bool {
	b := h.b
	h.deferZ = b.Nbr[2][0] == h.rank && b.Nbr[2][1] == h.rank
	return h.deferZ
}

// WrapZ returns the interior plane of f that plane k (a ghost plane, or an
// interior one) holds across a periodic z axis with one block: what
// Exchange copies into plane k unless DeferWrapZ was called.
func WrapZ(f *Field, k int) int {
	n := f.N[2] - f.Stag[2]
	return ((k % n) + n) % n
}

// WrapX fills the x ghosts of the row of f that starts at Data[o], o =
// f.Idx(0, j, k), from the row itself, as a periodic x axis with one block
// requires: what Exchange does for that row unless DeferWrapX was called.
func WrapX(f *Field, o int) {
	n, u := f.N[0]-f.Stag[0], f.Data
	ng, hi := f.Ng, f.Stag[0]+f.Ng
	if n >= hi { // no index wraps more than once (hi ≥ ng): no division
		for g := 1; g <= ng; g++ {
			u[o-g] = u[o+n-g]
		}
		for g := 0; g < hi; g++ {
			u[o+n+g] = u[o+g]
		}
		return
	}
	for g := 1; g <= ng; g++ {
		u[o-g] = u[o+((-g%n)+n)%n]
	}
	for g := 0; g < hi; g++ {
		u[o+n+g] = u[o+g%n]
	}
}

// Exchange fills every ghost point of the halo's fields (but the x ghosts
// after DeferWrapX, the z ghost planes after DeferWrapZ): from neighbours,
// from this block itself across a periodic axis with one block, or from
// the physical boundary condition.
func (h *Halo) Exchange(ctx context.Context) error {
	b := h.b
	if moved, err := h.moved(); err != nil {
		return err
	} else if moved {
		h.segment()
	}
	for a := 0; a < 3; a++ {
		lo, hi := b.Nbr[a][0], b.Nbr[a][1]
		if lo == h.rank && hi == h.rank {
			if !(a == 0 && h.deferX || a == 2 && h.deferZ) {
				h.selfPeriodic(a)
			}
			continue
		}
		// Upward: send my top layers to the high neighbour, receive the
		// low neighbour's into my low ghosts. Then downward.
		if err := h.shift(ctx, a, 1, 0, TagBase+2*a); err != nil {
			return err
		}
		if err := h.shift(ctx, a, 0, 1, TagBase+2*a+1); err != nil {
			return err
		}
		for s := 0; s < 2; s++ {
			if b.Nbr[a][s] != NoNeighbor {
				continue
			}
			if err := h.physical(a, s); err != nil {
				return err
			}
		}
	}
	return nil
}

// shift sends to the neighbour on side ds and receives from side rs.
func (h *Halo) shift(ctx context.Context, a, ds, rs, tag int) error {
	dst, src := h.b.Nbr[a][ds], h.b.Nbr[a][rs]
	if dst != NoNeighbor && !nativeLE {
		h.packBytes(a, ds)
	}
	var st comm.Status
	var err error
	switch {
	case dst != NoNeighbor && src != NoNeighbor:
		st, err = h.m.SendrecvVec(ctx, h.sendVec[a][ds], dst, tag, h.recvVec[a][rs], src, tag)
	case dst != NoNeighbor:
		err = h.m.SendVec(ctx, dst, tag, h.sendVec[a][ds])
	case src != NoNeighbor:
		st, err = h.m.RecvVec(ctx, src, tag, h.recvVec[a][rs])
	default:
		return nil
	}
	if err != nil {
		return fmt.Errorf("sim: halo exchange axis %d with ranks %d/%d: %w", a, dst, src, err)
	}
	if src == NoNeighbor {
		return nil
	}
	if want := 8 * h.recvPoints(a, rs); st.Len != want {
		return fmt.Errorf("sim: halo exchange axis %d: got %d bytes from rank %d, want %d", a, st.Len, src, want)
	}
	if !nativeLE {
		h.unpackBytes(a, rs, h.recvBuf[a][rs])
	}
	return nil
}

// recvPoints is the number of values received from side s of axis a.
func (h *Halo) recvPoints(a, s int) int {
	n := 0
	for _, r := range h.recvBox[a][s] {
		n += r.points()
	}
	return n
}

// packBytes and unpackBytes encode little-endian explicitly, for
// big-endian machines.
func (h *Halo) packBytes(a, s int) {
	buf := h.sendBuf[a][s]
	o := 0
	for fi, f := range h.fields {
		r := h.sendBox[a][s][fi]
		u := f.Data
		for k := r.lo[2]; k < r.hi[2]; k++ {
			for j := r.lo[1]; j < r.hi[1]; j++ {
				c := f.Idx(0, j, k)
				for i := r.lo[0]; i < r.hi[0]; i++ {
					binary.LittleEndian.PutUint64(buf[o:], math.Float64bits(u[c+i]))
					o += 8
				}
			}
		}
	}
}

func (h *Halo) unpackBytes(a, s int, buf []byte) {
	o := 0
	for fi, f := range h.fields {
		r := h.recvBox[a][s][fi]
		u := f.Data
		for k := r.lo[2]; k < r.hi[2]; k++ {
			for j := r.lo[1]; j < r.hi[1]; j++ {
				c := f.Idx(0, j, k)
				for i := r.lo[0]; i < r.hi[0]; i++ {
					u[c+i] = math.Float64frombits(binary.LittleEndian.Uint64(buf[o:]))
					o += 8
				}
			}
		}
	}
}

// copyLayer copies layer src to layer dst along axis a, times sign, over the
// other axes' ranges of r.
func copyLayer(f *Field, a, dst, src int, sign float64, r box) {
	r.lo[a], r.hi[a] = src, src+1
	var d [3]int
	d[a] = dst - src
	shift := d[0] + f.Sx*(d[1]+f.Sy*d[2])
	u := f.Data
	if sign == 1 && a != 0 {
		// A layer normal to y or z is made of whole x runs: copy them,
		// merged where rows (and planes) are adjacent, so that the z wrap
		// of a block that spans the axis is one copy per layer.
		nx, ny, nz := r.hi[0]-r.lo[0], r.hi[1]-r.lo[1], r.hi[2]-r.lo[2]
		if nx == f.Sx {
			nx, ny = nx*ny, 1
			if nx == f.Sx*f.Sy {
				nx, nz = nx*nz, 1
			}
		}
		for k := 0; k < nz; k++ {
			for j := 0; j < ny; j++ {
				c := f.Idx(r.lo[0], r.lo[1]+j, r.lo[2]+k)
				copy(u[c+shift:c+shift+nx], u[c:c+nx])
			}
		}
		return
	}
	for k := r.lo[2]; k < r.hi[2]; k++ {
		for j := r.lo[1]; j < r.hi[1]; j++ {
			c := f.Idx(0, j, k)
			for i := r.lo[0]; i < r.hi[0]; i++ {
				u[c+i+shift] = sign * u[c+i]
			}
		}
	}
}

// selfPeriodic wraps axis a onto itself (one block across a periodic axis),
// by index modulo n so that blocks thinner than the ghost width work too.
func (h *Halo) selfPeriodic(a int) {
	n := h.b.N[a]
	for fi, f := range h.fields {
		r := h.recvBox[a][0][fi]
		for g := -h.b.Ng; g < 0; g++ {
			copyLayer(f, a, g, ((g%n)+n)%n, 1, r)
		}
		r = h.recvBox[a][1][fi]
		for g := n; g < n+f.Stag[a]+h.b.Ng; g++ {
			copyLayer(f, a, g, (g-n)%n, 1, r)
		}
	}
}

// physical fills the ghosts of the physical face (a, s).
func (h *Halo) physical(a, s int) error {
	b := h.b
	kind := b.Grid.BC[a][s]
	ng, n := b.Ng, b.N[a]
	for fi, f := range h.fields {
		r := h.recvBox[a][s][fi]
		st := f.Stag[a]
		switch kind {
		case Outflow:
			for g := 1; g <= ng; g++ {
				if s == 0 {
					copyLayer(f, a, -g, 0, 1, r)
				} else {
					copyLayer(f, a, n+st-1+g, n+st-1, 1, r)
				}
			}
		case Reflecting:
			// Cells mirror about the face; nodes about the node on it.
			sign := h.flip[a][fi]
			for g := 1; g <= ng; g++ {
				if s == 0 {
					copyLayer(f, a, -g, g-1+st, sign, r)
				} else {
					copyLayer(f, a, n+st-1+g, n-g, sign, r)
				}
			}
		case UserBoundary:
			if h.user == nil {
				return fmt.Errorf("sim: halo: axis %d side %d is a user boundary but no UserBC is set", a, s)
			}
			h.user(b, f, a, s)
		default:
			return fmt.Errorf("sim: halo: axis %d side %d: boundary %v without neighbour", a, s, kind)
		}
	}
	return nil
}
