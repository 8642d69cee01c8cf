package sim

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/apollo-hpc/apollo/comm"
)

// haloValue is the test pattern: a distinct positive value per field and
// global point.
func haloValue(fi int, g [3]int) float64 {
	return float64(fi)*1e7 + float64(g[0]) + 97*float64(g[1]) + 97*97*float64(g[2]) + 0.5
}

// mapGlobal maps a global point index of a field (possibly outside the
// grid) to the interior point whose value it must hold, and the sign.
func mapGlobal(gr Grid, st [3]int, g [3]int, flip [3]bool) ([3]int, float64) {
	sign := 1.0
	for a := 0; a < 3; a++ {
		m, x := gr.N[a], g[a]
		last := m - 1 + st[a] // last real point
		switch {
		case x >= 0 && x <= last && !(gr.BC[a][0] == Periodic && x == m):
		case gr.BC[a][0] == Periodic:
			x = ((x % m) + m) % m
		case x < 0 && gr.BC[a][0] == Outflow:
			x = 0
		case x > last && gr.BC[a][1] == Outflow:
			x = last
		case x < 0 && gr.BC[a][0] == Reflecting:
			x = -x - 1 + st[a]
			if flip[a] {
				sign = -sign
			}
		case x > last && gr.BC[a][1] == Reflecting:
			x = 2*last + 1 - st[a] - x
			if flip[a] {
				sign = -sign
			}
		}
		g[a] = x
	}
	return g, sign
}

func TestHaloExchange(t *testing.T) { testHaloExchange(t, false) }

// The explicit little-endian path that big-endian machines take.
func TestHaloExchangePortable(t *testing.T) {
	defer func(v bool) { nativeLE = v }(nativeLE)
	nativeLE = false
	testHaloExchange(t, false)
	testHaloExchange(t, true)
}

// One halo per field: a z face is then one segment of the field's memory.
func TestHaloExchangeOneField(t *testing.T) { testHaloExchange(t, true) }

