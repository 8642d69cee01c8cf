// Package sim is apollo's stencil framework: it decomposes a global 3D grid
// into one Block per rank, holds fields with ghost zones, exchanges halos
// (faces, edges, corners) over comm, reduces deterministically, and drives a
// Model through time with checkpoint and output hooks.
//
// # Layout and ranks
//
// Ranks are laid out x fastest: rank = cx + px*(cy + py*cz). A field is one
// []float64 with ghosts, x fastest. For a cell field of a block with local
// interior cells nx, ny, nz and ghost width ng, the cell (i, j, k), each
// index in [-ng, n+ng), is at
//
//	(i+ng) + sx*((j+ng) + sy*(k+ng)),  sx = nx+2ng, sy = ny+2ng
//
// A face field in direction d has one more point along d; an edge field along
// d has one more point along each of the two other axes. Field.Stag records
// which axes are staggered (point i sits at the low face of cell i). Field.Sx
// and Field.Sy are that field's own sizes and Field.Idx(i, j, k) its offset.
//
// On a staggered axis, a block owns points [0, n); the point n is shared with
// the high neighbour, which owns it, and the halo exchange overwrites it. On a
// physical (non-periodic) high boundary the block owns point n as well.
//
// # The hot-loop idiom
//
// Precompute the strides once, then take a running index along x; no call
// per cell:
//
//	sx, sxy := f.Sx, f.Sx*f.Sy
//	u := f.Data
//	for k := 0; k < nz; k++ {
//		for j := 0; j < ny; j++ {
//			c := f.Idx(0, j, k)
//			for i := 0; i < nx; i++ {
//				lap := u[c+i-1] + u[c+i+1] + u[c+i-sx] + u[c+i+sx] + u[c+i-sxy] + u[c+i+sxy] - 6*u[c+i]
//				...
//			}
//		}
//	}
//
// Fields of the same Location share strides, so one index c+i serves all of
// them.
//
// # Halo exchange
//
// A Halo sweeps x, then y over the x ghosts too, then z over the x and y
// ghosts, so one message per face neighbour (all its fields together) also
// fills edges and corners. The message is the fields' rows themselves, sent
// and received as segments with comm's vector calls: nothing is packed,
// and between ranks of one process each row is copied once, from the
// sender's field into the receiver's ghosts. A Halo made its segment lists
// from the fields' memory; if a model swaps two fields' Data slices, the
// next Exchange notices and makes them again (an allocation: swapping
// Halos, as examples/heat does, costs nothing). Physical faces are filled in the
// same sweep order: Outflow copies the boundary value, Reflecting mirrors
// (with a sign flip for fields named by SetReflectSign), UserBoundary calls
// the function given to SetUserBC. An axis with one block across a periodic
// boundary wraps onto itself by a local copy. For x, that copy touches two
// cache lines of every row; a stencil that reads no edge or corner ghost can
// call Halo.DeferWrapX and fill each row's x ghosts with WrapX as its sweep
// reaches the row (examples/heat does). Likewise Halo.DeferWrapZ leaves the
// z ghost planes to a sweep that reads plane WrapZ(f, k) where it would
// read ghost plane k, saving a copy of 2·Ng planes per exchange.
//
// # Driver
//
// Run calls Model.Init (then RestoreState on a restart), and per step takes
// the global minimum of MaxDt, clips the last step to StopTime, steps, and
// calls the Progress, Output and Checkpoint hooks. The wall-clock
// checkpoint decision is rank 0's, carried in the same reduction as dt
// (rank 0 contributes its vote, the others +Inf to the minimum), so all
// ranks checkpoint at the same step without an extra collective.
// RunLocal runs a function on every rank of an in-process world.
//
// # Checkpoints without a copy (Freezer)
//
// By default the driver captures a checkpoint with Model.AppendState into
// a reused buffer: one pass over the state while the solver waits. A model
// that implements Freezer can instead freeze its state (copy-on-write by
// buffer rotation): Freeze copies the scalars and returns a Frozen that
// reads the model's arrays later, from another goroutine, while the model
// steps on; the model writes its next results into a spare set of arrays
// and does not touch the frozen memory until Frozen.Release. The driver
// freezes only when the Checkpoint hook says it can take such a deferred
// snapshot (Hooks.Deferred): Snapshot.Frozen is then set and Data is nil,
// the hook owns the Frozen and releases it exactly once (also when the
// checkpoint is skipped or fails, or the run ends), and AppendBinary
// serializes either kind of snapshot to the same bytes. A step that needs
// memory still held waits for the release; that wait is solver stall and
// Freezer.FreezeWait reports it (the driver logs it with each checkpoint).
// Snapshot.Capture is the driver's own share of the stall (AppendState or
// Freeze). A model whose state changes size from step to step (particles)
// fits the same contract: Frozen.Size is the size at Freeze.
//
// # Determinism
//
// The answer must not depend on the decomposition. Halo exchange only copies
// bits; dt is a global minimum (exact); Sum uses an exact fixed-point
// accumulator (ExactSum) whose result is the correctly rounded global sum,
// independent of order and rank count; FieldsChecksum combines per-point
// hashes by wrapping integer addition, which is commutative.
//
// Tags at or above TagBase are reserved for sim's own messages.
package sim
