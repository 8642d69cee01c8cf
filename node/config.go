// Package node is apollo's worker side: it loads the job configuration, hosts
// ranks, talks to the controller and wires comm, sim and checkpoint together.
package node

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// ConfigVersion is the version of the TOML configuration format.
const ConfigVersion = 1

// Config is a whole apollo configuration. Every key is documented in
// docs/config.md and examples/configs/default.toml; the `doc` tag is the
// one-line description shown by --help.
type Config struct {
	Version    int              `toml:"version" doc:"configuration format version (1)"`
	Job        JobConfig        `toml:"job"`
	Run        RunConfig        `toml:"run"`
	Checkpoint CheckpointConfig `toml:"checkpoint"`
	Output     OutputConfig     `toml:"output"`
	Controller ControllerConfig `toml:"controller"`
	Node       NodeConfig       `toml:"node"`
}

// JobConfig describes the simulation itself.
type JobConfig struct {
	Name     string  `toml:"name" doc:"job name, used in logs and in the shared directory"`
	Problem  string  `toml:"problem" doc:"model to run: heat or orszag-tang (3D MHD)"`
	Grid     []int   `toml:"grid" doc:"global cells [nx, ny, nz]"`
	Ranks    int     `toml:"ranks" doc:"number of ranks (blocks of the decomposition)"`
	StopStep int64   `toml:"stop_step" doc:"stop after this many steps (0: no step limit)"`
	StopTime float64 `toml:"stop_time" doc:"stop at this simulated time (0: no time limit)"`
	DataDir  string  `toml:"data_dir" doc:"directory for checkpoints, output and controller state"`
}

// RunConfig is for the embedded single-process `apollo run`.
type RunConfig struct {
	Nodes    int  `toml:"nodes" doc:"apollo run: in-process nodes sharing the ranks; apollo controller: nodes that must register before epoch 1"`
	Progress bool `toml:"progress" doc:"show a progress bar when stderr is a terminal"`
}

// CheckpointConfig sets when and where checkpoints are taken.
type CheckpointConfig struct {
	EverySteps   int64         `toml:"every_steps" doc:"checkpoint every this many steps (0: off unless every_wall)"`
	EveryWall    time.Duration `toml:"every_wall" doc:"checkpoint at least this often in wall time, e.g. \"30s\" (0: off)"`
	DataShards   int           `toml:"data_shards" doc:"Reed-Solomon data shards k per snapshot"`
	ParityShards int           `toml:"parity_shards" doc:"Reed-Solomon parity shards m (survives m lost nodes)"`
	Dir          string        `toml:"dir" doc:"shared checkpoint directory (empty: <data_dir>/checkpoints)"`
	Memory       bool          `toml:"memory" doc:"keep shards in node memory (the diskless level)"`
	Keep         int           `toml:"keep" doc:"committed checkpoints kept in the directory (>=1)"`
}

// OutputConfig sets field output.
type OutputConfig struct {
	EverySteps int64  `toml:"every_steps" doc:"write field output every this many steps (0: only the final checksum)"`
	Dir        string `toml:"dir" doc:"output directory (empty: <data_dir>/output)"`
}

// ControllerConfig configures a controller replica (and where clients find it).
type ControllerConfig struct {
	ID         string        `toml:"id" doc:"this replica's Raft ID (controller only)"`
	Listen     string        `toml:"listen" doc:"HTTP API address of this replica"`
	RaftListen string        `toml:"raft_listen" doc:"Raft address of this replica (peers only; authenticated with the cluster key)"`
	Join       []string      `toml:"join" doc:"API addresses of running replicas to join; empty: bootstrap a new controller and set the job"`
	Addrs      []string      `toml:"addrs" doc:"controller HTTP addresses clients try, e.g. [\"127.0.0.1:7700\"]"`
	RaftDir    string        `toml:"raft_dir" doc:"Raft log and state (local disk or tmpfs, never NFS; empty: <data_dir>/raft)"`
	Lease      time.Duration `toml:"lease" doc:"a node silent this long is declared dead"`
	Heartbeat  time.Duration `toml:"heartbeat" doc:"interval between node heartbeats"`
	// HeartbeatChannel is how apollo node renews its lease.
	HeartbeatChannel string `toml:"heartbeat_channel" doc:"how nodes send heartbeats: udp (one authenticated datagram to the replica's API port number, the lease channel) or http (one request each)"`
	KeyFile          string `toml:"key_file" doc:"file holding the cluster key (empty: <data_dir>/cluster.key, created by run/up)"`
}

