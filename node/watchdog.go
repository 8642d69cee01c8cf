package node

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"time"
)

// ErrLeft is returned by Worker.Run when the node left the run on its own:
// its ranks made no progress (the progress watchdog, WorkerConfig.StallTimeout)
// or stopped with an error and the controller started no new epoch within
// WorkerConfig.FailGrace. The node asked the controller to pull it, so the
// run goes on from the last committed checkpoint without it.
var ErrLeft = errors.New("node: left the run (no progress)")

// epochWatch is what the watchdog knows of the node's current epoch.
type epochWatch struct {
	epoch    uint64
	pos      int       // this node's place among the epoch's nodes in id order
	failedAt time.Time // when this node's ranks stopped with an error; zero while running
	failErr  error
	done     bool // this node's ranks finished the job
	// stopping is when the controller started a newer epoch and this
	// node began stopping this one's ranks; zero before.
	stopping time.Time
}

// watchEpoch starts watching epoch, in which this node is the pos-th node.
func (w *Worker) watchEpoch(epoch uint64, pos int) {
	w.progress.Store(time.Now().UnixNano())
	w.mu.Lock()
	w.watch = &epochWatch{epoch: epoch, pos: pos}
	w.mu.Unlock()
}

// unwatch stops watching: the node runs no ranks (between epochs, or its
// epoch was stopped by a newer one).
func (w *Worker) unwatch() {
	w.mu.Lock()
	w.watch = nil
	w.mu.Unlock()
}

// stopping records that the node is stopping its ranks because a newer
// epoch started. Ranks that do not stop within FailGrace are wedged (in a
// call that ignores its context) and hold up the new epoch: the node leaves
// at once, before any staggered peer would.
func (w *Worker) stopping() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.watch != nil && w.watch.stopping.IsZero() {
		w.watch.stopping = time.Now()
	}
}

// epochEnded records how this node's share of epoch ended: err == nil when
// its ranks completed the job.
func (w *Worker) epochEnded(epoch uint64, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.watch == nil || w.watch.epoch != epoch {
		return
	}
	if err == nil {
		w.watch.done = true
		return
	}
	w.watch.failedAt, w.watch.failErr = time.Now(), err
}

// overdue says why this node should leave the run now, or "".
//
// Nodes of one epoch are staggered by their place in id order (the n-th
// waits n·FailGrace longer), so when every node of an epoch is stuck the
// first one leaves, the controller starts a new epoch, and the others see it
// and carry on instead of all leaving.
func (w *Worker) overdue(now time.Time) (reason string, cause error, epoch uint64) {
	w.mu.Lock()
	ew := w.watch
	var cp epochWatch
	if ew != nil {
		cp = *ew
	}
	w.mu.Unlock()
	if ew == nil || cp.done {
		return "", nil, 0
	}
	if !cp.stopping.IsZero() && now.Sub(cp.stopping) >= w.cfg.FailGrace {
		return fmt.Sprintf("ranks did not stop within %v after a newer epoch started", now.Sub(cp.stopping).Round(time.Millisecond)), cp.failErr, cp.epoch
	}
	stagger := time.Duration(cp.pos) * w.cfg.FailGrace
	if !cp.failedAt.IsZero() && now.Sub(cp.failedAt) >= w.cfg.FailGrace+stagger {
		return fmt.Sprintf("ranks stopped with an error %v ago and the controller started no new epoch", now.Sub(cp.failedAt).Round(time.Millisecond)), cp.failErr, cp.epoch
	}
	last := time.Unix(0, w.progress.Load())
	if w.cfg.StallTimeout > 0 && now.Sub(last) >= w.cfg.StallTimeout+stagger {
		return fmt.Sprintf("no time step completed for %v (node.stall_timeout %v)", now.Sub(last).Round(time.Millisecond), w.cfg.StallTimeout), cp.failErr, cp.epoch
	}
	return "", nil, 0
}

// watchdog checks progress until ctx ends; when the node is overdue it logs
// why with a summary of its goroutines, asks the controller to pull it, and
// ends the worker with ErrLeft (closing left).
func (w *Worker) watchdog(ctx context.Context, cancel context.CancelCauseFunc, left chan<- struct{}) {
	period := w.cfg.FailGrace
	if w.cfg.StallTimeout > 0 {
		period = min(period, w.cfg.StallTimeout)
	}
	period = min(max(period/8, 10*time.Millisecond), time.Second)
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		reason, cause, epoch := w.overdue(time.Now())
		if reason == "" {
			continue
		}
		n, summary := goroutineSummary(12)
		w.log.Error("progress watchdog: leaving the run; the controller restarts it from the last checkpoint without this node",
			"epoch", epoch, "reason", reason, "err", cause, "goroutines", n, "stacks", summary)
		// Stop first (the cause is ErrLeft, not the ErrFenced the next
		// heartbeat would bring), then ask to be pulled.
		cancel(fmt.Errorf("node %s, epoch %d: %s: %w", w.id, epoch, reason, ErrLeft))
		lctx, lcancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := w.cfg.Ctl.Leave(lctx, w.id); err != nil {
			// Exiting still works: the heartbeats stopped and the lease expires.
			w.log.Error("progress watchdog: controller did not take the leave; stopping anyway", "err", err)
		}
		lcancel()
		close(left)
		return
	}
}

// goroutineSummary returns the number of goroutines and the most common
// (state, innermost apollo function) pairs of their stacks, most frequent
// first, at most max of them: "3× [chan receive] sim.Run <- node.(*Worker).runRank".
func goroutineSummary(max int) (int, []string) {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) || len(buf) >= 64<<20 {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	counts := map[string]int{}
	total := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		lines := strings.Split(strings.TrimSpace(g), "\n")
		if len(lines) == 0 || !strings.HasPrefix(lines[0], "goroutine ") {
			continue
		}
		total++
		state := lines[0]
		if i, j := strings.IndexByte(state, '['), strings.IndexByte(state, ']'); i >= 0 && j > i {
			state = state[i+1 : j]
			if k := strings.IndexByte(state, ','); k >= 0 { // drop ", 5 minutes", ", locked to thread"
				state = state[:k]
			}
		}
		// Function lines alternate with file lines; keep the first two
		// apollo frames, else the innermost frame.
		var fns []string
		first := ""
		for i := 1; i < len(lines); i += 2 {
			fn := lines[i]
			if k := strings.LastIndexByte(fn, '('); k > 0 {
				fn = fn[:k]
			}
			if first == "" {
				first = fn
			}
			if f, ok := strings.CutPrefix(fn, "github.com/apollo-hpc/apollo/"); ok {
				fns = append(fns, f)
				if len(fns) == 2 {
					break
				}
			}
		}
		where := first
		if len(fns) > 0 {
			where = strings.Join(fns, " <- ")
		}
		counts["["+state+"] "+where]++
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if counts[keys[i]] != counts[keys[j]] {
			return counts[keys[i]] > counts[keys[j]]
		}
		return keys[i] < keys[j]
	})
	if len(keys) > max {
		keys = keys[:max]
	}
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = fmt.Sprintf("%d× %s", counts[k], k)
	}
	return total, out
}
