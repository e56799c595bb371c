package pyro

import (
	"context"
	"log/slog"
	"time"
)

// registrar keeps name registered as uri in an external Pyro4 name server:
// it registers at start, then every interval looks the name up and
// registers again when the name server lost it (a restarted Python name
// server starts empty) or the connection broke.
type registrar struct {
	ns    string // host:port of the name server
	name  string
	uri   URI
	key   []byte
	every time.Duration
	log   *slog.Logger
	c     *client  // nil while disconnected
	state regState // what the last check found
}

// regState is the outcome of a registrar's last check.
type regState int

const (
	regUnknown regState = iota // no check yet
	regOK                      // the registration was in place or made
	regFailing                 // the check failed
)

// run keeps the registration until ctx is done, then removes it if it is
// still ours.
func (r *registrar) run(ctx context.Context) {
	t := time.NewTicker(r.every)
	defer t.Stop()
	for {
		r.check(ctx)
		select {
		case <-ctx.Done():
			r.unregister()
			return
		case <-t.C:
		}
	}
}

// check verifies the registration once and repairs it. A failure on a
// connection kept from an earlier check (the name server restarted) is
// retried at once on a fresh connection. It logs when the registration is
// made after a start or a failure, a first failure as a warning and later
// ones at debug level.
func (r *registrar) check(ctx context.Context) {
	reused := r.c != nil
	err := r.ensure(ctx)
	if err != nil && reused {
		err = r.ensure(ctx)
	}
	was := r.state
	r.state = regOK
	if err != nil {
		r.state = regFailing
	}
	switch {
	case err != nil && was != regFailing:
		r.log.Warn("cannot register in pyro name server; retrying", "ns", r.ns, "every", r.every, "err", err)
	case err != nil:
		r.log.Debug("pyro name server still unreachable", "ns", r.ns, "err", err)
	case was != regOK:
		r.log.Info("registered in pyro name server", "ns", r.ns, "name", r.name, "uri", r.uri.String())
	}
}

// ensure connects if needed, looks the name up and registers it unless it
// already points at our URI. On failure it closes the connection, so that
// the next call dials afresh.
func (r *registrar) ensure(ctx context.Context) (err error) {
	if r.c == nil {
		c, err := dialClient(ctx, r.ns, r.key)
		if err != nil {
			return err
		}
		r.c = c
	}
	defer func() {
		if err != nil {
			r.c.Close()
			r.c = nil
		}
	}()
	if v, err := r.c.invoke(NameServerName, "lookup", r.name); err == nil {
		if d, ok := v.(Dict); ok {
			if u, err := uriFromDict(d); err == nil && u == r.uri {
				return nil
			}
		}
	}
	_, err = r.c.invoke(NameServerName, "register", r.name, r.uri.String())
	return err
}

// unregister removes the name when it still points at our URI (best effort).
func (r *registrar) unregister() {
	if r.c == nil {
		return
	}
	defer r.c.Close()
	v, err := r.c.invoke(NameServerName, "lookup", r.name)
	if d, ok := v.(Dict); ok && err == nil {
		if u, err := uriFromDict(d); err == nil && u == r.uri {
			_, _ = r.c.invoke(NameServerName, "remove", r.name)
		}
	}
}