func testHaloExchange(t *testing.T, oneField bool) {
	mixed := Grid{N: [3]int{6, 5, 7}, Hi: [3]float64{1, 1, 1},
		BC: [3][2]Boundary{{Periodic, Periodic}, {Outflow, Reflecting}, {Reflecting, Outflow}}}
	cases := []struct {
		bc    Boundary
		grid  Grid
		procs [3]int
		ng    int
	}{
		{Periodic, testGrid([3]int{6, 5, 7}, Periodic), [3]int{1, 1, 1}, 2},
		{Periodic, testGrid([3]int{6, 5, 7}, Periodic), [3]int{2, 1, 1}, 2},
		{Periodic, testGrid([3]int{6, 6, 7}, Periodic), [3]int{2, 2, 2}, 2},
		{Periodic, testGrid([3]int{6, 5, 7}, Periodic), [3]int{3, 1, 2}, 1},
		{Periodic, testGrid([3]int{6, 6, 1}, Periodic), [3]int{1, 2, 1}, 2}, // thin z, wraps on itself
		{Periodic, testGrid([3]int{6, 4, 2}, Periodic), [3]int{1, 1, 1}, 2}, // 2 cells, wraps on itself
		{Outflow, testGrid([3]int{6, 5, 7}, Outflow), [3]int{2, 1, 2}, 2},
		{Reflecting, testGrid([3]int{6, 5, 7}, Reflecting), [3]int{1, 2, 1}, 2},
		{Reflecting, mixed, [3]int{1, 1, 1}, 2},
		{Reflecting, mixed, [3]int{2, 2, 2}, 2}, // y: 3 and 2 cells, the thin one at the wall
		{Periodic, testGrid([3]int{5, 4, 12}, Periodic), [3]int{1, 1, 4}, 2},
		{Outflow, testGrid([3]int{5, 4, 8}, Outflow), [3]int{1, 1, 2}, 3},
		{Periodic, testGrid([3]int{4, 3, 24}, Periodic), [3]int{1, 1, 8}, 2},
		{Periodic, testGrid([3]int{4, 3, 6}, Periodic), [3]int{1, 1, 3}, 1}, // ng+1 cells: the thinnest staggered fields allow
	}
	locs := []Location{Cell, FaceX, FaceY, FaceZ, EdgeX, EdgeY, EdgeZ}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%v_%v_%v_ng%d_one%v", c.grid.BC, c.grid.N, c.procs, c.ng, oneField), func(t *testing.T) {
			size := c.procs[0] * c.procs[1] * c.procs[2]
			runRanks(t, size, func(cm *comm.Comm) error {
				b, err := NewBlock(c.grid, c.procs, cm.Rank(), c.ng)
				if err != nil {
					return err
				}
				fields := make([]*Field, len(locs))
				for fi, loc := range locs {
					f := b.NewField(fmt.Sprintf("f%d", fi), loc)
					for i := range f.Data {
						f.Data[i] = -1 // garbage in ghosts
					}
					fields[fi] = f
					// Only owned points are set: shared nodes owned by the
					// high neighbour must come from it.
					o := b.Owned(loc)
					for k := 0; k < o[2]; k++ {
						for j := 0; j < o[1]; j++ {
							for i := 0; i < o[0]; i++ {
								f.Set(i, j, k, haloValue(fi, [3]int{b.Start[0] + i, b.Start[1] + j, b.Start[2] + k}))
							}
						}
					}
				}
				groups := [][]*Field{fields}
				if oneField {
					groups = nil
					for _, f := range fields {
						groups = append(groups, []*Field{f})
					}
				}
				var halos []*Halo
				for _, g := range groups {
					h, err := NewHalo(cm, b, g...)
					if err != nil {
						return err
					}
					// Field 1 (FaceX) is an x-vector component, field 2 a y one.
					for _, f := range g {
						var err error
						switch f.Name {
						case "f1":
							err = h.SetReflectSign(0, "f1")
						case "f2", "f0":
							err = h.SetReflectSign(1, f.Name)
						}
						if err != nil {
							return err
						}
					}
					if err := checkSegments(h); err != nil {
						return err
					}
					halos = append(halos, h)
				}
				flips := map[int][3]bool{1: {true, false, false}, 2: {false, true, false}, 0: {false, true, false}}
				for rep := 0; rep < 2; rep++ { // buffers are reused
					for _, h := range halos {
						if err := h.Exchange(bg); err != nil {
							return err
						}
					}
					if err := checkHaloFields(c.grid, b, fields, flips); err != nil {
						return fmt.Errorf("exchange %d: %w", rep+1, err)
					}
				}
				return nil
			})
		})
	}
}

// A model may swap the Data slices of two fields between exchanges; the
// halo then exchanges the memory the field holds now.
func TestHaloFollowsSwappedData(t *testing.T) {
	g := testGrid([3]int{6, 6, 5}, Periodic)
	runRanks(t, 4, func(cm *comm.Comm) error {
		b, err := NewBlock(g, [3]int{1, 2, 2}, cm.Rank(), 2)
		if err != nil {
			return err
		}
		u, v := b.NewField("f0", Cell), b.NewField("f0", Cell)
		h, err := NewHalo(cm, b, u)
		if err != nil {
			return err
		}
		for rep := 0; rep < 3; rep++ {
			for i := range v.Data {
				v.Data[i] = -1
			}
			for k := 0; k < b.N[2]; k++ {
				for j := 0; j < b.N[1]; j++ {
					for i := 0; i < b.N[0]; i++ {
						v.Set(i, j, k, haloValue(0, [3]int{b.Start[0] + i, b.Start[1] + j, b.Start[2] + k}))
					}
				}
			}
			u.Data, v.Data = v.Data, u.Data
			if err := h.Exchange(bg); err != nil {
				return err
			}
			if err := checkHaloFields(g, b, []*Field{u}, nil); err != nil {
				return fmt.Errorf("after swap %d: %w", rep, err)
			}
		}
		u.Data = u.Data[:10]
		if err := h.Exchange(bg); err == nil {
			return fmt.Errorf("a field of 10 values exchanged")
		}
		return nil
	})
}

