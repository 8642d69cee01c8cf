package sim

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apollo-hpc/apollo/comm"
)

// freezeToy is toy with copy-on-write checkpoints. Its step writes the
// ghosts of u (halo exchange) and then tmp, so a frozen u is first copied
// into a spare buffer that takes its place; the frozen buffer becomes the
// spare, and the next copy into it waits for its release.
type freezeToy struct {
	toy
	spare   *Field
	mu      sync.Mutex
	cond    sync.Cond
	held    map[*Field]int // frozen snapshots holding each buffer
	waits   int64
	wait    time.Duration
	freezes int
}

func (m *freezeToy) Init(ctx context.Context, env *Env) error {
	m.cond.L = &m.mu
	m.held = map[*Field]int{}
	m.spare = env.Block.NewField("u", Cell)
	return m.toy.Init(ctx, env)
}

func (m *freezeToy) Step(ctx context.Context, env *Env, t, dt float64) error {
	m.mu.Lock()
	if m.held[m.u] > 0 {
		if m.held[m.spare] > 0 {
			t0 := time.Now()
			for m.held[m.spare] > 0 {
				m.cond.Wait()
			}
			m.waits++
			m.wait += time.Since(t0)
		}
		copy(m.spare.Data, m.u.Data)
		m.u, m.spare = m.spare, m.u
		m.halo.fields[0] = m.u
	}
	m.mu.Unlock()
	return m.toy.Step(ctx, env, t, dt)
}

func (m *freezeToy) Freeze() (Frozen, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.held[m.u]++
	m.freezes++
	return &toyFrozen{m: m, f: m.u, data: m.u.Data, steps: m.steps}, nil
}

func (m *freezeToy) FreezeWait() (int64, time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.waits, m.wait
}

type toyFrozen struct {
	m     *freezeToy
	f     *Field
	data  []float64
	steps int64
	once  sync.Once
}

func (z *toyFrozen) Size() int { return 8 + 8*len(z.data) }

func (z *toyFrozen) AppendTo(buf []byte) ([]byte, error) {
	buf = binary.LittleEndian.AppendUint64(buf, uint64(z.steps))
	for _, x := range z.data {
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(x))
	}
	return buf, nil
}

func (z *toyFrozen) Release() {
	z.once.Do(func() {
		z.m.mu.Lock()
		z.m.held[z.f]--
		z.m.mu.Unlock()
		z.m.cond.Broadcast()
	})
}

// Deferred snapshots serialized from another goroutine, while the model
// steps on, equal the AppendState snapshots of the same steps byte for byte;
// each is released once; a step that needs held memory waits, and the wait
// is reported.
func TestRunDeferredSnapshotsMatch(t *testing.T) {
	const size = 2
	run := func(deferred bool) (map[string][]byte, []*freezeToy) {
		var mu sync.Mutex
		snaps := map[string][]byte{}
		models := make([]*freezeToy, size)
		runRanks(t, size, func(c *comm.Comm) error {
			env, err := NewEnv(c, toyGrid, [3]int{}, 1)
			if err != nil {
				return err
			}
			m := &freezeToy{}
			models[c.Rank()] = m
			var wg sync.WaitGroup
			defer wg.Wait()
			hooks := Hooks{Deferred: deferred, Checkpoint: func(ctx context.Context, s Snapshot) error {
				if deferred != (s.Frozen != nil) || deferred != (s.Data == nil) {
					return fmt.Errorf("deferred %v: snapshot Frozen %v Data %d", deferred, s.Frozen != nil, len(s.Data))
				}
				key := fmt.Sprint(c.Rank(), "/", s.Step)
				if !deferred {
					b, err := s.AppendBinary(nil)
					if err == nil && len(b) != s.BinaryLen() {
						err = fmt.Errorf("BinaryLen %d, AppendBinary wrote %d", s.BinaryLen(), len(b))
					}
					mu.Lock()
					snaps[key] = b
					mu.Unlock()
					return err
				}
				// Serialize later, while the next steps run.
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer s.Frozen.Release()
					time.Sleep(5 * time.Millisecond)
					b, err := s.AppendBinary(nil)
					if err != nil || len(b) != s.BinaryLen() {
						b = nil
					}
					mu.Lock()
					snaps[key] = b
					mu.Unlock()
				}()
				return nil
			}}
			_, err = Run(bg, env, m, DriverConfig{StopStep: 12, CheckpointEvery: 1}, hooks, nil)
			return err
		})
		return snaps, models
	}
	want, _ := run(false)
	got, models := run(true)
	if len(want) != 2*12 || len(got) != len(want) {
		t.Fatalf("%d and %d snapshots", len(want), len(got))
	}
	for k, w := range want {
		if !bytes.Equal(got[k], w) {
			t.Fatalf("snapshot %s: deferred one differs (%d bytes vs %d)", k, len(got[k]), len(w))
		}
	}
	for r, m := range models {
		for f, n := range m.held {
			if n != 0 {
				t.Fatalf("rank %d: buffer %p still held %d times", r, f, n)
			}
		}
		if m.freezes != 12 {
			t.Fatalf("rank %d: %d freezes", r, m.freezes)
		}
		// Checkpoints every step with a 5 ms serialization: the step
		// after a freeze needs the previous frozen buffer while it is held.
		if waits, wait := m.FreezeWait(); waits == 0 || wait <= 0 {
			t.Fatalf("rank %d: no freeze wait reported (%d, %v)", r, waits, wait)
		}
	}
}

