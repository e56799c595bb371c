package peer

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/stockmesh/stockmesh/server/stock"
)

// Protocol is the version of the sync protocol this node speaks.
const Protocol = 1

// ProtocolHeader carries the protocol version on every sync request and
// answer.
const ProtocolHeader = "Stockmesh-Sync-Protocol"

// The sync endpoints.
const (
	HeadsPath   = "/api/v1/sync/heads"
	ChangesPath = "/api/v1/sync/changes"
)

// Limits of a changes request.
const (
	MaxWait      = 30 // seconds a changes request may wait for news
	DefaultLimit = 1000
	MaxLimit     = stock.MaxChangesLimit
)

// HeadsReply answers GET /api/v1/sync/heads: the serving node and how far
// it holds each warehouse's log.
type HeadsReply struct {
	Protocol int          `json:"protocol"`
	Node     string       `json:"node"`
	Heads    []stock.Head `json:"heads"`
}

// ChangesReply answers GET /api/v1/sync/changes: a run of one origin's log
// after the requested seq, with the log's epoch and how far the serving
// node holds it.
type ChangesReply struct {
	Protocol int               `json:"protocol"`
	Origin   string            `json:"origin"`
	Epoch    string            `json:"epoch"`
	LastSeq  int64             `json:"lastSeq"`
	Entries  []json.RawMessage `json:"entries"`
}

// errProtocol is the error for an answer in another protocol version.
var errProtocol = errors.New("peer: sync protocol mismatch")

// decodeEntries decodes the entries of a changes reply.
func (r *ChangesReply) decodeEntries() ([]stock.LogEntry, error) {
	out := make([]stock.LogEntry, len(r.Entries))
	for i, raw := range r.Entries {
		if err := stock.DecodeValue(raw, &out[i]); err != nil {
			return nil, fmt.Errorf("decoding entry %d of %s: %w", i, r.Origin, err)
		}
		if out[i].Origin != r.Origin {
			return nil, fmt.Errorf("entry %d of %s names origin %s", i, r.Origin, out[i].Origin)
		}
	}
	return out, nil
}
