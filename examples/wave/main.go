// Command wave solves the 3D wave equation u_tt = c²∇²u on a periodic box
// with apollo's sim framework, using only its public API: a standing wave
// sin(2πx)sin(2πy)sin(2πz), integrated with kick-drift-kick leapfrog, and
// compared with the exact solution u0·cos(ωt), ω = 2π√3·c.
//
//	go run ./examples/wave -n 32 -ranks 4 -time 0.5
package main

import (
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"math"
	"os"

	"github.com/apollo-hpc/apollo/comm"
	"github.com/apollo-hpc/apollo/sim"
)

// wave holds displacement u, velocity v and acceleration a = c²∇²u.
type wave struct {
	c       float64
	u, v, a *sim.Field
	halo    *sim.Halo
	b       *sim.Block
}

func (w *wave) Init(ctx context.Context, env *sim.Env) error {
	w.b = env.Block
	w.u, w.v, w.a = w.b.NewField("u", sim.Cell), w.b.NewField("v", sim.Cell), w.b.NewField("a", sim.Cell)
	var err error
	if w.halo, err = sim.NewHalo(env.Comm, w.b, w.u); err != nil {
		return err
	}
	w.rows(func(c, j, k int) {
		for i := 0; i < w.b.N[0]; i++ {
			w.u.Data[c+i] = w.exact(i, j, k, 0)
		}
	})
	return w.accel(ctx, 0)
}

func (w *wave) exact(i, j, k int, t float64) float64 {
	s := math.Sin(2*math.Pi*w.b.X(i)) * math.Sin(2*math.Pi*w.b.Y(j)) * math.Sin(2*math.Pi*w.b.Z(k))
	return s * math.Cos(2*math.Pi*math.Sqrt(3)*w.c*t)
}

// rows calls fn per interior x-row with c the offset of cell (0, j, k).
func (w *wave) rows(fn func(c, j, k int)) {
	for k := 0; k < w.b.N[2]; k++ {
		for j := 0; j < w.b.N[1]; j++ {
			fn(w.u.Idx(0, j, k), j, k)
		}
	}
}

// accel exchanges u's ghosts, sets a = c²∇²u (7-point) and kicks v by h·a.
func (w *wave) accel(ctx context.Context, h float64) error {
	if err := w.halo.Exchange(ctx); err != nil {
		return err
	}
	u, v, a, dx := w.u.Data, w.v.Data, w.a.Data, w.b.Dx
	sx, sxy := w.u.Sx, w.u.Sx*w.u.Sy
	cx, cy, cz := w.c*w.c/(dx[0]*dx[0]), w.c*w.c/(dx[1]*dx[1]), w.c*w.c/(dx[2]*dx[2])
	w.rows(func(c, _, _ int) {
		for p := c; p < c+w.b.N[0]; p++ {
			a[p] = cx*(u[p-1]+u[p+1]-2*u[p]) + cy*(u[p-sx]+u[p+sx]-2*u[p]) + cz*(u[p-sxy]+u[p+sxy]-2*u[p])
			v[p] += h * a[p]
		}
	})
	return nil
}

func (w *wave) MaxDt(env *sim.Env) float64 {
	dx := env.Block.Dx
	return 0.5 / (w.c * math.Sqrt(1/(dx[0]*dx[0])+1/(dx[1]*dx[1])+1/(dx[2]*dx[2])))
}

func (w *wave) Step(ctx context.Context, env *sim.Env, t, dt float64) error {
	u, v, a := w.u.Data, w.v.Data, w.a.Data
	w.rows(func(c, _, _ int) {
		for p := c; p < c+w.b.N[0]; p++ {
			v[p] += 0.5 * dt * a[p] // kick
			u[p] += dt * v[p]       // drift
		}
	})
	return w.accel(ctx, 0.5*dt) // and kick
}

// The state is u, v and a with ghosts, as raw little-endian float64s.
func (w *wave) AppendState(buf []byte) ([]byte, error) {
	for _, f := range w.Fields() {
		buf, _ = binary.Append(buf, binary.LittleEndian, f.Data)
	}
	return buf, nil
}

func (w *wave) RestoreState(data []byte) error {
	for _, f := range w.Fields() {
		if _, err := binary.Decode(data, binary.LittleEndian, f.Data); err != nil {
			return fmt.Errorf("wave: state does not fit block %v: %w", w.b.N, err)
		}
		data = data[8*len(f.Data):]
	}
	return nil
}

func (w *wave) Fields() []*sim.Field { return []*sim.Field{w.u, w.v, w.a} }

func main() {
	n := flag.Int("n", 32, "cells per axis")
	ranks := flag.Int("ranks", 2, "in-process ranks")
	stop := flag.Float64("time", 0.5, "stop time")
	flag.Parse()
	grid := sim.Grid{N: [3]int{*n, *n, *n}, Hi: [3]float64{1, 1, 1}} // zero BC: periodic
	if err := sim.RunLocal(*ranks, func(c *comm.Comm) error { return run(context.Background(), c, grid, *stop) }); err != nil {
		fmt.Fprintln(os.Stderr, "wave:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, c *comm.Comm, grid sim.Grid, stop float64) error {
	env, err := sim.NewEnv(c, grid, [3]int{}, 1)
	if err != nil {
		return err
	}
	w := &wave{c: 1}
	res, err := sim.Run(ctx, env, w, sim.DriverConfig{StopTime: stop, ModelName: "wave"}, sim.Hooks{}, nil)
	if err != nil {
		return err
	}
	var e sim.ExactSum // exact, so the error is the same on any rank count
	w.rows(func(c, j, k int) {
		for i := 0; i < w.b.N[0]; i++ {
			d := w.u.Data[c+i] - w.exact(i, j, k, res.Time)
			e.Add(d * d)
		}
	})
	if err := e.Allreduce(ctx, c); err != nil {
		return err
	}
	sum, err := sim.FieldsChecksum(ctx, env, w.Fields())
	if err == nil && c.Rank() == 0 {
		fmt.Printf("wave %v on %d ranks: %d steps to t=%g, L2 error %.3e, checksum %016x\n",
			grid.N, c.Size(), res.Step, res.Time, math.Sqrt(e.Float64()/float64(grid.Cells())), sum)
	}
	return err
}
