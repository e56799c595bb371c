package feed

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// LogReader reads a warehouse's change log after a seq; stock.Service
// implements it over the job queue.
type LogReader interface {
	Changes(ctx context.Context, origin string, afterSeq int64, limit int) (*stock.ChangePage, error)
}

// gapPage is how many entries a gap is read in at a time.
const gapPage = 1000

// RunWait is how long the entries of an announced run are awaited from
// the node's applier (Sequencer.Hand) before they are read back from the
// log (Sequencer.FillDue).
const RunWait = 100 * time.Millisecond

// Sequencer hands a Stream each origin's log entries exactly once and in
// seq order, whatever the way they came by lost: it tracks the last seq it
// published per origin, and on a gap (an event dropped by a full buffer or
// by the event socket, a subscriber socket reconnecting to a restarted
// database handler) it reads the missing entries from the log and
// publishes them first. Its methods must be called from one goroutine (the
// event pump); the counters are safe to read from anywhere.
type Sequencer struct {
	out  *Stream
	log  LogReader
	last map[string]int64 // origin → last seq published; absent: not tracked yet
	// due holds, by origin, the last seq of the runs announced (EntryRun)
	// and not published yet.
	due map[string]int64
	// local is the node's own warehouse (SetLocal): a gap in its entries
	// is an event lost, filled from the log at once.
	local string

	gaps      atomic.Uint64
	recovered atomic.Uint64
}

// NewSequencer returns a Sequencer publishing to out and reading gaps
// through log.
func NewSequencer(out *Stream, log LogReader) *Sequencer {
	return &Sequencer{out: out, log: log, last: map[string]int64{}, due: map[string]int64{}}
}

// SetLocal names the node's own warehouse. Without it every gap is filled
// from the log at once; with it, a gap in another warehouse's entries
// waits for its run (see Hand).
func (s *Sequencer) SetLocal(id string) { s.local = id }

// Forget stops tracking every origin; each is tracked again from its next
// entry.
func (s *Sequencer) Forget() {
	clear(s.last)
	clear(s.due)
}

// Hand publishes the entries of a run of another warehouse's log that the
// node applied, as its applier held them: every one committed and
// verified (none past the run's signed head). A run so handed over is not
// read back from the log when it is announced. Entries it already
// published are skipped; it stops at a gap, which the announcement fills
// from the log.
func (s *Sequencer) Hand(entries []stock.LogEntry) {
	if len(entries) == 0 {
		return
	}
	origin := entries[0].Origin
	if _, ok := s.last[origin]; !ok {
		s.last[origin] = entries[0].Seq - 1
	}
	for i := range entries {
		e := &entries[i]
		if e.Seq > s.last[origin]+1 {
			break
		}
		if e.Seq == s.last[origin]+1 {
			s.publish(e)
		}
	}
	if due, ok := s.due[origin]; ok && s.last[origin] >= due {
		delete(s.due, origin)
	}
}

// Waiting reports whether an announced run waits to be published: by the
// applier (Hand) or, after RunWait, from the log (FillDue).
func (s *Sequencer) Waiting() bool { return len(s.due) > 0 }

// FillDue reads from the log what is left of the announced runs and
// publishes it. It returns the first error met; what it could not read
// stays due.
func (s *Sequencer) FillDue(ctx context.Context) error {
	for origin, due := range s.due {
		if _, err := s.fill(ctx, origin, due); err != nil {
			return err
		}
		delete(s.due, origin)
	}
	return nil
}

// Offer publishes e after any entries of its origin missing before it, and
// skips an entry already published. An origin not tracked yet is tracked
// from e. It returns an error only when it could not read a gap, which
// stays to be filled by the next Offer or CatchUp.
func (s *Sequencer) Offer(ctx context.Context, e *stock.LogEntry) error {
	last, ok := s.last[e.Origin]
	switch {
	case e.Type == stock.EntryRun: // a run applied from another node: due, from the applier (Hand), else the log
		if !ok { // tracked from the run on; a tracked origin is published from its last seq, gap included
			s.last[e.Origin] = e.From - 1
		}
		if e.Seq > s.last[e.Origin] {
			s.due[e.Origin] = max(s.due[e.Origin], e.Seq)
		}
		return nil
	case !ok:
		last = e.Seq - 1
	case e.Seq <= last:
		return nil
	case e.Seq > last+1 && e.Origin != s.local && s.local != "":
		// Another warehouse's entry its applier published alone (a product's
		// or a transfer's), ahead of the rest of its run: the run is due, to
		// come from the applier (Hand) with this entry in its place.
		s.due[e.Origin] = max(s.due[e.Origin], e.Seq)
		return nil
	case e.Seq > last+1:
		s.gaps.Add(1)
		n, err := s.fill(ctx, e.Origin, e.Seq-1)
		s.recovered.Add(uint64(n))
		if err != nil {
			return err
		}
	}
	s.publish(e)
	return nil
}

// CatchUp reads every tracked origin's log past the last seq published and
// publishes what it finds: the entries lost at the tail, which no later
// event reveals. It returns the first error met.
func (s *Sequencer) CatchUp(ctx context.Context) error {
	for origin := range s.last {
		n, err := s.fill(ctx, origin, -1)
		if n > 0 {
			s.gaps.Add(1)
			s.recovered.Add(uint64(n))
		}
		if err != nil {
			return err
		}
	}
	for origin, due := range s.due {
		if s.last[origin] >= due {
			delete(s.due, origin)
		}
	}
	return nil
}

// fill reads origin's log after the last seq published up to seq (to its
// end when seq < 0), publishes it, and returns how many entries it read.
func (s *Sequencer) fill(ctx context.Context, origin string, upTo int64) (int, error) {
	n := 0
	for upTo < 0 || s.last[origin] < upTo {
		page, err := s.log.Changes(ctx, origin, s.last[origin], gapPage)
		if err != nil {
			return n, fmt.Errorf("reading the log of %s after %d: %w", origin, s.last[origin], err)
		}
		if len(page.Entries) == 0 {
			return n, nil
		}
		for i := range page.Entries {
			if e := &page.Entries[i]; upTo < 0 || e.Seq <= upTo {
				n++
				s.publish(e)
			}
		}
	}
	return n, nil
}

// publish hands e to the stream.
func (s *Sequencer) publish(e *stock.LogEntry) {
	s.last[e.Origin] = e.Seq
	s.out.publish(e)
}

// Gaps returns how many gaps the Sequencer found and filled.
func (s *Sequencer) Gaps() uint64 { return s.gaps.Load() }

// Recovered returns how many entries it read from the log to fill gaps:
// the events lost on their way to it.
func (s *Sequencer) Recovered() uint64 { return s.recovered.Load() }
