// Command otpng runs the 2D Orszag–Tang vortex to t = 0.5 and draws its
// density as a PNG (the picture in docs/verification/mhd.md):
//
//	go run ./examples/mhd/otpng [-config examples/mhd/orszag_tang.toml] [-o examples/mhd/orszag_tang_t0.5.png]
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"github.com/apollo-hpc/apollo/sim/mhd"
	"github.com/apollo-hpc/apollo/sim/output"
)

func main() {
	path := flag.String("config", "examples/mhd/orszag_tang.toml", "Orszag–Tang problem (TOML)")
	out := flag.String("o", "examples/mhd/orszag_tang_t0.5.png", "PNG to write")
	flag.Parse()
	if err := run(*path, *out); err != nil {
		slog.Error("otpng failed", "err", err)
		os.Exit(1)
	}
}

func run(path, out string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read config: %w", err)
	}
	cfg, err := mhd.ParseConfig(data)
	if err != nil {
		return err
	}
	if cfg.Problem != "orszag-tang" {
		return fmt.Errorf("%s: problem %q, want orszag-tang", path, cfg.Problem)
	}
	m, err := mhd.New(cfg)
	if err != nil {
		return err
	}
	if err := m.Run(context.Background(), nil); err != nil {
		return err
	}
	d, err := m.Plane("dens", 0)
	if err != nil {
		return err
	}
	g := m.Grid()
	s := output.Slice{Data: d, NX: cfg.NX, NY: cfg.NY, X0: g.Lo[0], X1: g.Hi[0], Y0: g.Lo[1], Y1: g.Hi[1],
		Title:  fmt.Sprintf("Orszag-Tang density, t = %.2f, %d×%d, VL2+PLM+HLLD+CT", m.Time(), cfg.NX, cfg.NY),
		XLabel: "x", YLabel: "y", Width: 800, Height: 720}
	if err := s.WritePNG(out); err != nil {
		return err
	}
	dg := m.Diagnostics()
	fmt.Printf("wrote %s: %d steps, max div B %.3g, floor hits %d\n", out, dg.Steps, dg.MaxDivB, dg.FloorHits)
	return nil
}
