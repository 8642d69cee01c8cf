package node

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Identity is what a node process knows about its place in the allocation
// before it talks to the controller.
type Identity struct {
	Name   string // human-readable node name (the controller assigns the member id)
	Index  int    // ordinal within the allocation, -1 if unknown
	Source string // where it came from: flag, slurm, openmpi, statefulset, hostname
	// ControllerHost is the first host of the allocation when the launcher
	// says so (Slurm), where apollo.sbatch starts the controller; "" otherwise.
	ControllerHost string
}

// DetectIdentity finds the node's identity: the flag value if set, else the
// launcher's environment (Slurm's SLURM_PROCID and SLURM_JOB_NODELIST, Open
// MPI's OMPI_COMM_WORLD_RANK), else a Kubernetes StatefulSet ordinal in the
// hostname (name-3), else the hostname. getenv and hostname are parameters so
// tests need not touch the process environment.
func DetectIdentity(flagName string, getenv func(string) string, hostname string) (Identity, error) {
	id := Identity{Index: -1}
	if nl := getenv("SLURM_JOB_NODELIST"); nl != "" {
		hosts, err := ExpandNodeList(nl)
		if err != nil {
			return id, fmt.Errorf("identity: SLURM_JOB_NODELIST: %w", err)
		}
		if len(hosts) > 0 {
			id.ControllerHost = hosts[0]
		}
	}
	if flagName != "" {
		id.Name, id.Source = flagName, "flag"
		return id, nil
	}
	if s := getenv("SLURM_PROCID"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return id, fmt.Errorf("identity: SLURM_PROCID=%q is not a rank", s)
		}
		id.Name, id.Index, id.Source = "slurm-"+strconv.Itoa(n), n, "slurm"
		return id, nil
	}
	if s := getenv("OMPI_COMM_WORLD_RANK"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return id, fmt.Errorf("identity: OMPI_COMM_WORLD_RANK=%q is not a rank", s)
		}
		id.Name, id.Index, id.Source = "mpi-"+strconv.Itoa(n), n, "openmpi"
		return id, nil
	}
	if hostname == "" {
		return id, fmt.Errorf("identity: no --node.id, no launcher environment and no hostname")
	}
	if i := strings.LastIndexByte(hostname, '-'); i > 0 && i < len(hostname)-1 {
		if n, err := strconv.Atoi(hostname[i+1:]); err == nil && n >= 0 {
			id.Name, id.Index, id.Source = hostname, n, "statefulset"
			return id, nil
		}
	}
	id.Name, id.Source = hostname, "hostname"
	return id, nil
}

// DetectIdentityFromEnv is DetectIdentity on the process environment.
func DetectIdentityFromEnv(flagName string) (Identity, error) {
	h, _ := os.Hostname()
	return DetectIdentity(flagName, os.Getenv, h)
}

// maxNodeList bounds the expansion of a Slurm node list.
const maxNodeList = 1 << 16

// ExpandNodeList expands a Slurm host list such as "n[01-03,7],gpu1" into
// host names, keeping zero padding.
func ExpandNodeList(s string) ([]string, error) {
	var out []string
	for len(s) > 0 {
		// Split at the next comma outside brackets.
		depth, end := 0, len(s)
		for i := 0; i < len(s); i++ {
			switch s[i] {
			case '[':
				depth++
			case ']':
				depth--
			case ',':
				if depth == 0 {
					end = i
				}
			}
			if end != len(s) {
				break
			}
		}
		item := s[:end]
		if end < len(s) {
			s = s[end+1:]
		} else {
			s = ""
		}
		hosts, err := expandItem(item)
		if err != nil {
			return nil, err
		}
		out = append(out, hosts...)
		if len(out) > maxNodeList {
			return nil, fmt.Errorf("node list longer than %d hosts", maxNodeList)
		}
	}
	return out, nil
}

func expandItem(item string) ([]string, error) {
	if item == "" {
		return nil, fmt.Errorf("empty host in node list")
	}
	open := strings.IndexByte(item, '[')
	if open < 0 {
		if strings.ContainsAny(item, "]") {
			return nil, fmt.Errorf("unbalanced ] in %q", item)
		}
		return []string{item}, nil
	}
	close := strings.IndexByte(item[open:], ']')
	if close < 0 {
		return nil, fmt.Errorf("unbalanced [ in %q", item)
	}
	close += open
	prefix, body, rest := item[:open], item[open+1:close], item[close+1:]
	tails, err := expandItem(rest)
	if rest == "" {
		tails, err = []string{""}, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range strings.Split(body, ",") {
		lo, hi, isRange := strings.Cut(r, "-")
		a, err := strconv.Atoi(lo)
		if err != nil || a < 0 {
			return nil, fmt.Errorf("bad number %q in %q", lo, item)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return nil, fmt.Errorf("bad range %q in %q", r, item)
			}
		}
		if b-a > maxNodeList {
			return nil, fmt.Errorf("range %q too long", r)
		}
		for n := a; n <= b; n++ {
			num := fmt.Sprintf("%0*d", len(lo), n)
			for _, t := range tails {
				out = append(out, prefix+num+t)
			}
			if len(out) > maxNodeList {
				return nil, fmt.Errorf("node list longer than %d hosts", maxNodeList)
			}
		}
	}
	return out, nil
}