// checkSegments checks the messages' segments: on little-endian machines
// views of the fields' rows, as many bytes as the regions hold, and a z
// face with another rank one segment per field (whole x-y planes are
// contiguous); elsewhere the one packing buffer.
func checkSegments(h *Halo) error {
	b := h.b
	for a := 0; a < 3; a++ {
		for s := 0; s < 2; s++ {
			if b.Nbr[a][s] == NoNeighbor || b.Nbr[a][s] == b.Rank {
				continue
			}
			for _, c := range []struct {
				what  string
				segs  [][]byte
				boxes []box
			}{{"send", h.sendVec[a][s], h.sendBox[a][s]}, {"recv", h.recvVec[a][s], h.recvBox[a][s]}} {
				points, bytes := 0, 0
				for _, r := range c.boxes {
					points += r.points()
				}
				for _, seg := range c.segs {
					bytes += len(seg)
				}
				if bytes != 8*points {
					return fmt.Errorf("axis %d side %d %s: %d bytes in segments, want %d", a, s, c.what, bytes, 8*points)
				}
				want := 1
				if nativeLE && a == 2 {
					want = len(h.fields)
				}
				if (a == 2 || !nativeLE) && len(c.segs) != want {
					return fmt.Errorf("axis %d side %d %s: %d segments, want %d", a, s, c.what, len(c.segs), want)
				}
			}
		}
	}
	return nil
}

// checkHaloFields compares every point of every field, ghosts included, with
// the global value it stands for.
func checkHaloFields(grid Grid, b *Block, fields []*Field, flips map[int][3]bool) error {
	for fi, f := range fields {
		ng := b.Ng
		for k := -ng; k < f.N[2]+ng; k++ {
			for j := -ng; j < f.N[1]+ng; j++ {
				for i := -ng; i < f.N[0]+ng; i++ {
					g := [3]int{b.Start[0] + i, b.Start[1] + j, b.Start[2] + k}
					src, sign := mapGlobal(grid, f.Stag, g, flips[fi])
					want := sign * haloValue(fi, src)
					if got := f.At(i, j, k); got != want {
						return fmt.Errorf("field %d (%v) local (%d,%d,%d) global %v: got %v want %v (from %v)",
							fi, f.Loc, i, j, k, g, got, want, src)
					}
				}
			}
		}
	}
	return nil
}

func TestHaloUserBC(t *testing.T) {
	g := testGrid([3]int{4, 4, 4}, Periodic)
	g.BC[0] = [2]Boundary{UserBoundary, UserBoundary}
	runRanks(t, 2, func(cm *comm.Comm) error {
		b, err := NewBlock(g, [3]int{2, 1, 1}, cm.Rank(), 1)
		if err != nil {
			return err
		}
		f := b.NewField("u", Cell)
		h, err := NewHalo(cm, b, f)
		if err != nil {
			return err
		}
		if err := h.Exchange(bg); err == nil {
			return fmt.Errorf("exchange without UserBC succeeded")
		}
		h.SetUserBC(func(b *Block, f *Field, axis, side int) {
			i := -1
			if side == 1 {
				i = b.N[0]
			}
			for k := -b.Ng; k < f.N[2]+b.Ng; k++ {
				for j := -b.Ng; j < f.N[1]+b.Ng; j++ {
					f.Set(i, j, k, float64(100+side))
				}
			}
		})
		if err := h.Exchange(bg); err != nil {
			return err
		}
		if cm.Rank() == 0 {
			if v := f.At(-1, 2, 1); v != 100 {
				return fmt.Errorf("user face = %v", v)
			}
			if v := f.At(-1, -1, 4); v != 100 { // corner passed on by periodic y, z
				return fmt.Errorf("user corner = %v", v)
			}
		}
		return nil
	})
}

func TestHaloErrors(t *testing.T) {
	runRanks(t, 1, func(cm *comm.Comm) error {
		g := testGrid([3]int{4, 4, 1}, Reflecting)
		b, err := NewBlock(g, [3]int{1, 1, 1}, 0, 2)
		if err != nil {
			return err
		}
		if _, err := NewHalo(cm, b, b.NewField("u", Cell)); err == nil {
			return fmt.Errorf("reflecting 1-cell axis with 2 ghosts accepted")
		}
		g = testGrid([3]int{4, 4, 4}, Periodic)
		b, _ = NewBlock(g, [3]int{1, 1, 1}, 0, 2)
		other, _ := NewBlock(g, [3]int{1, 1, 1}, 0, 1)
		if _, err := NewHalo(cm, b, other.NewField("u", Cell)); err == nil {
			return fmt.Errorf("field of another shape accepted")
		}
		h, err := NewHalo(cm, b, b.NewField("u", Cell))
		if err != nil {
			return err
		}
		if err := h.SetReflectSign(0, "nope"); err == nil {
			return fmt.Errorf("unknown field name accepted")
		}
		b2, _ := NewBlock(g, [3]int{2, 1, 1}, 0, 1)
		if _, err := NewHalo(cm, b2, b2.NewField("u", Cell)); err == nil {
			return fmt.Errorf("block of another rank count accepted")
		}
		return nil
	})
}

