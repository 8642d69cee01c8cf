package main

import (
	"bytes"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestVersion(t *testing.T) {
	var out, errb bytes.Buffer
	if rc := realMain([]string{"--version"}, &out, &errb); rc != 0 || !strings.HasPrefix(out.String(), "apollo ") {
		t.Fatalf("rc %d out %q", rc, out.String())
	}
	version = "v9.9.9-test"
	defer func() { version = "" }()
	out.Reset()
	realMain([]string{"--version"}, &out, &errb)
	if !strings.HasPrefix(out.String(), "apollo v9.9.9-test go1.") {
		t.Fatalf("ldflags version not used: %q", out.String())
	}
}

func TestEveryCommandHasHelpWithExamples(t *testing.T) {
	for _, c := range commands {
		var out, errb bytes.Buffer
		if rc := realMain([]string{c.name, "--help"}, &out, &errb); rc != 0 {
			t.Errorf("%s --help: rc %d", c.name, rc)
		}
		help := errb.String() + out.String()
		if !strings.Contains(help, "Examples:") || !strings.Contains(help, "Usage: apollo "+c.name) {
			t.Errorf("%s --help lacks usage or examples:\n%s", c.name, help)
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	var out, errb bytes.Buffer
	if rc := realMain([]string{"frobnicate"}, &out, &errb); rc != 2 || !strings.Contains(errb.String(), "frobnicate") {
		t.Fatalf("rc %d stderr %q", rc, errb.String())
	}
}

func TestRunBadFlagValueNamesKey(t *testing.T) {
	var out, errb bytes.Buffer
	rc := realMain([]string{"run", "--ranks", "0"}, &out, &errb)
	if rc == 0 || !strings.Contains(errb.String(), "job.ranks") {
		t.Fatalf("rc %d stderr %q", rc, errb.String())
	}
}

func TestInterspersedFlags(t *testing.T) {
	c := lookup("pull")
	fs := newFlagSet(c, &bytes.Buffer{})
	pos, err := parseInterspersed(fs, []string{"n3", "--controller", "h:1", "--", "--x"})
	if err != nil || len(pos) != 2 || pos[0] != "n3" || pos[1] != "--x" {
		t.Fatalf("%v %v", pos, err)
	}
	if f := fs.Lookup("controller"); f.Value.String() != "h:1" {
		t.Fatalf("flag after positional not parsed: %q", f.Value.String())
	}
}
