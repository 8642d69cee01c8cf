package node

import (
	"fmt"
	"sort"

	"github.com/apollo-hpc/apollo/sim"
)

// Setup is what a problem gives the node for one job: the grid, the ghost
// width, and a constructor of one rank's model.
type Setup struct {
	Grid  sim.Grid
	Ng    int
	Model string           // name recorded in snapshots
	New   func() sim.Model // one fresh model per rank
	MaxDt float64          // cap on dt (0: none)
}

// problemInfo is one entry of the problem registry.
type problemInfo struct {
	doc   string
	setup func(spec *JobSpec) (Setup, error)
}

// problems maps job.problem names to models. A new model plugs in with one
// entry here (see registerProblems in problems_*.go).
var problems = map[string]problemInfo{}

// RegisterProblem adds a problem to the registry. It is meant for init
// functions of this package and tests; a duplicate name panics (a programming
// error, never input).
func RegisterProblem(name, doc string, setup func(spec *JobSpec) (Setup, error)) {
	if _, dup := problems[name]; dup {
		panic("node: problem registered twice: " + name)
	}
	problems[name] = problemInfo{doc: doc, setup: setup}
}

// ProblemNames lists the registered problem names, sorted.
func ProblemNames() []string {
	names := make([]string, 0, len(problems))
	for n := range problems {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ProblemDoc is the one-line description of a registered problem.
func ProblemDoc(name string) string { return problems[name].doc }

func setupProblem(spec *JobSpec) (Setup, error) {
	p, ok := problems[spec.Problem]
	if !ok {
		return Setup{}, fmt.Errorf("unknown problem %q", spec.Problem)
	}
	s, err := p.setup(spec)
	if err != nil {
		return s, fmt.Errorf("problem %s: %w", spec.Problem, err)
	}
	return s, nil
}
