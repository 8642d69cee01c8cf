package heat

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"

	"gonum.org/v1/gonum/floats"

	"github.com/apollo-hpc/apollo/comm"
	"github.com/apollo-hpc/apollo/comm/inproc"
	"github.com/apollo-hpc/apollo/sim"
)

// The tile kernel gives the same bits as rowsGo for every row length 0–70
// (the eight-, four- and one-cell paths), 0–4 rows, strides from n+2 up, and
// every alignment of the output and of the three inputs.
func TestRowsMatchesGo(t *testing.T) {
	if !useAVX2 {
		t.Skip("no vector kernel on this machine")
	}
	defer func() { useAVX2 = true }()
	rng := rand.New(rand.NewPCG(5, 6))
	special := []float64{0, math.Copysign(0, -1), 5e-324, -2.2e-308, math.Inf(-1), 1e300}
	val := func() float64 {
		if rng.IntN(20) == 0 {
			return special[rng.IntN(len(special))]
		}
		return (rng.Float64() - 0.5) * math.Exp2(float64(rng.IntN(40)-20))
	}
	const maxLen, maxRows = 70, 4
	for n := 0; n <= maxLen; n++ {
		for trial := 0; trial < 24; trial++ {
			nr := trial % (maxRows + 1)
			sx := n + 2 + rng.IntN(9)
			size := (nr+3)*sx + 8
			u, b, tt := make([]float64, size), make([]float64, size), make([]float64, size)
			for _, a := range [][]float64{u, b, tt} {
				for i := range a {
					a[i] = val()
				}
			}
			vo, uo := trial%4, sx+1+(trial/4)%4
			bo, to := rng.IntN(4), rng.IntN(4)
			c := coefs{rng.Float64(), rng.Float64() / 6, rng.Float64() / 6, rng.Float64() / 6}
			if trial%3 == 0 {
				c = coefs{val(), val(), val(), val()}
			}
			want, got := make([]float64, size), make([]float64, size)
			useAVX2 = false
			rows(want, u, b, tt, vo, uo, bo, to, n, nr, sx, &c)
			useAVX2 = true
			rows(got, u, b, tt, vo, uo, bo, to, n, nr, sx, &c)
			for i := range want {
				if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
					t.Fatalf("n=%d rows=%d sx=%d offsets %d %d %d %d: v[%d] = %v, rowsGo gives %v",
						n, nr, sx, vo, uo, bo, to, i, got[i], want[i])
				}
			}
		}
	}
}

// Non-temporal stores give the bits of ordinary ones, for row lengths 0–70
// and 1–4 rows, on destinations aligned for them (the vector stores stream)
// and on ones that are not (rowsStream falls back to ordinary stores).
func TestRowsStreamMatchesGo(t *testing.T) {
	if !useAVX2 {
		t.Skip("no vector kernel on this machine")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	streamed := 0
	for n := 0; n <= 70; n++ {
		for trial := 0; trial < 8; trial++ {
			nr := 1 + trial%4
			sx := (n+2+3)/4*4 + 4*(trial/4) // a multiple of 4, as streaming needs
			if trial%4 == 3 {
				sx++ // rows off the 32-byte grid: the fallback
			}
			size := (nr+3)*sx + 16
			u, b, tt := make([]float64, size), make([]float64, size), make([]float64, size)
			for _, a := range [][]float64{u, b, tt} {
				for i := range a {
					a[i] = (rng.Float64() - 0.5) * math.Exp2(float64(rng.IntN(40)-20))
				}
			}
			want, got := make([]float64, size), make([]float64, size)
			vo := 4 - int(uintptr(unsafe.Pointer(&got[0]))%32/8) // got[vo] on a 32-byte boundary
			if trial%2 == 1 {
				vo++
			}
			if streamable(got, vo, sx) {
				streamed++
			}
			c := coefs{rng.Float64(), rng.Float64() / 6, rng.Float64() / 6, rng.Float64() / 6}
			rowsGo(want, u, b, tt, vo, sx+1, 2, 3, n, nr, sx, &c)
			rowsStream(got, u, b, tt, vo, sx+1, 2, 3, n, nr, sx, &c)
			for i := range want {
				if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
					t.Fatalf("n=%d rows=%d sx=%d vo=%d: v[%d] = %v, rowsGo gives %v", n, nr, sx, vo, i, got[i], want[i])
				}
			}
		}
	}
	if streamed < 71*2 {
		t.Fatalf("only %d of %d cases were aligned for streaming", streamed, 71*8)
	}
}

