package tcp

import (
	"log/slog"
	"os"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/apollo-hpc/apollo/comm"
	"github.com/apollo-hpc/apollo/comm/commtest"
)

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		os.Exit(helperMain())
	}
	goleak.VerifyTestMain(m)
}

var testKey = []byte("apollo test cluster key, 32 byte")

// testLogger sends a host's log to the test's log, shown when it fails.
func testLogger(t testing.TB) *slog.Logger {
	level := slog.LevelInfo
	if testing.Verbose() {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: level}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

func newHost(t testing.TB, mod func(*Config)) *Host {
	t.Helper()
	cfg := Config{Listen: "127.0.0.1:0", Key: testKey, Logger: testLogger(t)}
	if mod != nil {
		mod(&cfg)
	}
	h, err := NewHost(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// TestConformance runs the suite over three hosts that live across all its
// worlds: every world is a new epoch, ranks are dealt round-robin to the
// hosts, so both sockets and co-located ranks are exercised, and messages
// left over by a cancelled epoch must never reach the next one.
func TestConformance(t *testing.T) {
	hosts := []*Host{newHost(t, nil), newHost(t, nil), newHost(t, nil)}
	var epoch uint64
	commtest.Run(t, func(t *testing.T, size int) []comm.Endpoint {
		epoch++
		addrs := make([]string, size)
		for r := range addrs {
			addrs[r] = hosts[r%len(hosts)].Addr()
		}
		eps := make([]comm.Endpoint, size)
		for r := range eps {
			ep, err := hosts[r%len(hosts)].Endpoint(epoch, r, addrs)
			if err != nil {
				t.Fatal(err)
			}
			eps[r] = ep
		}
		return eps
	})
}
