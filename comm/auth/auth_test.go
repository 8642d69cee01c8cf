package auth

import (
	"bytes"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var (
	key   = []byte("0123456789abcdef0123456789abcdef")
	other = []byte("fedcba9876543210fedcba9876543210")
)

// pair runs Client and Server on the two ends of a pipe.
func pair(t *testing.T, ckey, skey []byte) (cerr, serr error) {
	t.Helper()
	c, s := net.Pipe()
	deadline := time.Now().Add(2 * time.Second)
	done := make(chan error, 1)
	go func() {
		err := Server(s, skey, deadline)
		s.Close()
		done <- err
	}()
	cerr = Client(c, ckey, deadline)
	c.Close()
	return cerr, <-done
}

func TestHandshake(t *testing.T) {
	if cerr, serr := pair(t, key, key); cerr != nil || serr != nil {
		t.Fatalf("same key: client %v, server %v", cerr, serr)
	}
	cerr, serr := pair(t, other, key)
	if !errors.Is(cerr, ErrRefused) || serr == nil {
		t.Fatalf("wrong client key: client %v, server %v", cerr, serr)
	}
	cerr, serr = pair(t, key, other)
	if !errors.Is(cerr, ErrRefused) || serr == nil {
		t.Fatalf("wrong server key: client %v, server %v", cerr, serr)
	}
	if err := Client(nil, []byte("short"), time.Now()); err == nil {
		t.Fatal("short key accepted")
	}
}

func TestDeadline(t *testing.T) {
	c, s := net.Pipe()
	defer c.Close()
	defer s.Close()
	start := time.Now()
	err := Server(s, key, start.Add(100*time.Millisecond)) // client stays silent
	if err == nil || time.Since(start) > time.Second {
		t.Fatalf("silent client: %v after %v", err, time.Since(start))
	}
}

// A man in the middle without the key can neither reflect the server's
// proof back nor replay a recorded client proof.
func TestReflectionAndReplay(t *testing.T) {
	c, s := net.Pipe()
	done := make(chan error, 1)
	go func() { done <- Server(s, key, time.Now().Add(2*time.Second)); s.Close() }()
	c.Write(hello(make([]byte, nonceLen)))
	in := make([]byte, serverLen)
	io.ReadFull(c, in)
	c.Write(in[helloLen:]) // reflect the server's MAC as our proof
	if err := <-done; !errors.Is(err, ErrRefused) {
		t.Fatalf("reflection: %v", err)
	}
	c.Close()

	// Record an honest client's bytes, replay them to a fresh server.
	var rec bytes.Buffer
	c2, s2 := net.Pipe()
	go func() { done <- Server(s2, key, time.Now().Add(2*time.Second)); s2.Close() }()
	if err := Client(recorder{c2, &rec}, key, time.Now().Add(2*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	c2.Close()
	c3, s3 := net.Pipe()
	go func() { done <- Server(s3, key, time.Now().Add(2*time.Second)); s3.Close() }()
	copied := make(chan struct{})
	go func() { io.Copy(io.Discard, c3); close(copied) }()
	c3.Write(rec.Bytes())
	if err := <-done; !errors.Is(err, ErrRefused) {
		t.Fatalf("replay: %v", err)
	}
	c3.Close()
	<-copied
}

type recorder struct {
	net.Conn
	w *bytes.Buffer
}

func (r recorder) Write(b []byte) (int, error) {
	r.w.Write(b)
	return r.Conn.Write(b)
}

// fakeConn feeds fixed input and discards output.
type fakeConn struct {
	r *bytes.Reader
}

func (f fakeConn) Read(b []byte) (int, error)       { return f.r.Read(b) }
func (f fakeConn) Write(b []byte) (int, error)      { return len(b), nil }
func (f fakeConn) Close() error                     { return nil }
func (f fakeConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (f fakeConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (f fakeConn) SetDeadline(time.Time) error      { return nil }
func (f fakeConn) SetReadDeadline(time.Time) error  { return nil }
func (f fakeConn) SetWriteDeadline(time.Time) error { return nil }
func seeds(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("APAU"))
	f.Add(append(hello(make([]byte, nonceLen)), make([]byte, macLen+1)...))
	f.Add(append([]byte("APAU\x02"), make([]byte, 200)...))
	f.Add(bytes.Repeat([]byte{0xff}, 300))
}

// Whatever a keyless peer sends, the handshake fails cleanly.
func FuzzServer(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		if err := Server(fakeConn{bytes.NewReader(in)}, key, time.Now().Add(time.Second)); err == nil {
			t.Fatal("server accepted input from a peer without the key")
		}
	})
}

func FuzzClient(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		if err := Client(fakeConn{bytes.NewReader(in)}, key, time.Now().Add(time.Second)); err == nil {
			t.Fatal("client accepted a server without the key")
		}
	})
}
