package checkpoint

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the package's Prometheus collectors. Register them on the
// caller's registry (never the global one); one Metrics may be shared by
// the Checkpointers of a process.
type Metrics struct {
	checkpoints *prometheus.CounterVec // level, result
	storeErrors *prometheus.CounterVec // level, op, kind
	busy        *prometheus.CounterVec // action: skipped|waited
	slow        *prometheus.CounterVec // level
	restores    *prometheus.CounterVec // level, result
	stall       prometheus.Gauge
	write       *prometheus.GaugeVec // level
}

// NewMetrics creates the collectors and registers them on reg if non-nil.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		checkpoints: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "apollo_checkpoint_writes_total",
			Help: "Checkpoint level writes by this process, by level and result (ok|error)."}, []string{"level", "result"}),
		storeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "apollo_checkpoint_store_errors_total",
			Help: "Store operation failures by level, operation and kind (no_space, read_only, permission, timeout, other)."},
			[]string{"level", "op", "kind"}),
		busy: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "apollo_checkpoint_busy_total",
			Help: "Takes that found a checkpoint in flight, by action (skipped|waited)."}, []string{"action"}),
		slow: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "apollo_checkpoint_slow_writes_total",
			Help: "Level writes slower than the configured SlowWrite."}, []string{"level"}),
		restores: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "apollo_checkpoint_restores_total",
			Help: "Restores by level used and result."}, []string{"level", "result"}),
		stall: prometheus.NewGauge(prometheus.GaugeOpts{Name: "apollo_checkpoint_last_stall_seconds",
			Help: "Time the last Take blocked its caller."}),
		write: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "apollo_checkpoint_last_write_seconds",
			Help: "Encode+store time of the last checkpoint, by level."}, []string{"level"}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.checkpoints, m.storeErrors, m.busy, m.slow, m.restores, m.stall, m.write} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("checkpoint: register metrics: %w", err)
			}
		}
	}
	return m, nil
}