// NodeConfig configures one worker process.
type NodeConfig struct {
	ID     string `toml:"id" doc:"node name (empty: from flags, Slurm, Open MPI, StatefulSet hostname, or the hostname)"`
	Listen string `toml:"listen" doc:"address for rank traffic and shard serving, host:port (port 0: any)"`
	Slots  int    `toml:"slots" doc:"ranks this node can host"`
	// StallTimeout is the progress watchdog: a node whose ranks complete no
	// step for this long leaves the run (see Worker).
	StallTimeout time.Duration `toml:"stall_timeout" doc:"progress watchdog: a node whose ranks complete no time step for this long logs its goroutines and leaves the run, which recovers from the last checkpoint without it (0: off)"`
}

// DefaultConfig returns the embedded default: the job `apollo run` runs with
// no arguments, sized to finish in about a minute on a laptop.
func DefaultConfig() Config {
	return Config{
		Version: ConfigVersion,
		Job: JobConfig{
			Name:     "apollo",
			Problem:  "orszag-tang",
			Grid:     []int{64, 64, 64},
			Ranks:    4,
			StopTime: 0.5,
			DataDir:  "./apollo-data",
		},
		Run:    RunConfig{Nodes: 4, Progress: true},
		Output: OutputConfig{EverySteps: 100},
		Checkpoint: CheckpointConfig{
			EverySteps:   50,
			EveryWall:    30 * time.Second,
			DataShards:   2,
			ParityShards: 1,
			Memory:       true,
			Keep:         2,
		},
		Controller: ControllerConfig{
			ID:               "c1",
			Listen:           "127.0.0.1:7700",
			RaftListen:       "127.0.0.1:7701",
			Join:             []string{},
			Addrs:            []string{"127.0.0.1:7700"},
			Lease:            2 * time.Second,
			Heartbeat:        250 * time.Millisecond,
			HeartbeatChannel: ChannelUDP,
		},
		Node: NodeConfig{Listen: "127.0.0.1:0", Slots: 1, StallTimeout: 5 * time.Minute},
	}
}

// LoadConfig reads a TOML file over the defaults. Keys missing from the file
// keep their default; unknown keys are an error naming the key.
func LoadConfig(path string) (Config, error) {
	cfg := DefaultConfig()
	data, err := os.ReadFile(path)
	if err != nil {
		return cfg, fmt.Errorf("config: %w", err)
	}
	if err := cfg.decode(string(data)); err != nil {
		return cfg, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

// ParseConfig decodes TOML text over the defaults (see LoadConfig).
func ParseConfig(text string) (Config, error) {
	cfg := DefaultConfig()
	err := cfg.decode(text)
	return cfg, err
}

func (c *Config) decode(text string) error {
	// Slices are replaced, not merged, so clear the defaults the file sets.
	md, err := toml.Decode(text, c)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return fmt.Errorf("%s", pe.Error())
		}
		return err
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return fmt.Errorf("unknown key %q", strings.Join(keys, "\", \""))
	}
	if c.Version != ConfigVersion {
		return fmt.Errorf("key version: unsupported configuration version %d (this apollo reads %d)", c.Version, ConfigVersion)
	}
	return nil
}

