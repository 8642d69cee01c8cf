package coord

// Pure decision functions. They take plain values and return new ones so that
// they can be table-tested and so that every replica computes the same answer.

// Assign spreads ranks 0..n-1 over nodes in contiguous blocks proportional to
// their capacities (largest remainder, ties to the earlier node). nodes and
// caps are parallel; capacities < 1 count as 1. With no nodes every rank is
// unassigned ("").
func Assign(n int, nodes []string, caps []int) []string {
	out := make([]string, n)
	if len(nodes) == 0 || n == 0 {
		return out
	}
	total := 0
	for _, c := range caps {
		total += max(c, 1)
	}
	counts := make([]int, len(nodes))
	rem := make([]int, len(nodes))
	given := 0
	for i, c := range caps {
		c = max(c, 1)
		counts[i] = n * c / total
		rem[i] = n * c % total
		given += counts[i]
	}
	for ; given < n; given++ {
		best := 0
		for i := 1; i < len(rem); i++ {
			if rem[i] > rem[best] {
				best = i
			}
		}
		counts[best]++
		rem[best] = -1
	}
	r := 0
	for i, c := range counts {
		for j := 0; j < c; j++ {
			out[r] = nodes[i]
			r++
		}
	}
	return out
}

// Reassign moves the ranks of the nodes in gone to the remaining members:
// each gone node's ranks go whole to the first spare (an alive member with
// no ranks, in id order), and when the spares run out the orphaned ranks are
// spread one by one over the survivors, each to the survivor whose load per
// capacity after taking it is lowest (ties to the lower id). Draining members
// take ranks only if no other survivor exists. Ranks nobody can take stay
// unassigned. order is the members in id order.
func Reassign(rankMap []string, order []*Member, gone map[string]bool) []string {
	out := append([]string(nil), rankMap...)
	load := map[string]int{}
	for _, n := range rankMap {
		if n != "" {
			load[n]++
		}
	}
	var spares, survivors, draining []*Member
	for _, m := range order {
		if gone[m.ID] || !m.State.Live() {
			continue
		}
		switch {
		case m.State == Draining:
			draining = append(draining, m)
		case load[m.ID] == 0:
			spares = append(spares, m)
			survivors = append(survivors, m)
		default:
			survivors = append(survivors, m)
		}
	}
	// Ranks whose node is gone (or was never set), grouped by old owner in id order.
	var orphans []int
	for _, m := range order {
		if !gone[m.ID] || load[m.ID] == 0 {
			continue
		}
		if len(spares) > 0 {
			sp := spares[0]
			spares = spares[1:]
			for r, n := range out {
				if n == m.ID {
					out[r] = sp.ID
					load[sp.ID]++
				}
			}
			continue
		}
		for r, n := range out {
			if n == m.ID {
				orphans = append(orphans, r)
			}
		}
	}
	for r, n := range out {
		if n == "" {
			orphans = append(orphans, r)
		}
	}
	if len(survivors) == 0 {
		survivors = draining
	}
	if len(survivors) == 0 {
		for _, r := range orphans {
			out[r] = ""
		}
		return out
	}
	for _, r := range orphans {
		best := -1
		var bestNum, bestDen int
		for i, m := range survivors {
			num, den := load[m.ID]+1, max(m.Capacity, 1)
			// compare num/den < bestNum/bestDen without division
			if best < 0 || num*bestDen < bestNum*den {
				best, bestNum, bestDen = i, num, den
			}
		}
		id := survivors[best].ID
		out[r] = id
		load[id]++
	}
	return out
}

// Recoverable reports whether checkpoint c can still be restored when the
// nodes in lost are gone: a shared-level checkpoint always, a memory-level
// one when at most m of its shard holders are lost.
func Recoverable(c Checkpoint, lost func(id string) bool, m int) bool {
	if c.Level == LevelShared {
		return true
	}
	n := 0
	for _, h := range c.Holders {
		if lost(h) {
			n++
		}
	}
	return n <= m
}

// RestorePoint returns the index in cps (ascending id) of the newest
// recoverable checkpoint, or -1 if none is (restart from the initial state).
func RestorePoint(cps []Checkpoint, lost func(id string) bool, m int) int {
	for i := len(cps) - 1; i >= 0; i-- {
		if Recoverable(cps[i], lost, m) {
			return i
		}
	}
	return -1
}