// chanNet is an allocation-free eager transport for measuring the halo's own
// allocations: each (src, dst, tag) has a queue of byte buffers that are
// recycled after the receiver copies out of them.
type chanNet struct {
	mu   sync.Mutex
	full map[[3]int]chan []byte
	free map[[3]int]chan []byte
}

type chanEP struct {
	n    *chanNet
	rank int
}

func (n *chanNet) queues(k [3]int) (full, free chan []byte) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.full[k] == nil {
		n.full[k] = make(chan []byte, 4)
		n.free[k] = make(chan []byte, 4)
	}
	return n.full[k], n.free[k]
}

func (e chanEP) Send(ctx context.Context, dst, tag int, data []byte) error {
	full, free := e.n.queues([3]int{e.rank, dst, tag})
	var b []byte
	select {
	case b = <-free:
	default:
		b = make([]byte, 0, len(data))
	}
	full <- append(b[:0], data...)
	return nil
}

func (e chanEP) Recv(ctx context.Context, src, tag int, buf []byte) ([]byte, comm.Status, error) {
	full, free := e.n.queues([3]int{src, e.rank, tag})
	b := <-full
	out := append(buf[:0], b...)
	free <- b
	return out, comm.Status{Source: src, Tag: tag, Len: len(b)}, nil
}

func (e chanEP) SendVec(ctx context.Context, dst, tag int, segs [][]byte) error {
	full, free := e.n.queues([3]int{e.rank, dst, tag})
	var b []byte
	select {
	case b = <-free:
	default:
	}
	b = b[:0]
	for _, s := range segs {
		b = append(b, s...)
	}
	full <- b
	return nil
}

func (e chanEP) RecvVec(ctx context.Context, src, tag int, vec [][]byte) (comm.Status, error) {
	full, free := e.n.queues([3]int{src, e.rank, tag})
	b := <-full
	rest := b
	for _, s := range vec {
		rest = rest[copy(s, rest):]
	}
	free <- b
	if len(rest) > 0 {
		return comm.Status{}, fmt.Errorf("message of %d bytes longer than the vector", len(b))
	}
	return comm.Status{Source: src, Tag: tag, Len: len(b)}, nil
}

func (e chanEP) SendrecvVec(ctx context.Context, send [][]byte, dst, sendTag int, recv [][]byte, src, recvTag int) (comm.Status, error) {
	if err := e.SendVec(ctx, dst, sendTag, send); err != nil {
		return comm.Status{}, err
	}
	return e.RecvVec(ctx, src, recvTag, recv)
}

