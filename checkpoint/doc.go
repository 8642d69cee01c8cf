// Package checkpoint turns a rank's state (bytes) into erasure-coded,
// checksummed shards, places them on stores in distinct failure domains at
// several levels (node memory, a shared directory), and rebuilds the state
// from any k shards that verify. It knows nothing of the solver or the
// controller: it works on bytes, and the controller commits manifests.
package checkpoint
