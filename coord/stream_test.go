package coord

import (
	"io"
	"testing"
	"time"

	"github.com/hashicorp/raft"
)

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
