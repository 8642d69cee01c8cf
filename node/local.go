package node

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc64"
	"math"
	"time"
)

// localHeat is a serial 3D heat solver used by Run until the sim framework
// is wired in: explicit 7-point stencil, periodic boundaries.
type localHeat struct {
	n    [3]int
	u, v []float64
}

func newLocalHeat(n [3]int) *localHeat {
	h := &localHeat{n: n, u: make([]float64, n[0]*n[1]*n[2]), v: make([]float64, n[0]*n[1]*n[2])}
	for k := 0; k < n[2]; k++ {
		z := (float64(k)+0.5)/float64(n[2]) - 0.5
		for j := 0; j < n[1]; j++ {
			y := (float64(j)+0.5)/float64(n[1]) - 0.5
			for i := 0; i < n[0]; i++ {
				x := (float64(i)+0.5)/float64(n[0]) - 0.5
				h.u[i+n[0]*(j+n[1]*k)] = math.Exp(-(x*x + y*y + z*z) / 0.01)
			}
		}
	}
	return h
}

// step advances one explicit step with the stable factor r = dt/dx² = 1/8.
func (h *localHeat) step() {
	nx, ny, nz := h.n[0], h.n[1], h.n[2]
	const r = 0.125
	u, v := h.u, h.v
	for k := 0; k < nz; k++ {
		km, kp := (k+nz-1)%nz, (k+1)%nz
		for j := 0; j < ny; j++ {
			jm, jp := (j+ny-1)%ny, (j+1)%ny
			row := nx * (j + ny*k)
			rjm, rjp := nx*(jm+ny*k), nx*(jp+ny*k)
			rkm, rkp := nx*(j+ny*km), nx*(j+ny*kp)
			for i := 0; i < nx; i++ {
				im, ip := i-1, i+1
				if im < 0 {
					im = nx - 1
				}
				if ip == nx {
					ip = 0
				}
				c := u[row+i]
				v[row+i] = c + r*(u[row+im]+u[row+ip]+u[rjm+i]+u[rjp+i]+u[rkm+i]+u[rkp+i]-6*c)
			}
		}
	}
	h.u, h.v = v, u
}

func (h *localHeat) checksum() uint64 {
	tab := crc64.MakeTable(crc64.ECMA)
	var b [8]byte
	var sum uint64
	for _, x := range h.u {
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(x))
		sum = crc64.Update(sum, tab, b[:])
	}
	return sum
}

// runLocal runs the serial solver to cfg's stop step, reporting progress.
func runLocal(ctx context.Context, cfg *Config, progress func(step int64, t float64)) (Result, error) {
	n := [3]int{cfg.Job.Grid[0], cfg.Job.Grid[1], cfg.Job.Grid[2]}
	h := newLocalHeat(n)
	dx := 1.0 / float64(n[0])
	dt := 0.125 * dx * dx
	start := time.Now()
	var step int64
	t := 0.0
	for (cfg.Job.StopStep == 0 || step < cfg.Job.StopStep) && (cfg.Job.StopTime == 0 || t < cfg.Job.StopTime) {
		if err := ctx.Err(); err != nil {
			return Result{}, fmt.Errorf("run: %w", err)
		}
		h.step()
		step++
		t += dt
		if progress != nil {
			progress(step, t)
		}
	}
	return Result{Steps: step, Time: t, Checksum: h.checksum(), Wall: time.Since(start)}, nil
}
