package checkpoint

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const (
	crashEnv  = "APOLLO_CHECKPOINT_CRASH_DIR"
	crashSize = 3<<20 + 17
	crashK    = 4
	crashM    = 2
)

func crashDomains(t *testing.T, root string) ([]Domain, *DirStore) {
	ds := make([]Domain, crashK+crashM)
	for i := range ds {
		s, err := NewDirStore(filepath.Join(root, fmt.Sprint("nfs", i)))
		if err != nil {
			t.Fatal(err)
		}
		ds[i] = Domain{Name: fmt.Sprint("nfs", i), Store: s}
	}
	meta, err := NewDirStore(filepath.Join(root, "manifests"))
	if err != nil {
		t.Fatal(err)
	}
	return ds, meta
}

// TestCrashChild is the child of TestCrashConsistency: it writes and
// commits checkpoints in a loop, continuing from the last committed one,
// until it is SIGKILLed. It does nothing in a normal test run.
func TestCrashChild(t *testing.T) {
	root := os.Getenv(crashEnv)
	if root == "" {
		t.Skip("child process of TestCrashConsistency only")
	}
	ds, mstore := crashDomains(t, root)
	ctx := context.Background()
	next := uint64(1)
	if m, _, err := LatestManifest(ctx, mstore, LevelDir); err == nil {
		next = m.ID + 1
	}
	c, err := New(0, Config{K: crashK, M: crashM, Capacity: crashSize, Logger: quiet,
		Levels: []LevelConfig{{Level: LevelDir, Every: 1, Domains: ds, Keep: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Println("child started")
	for id := next; ; id++ {
		if _, err := c.Take(ctx, Meta{ID: id, Step: int64(id)}, testData(crashSize, id)); err != nil {
			t.Fatal(err)
		}
		ws, err := c.Flush(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// The controller's commit: manifest durable first, then the hook.
		if err := PutManifest(ctx, mstore, manifestOf(ws[0], crashK, crashM)); err != nil {
			t.Fatal(err)
		}
		if err := c.Commit(ctx, LevelDir, id); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCrashConsistency SIGKILLs a child process writing checkpoints at
// random instants. After each kill the newest committed checkpoint must
// restore exactly, no shard under its final name may be torn, and the
// interrupted checkpoint (no manifest) is never taken as committed.
func TestCrashConsistency(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	root := t.TempDir()
	ds, mstore := crashDomains(t, root)
	resolve := func(lv Level, d string) Store {
		for _, x := range ds {
			if x.Name == d {
				return x.Store
			}
		}
		return nil
	}
	ctx := context.Background()
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	var last uint64
	const trials = 10
	for trial := 0; trial < trials; trial++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnv+"="+root)
		var out bytes.Buffer
		cmd.Stderr = &out
		pipe, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill at a random instant after the child is set up, spread over a
		// few checkpoint writes (each ~50-150 ms here).
		line, _ := bufio.NewReader(pipe).ReadString('\n')
		if !strings.Contains(line, "child started") {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("trial %d: child did not start: %q %s", trial, line, out.String())
		}
		delay := time.Duration(r.IntN(600)) * time.Millisecond
		time.Sleep(delay)
		cmd.Process.Signal(syscall.SIGKILL)
		err = cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			t.Fatalf("trial %d: child ended by itself (%v):\n%s", trial, err, out.String())
		}
		m, skipped, err := LatestManifest(ctx, mstore, LevelDir)
		if len(skipped) > 0 {
			t.Fatalf("trial %d: damaged manifests: %v", trial, skipped)
		}
		if err != nil {
			if last != 0 {
				t.Fatalf("trial %d: committed checkpoint %d vanished: %v", trial, last, err)
			}
			t.Logf("trial %d: killed after %v, before the first commit", trial, delay)
			continue
		}
		if m.ID < last {
			t.Fatalf("trial %d: newest committed went back from %d to %d", trial, last, m.ID)
		}
		last = m.ID
		meta, data, err := RestoreRank(ctx, m, 0, func(d string) Store { return resolve(LevelDir, d) })
		if err != nil || meta.ID != m.ID || !bytes.Equal(data, testData(crashSize, m.ID)) {
			t.Fatalf("trial %d (killed after %v): committed checkpoint %d does not restore: %v", trial, delay, m.ID, err)
		}
		// No torn shard under a final name; a surviving shard of the
		// interrupted checkpoint verifies or is absent.
		torn := 0
		for _, d := range ds {
			names, _ := d.Store.List(ctx, "ckpt-")
			for _, n := range names {
				b, err := d.Store.Get(ctx, n)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := verifyShard(b); err != nil {
					t.Fatalf("trial %d: shard %s/%s torn: %v", trial, d.Name, n, err)
				}
			}
			ents, _ := os.ReadDir(d.Store.(*DirStore).Dir())
			for _, e := range ents {
				if strings.HasPrefix(e.Name(), tmpPrefix) {
					torn++
				}
			}
		}
		// The interrupted checkpoint has no manifest, so it is not restorable
		// as committed; its loose shards, if enough survive, rebuild only to
		// its own exact bytes.
		interrupted := m.ID + 1
		shards := make([][]byte, crashK+crashM)
		for i := range shards {
			b, err := ds[i%len(ds)].Store.Get(ctx, ShardName(interrupted, 0, i))
			if err == nil {
				shards[i] = b
			}
		}
		if _, data, err := Reconstruct(shards, crashK, crashM); err == nil && !bytes.Equal(data, testData(crashSize, interrupted)) {
			t.Fatalf("trial %d: interrupted checkpoint rebuilt to wrong bytes", trial)
		}
		t.Logf("trial %d: killed after %v; newest committed %d restores; %d torn temporary files in the directories so far (ignored)", trial, delay, m.ID, torn)
	}
	if last == 0 {
		t.Fatal("no checkpoint was ever committed; kill delays too short for this machine")
	}
}