// The exchange allocates nothing per call: its buffers are made once.
// Measured on one rank (all self-wraps) and on 2x2x2 ranks over an
// allocation-free transport.
func TestHaloZeroAlloc(t *testing.T) {
	for _, procs := range [][3]int{{1, 1, 1}, {2, 2, 2}, {1, 1, 2}} {
		g := testGrid([3]int{8, 8, 8}, Periodic)
		g.BC[0] = [2]Boundary{Outflow, Reflecting}
		size := procs[0] * procs[1] * procs[2]
		net := &chanNet{full: map[[3]int]chan []byte{}, free: map[[3]int]chan []byte{}}
		halos := make([]*Halo, size)
		for r := range halos {
			b, err := NewBlock(g, procs, r, 2)
			if err != nil {
				t.Fatal(err)
			}
			fields := []*Field{b.NewField("a", Cell), b.NewField("b", FaceZ), b.NewField("c", EdgeX)}
			if procs[2] == 2 && procs[0] == 1 { // one field: z faces in place
				fields = fields[1:2]
			}
			halos[r], err = newHalo(chanEP{net, r}, b, fields...)
			if err != nil {
				t.Fatal(err)
			}
		}
		exchangeAll := func() {
			var wg sync.WaitGroup
			for r := 1; r < size; r++ {
				wg.Add(1)
				go func(r int) {
					defer wg.Done()
					if err := halos[r].Exchange(bg); err != nil {
						t.Error(err)
					}
				}(r)
			}
			if err := halos[0].Exchange(bg); err != nil {
				t.Error(err)
			}
			wg.Wait()
		}
		exchangeAll()
		var wg sync.WaitGroup
		for r := 1; r < size; r++ { // peers loop outside AllocsPerRun's count
			wg.Add(1)
			go func(r int) {
				defer wg.Done()
				for i := 0; i < 21; i++ {
					if err := halos[r].Exchange(bg); err != nil {
						t.Error(err)
					}
				}
			}(r)
		}
		allocs := testing.AllocsPerRun(20, func() {
			if err := halos[0].Exchange(bg); err != nil {
				t.Error(err)
			}
		})
		wg.Wait()
		if allocs != 0 {
			t.Errorf("procs %v: %v allocs per exchange", procs, allocs)
		}
	}
}

// sizeEP answers every receive with a message of extra bytes more than
// the receive vector holds (extra may be negative), all 0xff, stored as
// comm's transports do: up to the vector's end, the rest refused. Sends are
// discarded.
type sizeEP struct{ extra int }

func (e sizeEP) SendVec(ctx context.Context, dst, tag int, segs [][]byte) error { return nil }

func (e sizeEP) RecvVec(ctx context.Context, src, tag int, vec [][]byte) (comm.Status, error) {
	room := 0
	for _, s := range vec {
		room += len(s)
	}
	n := room + e.extra
	if n > room {
		return comm.Status{}, fmt.Errorf("message of %d bytes exceeds the %d-byte receive vector", n, room)
	}
	for _, s := range vec {
		for i := range s[:min(len(s), n)] {
			s[i] = 0xff
		}
		n -= min(len(s), n)
	}
	return comm.Status{Source: src, Tag: tag, Len: room + e.extra}, nil
}

func (e sizeEP) SendrecvVec(ctx context.Context, send [][]byte, dst, sendTag int, recv [][]byte, src, recvTag int) (comm.Status, error) {
	return e.RecvVec(ctx, src, recvTag, recv)
}

// A message of the wrong size from a z neighbour is an error, and nothing
// outside the ghost planes it is received into changes.
func TestHaloWrongSize(t *testing.T) {
	for _, extra := range []int{8, 1, -8} {
		g := testGrid([3]int{4, 3, 8}, Periodic)
		b, err := NewBlock(g, [3]int{1, 1, 2}, 0, 2)
		if err != nil {
			t.Fatal(err)
		}
		f := b.NewField("u", Cell)
		h, err := newHalo(sizeEP{extra}, b, f)
		if err != nil {
			t.Fatal(err)
		}
		for i := range f.Data {
			f.Data[i] = 1
		}
		err = h.Exchange(bg)
		if err == nil || !strings.Contains(err.Error(), "bytes") {
			t.Fatalf("extra %d: err = %v", extra, err)
		}
		// The first z shift (upward) receives into the low ghost planes.
		lo, hi := f.Idx(-2, -2, -2), f.Idx(-2, -2, 0)
		for i, v := range f.Data {
			if (i < lo || i >= hi) && v != 1 {
				t.Fatalf("extra %d: Data[%d] = %v outside the low z ghosts [%d,%d)", extra, i, v, lo, hi)
			}
		}
	}
}

