package stock

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/stockmesh/stockmesh/internal/wait"
	"github.com/stockmesh/stockmesh/server/auth"
)

// resolve finds out whether the write job with key, sent for op and left
// without a reply (cause), was applied. It asks the writer, whose answer
// comes after every job sent before it, so "not applied" is final: the job
// never runs later. Applied, it answers the reply the writer recorded for
// the job, or rebuilds it from the log entries the job appended. It tries
// for s.ResolveWithin, even past the caller's deadline but not once the
// caller has gone; when the handler does not answer in that time, or
// cannot tell (see Outcome.Unknown), the outcome is unknown
// (OUTCOME_UNKNOWN).
func resolve[Req, Rep any](ctx context.Context, s *Service, op Op[Req, Rep], key string, cause error) (*Rep, error) {
	if errors.Is(ctx.Err(), context.Canceled) {
		return nil, unknown(op, cause)
	}
	// Finding out is the node's own work, for a caller already allowed the write.
	rctx, cancel := context.WithTimeout(auth.AsNode(context.WithoutCancel(ctx)), s.ResolveWithin)
	defer cancel()
	for {
		o, err := call(rctx, s, OpOutcome, &OutcomeQuery{Key: key, Op: op.Name})
		if err == nil {
			return answer(rctx, s, op, o, cause)
		}
		if wait.For(rctx, 100*time.Millisecond) != nil {
			return nil, unknown(op, cause)
		}
	}
}

// answer turns the writer's outcome of op's job into the job's reply or
// error.
func answer[Req, Rep any](ctx context.Context, s *Service, op Op[Req, Rep], o *Outcome, cause error) (*Rep, error) {
	switch {
	case o.Unknown:
		return nil, unknown(op, cause)
	case o.Reply != nil:
		rep := new(Rep)
		if err := DecodeReply(o.Reply, rep); err != nil {
			return nil, unknown(op, fmt.Errorf("%w (its recorded reply: %w)", cause, err))
		}
		return rep, nil
	case !o.Applied:
		return nil, fmt.Errorf("%w: %w", Errorf(CodeUnavailable,
			"the database did not apply the change in time; it is safe to try again"), cause)
	}
	return rebuild(ctx, s, op, o, cause)
}

// unknown is the error for a write whose outcome could not be found.
func unknown[Req, Rep any](op Op[Req, Rep], cause error) error {
	return fmt.Errorf("%w: %s: %w", Errorf(CodeOutcomeUnknown,
		"the database did not answer in time: the change may or may not have been saved; "+
			"check before trying again, or retry with the same idempotency key"), op.Name, cause)
}

// rebuild returns the reply of an applied job from the log entries it
// appended.
func rebuild[Req, Rep any](ctx context.Context, s *Service, op Op[Req, Rep], o *Outcome, cause error) (*Rep, error) {
	rep := new(Rep)
	page, err := s.Changes(ctx, o.Origin, o.Seq-1, o.Count)
	if err != nil || !replyFrom(page.Entries, rep) {
		return nil, unknown(op, cause)
	}
	return rep, nil
}

// ReplyFromLog reports whether the reply of an operation of type rep (a
// pointer) can be rebuilt from the log entries its job appended: the
// writer records the replies of the other writes (see Outcome).
func ReplyFromLog(rep any) bool {
	switch rep.(type) {
	case *Movement, *Transfer, *Settled, *Product, *Reservation:
		return true
	}
	return false
}

// replyFrom fills rep, a *Movement, *Product, *Transfer, *Settled or *Empty, from the entries
// one job appended, and reports whether it could.
func replyFrom(entries []LogEntry, rep any) bool {
	switch r := rep.(type) {
	case *Empty:
		return true
	case *Movement:
		for i := len(entries) - 1; i >= 0; i-- {
			if m := entries[i].Movement; m != nil {
				*r = *m
				return true
			}
		}
	case *Transfer:
		for i := len(entries) - 1; i >= 0; i-- {
			if t := entries[i].Transfer; t != nil {
				*r = *t
				return true
			}
		}
	case *Reservation:
		for i := len(entries) - 1; i >= 0; i-- {
			if x := entries[i].Reservation; x != nil {
				*r = *x
				return true
			}
		}
	case *Settled:
		for _, e := range entries {
			if e.Transfer != nil {
				r.Transfers = append(r.Transfers, *e.Transfer)
			}
		}
		return true
	case *Product:
		ok := false
		for _, e := range entries {
			switch {
			case e.Product != nil:
				*r, ok = *e.Product, true
			case ok && e.Movement != nil:
				r.Quantity, r.Seq, r.UpdatedAt = e.Movement.Balance, e.Seq, e.At
			}
		}
		return ok
	}
	return false
}
