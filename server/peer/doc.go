// Package peer replicates warehouses between the nodes of a network.
//
// Each node is the only writer of its own warehouse and appends every
// change to that warehouse's change log (see server/store). Peers pull
// each other's logs over REST on mutual TLS: Handler serves
// GET /api/v1/sync/heads (how far this node holds every warehouse's log)
// and GET /api/v1/sync/changes?origin=ID&after=SEQ&limit=N&wait=SECONDS
// (a run of one log, long-polling when there is nothing new), and a
// Replicator pulls from every member and applies what it gets through the
// node's own job queue (stock.Service.ApplyChanges: the one writer, which
// appends the entries to its copy of the log in the same transaction, so
// the cursor is the log itself and a crash only means a harmless re-pull).
// A node serves the logs of every warehouse it holds, so a node catches up
// on a warehouse whose node it cannot reach through any other member.
//
// The protocol carries a version (Protocol, in the Stockmesh-Sync-Protocol
// header); a mismatch is refused loudly. A log whose epoch differs from the
// one a replica holds (its node's data folder was wiped and the log begun
// again under the same id) is refused, never mixed with the old history,
// and a cursor beyond the head of a node's own log is an error.
package peer
