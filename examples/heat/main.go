// Command heat runs the 3D heat example on in-process ranks and prints the
// error against the analytic solution and a decomposition-independent
// checksum of the final field:
//
//	go run ./examples/heat -n 64 -ranks 4 -time 0.002
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/apollo-hpc/apollo/comm"
	"github.com/apollo-hpc/apollo/examples/heat/heat"
	"github.com/apollo-hpc/apollo/sim"
)

func main() {
	n := flag.Int("n", 32, "cells per axis")
	ranks := flag.Int("ranks", 2, "in-process ranks")
	stop := flag.Float64("time", 0.005, "stop time")
	steps := flag.Int64("steps", 0, "stop after this many steps instead (if > 0)")
	init := flag.String("init", heat.Sine, "initial condition: sine or gauss")
	d := flag.Float64("d", 1, "diffusivity")
	sub := flag.Int("substeps", heat.DefaultSubsteps, fmt.Sprintf("FTCS sub-steps per step, 1..%d (more than 1 are fused into one sweep on a periodic box)", heat.MaxSubsteps))
	flag.Parse()
	if err := run(*n, *ranks, *stop, *steps, heat.Config{D: *d, Init: *init, Substeps: *sub}); err != nil {
		slog.Error("heat", "err", err)
		os.Exit(1)
	}
}

func run(n, ranks int, stop float64, steps int64, cfg heat.Config) error {
	if n < 1 || ranks < 1 {
		return fmt.Errorf("need n ≥ 1 and ranks ≥ 1, got %d and %d", n, ranks)
	}
	dc := sim.DriverConfig{StopTime: stop, ModelName: "heat"}
	if steps > 0 {
		dc = sim.DriverConfig{StopStep: steps, ModelName: "heat"}
	}
	start := time.Now()
	return sim.RunLocal(ranks, func(c *comm.Comm) error {
		return rank(context.Background(), c, n, cfg, dc, start)
	})
}

func rank(ctx context.Context, c *comm.Comm, n int, cfg heat.Config, dc sim.DriverConfig, start time.Time) error {
	env, err := sim.NewEnv(c, heat.DefaultGrid(n), [3]int{}, heat.Ghosts)
	if err != nil {
		return err
	}
	m := heat.New(cfg)
	res, err := sim.Run(ctx, env, m, dc, sim.Hooks{}, nil)
	if err != nil {
		return err
	}
	wall := time.Since(start)
	sum, err := sim.FieldsChecksum(ctx, env, m.Fields())
	if err != nil {
		return err
	}
	errL2, err := m.ErrorL2(ctx, env, res.Time)
	if err != nil {
		return err
	}
	if c.Rank() == 0 {
		// Each sub-step updates every cell once.
		sub := m.Config().Substeps
		updates := float64(env.Block.Grid.Cells()) * float64(res.Steps) * float64(sub)
		fmt.Printf("heat %d³ on %d ranks %v: %d steps of %d sub-steps (fused %v) to t=%g in %v (%.3g cell updates/s)\n",
			n, c.Size(), env.Block.Procs, res.Step, sub, m.Fused(), res.Time, wall.Round(time.Millisecond),
			updates/wall.Seconds())
		if cfg.Init == "" || cfg.Init == heat.Sine {
			fmt.Printf("L2 error vs analytic: %.6e\n", errL2)
		}
		fmt.Printf("checksum: %016x\n", sum)
	}
	return nil
}
