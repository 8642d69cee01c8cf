package tcp

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/apollo-hpc/apollo/comm"
	"github.com/apollo-hpc/apollo/comm/internal/match"
)

// pattern returns n bytes that differ from message to message (seed).
func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7) ^ byte(i>>8) ^ seed
	}
	return b
}

// split cuts b into consecutive segments of 0..maxSeg bytes (aliasing b).
func split(rng *rand.Rand, b []byte, maxSeg int) [][]byte {
	var segs [][]byte
	for len(b) > 0 {
		k := min(rng.IntN(maxSeg+1), len(b))
		segs = append(segs, b[:k:k])
		b = b[k:]
	}
	if rng.IntN(2) == 0 {
		segs = append(segs, nil) // trailing empty segment
	}
	return segs
}

// readVecFrame reads the frame at the start of fr with readVec into vec,
// as the reader that claims a posted vector receive does, and returns the
// receive's outcome and readVec's error.
func readVecFrame(t *testing.T, fr *frameReader, vec [][]byte) (comm.Status, error, error) {
	t.Helper()
	hd, err := fr.header()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	box := match.NewBox(0, 2)
	_, w, _, err := box.PostVec(ctx, int(hd.src), int(hd.tag), vec)
	if err != nil || w == nil {
		t.Fatalf("PostVec: %v %v", w, err)
	}
	if c, err := box.Claim(int(hd.src), int(hd.tag)); c != w || err != nil || c.Vec() == nil {
		t.Fatalf("Claim: %p %v, want %p with segments", c, err, w)
	}
	rerr := readVec(fr, hd, w, "test")
	_, st, _, werr := box.Wait(ctx, w, nil)
	return st, werr, rerr
}

// readVec fills the segments of every shape (empty ones, runs of short
// ones, long ones, a message shorter than them) with the payload and
// checks it, over readers that return any number of bytes at a time.
func TestReadVec(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	readers := map[string]func(io.Reader) io.Reader{
		"bufio":   func(r io.Reader) io.Reader { return bufio.NewReaderSize(r, 64<<10) },
		"onebyte": iotest.OneByteReader,
		"half":    iotest.HalfReader,
	}
	for _, n := range []int{0, 1, 31, 1000, 5376, 70000, 300000} {
		for _, maxSeg := range []int{0, 1, 40, 3000, 9000} {
			for name, wrap := range readers {
				if name == "onebyte" && n > 5376 {
					continue
				}
				msg := pattern(n, byte(n+maxSeg))
				extra := rng.IntN(100)
				room := make([]byte, n+extra)
				var vec [][]byte
				if maxSeg == 0 {
					vec = [][]byte{nil, room, {}}
				} else {
					vec = split(rng, room, maxSeg)
				}
				hd := header{kind: kindData, epoch: 1, src: 1, dst: 0, tag: 9}
				fr := &frameReader{r: wrap(bytes.NewReader(frame(hd, msg))), max: 1 << 30}
				st, werr, rerr := readVecFrame(t, fr, vec)
				if rerr != nil || werr != nil {
					t.Fatalf("n=%d maxSeg=%d %s: %v %v", n, maxSeg, name, rerr, werr)
				}
				if st.Len != n || st.Source != 1 || st.Tag != 9 {
					t.Fatalf("n=%d maxSeg=%d %s: status %+v", n, maxSeg, name, st)
				}
				if !bytes.Equal(room[:n], msg) {
					t.Fatalf("n=%d maxSeg=%d %s: payload differs", n, maxSeg, name)
				}
				if !bytes.Equal(room[n:], make([]byte, extra)) {
					t.Fatalf("n=%d maxSeg=%d %s: wrote past the message", n, maxSeg, name)
				}
			}
		}
	}
}

// A message longer than the receive vector fails the receive only: the
// frame is consumed and the next one reads normally. A corrupt payload is
// the connection's error, and the receive's.
func TestReadVecTooLongAndCorrupt(t *testing.T) {
	hd := header{kind: kindData, epoch: 1, src: 1, dst: 0, tag: 3}
	long, next := pattern(5000, 1), pattern(100, 2)
	stream := append(frame(hd, long), frame(hd, next)...)
	fr := &frameReader{r: bytes.NewReader(stream), max: 1 << 20}
	small := make([]byte, 4999)
	_, werr, rerr := readVecFrame(t, fr, [][]byte{small[:2000], small[2000:]})
	if rerr != nil {
		t.Fatalf("too long: connection error %v", rerr)
	}
	var pe *comm.PeerError
	if werr == nil || !strings.Contains(werr.Error(), "exceeds") || errors.As(werr, &pe) {
		t.Fatalf("too long: receive error %v", werr)
	}
	if !bytes.Equal(small, make([]byte, len(small))) {
		t.Fatal("too long: receive vector written")
	}
	buf := make([]byte, 100)
	st, werr, rerr := readVecFrame(t, fr, [][]byte{buf[:10], buf[10:]})
	if rerr != nil || werr != nil || st.Len != len(next) || st.Source != 1 || !bytes.Equal(buf, next) {
		t.Fatalf("after a refused message: %v %v %+v", rerr, werr, st)
	}

	for _, n := range []int{100, 70000} { // one batch, and a long segment
		bad := frame(hd, pattern(n, 3))
		bad[headerLen+n/2] ^= 0x10
		fr = &frameReader{r: bytes.NewReader(bad), max: 1 << 20}
		buf = make([]byte, n)
		_, werr, rerr = readVecFrame(t, fr, split(rand.New(rand.NewPCG(3, uint64(n))), buf, 2*directRead))
		if !errors.Is(rerr, errFrame) || !errors.As(werr, &pe) || pe.Rank != 1 {
			t.Fatalf("corrupt %d-byte payload: connection %v, receive %v", n, rerr, werr)
		}
	}
}

