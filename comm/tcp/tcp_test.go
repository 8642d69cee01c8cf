package tcp

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/iotest"
	"time"

	"github.com/apollo-hpc/apollo/comm"
	"github.com/apollo-hpc/apollo/comm/auth"
)

// The tests build frames with the standard library's CRC-32C, an
// independent check of internal/crc32c on the wire.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func frame(hd header, payload []byte) []byte {
	hd.length = uint64(len(payload))
	b := make([]byte, headerLen, headerLen+len(payload)+trailerLen)
	hd.encode(b)
	b = append(b, payload...)
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(payload, castagnoli))
}

func TestFrameRoundTripAndRejects(t *testing.T) {
	hd := header{kind: kindData, epoch: 1<<40 + 3, src: 7, dst: 9, tag: -5}
	payload := bytes.Repeat([]byte("apollo"), 100000) // > 16 MiB path not needed; several chunks
	b := frame(hd, payload)
	fr := &frameReader{r: bytes.NewReader(b), max: 1 << 30}
	got, err := fr.header()
	hd.length = uint64(len(payload))
	if err != nil || got != hd {
		t.Fatalf("header: %+v %v, want %+v", got, err, hd)
	}
	body, err := fr.bodyAlloc(got.length, func(n int) []byte { return make([]byte, n) })
	if err != nil || !bytes.Equal(body, payload) {
		t.Fatalf("body: %v", err)
	}

	// The same frames read in pieces of every size the socket may return,
	// twice in a row: the payload checksum is folded piece by piece, and
	// the end of a stream between frames is io.EOF, inside one unexpected.
	for _, r := range []io.Reader{iotest.OneByteReader(bytes.NewReader(append(b, b...))), iotest.HalfReader(bytes.NewReader(append(b, b...)))} {
		fr := &frameReader{r: r, max: 1 << 30}
		for range 2 {
			got, err := fr.header()
			if err != nil || got != hd {
				t.Fatalf("piecewise header: %+v %v", got, err)
			}
			body := make([]byte, got.length)
			if err := fr.body(body); err != nil || !bytes.Equal(body, payload) {
				t.Fatalf("piecewise body: %v", err)
			}
		}
		if _, err := fr.header(); err != io.EOF {
			t.Fatalf("after the last frame: %v, want io.EOF", err)
		}
	}
	cut := &frameReader{r: iotest.OneByteReader(bytes.NewReader(b[:len(b)-2])), max: 1 << 30}
	if got, err := cut.header(); err != nil {
		t.Fatalf("cut frame header: %+v %v", got, err)
	}
	if err := cut.body(make([]byte, len(payload))); err != io.ErrUnexpectedEOF {
		t.Fatalf("frame cut in its trailer: %v, want io.ErrUnexpectedEOF", err)
	}

	bad := func(name string, mutate func(b []byte) []byte, max uint64) {
		t.Helper()
		c := mutate(append([]byte(nil), frame(header{kind: kindData, tag: 1}, []byte("hello"))...))
		fr := &frameReader{r: bytes.NewReader(c), max: max}
		hd, err := fr.header()
		if err == nil {
			_, err = fr.bodyAlloc(hd.length, func(n int) []byte { return make([]byte, n) })
		}
		if !errors.Is(err, errFrame) {
			t.Errorf("%s: got %v, want a malformed-frame error", name, err)
		}
	}
	bad("magic", func(b []byte) []byte { b[0] = 'X'; return b }, 1<<30)
	bad("version", func(b []byte) []byte { b[4] = 2; return b }, 1<<30)
	bad("header crc", func(b []byte) []byte { b[20] ^= 1; return b }, 1<<30)
	bad("payload crc", func(b []byte) []byte { b[headerLen+1] ^= 1; return b }, 1<<30)
	bad("too long", func(b []byte) []byte { return b }, 4)
	// A huge claimed length with a valid header checksum: refused before
	// allocation by the limit.
	var hb [headerLen]byte
	(&header{kind: kindData, length: 1 << 62}).encode(hb[:])
	if _, err := decodeHeader(hb[:], 1<<30); !errors.Is(err, errFrame) {
		t.Errorf("huge length: %v", err)
	}
}

