package coord

import (
	"time"

	"github.com/hashicorp/raft"
	"github.com/prometheus/client_golang/prometheus"
)

// metrics lives on its own registry so several replicas (tests) and the
// rest of apollo never collide on the default one.
type metrics struct {
	reg           *prometheus.Registry
	commitLatency prometheus.Histogram
	leaderChanges prometheus.Counter
	commits       prometheus.Counter
	reqErrors     *prometheus.CounterVec
	requests      *prometheus.CounterVec
	beats         prometheus.Counter
	beatErrors    prometheus.Counter
}

func newMetrics(s *Server) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	gauge := func(name, help string, f func() float64) {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "apollo", Subsystem: "coord", Name: name, Help: help}, f))
	}
	view := func(f func(st *State) float64) func() float64 {
		return func() float64 {
			var v float64
			s.fsm.View(func(st *State) { v = f(st) })
			return v
		}
	}
	gauge("leader", "1 if this replica is the raft leader.", func() float64 {
		if s.raft != nil && s.raft.State() == raft.Leader {
			return 1
		}
		return 0
	})
	gauge("term", "Current raft term.", func() float64 {
		if s.raft == nil {
			return 0
		}
		return float64(s.raft.CurrentTerm())
	})
	gauge("epoch", "Current job epoch.", view(func(st *State) float64 { return float64(st.Epoch) }))
	gauge("recoveries", "Epochs started because nodes failed.", view(func(st *State) float64 { return float64(st.Recoveries) }))
	gauge("last_checkpoint_step", "Step of the newest committed checkpoint.", view(func(st *State) float64 {
		if n := len(st.Checkpoints); n > 0 {
			return float64(st.Checkpoints[n-1].Step)
		}
		return 0
	}))
	gauge("last_commit_timestamp_seconds", "Leader time of the newest checkpoint commit.", view(func(st *State) float64 {
		return float64(st.LastCommitAt) / 1e9
	}))
	gauge("seconds_since_last_checkpoint", "Seconds since the newest checkpoint commit (0 if none).", view(func(st *State) float64 {
		if st.LastCommitAt == 0 {
			return 0
		}
		return time.Since(time.Unix(0, st.LastCommitAt)).Seconds()
	}))
	m.reg.MustRegister(&memberCollector{s: s, desc: prometheus.NewDesc("apollo_coord_members",
		"Members by state.", []string{"state"}, nil)})
	m.commitLatency = prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "apollo", Subsystem: "coord",
		Name: "checkpoint_commit_seconds", Help: "Time to commit the report that completes a checkpoint, on the leader.",
		Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)})
	m.leaderChanges = prometheus.NewCounter(prometheus.CounterOpts{Namespace: "apollo", Subsystem: "coord",
		Name: "leadership_gained_total", Help: "Times this replica became leader."})
	m.commits = prometheus.NewCounter(prometheus.CounterOpts{Namespace: "apollo", Subsystem: "coord",
		Name: "checkpoint_commits_total", Help: "Checkpoints committed (applied on this replica)."})
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "apollo", Subsystem: "coord",
		Name: "requests_total", Help: "API requests by endpoint."}, []string{"endpoint"})
	m.reqErrors = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "apollo", Subsystem: "coord",
		Name: "request_errors_total", Help: "API requests answered with an error, by HTTP status."}, []string{"code"})
	m.beats = prometheus.NewCounter(prometheus.CounterOpts{Namespace: "apollo", Subsystem: "coord",
		Name: "lease_datagrams_total", Help: "Heartbeat datagrams received on the lease channel."})
	m.beatErrors = prometheus.NewCounter(prometheus.CounterOpts{Namespace: "apollo", Subsystem: "coord",
		Name: "lease_datagram_errors_total", Help: "Lease-channel datagrams refused (bad, unauthenticated, stale, fenced, not leader)."})
	m.reg.MustRegister(m.commitLatency, m.leaderChanges, m.commits, m.requests, m.reqErrors, m.beats, m.beatErrors)
	return m
}

type memberCollector struct {
	s    *Server
	desc *prometheus.Desc
}

func (c *memberCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *memberCollector) Collect(ch chan<- prometheus.Metric) {
	var n map[MemberState]int
	c.s.fsm.View(func(st *State) { n = st.CountByState() })
	for _, state := range []MemberState{Joining, Alive, Draining, Dead, Pulled} {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n[state]), string(state))
	}
}
