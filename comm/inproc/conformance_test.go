package inproc_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/apollo-hpc/apollo/comm"
	"github.com/apollo-hpc/apollo/comm/commtest"
	"github.com/apollo-hpc/apollo/comm/inproc"
)

func TestConformance(t *testing.T) {
	defer goleak.VerifyNone(t)
	commtest.Run(t, func(t *testing.T, size int) []comm.Endpoint { return inproc.NewWorld(size, 1) })
}