// FuzzFrame feeds arbitrary bytes to the frame decoder: it must return
// frames or errors, never panic, and never allocate beyond what arrived
// (the limit here is 1 MiB).
func FuzzFrame(f *testing.F) {
	f.Add(frame(header{kind: kindData, epoch: 1, src: 1, dst: 2, tag: 3}, []byte("payload")))
	f.Add(frame(header{kind: kindHeartbeat}, nil))
	f.Add(frame(header{kind: kindHello}, []byte("127.0.0.1:7070")))
	f.Add(append(frame(header{kind: kindRankClosed, epoch: 4, src: 1}, nil), frame(header{kind: kindData}, nil)...))
	f.Add(frame(header{kind: kindBye}, nil))
	f.Add([]byte("APLF\x01\x01\x00\x00"))
	f.Add(bytes.Repeat([]byte{0xff}, 100))
	f.Fuzz(func(t *testing.T, in []byte) {
		fr := &frameReader{r: bytes.NewReader(in), max: 1 << 20}
		for {
			hd, err := fr.header()
			if err != nil {
				return
			}
			if hd.length > 1<<20 {
				t.Fatalf("decoder accepted length %d over the limit", hd.length)
			}
			body, err := fr.bodyAlloc(hd.length, func(n int) []byte { return make([]byte, n) })
			if err != nil {
				return
			}
			if uint64(len(body)) != hd.length {
				t.Fatalf("body of %d bytes for length %d", len(body), hd.length)
			}
		}
	})
}

func endpoints(t *testing.T, epoch uint64, hosts []*Host, size int) []*comm.Comm {
	t.Helper()
	addrs := make([]string, size)
	for r := range addrs {
		addrs[r] = hosts[r%len(hosts)].Addr()
	}
	cs := make([]*comm.Comm, size)
	for r := range cs {
		ep, err := hosts[r%len(hosts)].Endpoint(epoch, r, addrs)
		if err != nil {
			t.Fatal(err)
		}
		cs[r] = comm.New(ep)
	}
	t.Cleanup(func() {
		for _, c := range cs {
			c.Close()
		}
	})
	return cs
}

// pingAll checks that every rank can still exchange with every other.
func pingAll(t *testing.T, cs []*comm.Comm) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for _, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := []int64{int64(c.Rank())}
			out := []int64{0}
			if err := c.AllreduceInt64(ctx, comm.Sum, in, out); err != nil {
				t.Errorf("rank %d: %v", c.Rank(), err)
				return
			}
			if n := int64(len(cs)); out[0] != n*(n-1)/2 {
				t.Errorf("rank %d: sum %d", c.Rank(), out[0])
			}
		}()
	}
	wg.Wait()
}

func TestEpochs(t *testing.T) {
	hosts := []*Host{newHost(t, nil), newHost(t, nil)}
	ctx := context.Background()
	old := endpoints(t, 1, hosts, 2)
	pingAll(t, old)
	// A message of epoch 1 still in flight, and one blocked receive.
	if err := old[0].Send(ctx, 1, 5, []byte("stale")); err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		_, _, err := old[0].Recv(ctx, 1, 6, nil)
		errc <- err
	}()
	time.Sleep(50 * time.Millisecond)
	cur := endpoints(t, 2, hosts, 2) // supersedes epoch 1 on both hosts
	select {
	case err := <-errc:
		if !errors.Is(err, comm.ErrClosed) {
			t.Fatalf("old epoch's receive: %v, want ErrClosed", err)
		}
	case <-time.After(time.Second):
		t.Fatal("old epoch's receive still blocked after the new epoch started")
	}
	if err := old[1].Send(ctx, 0, 5, []byte("late")); !errors.Is(err, comm.ErrClosed) {
		t.Fatalf("send on a superseded epoch: %v", err)
	}
	if _, err := hosts[0].Endpoint(1, 0, []string{hosts[0].Addr(), hosts[1].Addr()}); !errors.Is(err, comm.ErrClosed) {
		t.Fatalf("endpoint of an old epoch: %v", err)
	}
	// Epoch 2 sees only its own messages on the same tag.
	if err := cur[0].Send(ctx, 1, 5, []byte("fresh")); err != nil {
		t.Fatal(err)
	}
	got, _, err := cur[1].Recv(ctx, 0, 5, nil)
	if err != nil || string(got) != "fresh" {
		t.Fatalf("epoch 2 got %q, %v", got, err)
	}
	pingAll(t, cur)
}

