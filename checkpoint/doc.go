// Package checkpoint turns a rank's state (bytes) into erasure-coded,
// checksummed shards, places them on stores in distinct failure domains at
// several levels (node memory, a shared directory), and rebuilds the state
// from any k shards that verify. It works on bytes and imports nothing of
// apollo; the controller commits manifests.
//
// # Shards
//
// EncodeShards (or a reusable Encoder) splits a snapshot into k data and m
// parity shards with Reed-Solomon (klauspost/reedsolomon). Each shard is
// self-describing: a versioned header (checkpoint id, rank, step, epoch,
// time, layout, shard index, k, m, sizes, the CRC32C of every shard's
// payload) with its own CRC32C, then the payload. The snapshot Digest is a
// SHA-256 of the metadata and that CRC table. Reconstruct/ReconstructDigest
// verify every shard, skip bad ones, rebuild from any k, check each rebuilt
// shard against its recorded CRC, and otherwise return a *ShardsError
// (errors.Is ErrNotEnoughShards) naming the missing and bad shards.
//
// # Stores and placement
//
// Store is Put/Get/Delete/List on named objects. DirStore writes a
// temporary file, fsyncs it, renames it and fsyncs the directory, so a torn
// write never appears under a shard's name. MemStore holds objects in RAM
// (the diskless level; the node serves it to peers). A level lists its
// failure domains; shard i of rank r goes to domain (i+r) mod d. With
// d >= k+m every shard is on its own domain and any m lost domains lose
// nothing; with d < k+m a domain holds up to ceil((k+m)/d) shards and the
// level survives only Tolerance(k, m, d) lost domains (New logs a warning).
//
// # Checkpointer
//
// A Checkpointer (one per rank) takes checkpoints asynchronously:
//
//	cp, _ := checkpoint.New(rank, checkpoint.Config{K: 4, M: 2, Capacity: stateBytes,
//		Levels: []checkpoint.LevelConfig{
//			{Level: checkpoint.LevelMemory, Every: N, Domains: peers, Keep: 2},
//			{Level: checkpoint.LevelDir, Every: M * N, Domains: nfsDirs, Keep: 2},
//		},
//		Metrics:   metrics, // checkpoint.NewMetrics(registry)
//		OnWritten: func(w checkpoint.Written) { /* send w.Entry to the controller */ },
//	})
//	cp.Take(ctx, checkpoint.Meta{ID: id, Step: step, Epoch: epoch, Time: t, Layout: l}, state)
//
// Take blocks only for a parallel copy of state into shard buffers that are
// allocated once; encoding and writing run in the background while the
// solver steps on. If the previous checkpoint is still in flight, the
// BusyPolicy decides: BusySkip (default) returns ErrBusy and skips this one;
// BusyWait blocks until the previous one is written. Neither touches the
// checkpoint in flight. Flush waits and returns the last results.
//
// Two hand-overs avoid the copy in the caller's time. TakeOwned reads a
// buffer the caller sets aside (double buffering). TakeFunc takes a fill
// function instead of bytes: the background goroutine serializes the state
// into the Checkpointer's own reused buffer, calls release (exactly once,
// also when the checkpoint is skipped, fails or is not due), then loads,
// encodes and stores it as TakeOwned does; a solver that freezes its state
// (copy-on-write, sim.Freezer) is then blocked only for the bookkeeping.
//
// A checkpoint exists once the controller has committed a Manifest (id,
// step, epoch, level, k, m, per rank the digest and shard locations;
// versioned and CRC32C'd). Commit(ctx, level, id) is the controller's hook:
// retention then keeps the newest Keep committed checkpoints of the level,
// drops uncommitted ones older than the newest committed, and never deletes
// the newest committed one or anything newer. PutManifest/LatestManifest
// keep committed manifests in a store (the shared directory) for resume.
//
// Restore (or Checkpointer.Restore) rebuilds a rank from the manifests of a
// checkpoint, trying the fastest level first (memory, then directory): it
// reads the data shards, then only as many parity shards as needed, and
// requires the manifest's digest.
//
// Storage failures (disk full, read-only, permission, slow) come back as
// wrapped errors in Written.Err and Flush, are counted in the Metrics
// (apollo_checkpoint_store_errors_total{level,op,kind}, ..._writes_total,
// ..._slow_writes_total), and a failed write deletes its own partial
// shards, leaving earlier checkpoints untouched.
package checkpoint
