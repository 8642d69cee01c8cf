//go:build !unix

package heat

import "time"

// cpuTime is not measured here; benchmarks then report a zero CPU time.
func cpuTime() time.Duration { return 0 }
