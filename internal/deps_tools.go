//go:build tools

// Package internal pins the third-party modules apollo's packages use, so
// that concurrent work on several packages shares one go.mod. Removed once
// every module is imported by real code.
package internal

import (
	_ "github.com/BurntSushi/toml"
	_ "github.com/hashicorp/raft"
	_ "github.com/hashicorp/raft-boltdb/v2"
	_ "github.com/klauspost/reedsolomon"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/prometheus/client_golang/prometheus/promhttp"
	_ "go.etcd.io/bbolt"
	_ "go.uber.org/goleak"
	_ "gonum.org/v1/gonum/floats"
	_ "gonum.org/v1/plot"
	_ "gonum.org/v1/plot/plotter"
	_ "gonum.org/v1/plot/vg"
	_ "golang.org/x/term"
)
