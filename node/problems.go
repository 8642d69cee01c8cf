package node

import "sort"

// problemInfo describes one entry of the problem registry.
type problemInfo struct {
	doc string
}

// problems maps job.problem names to models. New models plug in with one
// entry here.
var problems = map[string]problemInfo{
	"heat": {doc: "3D heat equation, periodic, Gaussian pulse (examples/heat)"},
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