// deferredAndPlain makes the block of cm's rank and two sets of fields at
// locs holding haloValue on their owned points and -1 elsewhere, calls
// deferWrap on the first set's halo (it must report want), and exchanges
// both sets twice (as in testHaloExchange: a block thinner than its ghosts
// plus stagger forwards a shared node it receives in the same exchange).
func deferredAndPlain(cm *comm.Comm, g Grid, procs [3]int, ng int, locs []Location, deferWrap func(*Halo) bool, want bool) (b *Block, fields, refs []*Field, err error) {
	if b, err = NewBlock(g, procs, cm.Rank(), ng); err != nil {
		return nil, nil, nil, err
	}
	for fi, loc := range locs {
		f, ref := b.NewField(fmt.Sprintf("f%d", fi), loc), b.NewField(fmt.Sprintf("f%d", fi), loc)
		o := b.Owned(loc)
		for i := range f.Data {
			f.Data[i], ref.Data[i] = -1, -1
		}
		for k := 0; k < o[2]; k++ {
			for j := 0; j < o[1]; j++ {
				for i := 0; i < o[0]; i++ {
					v := haloValue(fi, [3]int{b.Start[0] + i, b.Start[1] + j, b.Start[2] + k})
					f.Set(i, j, k, v)
					ref.Set(i, j, k, v)
				}
			}
		}
		fields, refs = append(fields, f), append(refs, ref)
	}
	h, err := NewHalo(cm, b, fields...)
	if err != nil {
		return nil, nil, nil, err
	}
	hr, err := NewHalo(cm, b, refs...)
	if err != nil {
		return nil, nil, nil, err
	}
	if got := deferWrap(h); got != want {
		return nil, nil, nil, fmt.Errorf("deferring = %v, want %v", got, want)
	}
	for rep := 0; rep < 2; rep++ {
		if err := h.Exchange(bg); err != nil {
			return nil, nil, nil, err
		}
		if err := hr.Exchange(bg); err != nil {
			return nil, nil, nil, err
		}
	}
	return b, fields, refs, nil
}

// With DeferWrapX, Exchange plus WrapX on every interior row fill the same
// values as a plain Exchange in every ghost a 7-point stencil reads: the x
// ghosts of interior rows and the interiors of the y and z ghost rows. Where
// x is not a periodic axis of one block, DeferWrapX refuses.
func TestHaloDeferWrapX(t *testing.T) {
	cases := []struct {
		grid   Grid
		procs  [3]int
		ng     int
		defers bool
	}{
		{testGrid([3]int{6, 5, 7}, Periodic), [3]int{1, 1, 1}, 1, true},
		{testGrid([3]int{6, 6, 7}, Periodic), [3]int{1, 2, 2}, 2, true},
		{testGrid([3]int{1, 4, 3}, Periodic), [3]int{1, 1, 1}, 2, true}, // thinner than the ghosts
		{testGrid([3]int{2, 4, 3}, Periodic), [3]int{1, 1, 1}, 3, true},
		{testGrid([3]int{6, 5, 7}, Periodic), [3]int{2, 1, 1}, 2, false},
		{testGrid([3]int{6, 5, 7}, Outflow), [3]int{1, 1, 1}, 2, false},
	}
	locs := []Location{Cell, FaceX, FaceY, EdgeZ}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%v_%v_%v_ng%d", c.grid.BC, c.grid.N, c.procs, c.ng), func(t *testing.T) {
			runRanks(t, c.procs[0]*c.procs[1]*c.procs[2], func(cm *comm.Comm) error {
				b, fields, refs, err := deferredAndPlain(cm, c.grid, c.procs, c.ng, locs, (*Halo).DeferWrapX, c.defers)
				if err != nil {
					return err
				}
				for fi, f := range fields {
					if c.defers {
						for k := 0; k < f.N[2]; k++ {
							for j := 0; j < f.N[1]; j++ {
								WrapX(f, f.Idx(0, j, k))
							}
						}
					}
					ng, ref, own := b.Ng, refs[fi], b.Owned(f.Loc)
					for k := -ng; k < f.N[2]+ng; k++ {
						for j := -ng; j < f.N[1]+ng; j++ {
							ghostRow := j < 0 || j >= f.N[1] || k < 0 || k >= f.N[2]
							for i := -ng; i < f.N[0]+ng; i++ {
								if ghostRow && (i < 0 || i >= own[0]) {
									continue // edges and corners: not filled when deferred
								}
								if got, want := f.At(i, j, k), ref.At(i, j, k); got != want || want == -1 {
									return fmt.Errorf("field %d (%v) at (%d,%d,%d): got %v, plain exchange %v", fi, f.Loc, i, j, k, got, want)
								}
							}
						}
					}
				}
				return nil
			})
		})
	}
}