// Validate checks every value and returns an error naming the first bad key.
func (c *Config) Validate() error {
	bad := func(key, format string, a ...any) error {
		return fmt.Errorf("config: key %s: %s", key, fmt.Sprintf(format, a...))
	}
	if c.Version != ConfigVersion {
		return bad("version", "must be %d, got %d", ConfigVersion, c.Version)
	}
	if c.Job.Name == "" || strings.ContainsAny(c.Job.Name, "/\\ \t\n") {
		return bad("job.name", "must be a non-empty name without spaces or slashes, got %q", c.Job.Name)
	}
	if _, ok := problems[c.Job.Problem]; !ok {
		return bad("job.problem", "unknown problem %q (known: %s)", c.Job.Problem, strings.Join(ProblemNames(), ", "))
	}
	if len(c.Job.Grid) != 3 {
		return bad("job.grid", "must have 3 entries [nx, ny, nz], got %d", len(c.Job.Grid))
	}
	for i, n := range c.Job.Grid {
		if n < 1 || n > 1<<16 {
			return bad("job.grid", "entry %d is %d, must be in [1, 65536]", i, n)
		}
	}
	if c.Job.Ranks < 1 || c.Job.Ranks > 4096 {
		return bad("job.ranks", "must be in [1, 4096], got %d", c.Job.Ranks)
	}
	if c.Job.StopStep < 0 {
		return bad("job.stop_step", "must be >= 0, got %d", c.Job.StopStep)
	}
	if c.Job.StopTime < 0 || c.Job.StopTime != c.Job.StopTime {
		return bad("job.stop_time", "must be >= 0, got %v", c.Job.StopTime)
	}
	if c.Job.StopStep == 0 && c.Job.StopTime == 0 {
		return bad("job.stop_step", "job.stop_step or job.stop_time must be set, or the run never ends")
	}
	if c.Job.DataDir == "" {
		return bad("job.data_dir", "must not be empty")
	}
	if c.Run.Nodes < 1 || c.Run.Nodes > c.Job.Ranks {
		return bad("run.nodes", "must be in [1, job.ranks=%d], got %d", c.Job.Ranks, c.Run.Nodes)
	}
	if c.Checkpoint.EverySteps < 0 {
		return bad("checkpoint.every_steps", "must be >= 0, got %d", c.Checkpoint.EverySteps)
	}
	if c.Checkpoint.EveryWall < 0 {
		return bad("checkpoint.every_wall", "must be >= 0, got %v", c.Checkpoint.EveryWall)
	}
	if c.Checkpoint.DataShards < 1 || c.Checkpoint.DataShards > 128 {
		return bad("checkpoint.data_shards", "must be in [1, 128], got %d", c.Checkpoint.DataShards)
	}
	if c.Checkpoint.ParityShards < 0 || c.Checkpoint.ParityShards > 128 {
		return bad("checkpoint.parity_shards", "must be in [0, 128], got %d", c.Checkpoint.ParityShards)
	}
	if c.Checkpoint.Keep < 1 {
		return bad("checkpoint.keep", "must be >= 1, got %d", c.Checkpoint.Keep)
	}
	if c.Output.EverySteps < 0 {
		return bad("output.every_steps", "must be >= 0, got %d", c.Output.EverySteps)
	}
	if c.Controller.Lease <= 0 {
		return bad("controller.lease", "must be > 0, got %v", c.Controller.Lease)
	}
	if c.Controller.Heartbeat <= 0 || c.Controller.Heartbeat >= c.Controller.Lease {
		return bad("controller.heartbeat", "must be > 0 and shorter than controller.lease (%v), got %v", c.Controller.Lease, c.Controller.Heartbeat)
	}
	if ch := c.Controller.HeartbeatChannel; ch != ChannelUDP && ch != ChannelHTTP {
		return bad("controller.heartbeat_channel", "must be %q or %q, got %q", ChannelUDP, ChannelHTTP, ch)
	}
	if len(c.Controller.Addrs) == 0 {
		return bad("controller.addrs", "must list at least one controller address")
	}
	for _, k := range []struct{ key, v string }{{"controller.listen", c.Controller.Listen},
		{"controller.raft_listen", c.Controller.RaftListen}, {"node.listen", c.Node.Listen}} {
		if _, _, err := net.SplitHostPort(k.v); err != nil {
			return bad(k.key, "must be host:port, got %q", k.v)
		}
	}
	if c.Node.Slots < 1 {
		return bad("node.slots", "must be >= 1, got %d", c.Node.Slots)
	}
	if c.Node.StallTimeout < 0 {
		return bad("node.stall_timeout", "must be >= 0 (0: off), got %v", c.Node.StallTimeout)
	}
	return nil
}

// CheckpointDir is the shared checkpoint directory after defaults.
func (c *Config) CheckpointDir() string {
	if c.Checkpoint.Dir != "" {
		return c.Checkpoint.Dir
	}
	return c.Job.DataDir + "/checkpoints"
}

// OutputDir is the output directory after defaults.
func (c *Config) OutputDir() string {
	if c.Output.Dir != "" {
		return c.Output.Dir
	}
	return c.Job.DataDir + "/output"
}

// RaftDir is the controller's Raft directory after defaults.
func (c *Config) RaftDir() string {
	if c.Controller.RaftDir != "" {
		return c.Controller.RaftDir
	}
	return c.Job.DataDir + "/raft"
}

// KeyFile is the cluster key file after defaults.
func (c *Config) KeyFile() string {
	if c.Controller.KeyFile != "" {
		return c.Controller.KeyFile
	}
	return c.Job.DataDir + "/cluster.key"
}

// Key is one configuration key: its dotted name, description and where it
// lives in a Config.
type Key struct {
	Name string // e.g. "job.grid"
	Doc  string
	path []int
}

