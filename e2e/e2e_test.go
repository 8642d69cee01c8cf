// Package e2e runs the apollo binary as real processes and checks the
// promises a user sees: the same final checksum whatever the layout of
// processes and whatever was killed on the way.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// apolloBin is the binary built once by TestMain.
var apolloBin string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	flag.Parse()
	if testing.Short() {
		// Nothing to build: every test skips.
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "apollo-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	apolloBin = filepath.Join(dir, "apollo")
	build := exec.Command("go", "build", "-o", apolloBin, "github.com/apollo-hpc/apollo/cmd/apollo")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: building apollo:", err)
		return 1
	}
	code := m.Run()
	if code == 0 {
		// Every process waiter must have ended with its process.
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: leaked goroutines:", err)
			return 1
		}
	}
	return code
}

func needBinary(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("e2e: spawns apollo processes; skipped under -short")
	}
}

// small is the job every e2e test runs: small enough that the whole package
// stays within a few minutes on 2 shared cores.
var small = []string{"--job.problem", "heat", "--job.stop_time", "0", "--grid", "24,24,24", "--steps", "60", "--ranks", "4",
	"--checkpoint.every_steps", "10", "--run.progress=false"}

var checksumRE = regexp.MustCompile(`final checksum ([0-9a-f]{16})`)

// apollo runs the binary to completion and returns its stdout.
func apollo(t *testing.T, timeout time.Duration, dir string, args ...string) string {
	t.Helper()
	out, err := apolloErr(t, timeout, dir, args...)
	if err != nil {
		t.Fatalf("apollo %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// apolloErr runs the binary to completion; on failure the returned text
// holds its stdout and the tail of its stderr.
func apolloErr(t *testing.T, timeout time.Duration, dir string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, apolloBin, args...)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "stdout:\n" + out.String() + "\nstderr:\n" + tail(errb.String(), 40), err
	}
	return out.String(), nil
}

func checksumOf(t *testing.T, out string) string {
	t.Helper()
	m := checksumRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no final checksum in output:\n%s", out)
	}
	return m[1]
}

func tail(s string, n int) string {
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// TestRunDeterministic: `apollo run` twice, and on a different number of
// in-process nodes, ends with the same checksum.
func TestRunDeterministic(t *testing.T) {
	needBinary(t)
	a := checksumOf(t, apollo(t, time.Minute, t.TempDir(), append([]string{"run"}, small...)...))
	b := checksumOf(t, apollo(t, time.Minute, t.TempDir(), append([]string{"run", "--nodes", "2"}, small...)...))
	if a != b {
		t.Fatalf("checksums differ: 4 nodes %s, 2 nodes %s", a, b)
	}
}

// TestUp: `apollo up` (a controller and 4 node processes on 127.0.0.2–5)
// ends with the checksum of `apollo run`.
func TestUp(t *testing.T) {
	needBinary(t)
	want := checksumOf(t, apollo(t, time.Minute, t.TempDir(), append([]string{"run"}, small...)...))
	// The ports are free when chosen but another test process may bind
	// one before the controller does; only that failure is retried.
	var out string
	for try := 1; ; try++ {
		addr := "127.0.0.1:" + strconv.Itoa(freePorts(t, 2))
		var err error
		out, err = apolloErr(t, 2*time.Minute, t.TempDir(), append([]string{"up", "--nodes", "4", "--listen", addr}, small...)...)
		if err == nil {
			break
		}
		if try == 3 || !strings.Contains(out, "address already in use") {
			t.Fatalf("apollo up: %v\n%s", err, tail(out, 30))
		}
		t.Logf("try %d: a port was taken before the controller bound it; again", try)
	}
	if got := checksumOf(t, out); got != want {
		t.Fatalf("apollo up checksum %s, apollo run %s\n%s", got, want, tail(out, 30))
	}
}
