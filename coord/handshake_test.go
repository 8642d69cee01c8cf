package coord

import (
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/hashicorp/raft"
)

func handshakePair(ck, sk []byte) (cerr, serr error) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	done := make(chan error, 1)
	go func() {
		err := authServer(b, sk, time.Now().Add(time.Second))
		if err != nil {
			b.Close() // as the stream layer does: the client sees the refusal
		}
		done <- err
	}()
	cerr = authClient(a, ck, time.Now().Add(time.Second))
	if cerr != nil {
		a.Close()
	}
	return cerr, <-done
}

func TestHandshake(t *testing.T) {
	if c, s := handshakePair(testKey, testKey); c != nil || s != nil {
		t.Fatalf("same key refused: client %v server %v", c, s)
	}
	c, s := handshakePair(testKey, []byte("some-other-cluster-key"))
	if !errors.Is(c, ErrAuth) || s == nil {
		t.Fatalf("different keys accepted: client %v server %v", c, s)
	}
}

func TestStreamLayerRefusesWrongKey(t *testing.T) {
	log := quietLogger()
	srv, err := newStreamLayer("127.0.0.1:0", "", testKey, log)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	bad, err := newStreamLayer("127.0.0.1:0", "", []byte("wrong-key-wrong-key"), log)
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	if c, err := bad.Dial(srvAddr(srv), time.Second); err == nil {
		c.Close()
		t.Fatal("dial with the wrong key succeeded")
	}
	good, err := newStreamLayer("127.0.0.1:0", "", testKey, log)
	if err != nil {
		t.Fatal(err)
	}
	defer good.Close()
	c, err := good.Dial(srvAddr(srv), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ac, err := srv.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer ac.Close()
	if _, err := c.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	var b [1]byte
	if _, err := io.ReadFull(ac, b[:]); err != nil || b[0] != 'x' {
		t.Fatalf("data after handshake: %v %q", err, b)
	}
}

func srvAddr(s *streamLayer) raft.ServerAddress { return raft.ServerAddress(s.Addr().String()) }

// FuzzHandshakeServer feeds arbitrary client bytes to the server side: it
// must never accept (the fuzzer cannot know the key) and never panic.
func FuzzHandshakeServer(f *testing.F) {
	hello := append(append([]byte("APLR"), hsVersion), make([]byte, nonceLen+macLen)...)
	f.Add(hello)
	f.Add([]byte("GET / HTTP/1.1\r\n\r\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		a, b := net.Pipe()
		defer a.Close()
		go func() {
			a.SetDeadline(time.Now().Add(time.Second))
			n := min(len(in), 5+nonceLen)
			a.Write(in[:n])
			io.CopyN(io.Discard, a, 1+nonceLen+macLen)
			a.Write(in[n:])
			io.Copy(io.Discard, a)
		}()
		err := authServer(b, testKey, time.Now().Add(200*time.Millisecond))
		b.Close()
		if err == nil {
			t.Fatal("handshake accepted without the key")
		}
	})
}