// A message sent before the receiver made its endpoint is kept, and one
// for an old epoch that arrives on the wire is dropped.
func TestEarlyAndStaleFrames(t *testing.T) {
	a, b := newHost(t, nil), newHost(t, nil)
	if a.Addr() > b.Addr() {
		a, b = b, a // the lower address dials: a connects without b's endpoint
	}
	addrs := []string{a.Addr(), b.Addr()}
	ctx := context.Background()
	ea, err := a.Endpoint(3, 0, addrs)
	if err != nil {
		t.Fatal(err)
	}
	defer ea.Close()
	if err := ea.Send(ctx, 1, 1, []byte("early")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	eb, err := b.Endpoint(3, 1, addrs)
	if err != nil {
		t.Fatal(err)
	}
	defer eb.Close()
	got, st, err := eb.Recv(ctx, 0, 1, nil)
	if err != nil || string(got) != "early" || st.Source != 0 {
		t.Fatalf("early message: %q %+v %v", got, st, err)
	}
	// Messages streaming while the receiver's endpoint is being made keep
	// their order (epoch 4: a and b move on together).
	const n = 300
	ea4, err := a.Endpoint(4, 0, addrs)
	if err != nil {
		t.Fatal(err)
	}
	defer ea4.Close()
	sent := make(chan error, 1)
	go func() {
		for i := 0; i < n; i++ {
			if err := ea4.Send(ctx, 1, 2, []byte{byte(i), byte(i >> 8)}); err != nil {
				sent <- err
				return
			}
			if i%10 == 0 {
				time.Sleep(100 * time.Microsecond)
			}
		}
		sent <- nil
	}()
	time.Sleep(time.Millisecond)
	eb4, err := b.Endpoint(4, 1, addrs)
	if err != nil {
		t.Fatal(err)
	}
	defer eb4.Close()
	for i := 0; i < n; i++ {
		got, _, err := eb4.Recv(ctx, 0, 2, nil)
		if err != nil {
			t.Fatal(err)
		}
		if v := int(got[0]) | int(got[1])<<8; v != i {
			t.Fatalf("message %d arrived as number %d", v, i)
		}
	}
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
	ea, eb = ea4, eb4 // epoch 3 is over on both hosts
	// Write a frame of epoch 2 straight onto a's connection to b.
	a.mu.Lock()
	p := a.peers[b.Addr()]
	a.mu.Unlock()
	if err := p.write(header{kind: kindData, epoch: 3, src: 0, dst: 1, tag: 1}, []byte("stale")); err != nil {
		t.Fatal(err)
	}
	if err := ea.Send(ctx, 1, 1, []byte("current")); err != nil {
		t.Fatal(err)
	}
	got, _, err = eb.Recv(ctx, 0, 1, nil)
	if err != nil || string(got) != "current" {
		t.Fatalf("after a stale frame: %q %v", got, err)
	}
}

// logBuffer collects a host's log lines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.b.String(), s)
}