// Whole fused runs that write v with non-temporal stores end with the bits
// of runs that do not, on 1, 2 and 4 ranks: rows of 16 cells with 4 ghosts
// each side are 32-byte aligned, so the streaming path runs.
func TestStreamSameBits(t *testing.T) {
	if !useAVX2 {
		t.Skip("no vector kernel on this machine")
	}
	defer func(b int) { streamBytes = b }(streamBytes)
	g := sim.Grid{N: [3]int{16, 12, 10}, Lo: [3]float64{0, 0, 0}, Hi: [3]float64{1, 1, 1}}
	cfg := Config{Init: Gauss, Sigma: 0.2}
	streamBytes = 0
	onRanks(t, inproc.NewWorld(1, 1), func(c *comm.Comm) error {
		env, err := sim.NewEnv(c, g, [3]int{}, Ghosts)
		if err != nil {
			return err
		}
		m := New(cfg)
		if err := m.Init(bg, env); err != nil {
			return err
		}
		if !m.stream || !streamable(m.v.Data, m.v.Idx(0, 0, 0), m.v.Sx) {
			return fmt.Errorf("the test grid does not stream: stream %v, Sx %d", m.stream, m.v.Sx)
		}
		return nil
	})
	for _, size := range []int{1, 2, 4} {
		streamBytes = 0
		streamed := run(t, inproc.NewWorld(size, 1), g, Ghosts, true, cfg, sim.DriverConfig{StopStep: 20})
		streamBytes = math.MaxInt
		cached := run(t, inproc.NewWorld(size, 1), g, Ghosts, true, cfg, sim.DriverConfig{StopStep: 20})
		if streamed != cached {
			t.Fatalf("%d ranks: streamed %+v, cached %+v", size, streamed, cached)
		}
	}
}

// Whole runs with and without the vector kernel end with the same bits, on
// one and on four ranks (row lengths 12 and 6, so the scalar tail runs too).
func TestVectorKernelSameBits(t *testing.T) {
	if !useAVX2 {
		t.Skip("no vector kernel on this machine")
	}
	defer func() { useAVX2 = true }()
	g := sim.Grid{N: [3]int{13, 10, 8}, Lo: [3]float64{-1, 0, 0}, Hi: [3]float64{1, 1.5, 1},
		BC: [3][2]sim.Boundary{{sim.Periodic, sim.Periodic}, {sim.Outflow, sim.Reflecting}, {sim.Reflecting, sim.Outflow}}}
	cfg := Config{Init: Gauss, Sigma: 0.2}
	periodic := g
	periodic.BC = sim.Grid{}.BC
	for _, size := range []int{1, 4} {
		for _, c := range []struct {
			g     sim.Grid
			fused bool
		}{{g, false}, {periodic, true}} {
			useAVX2 = true
			vec := run(t, inproc.NewWorld(size, 1), c.g, Ghosts, c.fused, cfg, sim.DriverConfig{StopStep: 20})
			useAVX2 = false
			scalar := run(t, inproc.NewWorld(size, 1), c.g, Ghosts, c.fused, cfg, sim.DriverConfig{StopStep: 20})
			if vec != scalar {
				t.Fatalf("%d ranks, fused %v: vector %+v, scalar %+v", size, c.fused, vec, scalar)
			}
		}
	}
}

