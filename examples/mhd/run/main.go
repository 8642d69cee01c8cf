// Command run runs an MHD problem from a TOML file on in-process ranks with
// the sim driver and prints the global diagnostics and the speed:
//
//	go run ./examples/mhd/run -config examples/mhd/blast.toml -ranks 2
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/apollo-hpc/apollo/comm"
	"github.com/apollo-hpc/apollo/sim"
	"github.com/apollo-hpc/apollo/sim/mhd"
)

func main() {
	path := flag.String("config", "examples/mhd/orszag_tang_3d.toml", "problem description (TOML)")
	ranks := flag.Int("ranks", 1, "in-process ranks")
	steps := flag.Int64("steps", 0, "stop after this many steps instead of at tlim")
	flag.Parse()
	if err := run(*path, *ranks, *steps); err != nil {
		slog.Error("mhd run failed", "err", err)
		os.Exit(1)
	}
}

func run(path string, ranks int, steps int64) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read config: %w", err)
	}
	cfg, err := mhd.ParseConfig(data)
	if err != nil {
		return err
	}
	dc := sim.DriverConfig{StopTime: cfg.TLim, ModelName: "mhd"}
	if steps > 0 {
		dc = sim.DriverConfig{StopStep: steps, ModelName: "mhd"}
	}
	var mu sync.Mutex
	var res sim.Result
	var diag mhd.Diagnostics
	var wall time.Duration
	err = sim.RunLocal(ranks, func(c *comm.Comm) error {
		ctx := context.Background()
		m, err := mhd.New(cfg)
		if err != nil {
			return err
		}
		env, err := sim.NewEnv(c, m.Grid(), [3]int{}, mhd.Ghosts)
		if err != nil {
			return err
		}
		start := time.Now()
		r, err := sim.Run(ctx, env, m, dc, sim.Hooks{}, nil)
		if err != nil {
			return err
		}
		el := time.Since(start)
		d, err := m.GlobalDiagnostics(ctx, env)
		if err != nil {
			return err
		}
		if c.Rank() == 0 {
			mu.Lock()
			res, diag, wall = r, d, el
			mu.Unlock()
		}
		return nil
	})
	if err != nil {
		return err
	}
	cells := float64(cfg.NX) * float64(cfg.NY) * float64(cfg.NZ)
	fmt.Printf("%s %d×%d×%d on %d ranks: %d steps to t=%.4g in %.2fs, %.3g zone-cycles/s\n",
		cfg.Problem, cfg.NX, cfg.NY, cfg.NZ, ranks, res.Steps, res.Time, wall.Seconds(),
		cells*float64(res.Steps)/wall.Seconds())
	fmt.Printf("mass %.15g  energy %.15g  max div B %.3g  floor hits %d\n", diag.Mass, diag.Energy, diag.MaxDivB, diag.FloorHits)
	return nil
}