// vecPair returns two ranks on two hosts, connected.
func vecPair(t *testing.T) (c0, c1 *comm.Comm, hosts []*Host) {
	hosts = []*Host{newHost(t, nil), newHost(t, nil)}
	cs := endpoints(t, 1, hosts, 2)
	pingAll(t, cs)
	return cs[0], cs[1], hosts
}

// Vector and plain calls over a socket, both ways, with every segment
// shape, received by a receive already posted (read straight into its
// segments) and by one posted after the message arrived (queued path).
func TestVecOverTCP(t *testing.T) {
	c0, c1, _ := vecPair(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	rng := rand.New(rand.NewPCG(5, 6))
	type shape struct {
		name   string
		n, seg int
	}
	shapes := []shape{
		{"empty", 0, 0}, {"tiny", 5000, 1}, {"rows32", 30000 * 32, 32},
		{"rows5376", 160 * 5376, 5376}, {"mixed", 3 << 20, 4000}, {"small", 900, 64},
	}
	for _, sh := range shapes {
		for _, mode := range []string{"vec-vec", "vec-plain", "plain-vec"} {
			for _, posted := range []bool{true, false} {
				msg := pattern(sh.n, byte(len(sh.name)))
				var send [][]byte
				if sh.seg == 0 {
					send = [][]byte{nil, {}}
				} else {
					send = split(rng, bytes.Clone(msg), 2*sh.seg)
				}
				room := make([]byte, sh.n+7)
				recv := split(rng, room, max(2*sh.seg, 1))
				got := make(chan error, 1)
				var st comm.Status
				receive := func() {
					var err error
					if mode == "vec-plain" {
						var out []byte
						out, st, err = c1.Recv(ctx, 0, 4, room)
						if err == nil && !bytes.Equal(out, msg) {
							err = errors.New("payload differs")
						}
					} else {
						st, err = c1.RecvVec(ctx, 0, 4, recv)
						if err == nil && !bytes.Equal(room[:sh.n], msg) {
							err = errors.New("payload differs")
						}
					}
					got <- err
				}
				if posted {
					go receive()
					time.Sleep(5 * time.Millisecond)
				}
				var err error
				if mode == "plain-vec" {
					err = c0.Send(ctx, 1, 4, msg)
				} else {
					err = c0.SendVec(ctx, 1, 4, send)
				}
				if err != nil {
					t.Fatalf("%s %s: send: %v", sh.name, mode, err)
				}
				if !posted {
					time.Sleep(5 * time.Millisecond)
					receive()
				}
				if err := <-got; err != nil || st.Len != sh.n || st.Source != 0 {
					t.Fatalf("%s %s posted=%v: %v, status %+v", sh.name, mode, posted, err, st)
				}
			}
		}
	}

	// Too long for the receive vector: that receive fails, the connection
	// stays up.
	for _, posted := range []bool{true, false} {
		errc := make(chan error, 1)
		small := make([]byte, 100)
		recvSmall := func() {
			_, err := c1.RecvVec(ctx, 0, 5, [][]byte{small[:50], small[50:]})
			errc <- err
		}
		if posted {
			go recvSmall()
			time.Sleep(5 * time.Millisecond)
		}
		if err := c0.SendVec(ctx, 1, 5, [][]byte{pattern(60, 1), pattern(60, 2)}); err != nil {
			t.Fatal(err)
		}
		if !posted {
			time.Sleep(5 * time.Millisecond)
			recvSmall()
		}
		err := <-errc
		var pe *comm.PeerError
		if err == nil || !strings.Contains(err.Error(), "exceeds") || errors.As(err, &pe) {
			t.Fatalf("too long (posted %v): %v", posted, err)
		}
	}
	pingAll(t, []*comm.Comm{c0, c1})
}

// A payload corrupted on the wire fails a vector receive reading it
// straight into its segments with the sender's PeerError.
func TestVecCorruptPayload(t *testing.T) {
	_, c1, hosts := vecPair(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	buf := make([]byte, 1<<20)
	errc := make(chan error, 1)
	go func() {
		_, err := c1.RecvVec(ctx, 0, 6, split(rand.New(rand.NewPCG(7, 8)), buf, 3000))
		errc <- err
	}()
	time.Sleep(10 * time.Millisecond)
	hd := header{kind: kindData, epoch: 1, src: 0, dst: 1, tag: 6}
	bad := frame(hd, pattern(1<<20, 9))
	bad[headerLen+12345] ^= 1
	hosts[0].mu.Lock()
	p := hosts[0].peers[hosts[1].Addr()]
	hosts[0].mu.Unlock()
	p.wmu.Lock()
	_, werr := p.conn.Write(bad)
	p.wmu.Unlock()
	if werr != nil {
		t.Fatal(werr)
	}
	err := <-errc
	var pe *comm.PeerError
	if !errors.As(err, &pe) || pe.Rank != 0 || !strings.Contains(err.Error(), "checksum") {
		t.Fatalf("corrupt payload: %v", err)
	}
}

// recordConn is a connection that only records what is written to it.
type recordConn struct {
	net.Conn
	b bytes.Buffer
}

func (c *recordConn) Write(p []byte) (int, error)      { return c.b.Write(p) }
func (c *recordConn) SetWriteDeadline(time.Time) error { return nil }

// A vector frame is byte for byte the frame of the concatenated payload,
// built here with the standard library's CRC-32C: small frames, large ones
// written in several writev calls, segments of every length.
func TestVecWireBytes(t *testing.T) {
	h := &Host{cfg: Config{PeerTimeout: time.Second}}
	rng := rand.New(rand.NewPCG(11, 12))
	hd := header{kind: kindData, epoch: 7, src: 2, dst: 5, tag: -3}
	for _, n := range []int{0, 1, 1000, smallFrame, smallFrame + 1, 160 * 5376, writeChunk + 4321, 3 << 20} {
		for _, maxSeg := range []int{1, 32, 3000, 2 * writeChunk} {
			if maxSeg == 1 && n > smallFrame+1 {
				continue
			}
			msg := pattern(n, byte(maxSeg))
			segs := split(rng, bytes.Clone(msg), maxSeg)
			c := &recordConn{}
			p := newPeer(h, "test")
			p.conn = c
			p.wmu.Lock()
			err := p.writeVecLocked(hd, segs, n)
			p.wmu.Unlock()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(c.b.Bytes(), frame(hd, msg)) {
				t.Fatalf("n=%d maxSeg=%d: wire bytes differ from the frame of the message", n, maxSeg)
			}
			for _, s := range segs { // the caller's segments are read only
				if !bytes.Equal(s, msg[:len(s)]) {
					t.Fatalf("n=%d maxSeg=%d: segment changed", n, maxSeg)
				}
				msg = msg[len(s):]
			}
		}
	}
}

// SendrecvVec posts its receive before writing its send, but only once
// the send has been checked: a send refused at once (here its tag does not
// fit the wire format) leaves the message it would have received for the
// next receive.
func TestSendrecvVecSendFails(t *testing.T) {
	hosts := []*Host{newHost(t, nil), newHost(t, nil)}
	addrs := []string{hosts[0].Addr(), hosts[1].Addr()}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var eps [2]comm.Endpoint
	for r := range eps {
		ep, err := hosts[r].Endpoint(1, r, addrs)
		if err != nil {
			t.Fatal(err)
		}
		defer ep.Close()
		eps[r] = ep
	}
	v1 := eps[1].(comm.VecEndpoint)
	buf := make([]byte, 3000)
	recv := [][]byte{buf[:1000], buf[1000:]}
	for i := 0; i < 3; i++ {
		_, err := v1.SendrecvVec(ctx, [][]byte{{1}}, 0, 1<<40, recv, 0, 2) // tag too large for the wire
		if err == nil || !strings.Contains(err.Error(), "tag") {
			t.Fatalf("send with a bad tag: %v", err)
		}
		if i == 1 {
			if err := eps[0].Send(ctx, 1, 2, pattern(2500, 4)); err != nil {
				t.Fatal(err)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	st, err := v1.RecvVec(ctx, 0, 2, recv)
	if err != nil || st.Len != 2500 || !bytes.Equal(buf[:2500], pattern(2500, 4)) {
		t.Fatalf("message after failed exchanges: %+v %v", st, err)
	}
	// A receive withdrawn after its write failed takes nothing later.
	e1 := eps[1].(*endpoint)
	if _, w, _, err := e1.box.PostVec(ctx, 0, 3, recv); err != nil || w == nil {
		t.Fatalf("PostVec: %v %v", w, err)
	} else {
		e1.box.Cancel(w)
	}
	if err := eps[0].Send(ctx, 1, 3, pattern(700, 5)); err != nil {
		t.Fatal(err)
	}
	st, err = v1.RecvVec(ctx, 0, 3, recv)
	if err != nil || st.Len != 700 || !bytes.Equal(buf[:700], pattern(700, 5)) {
		t.Fatalf("message after a withdrawn receive: %+v %v", st, err)
	}
}
