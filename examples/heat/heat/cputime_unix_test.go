//go:build unix

package heat

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time (user + system) this process has used so far. On
// a shared machine it moves much less than wall time when other jobs take
// the cores, so kernel A/B comparisons can quote both.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
