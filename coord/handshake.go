package coord

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

// Cluster-key handshake for raft connections: mutual HMAC-SHA256
// challenge-response with fresh nonces on both sides, fixed-size frames (no
// length field to trust). It stands in for comm/auth until that package
// lands; authClient/authServer are the only callers' entry points.
//
//	client → server: magic "APLR", version 1, nonceC[32]
//	server → client: version 1, nonceS[32], HMAC(key, "S"|nonceC|nonceS)
//	client → server: HMAC(key, "C"|nonceC|nonceS)
//	server → client: 1 (accepted)
const (
	hsVersion = 1
	nonceLen  = 32
	macLen    = sha256.Size
)

var hsMagic = [4]byte{'A', 'P', 'L', 'R'}

// ErrAuth is returned when the peer does not prove knowledge of the cluster key.
var ErrAuth = errors.New("coord: cluster-key authentication failed")

func hsMAC(key []byte, role byte, nc, ns []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte{role})
	h.Write(nc)
	h.Write(ns)
	return h.Sum(nil)
}

// authClient proves the key to the server on conn and checks the server's proof.
func authClient(conn net.Conn, key []byte, deadline time.Time) error {
	if err := conn.SetDeadline(deadline); err != nil {
		return fmt.Errorf("coord: handshake deadline: %w", err)
	}
	defer conn.SetDeadline(time.Time{})
	hello := make([]byte, 5+nonceLen)
	copy(hello, hsMagic[:])
	hello[4] = hsVersion
	nc := hello[5:]
	if _, err := rand.Read(nc); err != nil {
		return fmt.Errorf("coord: handshake nonce: %w", err)
	}
	if _, err := conn.Write(hello); err != nil {
		return fmt.Errorf("coord: handshake send: %w", err)
	}
	resp := make([]byte, 1+nonceLen+macLen)
	if _, err := io.ReadFull(conn, resp); err != nil {
		return fmt.Errorf("coord: handshake receive: %w", err)
	}
	if resp[0] != hsVersion {
		return fmt.Errorf("%w: server version %d", ErrAuth, resp[0])
	}
	ns := resp[1 : 1+nonceLen]
	if !hmac.Equal(resp[1+nonceLen:], hsMAC(key, 'S', nc, ns)) {
		return fmt.Errorf("%w: server proof", ErrAuth)
	}
	if _, err := conn.Write(hsMAC(key, 'C', nc, ns)); err != nil {
		return fmt.Errorf("coord: handshake send: %w", err)
	}
	var ok [1]byte
	if _, err := io.ReadFull(conn, ok[:]); err != nil || ok[0] != 1 {
		return fmt.Errorf("%w: refused by server", ErrAuth)
	}
	return nil
}

// authServer checks the client's proof of the key and proves it in turn.
func authServer(conn net.Conn, key []byte, deadline time.Time) error {
	if err := conn.SetDeadline(deadline); err != nil {
		return fmt.Errorf("coord: handshake deadline: %w", err)
	}
	defer conn.SetDeadline(time.Time{})
	hello := make([]byte, 5+nonceLen)
	if _, err := io.ReadFull(conn, hello); err != nil {
		return fmt.Errorf("coord: handshake receive: %w", err)
	}
	if [4]byte(hello[:4]) != hsMagic || hello[4] != hsVersion {
		return fmt.Errorf("%w: bad hello", ErrAuth)
	}
	nc := hello[5:]
	resp := make([]byte, 1+nonceLen+macLen)
	resp[0] = hsVersion
	ns := resp[1 : 1+nonceLen]
	if _, err := rand.Read(ns); err != nil {
		return fmt.Errorf("coord: handshake nonce: %w", err)
	}
	copy(resp[1+nonceLen:], hsMAC(key, 'S', nc, ns))
	if _, err := conn.Write(resp); err != nil {
		return fmt.Errorf("coord: handshake send: %w", err)
	}
	mac := make([]byte, macLen)
	if _, err := io.ReadFull(conn, mac); err != nil {
		return fmt.Errorf("coord: handshake receive: %w", err)
	}
	if !hmac.Equal(mac, hsMAC(key, 'C', nc, ns)) {
		return fmt.Errorf("%w: client proof", ErrAuth)
	}
	if _, err := conn.Write([]byte{1}); err != nil {
		return fmt.Errorf("coord: handshake send: %w", err)
	}
	return nil
}