// With DeferWrapZ, Exchange fills every ghost but the z ghost planes, and
// the interior plane WrapZ names holds what a plain Exchange copies into
// each z ghost plane, x and y ghosts included. Where z is not a periodic
// axis of one block, DeferWrapZ refuses.
func TestHaloDeferWrapZ(t *testing.T) {
	cases := []struct {
		grid   Grid
		procs  [3]int
		ng     int
		defers bool
	}{
		{testGrid([3]int{6, 5, 7}, Periodic), [3]int{1, 1, 1}, 2, true},
		{testGrid([3]int{6, 6, 7}, Periodic), [3]int{2, 2, 1}, 2, true},
		{testGrid([3]int{4, 3, 2}, Periodic), [3]int{1, 1, 1}, 3, true}, // thinner than the ghosts
		{testGrid([3]int{6, 5, 8}, Periodic), [3]int{1, 1, 2}, 2, false},
		{testGrid([3]int{6, 5, 7}, Outflow), [3]int{1, 1, 1}, 2, false},
	}
	locs := []Location{Cell, FaceZ, EdgeX}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%v_%v_%v_ng%d", c.grid.BC, c.grid.N, c.procs, c.ng), func(t *testing.T) {
			runRanks(t, c.procs[0]*c.procs[1]*c.procs[2], func(cm *comm.Comm) error {
				b, fields, refs, err := deferredAndPlain(cm, c.grid, c.procs, c.ng, locs, (*Halo).DeferWrapZ, c.defers)
				if err != nil {
					return err
				}
				for fi, f := range fields {
					ng, ref := b.Ng, refs[fi]
					for k := -ng; k < f.N[2]+ng; k++ {
						kf := k
						if c.defers {
							kf = WrapZ(f, k)
						}
						for j := -ng; j < f.N[1]+ng; j++ {
							for i := -ng; i < f.N[0]+ng; i++ {
								if got, want := f.At(i, j, kf), ref.At(i, j, k); got != want || want == -1 {
									return fmt.Errorf("field %d (%v) at (%d,%d,%d) read as plane %d: got %v, plain exchange %v", fi, f.Loc, i, j, k, kf, got, want)
								}
							}
						}
					}
				}
				return nil
			})
		})
	}
}

// A staggered field on a block of fewer than ng+1 cells between two
// neighbour ranks would get a stale ghost (the block forwards its shared
// point before receiving it): every rank refuses it, a cell field is fine.
func TestHaloRefusesThinStaggeredBlocks(t *testing.T) {
	cases := []struct {
		grid   Grid
		procs  [3]int
		refuse bool
	}{
		{testGrid([3]int{6, 5, 7}, Periodic), [3]int{1, 2, 1}, true},  // y blocks 3, 2; periodic: the 2 has two neighbours
		{testGrid([3]int{6, 5, 7}, Outflow), [3]int{1, 2, 1}, false},  // the 2-cell block is at the wall
		{testGrid([3]int{6, 7, 7}, Outflow), [3]int{1, 3, 1}, true},   // 3, 2, 2: the middle one
		{testGrid([3]int{6, 6, 7}, Periodic), [3]int{1, 2, 1}, false}, // 3, 3
	}
	for _, c := range cases {
		size := c.procs[0] * c.procs[1] * c.procs[2]
		runRanks(t, size, func(cm *comm.Comm) error {
			b, err := NewBlock(c.grid, c.procs, cm.Rank(), 2)
			if err != nil {
				return err
			}
			if _, err := NewHalo(cm, b, b.NewField("u", Cell), b.NewField("bx", FaceX)); err != nil {
				return fmt.Errorf("cell and x-face fields refused: %w", err)
			}
			_, err = NewHalo(cm, b, b.NewField("by", FaceY))
			if c.refuse && (err == nil || !strings.Contains(err.Error(), "ghost width + 1")) {
				return fmt.Errorf("%v on %v: y-face field accepted (err %v)", c.grid.N, c.procs, err)
			}
			if !c.refuse && err != nil {
				return fmt.Errorf("%v on %v: %w", c.grid.N, c.procs, err)
			}
			return nil
		})
	}
}