func TestRefusedConnections(t *testing.T) {
	var logs logBuffer
	hosts := []*Host{newHost(t, nil), newHost(t, func(c *Config) { c.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })}
	cs := endpoints(t, 1, hosts, 4)
	pingAll(t, cs)
	target := hosts[1].Addr()

	// 1. A peer without the key.
	conn, err := net.Dial("tcp", target)
	if err != nil {
		t.Fatal(err)
	}
	err = auth.Client(conn, []byte("not the cluster key at all......"), time.Now().Add(2*time.Second))
	conn.Close()
	if !errors.Is(err, auth.ErrRefused) {
		t.Fatalf("keyless client: %v, want refusal", err)
	}
	// 2. Garbage instead of a handshake.
	conn, err = net.Dial("tcp", target)
	if err != nil {
		t.Fatal(err)
	}
	conn.Write(bytes.Repeat([]byte("GET / HTTP/1.1\r\n"), 50))
	conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	if _, err := io.ReadAll(conn); err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatalf("garbage connection: %v, want a close by the host", err)
		}
	}
	conn.Close()
	// 3. The key, then a garbage frame instead of the hello.
	conn, err = net.Dial("tcp", target)
	if err != nil {
		t.Fatal(err)
	}
	if err := auth.Client(conn, testKey, time.Now().Add(2*time.Second)); err != nil {
		t.Fatal(err)
	}
	conn.Write(bytes.Repeat([]byte{0xAB}, 4096))
	conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	io.Copy(io.Discard, conn)
	conn.Close()
	// 4. A host with another key cannot join.
	intruder := newHost(t, func(c *Config) {
		c.Key = []byte("another cluster's key, 32 bytes!")
		c.ConnectTimeout = 300 * time.Millisecond
	})
	ep, err := intruder.Endpoint(1, 1, []string{hosts[0].Addr(), intruder.Addr()})
	if err != nil {
		t.Fatal(err)
	}
	sendErr := ep.Send(context.Background(), 0, 1, []byte("let me in"))
	var pe *comm.PeerError
	if !errors.As(sendErr, &pe) {
		t.Errorf("intruder's send: %v, want PeerError", sendErr)
	}
	ep.Close()

	pingAll(t, cs) // the honest ranks never noticed
	for i := 0; i < 100 && logs.count("refused connection") < 3; i++ {
		time.Sleep(20 * time.Millisecond) // the keyless client's refusal is logged asynchronously
	}
	if n := logs.count("refused connection"); n < 3 {
		t.Errorf("%d refused connections logged, want 3:\n%s", n, logs.b.String())
	}
}

func TestPeerNeverConnects(t *testing.T) {
	h := newHost(t, func(c *Config) { c.ConnectTimeout = 300 * time.Millisecond })
	for _, silent := range []string{"127.0.0.1:1", "255.255.255.255:1"} { // lower and higher than h
		ep, err := h.Endpoint(uint64(len(silent)), 0, []string{h.Addr(), silent})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, _, err = ep.Recv(context.Background(), 1, 0, nil)
		var pe *comm.PeerError
		if !errors.As(err, &pe) || pe.Rank != 1 || time.Since(start) > 2*time.Second {
			t.Fatalf("peer %s: %v after %v", silent, err, time.Since(start))
		}
		ep.Close()
	}
}

func TestSendTooLarge(t *testing.T) {
	hosts := []*Host{newHost(t, func(c *Config) { c.MaxFrame = 1000 }), newHost(t, func(c *Config) { c.MaxFrame = 1000 })}
	cs := endpoints(t, 1, hosts, 2)
	if err := cs[0].Send(context.Background(), 1, 0, make([]byte, 1001)); err == nil {
		t.Fatal("message over the frame limit was sent")
	}
}

const helperEnv = "APOLLO_COMM_TCP_HELPER"

