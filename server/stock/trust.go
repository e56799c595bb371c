package stock

import "time"

// This file holds what a node says of a replica it cannot trust: entries
// served for a warehouse that failed verification, or a warehouse that
// signed two histories.

// ReplicaProblemKind is why a node stopped applying a warehouse's log.
type ReplicaProblemKind string

// The kinds of replica problem.
const (
	// ProblemUnverifiable: entries served for the warehouse failed
	// verification (signature, chain or validation) and were refused.
	ProblemUnverifiable ReplicaProblemKind = "UNVERIFIABLE"
	// ProblemFork: the warehouse validly signed two different histories.
	ProblemFork ReplicaProblemKind = "FORK"
)

// ReplicaProblem is what stops a replica: its kind, the member whose
// answer showed it, since when, and what failed.
type ReplicaProblem struct {
	Kind     ReplicaProblemKind `json:"kind"`
	ServedBy string             `json:"servedBy"`
	Since    time.Time          `json:"since"`
	Detail   string             `json:"detail"`
}