// rowGonum is the row update as whole-row gonum/floats operations (SSE2
// assembly inside) through an L1-sized scratch row: the alternative to the
// fused kernel that BenchmarkRow measures. Same operations, same order, so
// the same bits.
func rowGonum(v, u, w, e, s, n, b, t, tmp []float64, c *coefs) {
	floats.ScaleTo(v, c[0], u)
	floats.AddTo(tmp, w, e)
	floats.AddScaled(v, c[1], tmp)
	floats.AddTo(tmp, s, n)
	floats.AddScaled(v, c[2], tmp)
	floats.AddTo(tmp, b, t)
	floats.AddScaled(v, c[3], tmp)
}

// BenchmarkRow times one 160-cell row update with all rows in L1: the
// pure-Go loop (rowsGo), the AVX2 tile kernel (rows) and a gonum/floats
// composition.
func BenchmarkRow(b *testing.B) {
	const n, sx = 160, 162
	rng := rand.New(rand.NewPCG(3, 4))
	u, bt, tp := make([]float64, 3*sx), make([]float64, n), make([]float64, n)
	for _, a := range [][]float64{u, bt, tp} {
		for i := range a {
			a[i] = rng.Float64()
		}
	}
	v, tmp, want := make([]float64, n), make([]float64, n), make([]float64, n)
	const o = sx + 1 // the centre row, with a cell on each side
	c := coefs{0.4, 0.1, 0.1, 0.1}
	rowsGo(want, u, bt, tp, 0, o, 0, 0, n, 1, sx, &c)
	for _, k := range []struct {
		name string
		fn   func()
	}{
		{"go", func() { rowsGo(v, u, bt, tp, 0, o, 0, 0, n, 1, sx, &c) }},
		{"rows", func() { rows(v, u, bt, tp, 0, o, 0, 0, n, 1, sx, &c) }},
		{"gonum", func() {
			rowGonum(v, u[o:o+n], u[o-1:o-1+n], u[o+1:o+1+n], u[o-sx:o-sx+n], u[o+sx:o+sx+n], bt, tp, tmp, &c)
		}},
	} {
		b.Run(k.name, func(b *testing.B) {
			clear(v)
			k.fn()
			for i := range want {
				if math.Float64bits(v[i]) != math.Float64bits(want[i]) {
					b.Fatalf("v[%d] = %v, rowGo gives %v", i, v[i], want[i])
				}
			}
			for b.Loop() {
				k.fn()
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "cells/s")
		})
	}
}

// A step allocates nothing: on one rank (every axis wraps onto the block,
// x inside the sweep), fused and with separate sub-steps, through the
// vector kernel and through the scalar one.
func TestStepZeroAlloc(t *testing.T) {
	defer func(v bool) { useAVX2 = v }(useAVX2)
	for _, ng := range []int{1, Ghosts} {
		stepZeroAlloc(t, ng, useAVX2)
	}
}

func stepZeroAlloc(t *testing.T, ng int, hasAVX2 bool) {
	onRanks(t, inproc.NewWorld(1, 1), func(c *comm.Comm) error {
		env, err := sim.NewEnv(c, DefaultGrid(17), [3]int{}, ng)
		if err != nil {
			return err
		}
		m := New(Config{})
		if err := m.Init(bg, env); err != nil {
			return err
		}
		if !m.wrapX || m.Fused() != (ng >= Ghosts) {
			return fmt.Errorf("ghost width %d: wrapX %v, fused %v", ng, m.wrapX, m.Fused())
		}
		dt := m.MaxDt(env)
		for _, vec := range []bool{true, false} {
			useAVX2 = vec && hasAVX2
			var err error
			allocs := testing.AllocsPerRun(10, func() {
				if e := m.Step(bg, env, 0, dt); e != nil {
					err = e
				}
			})
			if err != nil {
				return err
			}
			if allocs != 0 {
				return fmt.Errorf("ghost width %d, vector kernel %v: %v allocations per step", ng, useAVX2, allocs)
			}
		}
		return nil
	})
}
