package node

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestProgressBar(t *testing.T) {
	var b bytes.Buffer
	p := NewProgress(&b, quietLog(), 1000, 100, 0)
	p.every = 0
	p.Step(1, 0.1)
	time.Sleep(20 * time.Millisecond)
	p.Checkpoint(40)
	p.Step(50, 5)
	p.Done()
	out := b.String()
	for _, want := range []string{"50%", "step 50", "t=5", "cells/s", "ckpt step 40", "ETA "} {
		if !strings.Contains(out, want) {
			t.Errorf("progress line lacks %q: %q", want, out)
		}
	}
	if !strings.HasSuffix(out, "\n") {
		t.Error("Done does not end the line")
	}
}
