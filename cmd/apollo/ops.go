package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/apollo-hpc/apollo/coord"
	"github.com/apollo-hpc/apollo/node"
)

// opsLoad holds, per operator command, the loader of its configuration.
var opsLoad = map[string]func(string) (node.Config, error){}

// opsFlags registers the configuration flags of an operator command; the
// optional --config names the file (operator commands take other arguments).
func opsFlags(name string, extra func(fs *flag.FlagSet)) func(fs *flag.FlagSet) {
	return func(fs *flag.FlagSet) {
		cfgPath := fs.String("config", "", "configuration file (for controller.addrs, key file, directories)")
		load := configFlags(fs, map[string]string{"controller": "controller.addrs", "data": "job.data_dir"})
		opsLoad[name] = func(string) (node.Config, error) { return load(*cfgPath) }
		if extra != nil {
			extra(fs)
		}
	}
}

func opsClient(name string) (node.Config, *coord.Client, error) {
	cfg, err := opsLoad[name]("")
	if err != nil {
		return cfg, nil, err
	}
	c, err := node.Client(&cfg)
	return cfg, c, err
}

var (
	statusJSON   bool
	verifyCkpts  bool
	upNodes      int
	upController string
	upLoad       func(string) (node.Config, error)
	upOverrides  node.Overrides
	resumeLoad   func(string) (node.Config, error)
)

func init() {
	register(&command{
		name: "status", synopsis: "show members, ranks, epoch, checkpoints and the leader",
		usage: "apollo status [--json] [flags]",
		help: `Asks the controller (controller.addrs, any replica) for the job's state:
the leader, the epoch, every member with its state and ranks, the committed
checkpoints and how many recoveries happened. --json prints the full state.

Examples:
  apollo status
  apollo status --json --controller 10.0.0.1:7700,10.0.0.2:7700`,
		flags: opsFlags("status", func(fs *flag.FlagSet) {
			fs.BoolVar(&statusJSON, "json", false, "print the controller's state as JSON")
		}),
		run: func(ctx context.Context, fs *flag.FlagSet, args []string) error {
			if len(args) != 0 {
				return fmt.Errorf("no arguments expected: %w", errUsage)
			}
			_, c, err := opsClient("status")
			if err != nil {
				return err
			}
			defer c.CloseIdleConnections()
			s, err := c.Status(ctx)
			if err != nil {
				return err
			}
			if statusJSON {
				return printJSON(s)
			}
			node.WriteStatus(os.Stdout, s)
			return nil
		},
	})
	for _, op := range []struct{ name, syn, help string }{
		{"pull", "declare a node failed now; its ranks recover elsewhere", `Declares NODE (a member id such as n3, or its address) failed at once, as
an operator pulling its cable would: the controller starts a new epoch, every
rank rolls back to the last committed checkpoint and NODE's ranks are rebuilt
on the survivors or a spare. NODE is fenced and must not rejoin under its id.

Examples:
  apollo pull n3
  apollo pull n3 --controller 10.0.0.1:7700`},
		{"drain", "move a node's ranks away at the next checkpoint", `Asks the controller to move NODE's ranks to other nodes at the next committed
checkpoint (nothing is recomputed), then NODE leaves the job. The same as
sending SIGTERM to the node process.

Examples:
  apollo drain n2`},
	} {
		register(&command{
			name: op.name, synopsis: op.syn, usage: "apollo " + op.name + " [flags] NODE", help: op.help,
			flags: opsFlags(op.name, nil),
			run: func(ctx context.Context, fs *flag.FlagSet, args []string) error {
				if len(args) != 1 {
					return fmt.Errorf("one NODE expected: %w", errUsage)
				}
				_, c, err := opsClient(op.name)
				if err != nil {
					return err
				}
				defer c.CloseIdleConnections()
				id, err := node.ResolveMember(ctx, c, args[0])
				if err != nil {
					return err
				}
				var r coord.OKReply
				if op.name == "pull" {
					r, err = c.Pull(ctx, id)
				} else {
					r, err = c.Drain(ctx, id)
				}
				if err != nil {
					return err
				}
				fmt.Printf("%s %s: ok, epoch %d\n", op.name, id, r.Epoch)
				return nil
			},
		})
	}
	register(&command{
		name: "checkpoint", synopsis: "take a checkpoint now (apollo checkpoint now)",
		usage: "apollo checkpoint [flags] now",
		help: `Asks the controller for a checkpoint outside the schedule: rank 0 sees the
request before its next step and every rank snapshots after that same step
(memory and shared levels, committed like any other).

Examples:
  apollo checkpoint now
  apollo checkpoint now --controller 10.0.0.1:7700`,
		flags: opsFlags("checkpoint", nil),
		run: func(ctx context.Context, fs *flag.FlagSet, args []string) error {
			if len(args) != 1 || args[0] != "now" {
				return fmt.Errorf(`expected "now": %w`, errUsage)
			}
			_, c, err := opsClient("checkpoint")
			if err != nil {
				return err
			}
			defer c.CloseIdleConnections()
			r, err := c.CheckpointNow(ctx)
			if err != nil {
				return err
			}
			fmt.Printf("checkpoint requested, epoch %d\n", r.Epoch)
			return nil
		},
	})
	register(&command{
		name: "checkpoints", synopsis: "list committed checkpoints; --verify rebuilds and checks them",
		usage: "apollo checkpoints [--verify] [flags]",
		help: `Lists the committed checkpoints, from the controller if it answers, else from
the records in the shared directory (checkpoint.dir). --verify rebuilds every
rank of every listed checkpoint from its shards and checks it against the
committed digest; it exits non-zero if any does not verify.

Examples:
  apollo checkpoints
  apollo checkpoints --verify --data /shared/apollo-data`,
		flags: opsFlags("checkpoints", func(fs *flag.FlagSet) {
			fs.BoolVar(&verifyCkpts, "verify", false, "rebuild and check every rank of every checkpoint")
		}),
		run: runCheckpoints,
	})
	register(&command{
		name: "up", synopsis: "start a controller and N node processes on this machine",
		usage: "apollo up [--nodes N] [flags] [config.toml]",
		help: `Starts a controller and N apollo node processes on this machine, the nodes on
distinct loopback addresses (127.0.0.2, 127.0.0.3, ...; Linux routes all of
127/8 to loopback) talking over comm/tcp, and prints their output prefixed
with their name and pid. Kill one (kill -9 PID) or pull it (apollo pull n2)
in another terminal to watch the run recover. Returns when the nodes exit.

Examples:
  apollo up --nodes 4
  apollo up --nodes 4 job.toml --steps 5000`,
		flags: func(fs *flag.FlagSet) {
			fs.IntVar(&upNodes, "nodes", 4, "node processes to start")
			fs.StringVar(&upController, "listen", "127.0.0.1:7700", "controller API address (Raft uses the next port)")
			upOverrides = node.Overrides{}
			upOverrides.Register(fs, map[string]string{"steps": "job.stop_step", "grid": "job.grid", "data": "job.data_dir",
				"problem": "job.problem", "ranks": "job.ranks"})
		},
		run: func(ctx context.Context, fs *flag.FlagSet, args []string) error {
			path, err := optionalPath(args)
			if err != nil {
				return err
			}
			cfg := node.DefaultConfig()
			if path != "" {
				if cfg, err = node.LoadConfig(path); err != nil {
					return err
				}
			}
			if err := upOverrides.Apply(&cfg); err != nil {
				return err
			}
			cfg.Run.Nodes = min(upNodes, cfg.Job.Ranks)
			cfg.Controller.Addrs = []string{upController}
			exe, err := os.Executable()
			if err != nil {
				return err
			}
			childArgs := upOverrides.Args()
			if path != "" {
				childArgs = append([]string{path}, childArgs...)
			}
			return node.Up(ctx, cfg, node.UpOptions{Exe: exe, Args: childArgs, Out: os.Stdout, Nodes: upNodes, Listen: upController})
		},
	})
	register(&command{
		name: "resume", synopsis: "restart a whole job from the shared directory (after a total loss)",
		usage: "apollo resume [flags] [config.toml]",
		help: `After every node and every controller replica was lost (a power cut), finds
the newest shared-level checkpoint recorded in checkpoint.dir whose every rank
rebuilds and verifies, discards the stale Raft state in controller.raft_dir,
and runs a fresh controller whose job starts from that checkpoint. Start the
nodes again as usual (apollo node); the run ends with the same bits.

Examples:
  apollo resume job.toml
  apollo resume --data /shared/apollo-data --nodes 4`,
		flags: func(fs *flag.FlagSet) {
			resumeLoad = configFlags(fs, map[string]string{"nodes": "run.nodes", "data": "job.data_dir"})
		},
		run: func(ctx context.Context, fs *flag.FlagSet, args []string) error {
			path, err := optionalPath(args)
			if err != nil {
				return err
			}
			cfg, err := resumeLoad(path)
			if err != nil {
				return err
			}
			return node.RunResume(ctx, cfg, node.ControllerOptions{Log: newLogger(os.Stderr, slog.LevelInfo)}, os.Stdout)
		},
	})
}

