package node

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/stockmesh/stockmesh/server/jobq"
	"github.com/stockmesh/stockmesh/server/metrics"
	"github.com/stockmesh/stockmesh/server/stock"
)

// queue adapts the job queue's client to the domain's stock.Queue: the
// domain names classes and errors of its own and never sees the transport.
type queue struct{ c *jobq.Client }

var _ stock.Queue = queue{}

// classes maps the domain's job classes to the queue's.
var classes = [...]jobq.Class{stock.ClassWrite: jobq.Write, stock.ClassLookup: jobq.Read, stock.ClassLongRead: jobq.LongRead,
	stock.ClassReport: jobq.Background}

// Do sends job with the queue class of class; a job sent without a reply
// is reported as stock.ErrNoReply.
func (q queue) Do(ctx context.Context, class stock.Class, job []byte) ([]byte, error) {
	if int(class) >= len(classes) {
		return nil, fmt.Errorf("sending job: unknown %v", class)
	}
	out, err := q.c.Do(ctx, classes[class], job)
	if errors.Is(err, jobq.ErrNoReply) {
		return nil, fmt.Errorf("%w: %w", stock.ErrNoReply, err)
	}
	return out, err
}

// observer reports the queue worker's figures to the node's metrics.
type observer struct{ m *metrics.Metrics }

var _ jobq.Observer = observer{}

// BatchDone records a group commit.
func (o observer) BatchDone(size int, took time.Duration) { o.m.BatchDone(size, took) }

// JobDone records a job's wait and execution.
func (o observer) JobDone(class jobq.Class, waited, took time.Duration) {
	o.m.JobDone(class.String(), waited, took)
}

// JobExpired records a job skipped past its deadline.
func (o observer) JobExpired(class jobq.Class) { o.m.JobExpired(class.String()) }
