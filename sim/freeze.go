package sim

import "time"

// Freezer is implemented by a Model that can hand its state to a
// checkpoint without copying it (application-level copy-on-write, as HPC
// codes do by rotating buffers). The driver uses it when the Checkpoint
// hook accepts deferred snapshots (Hooks.Deferred); other models, and other
// hooks, keep the AppendState path.
//
// The contract:
//   - Freeze captures the state at the current step boundary. Scalars
//     (time, step, counters) are copied at once; the arrays are not. Until
//     the Frozen is released, the model does not modify the memory it
//     reads: the next step writes its results elsewhere (a spare set of
//     arrays, allocated at the first Freeze and reused) and the sets swap
//     roles.
//   - If a step needs memory that a Frozen still holds (the previous
//     checkpoint is still being serialized when the next one is frozen
//     and stepped past), the model waits for the release. That wait is
//     solver stall: FreezeWait reports it.
//   - Freezing twice without a step in between is allowed; each Frozen is
//     released on its own.
//   - RestoreState and Init may not be called while a Frozen is held.
type Freezer interface {
	Freeze() (Frozen, error)
	// FreezeWait returns how many times, and for how long in total, steps
	// have waited for frozen memory to be released since Init.
	FreezeWait() (waits int64, wait time.Duration)
}

// Frozen is a model's state captured by Freeze. AppendTo may be called
// from any goroutine, any number of times, while the model steps on, until
// Release. The synchronization between Release and the model's next write
// of that memory is the model's (a mutex or channel, never timing).
type Frozen interface {
	// Size is the exact number of bytes AppendTo appends; a model whose
	// state size changes from step to step (particles) reports the size
	// at Freeze.
	Size() int
	// AppendTo appends the state exactly as AppendState would have at the
	// time of Freeze, byte for byte.
	AppendTo(buf []byte) ([]byte, error)
	// Release gives the memory back to the model. Call it exactly once,
	// also when the checkpoint is skipped or fails; later calls do
	// nothing, and AppendTo must not be called after it.
	Release()
}

// captureState is what the driver hands the Checkpoint hook: a frozen
// state when the model and the hook allow it, else AppendState into the
// driver's reused buffer.
func captureState(m Model, deferred bool, buf []byte) (data []byte, fz Frozen, err error) {
	if f, ok := m.(Freezer); ok && deferred {
		fz, err = f.Freeze()
		return nil, fz, err
	}
	data, err = m.AppendState(buf[:0])
	return data, nil, err
}
