package node

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
)

// UpOptions configure `apollo up`.
type UpOptions struct {
	Exe    string   // the apollo binary to start
	Args   []string // configuration file and flags passed to every child
	Out    io.Writer
	Nodes  int
	Listen string // controller API address; its port+1 is Raft
}

// Up starts a controller and opts.Nodes node processes on this machine, the
// nodes on distinct loopback addresses 127.0.0.2, 127.0.0.3, …, prints their
// output with a prefix and waits until every node exited; then it stops
// the controller. Cancelling ctx kills the nodes and stops the controller.
func Up(ctx context.Context, cfg Config, opts UpOptions) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	if _, err := LoadOrCreateKey(cfg.KeyFile()); err != nil {
		return err
	}
	host, port, err := net.SplitHostPort(opts.Listen)
	if err != nil {
		return fmt.Errorf("up: controller address %q: %w", opts.Listen, err)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		return fmt.Errorf("up: controller port %q: %w", port, err)
	}
	raft := net.JoinHostPort(host, strconv.Itoa(p+1))
	if err := os.RemoveAll(cfg.RaftDir()); err != nil { // a fresh job: stale Raft state would replay an old one
		return fmt.Errorf("up: %w", err)
	}
	var outMu sync.Mutex
	var wg sync.WaitGroup
	start := func(name string, args ...string) (*exec.Cmd, <-chan error, error) {
		cmd := exec.Command(opts.Exe, args...)
		pr, pw := io.Pipe()
		cmd.Stdout, cmd.Stderr = pw, pw
		if err := cmd.Start(); err != nil {
			return nil, nil, fmt.Errorf("up: start %s: %w", name, err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc := bufio.NewScanner(pr)
			sc.Buffer(make([]byte, 64<<10), 1<<20)
			for sc.Scan() {
				outMu.Lock()
				fmt.Fprintf(opts.Out, "[%s] %s\n", name, sc.Text())
				outMu.Unlock()
			}
			io.Copy(io.Discard, pr)
		}()
		exited := make(chan error, 1)
		go func() {
			err := cmd.Wait()
			pw.Close()
			if err != nil {
				err = fmt.Errorf("%s: %w", name, err)
			}
			exited <- err
		}()
		outMu.Lock()
		fmt.Fprintf(opts.Out, "up: %s pid %d\n", name, cmd.Process.Pid)
		outMu.Unlock()
		return cmd, exited, nil
	}
	ctlArgs := append([]string{"controller"}, opts.Args...)
	ctlArgs = append(ctlArgs, "--run.nodes="+strconv.Itoa(opts.Nodes), "--controller.listen="+opts.Listen,
		"--controller.raft_listen="+raft, "--controller.join=")
	ctl, ctlExited, err := start("controller", ctlArgs...)
	if err != nil {
		return err
	}
	defer func() {
		ctl.Process.Signal(syscall.SIGTERM)
		wg.Wait()
	}()
	nodes := make([]*exec.Cmd, 0, opts.Nodes)
	done := make(chan error, opts.Nodes)
	for i := 0; i < opts.Nodes; i++ {
		name := "node-" + strconv.Itoa(i+1)
		args := append([]string{"node"}, opts.Args...)
		args = append(args, "--node.id="+name, "--node.listen=127.0.0."+strconv.Itoa(i+2)+":0",
			"--controller.addrs="+opts.Listen)
		c, exited, err := start(name, args...)
		if err != nil {
			for _, n := range nodes {
				n.Process.Kill()
			}
			return err
		}
		nodes = append(nodes, c)
		go func() { done <- <-exited }()
	}
	var errs []error
	for range nodes {
		select {
		case err := <-done:
			if err != nil {
				errs = append(errs, err)
			}
		case err := <-ctlExited:
			// Without a controller the nodes would wait for it forever.
			for _, n := range nodes {
				n.Process.Kill()
			}
			return fmt.Errorf("up: controller exited before the nodes finished: %v", err)
		case <-ctx.Done():
			for _, n := range nodes {
				n.Process.Kill()
			}
			return fmt.Errorf("up: %w", ctx.Err())
		}
	}
	if len(errs) == len(nodes) {
		return fmt.Errorf("up: every node failed: %w", errors.Join(errs...))
	}
	return nil
}
