package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"syscall"

	"github.com/apollo-hpc/apollo/node"
)

var (
	controllerLoad func(string) (node.Config, error)
	nodeLoad       func(string) (node.Config, error)
)

func optionalPath(args []string) (string, error) {
	switch len(args) {
	case 0:
		return "", nil
	case 1:
		return args[0], nil
	}
	return "", fmt.Errorf("at most one config file, got %d arguments: %w", len(args), errUsage)
}

func init() {
	register(&command{
		name:     "controller",
		synopsis: "run one controller replica (Raft) until interrupted",
		usage:    "apollo controller [flags] [config.toml]",
		help: `Runs one replica of the controller: Raft state under controller.raft_dir
(local disk or tmpfs, never NFS), the HTTP API on controller.listen, Raft on
controller.raft_listen, committed checkpoint records under checkpoint.dir.
The first replica (no --controller.join) bootstraps and sets the job from the
configuration; epoch 1 starts once run.nodes nodes registered. Further
replicas join it. The cluster key comes from controller.key_file.

Examples:
  apollo controller job.toml
  apollo controller job.toml --controller.id c2 --controller.listen 10.0.0.2:7700 \
      --controller.raft_listen 10.0.0.2:7701 --controller.join 10.0.0.1:7700`,
		flags: func(fs *flag.FlagSet) {
			controllerLoad = configFlags(fs, map[string]string{"nodes": "run.nodes", "data": "job.data_dir"})
		},
		run: func(ctx context.Context, fs *flag.FlagSet, args []string) error {
			path, err := optionalPath(args)
			if err != nil {
				return err
			}
			cfg, err := controllerLoad(path)
			if err != nil {
				return err
			}
			return node.RunController(ctx, cfg, node.ControllerOptions{Log: newLogger(os.Stderr, slog.LevelInfo)})
		},
	})
	register(&command{
		name:     "node",
		synopsis: "run a worker node that hosts ranks for the controller",
		usage:    "apollo node [flags] [config.toml]",
		help: `Runs one worker: registers with the controller (controller.addrs), heartbeats
(UDP datagrams to the controllers' API port numbers by default, so a firewall
must let UDP through there; controller.heartbeat_channel = "http" avoids it),
and for every epoch runs the ranks assigned to it over comm/tcp, restoring them
from the last committed checkpoint (its own memory, any k shards from peers,
or the shared directory). Serves the shards it holds to authenticated peers.
The node's name comes from --node.id, else SLURM_PROCID, OMPI_COMM_WORLD_RANK,
a StatefulSet hostname ordinal, or the hostname; under Slurm the controller
defaults to the first host of SLURM_JOB_NODELIST. SIGTERM drains: the node's
ranks move away at the next committed checkpoint, then it exits. A second
signal stops it at once. The node holding rank 0 prints the final checksum.

Examples:
  apollo node --controller.addrs 10.0.0.1:7700 --node.listen 10.0.0.5:7800
  srun apollo node job.toml        # identity and controller from Slurm`,
		flags: func(fs *flag.FlagSet) {
			nodeLoad = configFlags(fs, map[string]string{"data": "job.data_dir", "controller": "controller.addrs"})
		},
		run: runNode,
	})
}

func runNode(ctx context.Context, fs *flag.FlagSet, args []string) error {
	path, err := optionalPath(args)
	if err != nil {
		return err
	}
	cfg, err := nodeLoad(path)
	if err != nil {
		return err
	}
	id, err := node.DetectIdentityFromEnv(cfg.Node.ID)
	if err != nil {
		return err
	}
	// Under Slurm the controller runs on the first host unless the file or
	// a flag says otherwise.
	if def := node.DefaultConfig().Controller.Addrs; id.ControllerHost != "" && slices.Equal(cfg.Controller.Addrs, def) {
		cfg.Controller.Addrs = []string{id.ControllerHost + ":7700"}
	}
	log := newLogger(os.Stderr, slog.LevelInfo)
	// The first SIGTERM or interrupt drains; the second cancels.
	drain := make(chan struct{})
	hard, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGTERM, os.Interrupt)
	defer signal.Stop(sigs)
	go func() {
		select {
		case <-sigs:
		case <-hard.Done():
			return
		}
		close(drain)
		select {
		case <-sigs:
			log.Warn("second signal: stopping now")
			cancel()
		case <-hard.Done():
		}
	}()
	res, err := node.RunNode(hard, cfg, node.NodeOptions{Log: log, Identity: id, Drain: drain})
	if err != nil {
		return err
	}
	if res.Steps > 0 {
		fmt.Printf("finished %d steps, t=%.6g, epoch %d\n", res.Steps, res.Time, res.Epoch)
		fmt.Printf("final checksum %016x\n", res.Checksum)
	}
	return nil
}

// printJSON writes v indented to stdout.
func printJSON(v any) error {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