func runCheckpoints(ctx context.Context, fs *flag.FlagSet, args []string) error {
	if len(args) != 0 {
		return fmt.Errorf("no arguments expected: %w", errUsage)
	}
	cfg, c, err := opsClient("checkpoints")
	if err != nil {
		return err
	}
	defer c.CloseIdleConnections()
	sctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	s, err := c.Status(sctx)
	cancel()
	var st *coord.State
	if err == nil && s.State != nil {
		st = s.State
	} else {
		// No controller: the shared directory's records still list the
		// committed checkpoints (shared level restorable without nodes).
		fmt.Fprintf(os.Stderr, "controller unreachable (%v); reading %s\n", err, cfg.CheckpointDir())
		recs, bad, rerr := node.SharedRecords(cfg.CheckpointDir())
		if rerr != nil {
			return rerr
		}
		for _, b := range bad {
			fmt.Fprintln(os.Stderr, "damaged record:", b)
		}
		st = coord.NewState()
		for _, r := range recs {
			st.Job = r.Job
			st.Checkpoints = append(st.Checkpoints, r.Checkpoint)
		}
		// Records outlive retention; only the newest Retention checkpoints
		// still have their shards.
		if st.Job != nil && len(st.Checkpoints) > st.Job.Retention {
			st.Checkpoints = st.Checkpoints[len(st.Checkpoints)-st.Job.Retention:]
		}
	}
	node.WriteCheckpoints(os.Stdout, st.Checkpoints)
	if !verifyCkpts {
		return nil
	}
	list := st.Checkpoints
	if err != nil {
		// Without a controller the nodes' memory shards are out of reach
		// (and, after a total loss, gone); the shared level is what counts.
		list = nil
		for _, c := range st.Checkpoints {
			if c.Level == coord.LevelShared {
				list = append(list, c)
			}
		}
		fmt.Fprintf(os.Stderr, "verifying the %d shared-level checkpoints only\n", len(list))
	}
	return node.VerifyCheckpoints(ctx, &cfg, st, list, os.Stdout)
}
