package heat

import (
	"log/slog"
	"testing"

	"github.com/apollo-hpc/apollo/comm"
	"github.com/apollo-hpc/apollo/comm/inproc"
	"github.com/apollo-hpc/apollo/comm/tcp"
	"github.com/apollo-hpc/apollo/sim"
)

// tcpWorld makes size ranks, each on its own TCP host on loopback, and
// returns their endpoints and a function closing the hosts.
func tcpWorld(t testing.TB, size int) ([]comm.Endpoint, func()) {
	t.Helper()
	key := []byte("heat-test-cluster-key-0123456789")
	hosts := make([]*tcp.Host, size)
	addrs := make([]string, size)
	closeAll := func() {
		for _, h := range hosts {
			if h != nil {
				h.Close()
			}
		}
	}
	for r := range hosts {
		h, err := tcp.NewHost(tcp.Config{Listen: "127.0.0.1:0", Key: key, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			closeAll()
			t.Fatal(err)
		}
		hosts[r], addrs[r] = h, h.Addr()
	}
	eps := make([]comm.Endpoint, size)
	for r := range eps {
		ep, err := hosts[r].Endpoint(1, r, addrs)
		if err != nil {
			closeAll()
			t.Fatal(err)
		}
		eps[r] = ep
	}
	return eps, closeAll
}

// The TCP transport, with the fused two-sub-step sweep, gives the same bits
// as one in-process rank doing the sub-steps one after the other.
func TestBitIdenticalOverTCP(t *testing.T) {
	g := DefaultGrid(12)
	cfg := Config{Modes: [3]int{1, 2, 1}}
	dc := sim.DriverConfig{StopStep: 20}
	ref := run(t, inproc.NewWorld(1, 1), g, 1, false, cfg, dc)
	for _, size := range []int{2, 4, 8} {
		eps, closeAll := tcpWorld(t, size)
		o := run(t, eps, g, Ghosts, true, cfg, dc)
		closeAll()
		if o != ref {
			t.Fatalf("TCP on %d ranks: %+v, in-process 1 rank: %+v", size, o, ref)
		}
	}
}

// BenchmarkHeat160TCP runs the heat step at 160³ on 8 ranks, each on its
// own TCP host over loopback, beside the triad and the halo exchange (see
// paired): the halo fraction over a socket transport.
func BenchmarkHeat160TCP(b *testing.B) {
	b.Run("ranks=8", func(b *testing.B) {
		eps, closeAll := tcpWorld(b, 8)
		defer closeAll()
		paired(b, 160, eps, (1<<23)/8)
	})
}
