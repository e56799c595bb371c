package stock

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"
)

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

// SignedHead is a head of a warehouse's log signed by the warehouse's own
// node: the log's digest (LogDigest, hexadecimal) up to Seq, and the
// Ed25519 signature of the head's message (server/trust), which also names
// the origin and the log's epoch. Every entry commits to the one before
// it, so a signed head covers every entry up to Seq.
type SignedHead struct {
	Seq    int64  `json:"seq"`
	Digest string `json:"digest"`
	Sig    []byte `json:"sig,omitempty"`
}

// KeyBinding binds a warehouse's log-signing key (Ed25519) to its identity:
// Cert is a certificate the network's CA issued for the warehouse id
// (DER), and Sig the signature of the binding's message by that
// certificate's key. Any node holding the CA certificate can check it,
// whoever relayed it.
type KeyBinding struct {
	Key  []byte `json:"key"`
	Cert []byte `json:"cert"`
	Sig  []byte `json:"sig"`
}

// LogProof is what lets a replica verify a run of another warehouse's log
// before applying it: the origin's key binding, the signed head the run
// ends at, and the serving node's signed head at the seq the run follows
// (Anchor, when it holds one: two validly signed heads for one seq with
// different digests prove a fork). ServedBy is the member that served the
// run, set by the node that fetched it.
type LogProof struct {
	Key      *KeyBinding `json:"key,omitempty"`
	Head     *SignedHead `json:"head,omitempty"`
	Anchor   *SignedHead `json:"anchor,omitempty"`
	ServedBy string      `json:"servedBy,omitempty"`
}

// RejectReason says why a node refused a run of another warehouse's log.
type RejectReason string

// The reasons a run is refused (stockmesh_sync_rejected_total{reason}).
const (
	RejectSignature  RejectReason = "signature"  // no valid signature by the origin's key
	RejectChain      RejectReason = "chain"      // the entries do not hash to the signed head
	RejectValidation RejectReason = "validation" // an entry no node may write
	RejectFork       RejectReason = "fork"       // the origin signed two histories
)

// Rejection is why the writer refused a run of another warehouse's log,
// in the reply of OpApplyChanges: nothing of the run was applied.
type Rejection struct {
	Reason RejectReason `json:"reason"`
	Detail string       `json:"detail"`
}

// ApplyResult is the reply of OpApplyChanges: Rejected when the run failed
// verification; else the units reserved after its movements.
type ApplyResult struct {
	Rejected *Rejection `json:"rejected,omitempty"`
	// Held is, by seq, the units the product's active reservations held
	// right after each movement entry the run applied, where any did
	// (none: 0), for the stream's stock changes (LogEntry.Reserved).
	Held map[int64]int64 `json:"held,omitempty"`
}

// RejectError is a run of another warehouse's log that a node refused: the
// origin, the member that served it, why and what failed.
type RejectError struct {
	Origin   string
	ServedBy string
	Reason   RejectReason
	Detail   string
}

// Error implements error.
func (e *RejectError) Error() string {
	return fmt.Sprintf("refusing the log of %s served by %s (%s): %s", e.Origin, e.ServedBy, e.Reason, e.Detail)
}

// A LogProof travels in JSON as one string, the base64url encoding of its
// fields' JSON, so that the hand-written codec of a ChangeBatch (which
// reads strings without escapes) carries it as it is.

// logProofFields is LogProof without its JSON methods.
type logProofFields LogProof

// text returns the proof as its JSON string's contents.
func (p *LogProof) text() string {
	b, _ := json.Marshal((*logProofFields)(p)) // plain fields: it cannot fail
	return base64.RawURLEncoding.EncodeToString(b)
}

// parse reads a proof written by text.
func (p *LogProof) parse(text string) error {
	b, err := base64.RawURLEncoding.DecodeString(text)
	if err != nil {
		return fmt.Errorf("decoding a log proof: %w", err)
	}
	*p = LogProof{}
	return json.Unmarshal(b, (*logProofFields)(p))
}

// MarshalJSON writes the proof as one string (see text).
func (p LogProof) MarshalJSON() ([]byte, error) { return json.Marshal(p.text()) }

// UnmarshalJSON reads a proof written by MarshalJSON.
func (p *LogProof) UnmarshalJSON(b []byte) error {
	var text string
	if err := json.Unmarshal(b, &text); err != nil {
		return err
	}
	return p.parse(text)
}

// ProblemReport records that a run of Origin's log served by ServedBy was
// refused for Reason.
type ProblemReport struct {
	Origin   string       `json:"origin"`
	Reason   RejectReason `json:"reason"`
	ServedBy string       `json:"servedBy"`
	Detail   string       `json:"detail"`
}

// Normalize checks the origin and the reason, and bounds the detail.
func (r *ProblemReport) Normalize() (err error) {
	if r.Origin, err = NormalizeWarehouseID(r.Origin); err != nil {
		return err
	}
	switch r.Reason {
	case RejectSignature, RejectChain, RejectValidation, RejectFork:
	default:
		return invalid("reason", "%q is not a reason to refuse a log", r.Reason)
	}
	if len(r.Detail) > 1000 {
		r.Detail = r.Detail[:1000]
	}
	return nil
}

// Kind returns the problem the report shows: FORK for a fork,
// UNVERIFIABLE otherwise.
func (r *ProblemReport) Kind() ReplicaProblemKind {
	if r.Reason == RejectFork {
		return ProblemFork
	}
	return ProblemUnverifiable
}

// HeadCheck asks whether a signed head of Origin's log (of Epoch), as a
// member holds it, belongs to the history this node holds.
type HeadCheck struct {
	Origin string     `json:"origin"`
	Epoch  string     `json:"epoch"`
	Head   SignedHead `json:"head"`
}

// Normalize checks the origin and the head's seq.
func (c *HeadCheck) Normalize() (err error) {
	if c.Origin, err = NormalizeWarehouseID(c.Origin); err != nil {
		return err
	}
	if c.Head.Seq <= 0 {
		return invalid("head.seq", "%d must be positive", c.Head.Seq)
	}
	return nil
}

// HeadVerdict answers a HeadCheck: Fork when the head is validly signed by
// the origin and differs from this node's digest at its seq (Detail says
// how); false when they agree or the head cannot be compared (beyond what
// the node holds, no key known, a bad signature).
type HeadVerdict struct {
	Fork   bool   `json:"fork"`
	Detail string `json:"detail,omitempty"`
}
