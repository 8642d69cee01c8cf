package node

import (
	"reflect"
	"testing"
)

func TestJobSpecRoundTrip(t *testing.T) {
	c := DefaultConfig()
	s := SpecOf(&c)
	b, err := s.Encode()
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeJobSpec(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*got, s) {
		t.Fatalf("got %+v want %+v", *got, s)
	}
	b[len(b)-2] ^= 1
	if _, err := DecodeJobSpec(b); err == nil {
		t.Fatal("flipped bit accepted")
	}
}

func FuzzDecodeJobSpec(f *testing.F) {
	c := DefaultConfig()
	s := SpecOf(&c)
	b, _ := s.Encode()
	f.Add(b)
	f.Add([]byte("APJS\x01\x00\x00\x00\x00\x00{}"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := DecodeJobSpec(b)
		if err != nil {
			return
		}
		if s.Ranks < 1 || s.K < 1 {
			t.Fatalf("accepted invalid spec %+v", s)
		}
		if _, err := s.Encode(); err != nil {
			t.Fatal(err)
		}
	})
}
