package node

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// Progress reports a run's advance: a one-line bar redrawn in place on a
// terminal, or a slog line every few seconds otherwise.
type Progress struct {
	mu        sync.Mutex
	w         io.Writer // terminal, nil for log mode
	log       *slog.Logger
	cells     float64 // global cells, for cells/s
	stopStep  int64
	stopTime  float64
	start     time.Time
	last      time.Time
	every     time.Duration
	lastCkpt  int64 // step of the last checkpoint, -1 none
	startStep int64
	step      int64
	t         float64
}

// NewProgress returns a reporter. If tty is non-nil the bar is drawn there;
// otherwise lines go to log every interval.
func NewProgress(tty io.Writer, log *slog.Logger, cells float64, stopStep int64, stopTime float64) *Progress {
	every := 5 * time.Second
	if tty != nil {
		every = 200 * time.Millisecond
	}
	now := time.Now()
	// last = now: the first line comes one interval in, when the rate means something.
	return &Progress{w: tty, log: log, cells: cells, stopStep: stopStep, stopTime: stopTime,
		start: now, last: now, every: every, lastCkpt: -1, startStep: -1}
}

// Step records that step has completed at simulated time t.
func (p *Progress) Step(step int64, t float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.startStep < 0 {
		p.startStep = step - 1
		p.start = time.Now()
	}
	p.step, p.t = step, t
	now := time.Now()
	if now.Sub(p.last) < p.every {
		return
	}
	p.last = now
	p.draw(now)
}

// Checkpoint records a committed checkpoint at step.
func (p *Progress) Checkpoint(step int64) {
	p.mu.Lock()
	p.lastCkpt = step
	p.mu.Unlock()
}

// Done clears the bar.
func (p *Progress) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.w != nil && !p.last.IsZero() {
		p.draw(time.Now())
		fmt.Fprintln(p.w)
	}
}

// frac is the completed fraction of the run, by steps or simulated time.
func (p *Progress) frac() float64 {
	f := 0.0
	if p.stopStep > 0 {
		f = float64(p.step) / float64(p.stopStep)
	}
	if p.stopTime > 0 {
		if ft := p.t / p.stopTime; ft > f {
			f = ft
		}
	}
	if f > 1 {
		f = 1
	}
	return f
}

func (p *Progress) draw(now time.Time) {
	el := now.Sub(p.start).Seconds()
	done := p.step - p.startStep
	rate := 0.0
	if el > 0 {
		rate = float64(done) * p.cells / el
	}
	f := p.frac()
	eta := "?"
	if f > 0 && done > 0 {
		// Remaining fraction over the fraction this process has run.
		f0 := 0.0
		if p.stopStep > 0 {
			f0 = float64(p.startStep) / float64(p.stopStep)
		}
		if f > f0 {
			d := time.Duration((1 - f) / (f - f0) * el * float64(time.Second))
			if d < 10*time.Second {
				eta = d.Round(100 * time.Millisecond).String()
			} else {
				eta = d.Round(time.Second).String()
			}
		}
	}
	ck := "none"
	if p.lastCkpt >= 0 {
		ck = fmt.Sprintf("step %d", p.lastCkpt)
	}
	if p.w == nil {
		p.log.Info("progress", "step", p.step, "time", p.t, "cells_per_s", fmt.Sprintf("%.3g", rate),
			"last_checkpoint", ck, "eta", eta)
		return
	}
	const width = 24
	n := int(f * width)
	bar := strings.Repeat("#", n) + strings.Repeat(".", width-n)
	fmt.Fprintf(p.w, "\r[%s] %3.0f%% step %d  t=%.4g  %.3g cells/s  ckpt %s  ETA %s\x1b[K",
		bar, 100*f, p.step, p.t, rate, ck, eta)
}
