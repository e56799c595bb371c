package peer

import (
	"errors"
	"fmt"

	"github.com/stockmesh/stockmesh/server/stock"
)

// Protocol is the version of the sync protocol this node speaks. Version
// 2 carries signed heads (stock.LogProof) with every run.
const Protocol = 2

// ProtocolHeader carries the protocol version on every sync request and
// answer.
const ProtocolHeader = "Stockmesh-Sync-Protocol"

// The sync endpoints.
const (
	HeadsPath   = "/api/v1/sync/heads"
	ChangesPath = "/api/v1/sync/changes"
)

// MaxWait is how many seconds a changes request may wait for news; its
// limit's range and default are stock.ChangesQuery's.
const MaxWait = 30

// RunLimit is how many entries the replicator asks for per run.
const RunLimit = 5000

// HeadsReply answers GET /api/v1/sync/heads: the serving node and how far
// it holds each warehouse's log.
type HeadsReply struct {
	Protocol int          `json:"protocol"`
	Node     string       `json:"node"`
	Heads    []stock.Head `json:"heads"`
	// Gen is the serving node's generation of its logs (see Watcher.Gen):
	// a follower sends it back with wait=SECONDS to be answered once any
	// log moved.
	Gen uint64 `json:"gen"`
	// Brief marks an answer with only the seq of the logs that moved since
	// the serving node started (brief=1): no epochs, times or signed heads.
	Brief bool `json:"brief,omitempty"`
}

// The headers of a changes answer: its origin and how far the serving
// node holds that log. The body is the run itself, a stock.ChangeBatch
// (the log's epoch and its entries) as stock.EncodeValue writes it, so
// that neither side passes the run through reflection.
const (
	OriginHeader  = "Stockmesh-Origin"
	LastSeqHeader = "Stockmesh-Last-Seq"
)

// ChangesReply is a changes answer: a run of one origin's log after the
// requested seq, with the log's epoch and how far the serving node holds
// it.
type ChangesReply struct {
	Origin  string
	Epoch   string
	LastSeq int64
	Entries []stock.LogEntry
	Proof   *stock.LogProof // nil when the serving node holds no signed head after the cursor
	// body is the batch as served, which the run's job carries as it is
	// (stock.ChangeBatch.Encoded) instead of an encoding made again.
	body []byte
}

// MaxBody bounds the body of a changes answer a node reads: a page of
// RunLimit entries at the API's field limits fits well within it.
const MaxBody = 8 << 20

// check reports an entry of another origin than the answer's.
func (r *ChangesReply) check() error {
	for i := range r.Entries {
		if r.Entries[i].Origin != r.Origin {
			return fmt.Errorf("entry %d of %s names origin %s", i, r.Origin, r.Entries[i].Origin)
		}
	}
	return nil
}

// errProtocol is the error for an answer in another protocol version.
var errProtocol = errors.New("peer: sync protocol mismatch")

// batch returns the run to apply, as served by servedBy.
func (r *ChangesReply) batch(servedBy string) *stock.ChangeBatch {
	b := &stock.ChangeBatch{Epoch: r.Epoch, Entries: r.Entries, Proof: r.Proof, Encoded: r.body}
	if b.Proof != nil {
		b.Proof.ServedBy = servedBy
	}
	return b
}
