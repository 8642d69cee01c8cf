package node

import (
	"flag"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestDefaultValid(t *testing.T) {
	c := DefaultConfig()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestExampleFileIsDefault(t *testing.T) {
	cfg, err := LoadConfig("../examples/configs/default.toml")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg, DefaultConfig()) {
		t.Fatalf("examples/configs/default.toml differs from DefaultConfig:\n%+v\n%+v", cfg, DefaultConfig())
	}
}

func TestEveryKeyDocumented(t *testing.T) {
	for _, f := range []string{"../docs/config.md", "../examples/configs/default.toml"} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		for _, k := range Keys() {
			_, leaf, _ := strings.Cut(k.Name, ".")
			if leaf == "" {
				leaf = k.Name
			}
			if f == "../docs/config.md" && !strings.Contains(text, "`"+k.Name+"`") {
				t.Errorf("%s does not document key %s", f, k.Name)
			}
			if f != "../docs/config.md" && !strings.Contains(text, "\n"+leaf+" = ") {
				t.Errorf("%s does not set key %s", f, k.Name)
			}
			if k.Doc == "" {
				t.Errorf("key %s has no doc tag", k.Name)
			}
		}
	}
}

func TestUnknownKeyNamed(t *testing.T) {
	_, err := ParseConfig("version = 1\n[job]\ngird = [1,2,3]\n")
	if err == nil || !strings.Contains(err.Error(), "job.gird") {
		t.Fatalf("want error naming job.gird, got %v", err)
	}
	_, err = ParseConfig("version = 1\n[jobb]\nname = \"x\"\n")
	if err == nil || !strings.Contains(err.Error(), "jobb") {
		t.Fatalf("want error naming jobb, got %v", err)
	}
}

func TestBadValueNamed(t *testing.T) {
	cases := map[string]string{
		"[job]\ngrid = [1, 2]\n":                      "job.grid",
		"[job]\nranks = 0\n":                          "job.ranks",
		"[job]\nproblem = \"nope\"\n":                 "job.problem",
		"[controller]\nheartbeat = \"5s\"\n":          "controller.heartbeat",
		"[controller]\nheartbeat_channel = \"tcp\"\n": "controller.heartbeat_channel",
		"[checkpoint]\ndata_shards = 0\n":             "checkpoint.data_shards",
		"[run]\nnodes = 9\n":                          "run.nodes",
	}
	for text, key := range cases {
		cfg, err := ParseConfig("version = 1\n" + text)
		if err == nil {
			err = cfg.Validate()
		}
		if err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%q: want error naming %s, got %v", text, key, err)
		}
	}
	// A type error from the decoder names the key too.
	_, err := ParseConfig("version = 1\n[job]\nranks = \"four\"\n")
	if err == nil || !strings.Contains(err.Error(), "ranks") {
		t.Errorf("type error: want key named, got %v", err)
	}
	_, err = ParseConfig("version = 2\n")
	if err == nil || !strings.Contains(err.Error(), "version") {
		t.Errorf("version: got %v", err)
	}
}

func TestSliceReplacedNotMerged(t *testing.T) {
	cfg, err := ParseConfig("version = 1\n[controller]\naddrs = [\"a:1\", \"b:2\"]\n[job]\ngrid = [8, 8, 8]\n")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg.Controller.Addrs, []string{"a:1", "b:2"}) || !reflect.DeepEqual(cfg.Job.Grid, []int{8, 8, 8}) {
		t.Fatalf("got %v %v", cfg.Controller.Addrs, cfg.Job.Grid)
	}
}

func TestHeartbeatChannel(t *testing.T) {
	if c := DefaultConfig(); c.Controller.HeartbeatChannel != ChannelUDP {
		t.Fatalf("default heartbeat channel %q, want %q", c.Controller.HeartbeatChannel, ChannelUDP)
	}
	for _, ch := range []string{ChannelUDP, ChannelHTTP} {
		cfg, err := ParseConfig("version = 1\n[controller]\nheartbeat_channel = \"" + ch + "\"\n")
		if err == nil {
			err = cfg.Validate()
		}
		if err != nil || cfg.Controller.HeartbeatChannel != ch {
			t.Fatalf("%s: %v, channel %q", ch, err, cfg.Controller.HeartbeatChannel)
		}
	}
	for _, ch := range []string{"", "UDP", "tcp"} {
		cfg := DefaultConfig()
		if err := cfg.Set("controller.heartbeat_channel", ch); err != nil {
			t.Fatal(err)
		}
		err := cfg.Validate()
		want := `config: key controller.heartbeat_channel: must be "udp" or "http", got "` + ch + `"`
		if err == nil || err.Error() != want {
			t.Fatalf("%q: got %v, want %s", ch, err, want)
		}
	}
}

func TestFlagsOverrideFile(t *testing.T) {
	cfg, err := ParseConfig("version = 1\n[job]\nstop_step = 10\nranks = 2\n")
	if err != nil {
		t.Fatal(err)
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	var o Overrides
	o.Register(fs, map[string]string{"steps": "job.stop_step"})
	if err := fs.Parse([]string{"--steps", "77", "--controller.lease", "3s", "--job.grid", "4,5,6"}); err != nil {
		t.Fatal(err)
	}
	if err := o.Apply(&cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Job.StopStep != 77 || cfg.Job.Ranks != 2 || cfg.Controller.Lease != 3*time.Second ||
		!reflect.DeepEqual(cfg.Job.Grid, []int{4, 5, 6}) {
		t.Fatalf("overrides not applied: %+v", cfg.Job)
	}
	if err := cfg.Set("job.ranks", "x"); err == nil || !strings.Contains(err.Error(), "job.ranks") {
		t.Fatalf("bad flag value: got %v", err)
	}
	if err := cfg.Set("job.nope", "1"); err == nil || !strings.Contains(err.Error(), "job.nope") {
		t.Fatalf("unknown flag key: got %v", err)
	}
}