// helperMain is the child process of TestChildKilled: rank 1 of a 3-rank
// world whose ranks 0 and 2 live in the parent.
func helperMain() int {
	h, err := NewHost(Config{Listen: "127.0.0.1:0", Key: testKey, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		fmt.Println("ERR", err)
		return 1
	}
	defer h.Close()
	parent := os.Getenv(helperEnv)
	fmt.Println("ADDR", h.Addr())
	addrs := []string{parent, h.Addr(), parent}
	ep, err := h.Endpoint(1, 1, addrs)
	if err != nil {
		fmt.Println("ERR", err)
		return 1
	}
	c := comm.New(ep)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.Barrier(ctx); err != nil {
		fmt.Println("ERR", err)
		return 1
	}
	fmt.Println("READY")
	c.Recv(ctx, 0, 99, nil) // blocks until killed
	return 0
}

func startChild(t *testing.T, parent *Host) (*exec.Cmd, []string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+parent.Addr())
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	sc := bufio.NewScanner(out)
	if !sc.Scan() || !strings.HasPrefix(sc.Text(), "ADDR ") {
		t.Fatalf("child: %q", sc.Text())
	}
	addrs := []string{parent.Addr(), strings.TrimPrefix(sc.Text(), "ADDR "), parent.Addr()}
	lines := make(chan string, 4)
	go func() {
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	cs := make([]*comm.Comm, 3)
	for _, r := range []int{0, 2} {
		ep, err := parent.Endpoint(1, r, addrs)
		if err != nil {
			t.Fatal(err)
		}
		cs[r] = comm.New(ep)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for _, r := range []int{0, 2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := cs[r].Barrier(ctx); err != nil {
				t.Errorf("rank %d barrier with the child: %v", r, err)
			}
		}()
	}
	wg.Wait()
	if l := <-lines; l != "READY" {
		t.Fatalf("child: %q", l)
	}
	t.Cleanup(func() { cs[0].Close(); cs[2].Close() })
	return cmd, addrs
}

// blockOnChild puts rank 0 in a Recv from the child's rank 1 and rank 2 in
// a Barrier, and returns their outcomes.
func blockOnChild(t *testing.T, parent *Host) <-chan error {
	errc := make(chan error, 2)
	parent.mu.Lock()
	e0, e2 := parent.eps[epRank{1, 0}], parent.eps[epRank{1, 2}]
	parent.mu.Unlock()
	go func() {
		_, _, err := e0.Recv(context.Background(), 1, 7, nil)
		errc <- err
	}()
	go func() { errc <- comm.New(e2).Barrier(context.Background()) }()
	time.Sleep(100 * time.Millisecond)
	return errc
}

func expectPeerLost(t *testing.T, errc <-chan error, start time.Time) {
	t.Helper()
	for range 2 {
		select {
		case err := <-errc:
			var pe *comm.PeerError
			if !errors.As(err, &pe) || pe.Rank != 1 {
				t.Errorf("got %v, want a PeerError for rank 1", err)
			}
		case <-time.After(time.Until(start.Add(time.Second))):
			t.Fatal("a call blocked on the lost rank did not return within 1 s")
		}
	}
	t.Logf("both calls returned %v after the fault", time.Since(start))
}

func TestChildKilled(t *testing.T) {
	parent := newHost(t, nil)
	cmd, _ := startChild(t, parent)
	errc := blockOnChild(t, parent)
	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	expectPeerLost(t, errc, start)
}

func TestChildFrozen(t *testing.T) {
	parent := newHost(t, nil)
	cmd, _ := startChild(t, parent)
	errc := blockOnChild(t, parent)
	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	expectPeerLost(t, errc, start)
	cmd.Process.Signal(syscall.SIGKILL)
}

// A host that shuts down says so: the peer's ranks get a PeerError naming
// the shutdown, and the peer logs it as such, not as a lost connection.
func TestHostShutdown(t *testing.T) {
	var logs logBuffer
	a := newHost(t, func(c *Config) { c.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
	b, err := NewHost(Config{Listen: "127.0.0.1:0", Key: testKey, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	addrs := []string{a.Addr(), b.Addr()}
	ea, err := a.Endpoint(1, 0, addrs)
	if err != nil {
		t.Fatal(err)
	}
	defer ea.Close()
	eb, err := b.Endpoint(1, 1, addrs)
	if err != nil {
		t.Fatal(err)
	}
	pingAll(t, []*comm.Comm{comm.New(ea), comm.New(eb)})
	errc := make(chan error, 1)
	go func() {
		_, _, err := ea.Recv(context.Background(), 1, 3, nil)
		errc <- err
	}()
	time.Sleep(20 * time.Millisecond)
	b.Close()
	select {
	case err := <-errc:
		var pe *comm.PeerError
		if !errors.As(err, &pe) || pe.Rank != 1 || !errors.Is(err, errPeerShutdown) {
			t.Fatalf("receive from a rank of a closed host: %v", err)
		}
	case <-time.After(time.Second):
		t.Fatal("receive from a rank of a closed host still blocked")
	}
	if logs.count("peer host shut down") != 1 || logs.count("connection to peer lost") != 0 {
		t.Fatalf("log:\n%s", logs.b.String())
	}
}
