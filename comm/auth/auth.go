// Package auth authenticates a comm TCP connection: a mutual HMAC-SHA256
// challenge-response in which both sides prove they hold the cluster key
// before any frame is exchanged.
//
// Protocol (fixed-size messages, so nothing is allocated from the peer's
// input):
//
//	client -> server: magic "APAU", version, Nc (32 random bytes)
//	server -> client: magic "APAU", version, Ns (32 random bytes),
//	                  HMAC(key, "apollo-auth-v1 server" || Nc || Ns)
//	client -> server: HMAC(key, "apollo-auth-v1 client" || Nc || Ns)
//	server -> client: one byte 1 (accepted)
//
// The two MACs use different labels, so neither side can reflect the other's
// proof; fresh nonces on both sides prevent replay.
package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// Version is the handshake version this package speaks.
const Version = 1

// MinKeyLen is the shortest accepted cluster key.
const MinKeyLen = 16

const (
	magic     = "APAU"
	nonceLen  = 32
	macLen    = sha256.Size
	helloLen  = len(magic) + 1 + nonceLen
	serverLen = helloLen + macLen
	accepted  = 1
)

var (
	labelServer = []byte("apollo-auth-v1 server")
	labelClient = []byte("apollo-auth-v1 client")
)

// ErrRefused reports that the peer did not prove it holds the key, or spoke
// something other than this handshake.
var ErrRefused = errors.New("auth: peer refused")

func mac(key, label, nc, ns []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(label)
	m.Write(nc)
	m.Write(ns)
	return m.Sum(nil)
}

func checkKey(key []byte) error {
	if len(key) < MinKeyLen {
		return fmt.Errorf("auth: cluster key has %d bytes, need at least %d", len(key), MinKeyLen)
	}
	return nil
}

func hello(nonce []byte) []byte {
	b := make([]byte, 0, serverLen)
	b = append(b, magic...)
	b = append(b, Version)
	return append(b, nonce...)
}

// parseHello checks magic and version and returns the nonce.
func parseHello(b []byte) ([]byte, error) {
	if string(b[:len(magic)]) != magic {
		return nil, fmt.Errorf("%w: bad magic %q", ErrRefused, b[:len(magic)])
	}
	if v := b[len(magic)]; v != Version {
		return nil, fmt.Errorf("%w: handshake version %d, want %d", ErrRefused, v, Version)
	}
	return b[len(magic)+1 : helloLen], nil
}

func withDeadline(conn net.Conn, deadline time.Time, f func() error) error {
	if err := conn.SetDeadline(deadline); err != nil {
		return fmt.Errorf("auth: set deadline: %w", err)
	}
	err := f()
	// A failure here means the connection is gone; its next use reports it.
	_ = conn.SetDeadline(time.Time{})
	return err
}

// Client runs the dialing side of the handshake on conn, which must be done
// by deadline. On error the caller must close conn.
func Client(conn net.Conn, key []byte, deadline time.Time) error {
	if err := checkKey(key); err != nil {
		return err
	}
	return withDeadline(conn, deadline, func() error {
		nc := make([]byte, nonceLen)
		rand.Read(nc)
		if _, err := conn.Write(hello(nc)); err != nil {
			return fmt.Errorf("auth: send challenge: %w", err)
		}
		in := make([]byte, serverLen)
		if _, err := io.ReadFull(conn, in); err != nil {
			return fmt.Errorf("auth: read server proof: %w", err)
		}
		ns, err := parseHello(in)
		if err != nil {
			return err
		}
		if !hmac.Equal(in[helloLen:], mac(key, labelServer, nc, ns)) {
			return fmt.Errorf("%w: server does not hold the cluster key", ErrRefused)
		}
		if _, err := conn.Write(mac(key, labelClient, nc, ns)); err != nil {
			return fmt.Errorf("auth: send client proof: %w", err)
		}
		var ok [1]byte
		if _, err := io.ReadFull(conn, ok[:]); err != nil {
			return fmt.Errorf("%w: server closed after client proof: %v", ErrRefused, err)
		}
		if ok[0] != accepted {
			return fmt.Errorf("%w: server answered %d", ErrRefused, ok[0])
		}
		return nil
	})
}

// Server runs the accepting side of the handshake on conn, which must be
// done by deadline. On error the caller must close conn.
func Server(conn net.Conn, key []byte, deadline time.Time) error {
	if err := checkKey(key); err != nil {
		return err
	}
	return withDeadline(conn, deadline, func() error {
		in := make([]byte, helloLen)
		if _, err := io.ReadFull(conn, in); err != nil {
			return fmt.Errorf("auth: read client challenge: %w", err)
		}
		nc, err := parseHello(in)
		if err != nil {
			return err
		}
		ns := make([]byte, nonceLen)
		rand.Read(ns)
		out := append(hello(ns), mac(key, labelServer, nc, ns)...)
		if _, err := conn.Write(out); err != nil {
			return fmt.Errorf("auth: send server proof: %w", err)
		}
		proof := make([]byte, macLen)
		if _, err := io.ReadFull(conn, proof); err != nil {
			return fmt.Errorf("auth: read client proof: %w", err)
		}
		if !hmac.Equal(proof, mac(key, labelClient, nc, ns)) {
			return fmt.Errorf("%w: client does not hold the cluster key", ErrRefused)
		}
		if _, err := conn.Write([]byte{accepted}); err != nil {
			return fmt.Errorf("auth: send acceptance: %w", err)
		}
		return nil
	})
}