// Keys lists every configuration key in file order.
func Keys() []Key {
	var keys []Key
	var walk func(t reflect.Type, prefix string, path []int)
	walk = func(t reflect.Type, prefix string, path []int) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name := prefix + f.Tag.Get("toml")
			p := append(append([]int(nil), path...), i)
			if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeOf(time.Duration(0)) {
				walk(f.Type, name+".", p)
				continue
			}
			keys = append(keys, Key{Name: name, Doc: f.Tag.Get("doc"), path: p})
		}
	}
	walk(reflect.TypeOf(Config{}), "", nil)
	return keys
}

// Set parses value into the key named by its dotted name, as a flag would.
// Lists are comma-separated. Errors name the key.
func (c *Config) Set(name, value string) error {
	for _, k := range Keys() {
		if k.Name == name {
			if err := setValue(reflect.ValueOf(c).Elem().FieldByIndex(k.path), value); err != nil {
				return fmt.Errorf("config: key %s: %w", name, err)
			}
			return nil
		}
	}
	return fmt.Errorf("config: unknown key %q", name)
}

// Get formats a key's current value as Set would parse it.
func (c *Config) Get(name string) (string, error) {
	for _, k := range Keys() {
		if k.Name == name {
			return formatValue(reflect.ValueOf(c).Elem().FieldByIndex(k.path)), nil
		}
	}
	return "", fmt.Errorf("config: unknown key %q", name)
}

func setValue(v reflect.Value, s string) error {
	s = strings.TrimSpace(s)
	switch v.Interface().(type) {
	case time.Duration:
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("bad duration %q (use e.g. 500ms, 30s, 2m)", s)
		}
		v.SetInt(int64(d))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("bad integer %q", s)
		}
		v.SetInt(n)
	case reflect.Float64:
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("bad number %q", s)
		}
		v.SetFloat(x)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("bad boolean %q (use true or false)", s)
		}
		v.SetBool(b)
	case reflect.Slice:
		var parts []string
		if s != "" {
			parts = strings.Split(s, ",")
		}
		out := reflect.MakeSlice(v.Type(), len(parts), len(parts))
		for i, p := range parts {
			if err := setValue(out.Index(i), p); err != nil {
				return fmt.Errorf("entry %d: %w", i, err)
			}
		}
		v.Set(out)
	default:
		return fmt.Errorf("unsupported type %s", v.Type())
	}
	return nil
}

func formatValue(v reflect.Value) string {
	if d, ok := v.Interface().(time.Duration); ok {
		return d.String()
	}
	if v.Kind() == reflect.Slice {
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = formatValue(v.Index(i))
		}
		return strings.Join(parts, ",")
	}
	return fmt.Sprint(v.Interface())
}

// configFlag is a flag.Value that records a key's value to apply after the
// file is loaded, so that flags override the file whatever their order.
type configFlag struct {
	key  string
	cur  string
	sets *[][2]string
}

func (f *configFlag) String() string { return f.cur }
func (f *configFlag) Set(s string) error {
	f.cur = s
	*f.sets = append(*f.sets, [2]string{f.key, s})
	return nil
}

// Overrides collects configuration flags; Apply writes them over a Config.
type Overrides struct{ sets [][2]string }

// Register adds one flag per configuration key (e.g. --checkpoint.every_steps)
// plus the given short aliases (alias → key, e.g. "nodes" → "run.nodes").
func (o *Overrides) Register(fs *flag.FlagSet, aliases map[string]string) {
	def := DefaultConfig()
	for _, k := range Keys() {
		cur, _ := def.Get(k.Name)
		fs.Var(&configFlag{key: k.Name, cur: cur, sets: &o.sets}, k.Name, k.Doc)
	}
	names := make([]string, 0, len(aliases))
	for a := range aliases {
		names = append(names, a)
	}
	sort.Strings(names)
	for _, a := range names {
		key := aliases[a]
		cur, _ := def.Get(key)
		fs.Var(&configFlag{key: key, cur: cur, sets: &o.sets}, a, "same as --"+key)
	}
}

// Apply writes the recorded flags over cfg in command-line order.
func (o *Overrides) Apply(cfg *Config) error {
	for _, kv := range o.sets {
		if err := cfg.Set(kv[0], kv[1]); err != nil {
			return err
		}
	}
	return nil
}

// Args returns the recorded flags as command-line arguments, to hand the
// same overrides to child processes.
func (o *Overrides) Args() []string {
	out := make([]string, 0, len(o.sets))
	for _, kv := range o.sets {
		out = append(out, "--"+kv[0]+"="+kv[1])
	}
	return out
}
