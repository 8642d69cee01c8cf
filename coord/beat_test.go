package coord

import (
	"context"
	"errors"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestLeaseChannel(t *testing.T) {
	lease := time.Second // generous: the machine running CI is shared and noisy
	s := startCluster(t, 1, nil, func(c *Config) { c.Lease = lease })[0]
	defer s.Close()
	c := NewClient([]string{s.HTTPAddr()}, testKey)
	defer c.CloseIdleConnections()
	ctx := ctxT(t, 10*time.Second)
	if _, err := c.SetJob(ctx, Job{Ranks: 2, K: 1, M: 1, MinNodes: 1, Retention: 1}); err != nil {
		t.Fatal(err)
	}
	r, err := c.Register(ctx, "a:1", 1)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewBeater([]string{s.HTTPAddr()}, testKey, r.Node)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	// Beats alone keep the node alive well past its lease.
	for end := time.Now().Add(2 * lease); time.Now().Before(end); time.Sleep(lease / 10) {
		rep, err := b.Beat(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Epoch != 1 || rep.State != Alive {
			t.Fatalf("reply %+v", rep)
		}
	}
	if st := s.State(); st.Members[r.Node].State != Alive || st.Epoch != 1 {
		t.Fatalf("node not kept alive by the lease channel: %+v", st.Members[r.Node])
	}

	// A replayed datagram renews nothing; a wrong key gets no answer at all.
	conn, err := net.Dial("udp", s.HTTPAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	m := newBeatMAC(testKey)
	pkt := appendBeatRequest(nil, m, beatReq{node: r.Node, epoch: 1, seq: 1, ms: time.Now().UnixMilli()})
	in := make([]byte, 512)
	for i, want := range []byte{beatUnknown} {
		conn.SetDeadline(time.Now().Add(time.Second))
		conn.Write(pkt)
		n, err := conn.Read(in)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := parseBeatReply(m, in[:n])
		if err != nil || rep.status != want {
			t.Fatalf("replay %d: %+v %v", i, rep, err)
		}
	}
	bad := appendBeatRequest(nil, newBeatMAC([]byte("not-the-cluster-key")), beatReq{node: r.Node, epoch: 1, seq: 1 << 62, ms: time.Now().UnixMilli()})
	conn.SetDeadline(time.Now().Add(200 * time.Millisecond))
	conn.Write(bad)
	if _, err := conn.Read(in); err == nil {
		t.Fatal("answered a datagram with the wrong key")
	}

	// Pulled: the beater learns it is fenced.
	if _, err := c.Pull(ctx, r.Node); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Beat(ctx, 1); !errors.Is(err, ErrFenced) {
		t.Fatalf("fenced beat: %v", err)
	}
	// No replica at all: Beat gives up with the context.
	nb, _ := NewBeater([]string{"127.0.0.1:1"}, testKey, "n9")
	defer nb.Close()
	nctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := nb.Beat(nctx, 1); err == nil {
		t.Fatal("beat without a controller succeeded")
	}
}

func FuzzBeatDatagram(f *testing.F) {
	m := newBeatMAC(testKey)
	f.Add(appendBeatRequest(nil, m, beatReq{node: "n1", epoch: 2, seq: 3, ms: 4}))
	f.Add(appendBeatReply(nil, m, beatRep{status: beatFenced, state: Dead, seq: 3, HeartbeatReply: HeartbeatReply{Epoch: 9}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := parseBeatRequest(m, b); err == nil {
			if again := appendBeatRequest(nil, m, r); string(again) != string(b) {
				t.Fatal("request does not round-trip")
			}
		}
		if r, err := parseBeatReply(m, b); err == nil {
			if again := appendBeatReply(nil, m, r); string(again) != string(b) {
				t.Fatal("reply does not round-trip")
			}
		}
	})
}

// With no replica listening, every attempt is refused at once; Beat must
// pause between them rather than spin until its context ends.
func TestBeatPausesWhenRefused(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	pc.Close() // nothing listens there now: the kernel answers port unreachable
	b, err := NewBeater([]string{addr, addr}, testKey, "n1")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	seq0 := b.seq
	if _, err := b.Beat(ctx, 1); err == nil {
		t.Fatal("a beat with no replica listening succeeded")
	}
	// 10, 20, 40 … 200 ms pauses fit about ten attempts in a second; a spin
	// made thousands.
	if n := b.seq - seq0; n > 40 {
		t.Fatalf("%d attempts in 1 s against refusing replicas", n)
	}
}

// listenAPI puts the lease channel on the API's port number; an explicit
// port whose UDP side another socket holds is an error naming the lease
// channel, not a silent move to another port.
func TestListenAPI(t *testing.T) {
	ln, udp, err := listenAPI("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tp, up := ln.Addr().(*net.TCPAddr).Port, udp.LocalAddr().(*net.UDPAddr).Port
	ln.Close()
	udp.Close()
	if tp != up {
		t.Fatalf("API on TCP port %d, lease channel on UDP port %d", tp, up)
	}

	for try := 0; ; try++ {
		held, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		addr := held.LocalAddr().String()
		ln, udp, err = listenAPI(addr)
		held.Close()
		if err == nil {
			ln.Close()
			udp.Close()
			t.Fatalf("listenAPI(%s) with its UDP port held: no error", addr)
		}
		if strings.Contains(err.Error(), "api listen") && try < 5 {
			continue // that port number is taken for TCP too: another
		}
		if !errors.Is(err, syscall.EADDRINUSE) || !strings.Contains(err.Error(), "lease channel") {
			t.Fatalf("listenAPI(%s) with its UDP port held: %v", addr, err)
		}
		return
	}
}
