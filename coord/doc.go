// Package coord is apollo's controller: a Raft-replicated state machine that
// decides who is alive, which rank runs where, which checkpoint is committed
// and when a new epoch starts, served to nodes and operators over an
// authenticated HTTP JSON API.
//
// The package is split into a pure part (State, Command, the decision
// functions Assign, Reassign and RestorePoint, and the FSM that applies
// commands deterministically) and the replicated part (Server: hashicorp/raft
// with a bbolt log store, leases as soft state on the leader, the HTTP API)
// plus Client, the typed Go client nodes and the CLI use.
package coord