// A hook that does not accept deferred snapshots gets AppendState's bytes
// from a Freezer model, and the model is never frozen.
func TestRunFreezerWithoutDeferredHook(t *testing.T) {
	m := &freezeToy{}
	runRanks(t, 1, func(c *comm.Comm) error {
		env, err := NewEnv(c, toyGrid, [3]int{}, 1)
		if err != nil {
			return err
		}
		hooks := Hooks{Checkpoint: func(ctx context.Context, s Snapshot) error {
			if s.Frozen != nil || len(s.Data) == 0 || s.Capture <= 0 {
				return fmt.Errorf("snapshot Frozen %v Data %d Capture %v", s.Frozen != nil, len(s.Data), s.Capture)
			}
			return nil
		}}
		_, err = Run(bg, env, m, DriverConfig{StopStep: 4, CheckpointEvery: 2}, hooks, nil)
		return err
	})
	if m.freezes != 0 {
		t.Fatalf("%d freezes without a deferred hook", m.freezes)
	}
}

// badFrozen lies about its size or fails.
type badFrozen struct {
	n   int
	err error
}

func (b badFrozen) Size() int { return 16 }
func (b badFrozen) AppendTo(buf []byte) ([]byte, error) {
	return append(buf, make([]byte, b.n)...), b.err
}
func (b badFrozen) Release() {}

func TestSnapshotFrozenAppendBinary(t *testing.T) {
	s := Snapshot{Model: "m", Grid: toyGrid, Procs: [3]int{1, 1, 1}, Ng: 1, Step: 3, Time: 0.5,
		Data: bytes.Repeat([]byte{7}, 16)}
	want, err := s.AppendBinary([]byte("prefix"))
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != len("prefix")+s.BinaryLen() {
		t.Fatalf("BinaryLen %d, AppendBinary wrote %d", s.BinaryLen(), len(want)-len("prefix"))
	}
	fz := s
	fz.Data, fz.Frozen = nil, frozenBytes(bytes.Repeat([]byte{7}, 16))
	got, err := fz.AppendBinary([]byte("prefix"))
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("frozen snapshot: %v", err)
	}
	if d, err := DecodeSnapshot(got[len("prefix"):]); err != nil || !bytes.Equal(d.Data, s.Data) {
		t.Fatalf("decode: %v", err)
	}
	fz.Frozen = badFrozen{n: 15}
	if b, err := fz.AppendBinary([]byte("p")); err == nil || string(b) != "p" || !strings.Contains(err.Error(), "Size said 16") {
		t.Fatalf("short frozen state: %q %v", b, err)
	}
	fz.Frozen = badFrozen{n: 16, err: errors.New("gone")}
	if b, err := fz.AppendBinary([]byte("p")); err == nil || string(b) != "p" || !strings.Contains(err.Error(), "gone") {
		t.Fatalf("failing frozen state: %q %v", b, err)
	}
}

type frozenBytes []byte

func (f frozenBytes) Size() int                           { return len(f) }
func (f frozenBytes) AppendTo(buf []byte) ([]byte, error) { return append(buf, f...), nil }
func (f frozenBytes) Release()                            {}
