package jobq

import "github.com/stockmesh/stockmesh/internal/wait"

// serve is the loop owning the DEALER socket: it sends the requests posted by Do and hands replies back
// to their callers, and sleeps in between (see waiter). On Close (or a socket failure) it fails
// everything still waiting and closes the socket.
func (c *Client) serve() {
	defer c.dealer.Close()
	defer c.waiter.close()
	defer c.failAll()
	spare := make([]envelope, 0, cap(c.slots))
	var buf []byte
	for !wait.Closed(c.quit) {
		spare = c.sendRequests(spare, &buf)
		c.receiveReplies()
		c.waiter.arm(idlePoll)
		if !c.box.empty() || wait.Closed(c.quit) {
			continue
		}
		if err := c.waiter.wait(); err != nil {
			c.log.Error("waiting on the job queue; failing all jobs", "addr", c.addr, "err", err)
			return
		}
	}
}

// sendRequests sends every posted request that was not abandoned, without blocking, assembling frames
// in *buf; a request that cannot be sent fails at once.
func (c *Client) sendRequests(spare []envelope, buf *[]byte) []envelope {
	q := c.box.take(spare)
	for i := range q {
		e := &q[i]
		if e.call == nil { // a cancellation: best effort, nobody waits for it
			_ = e.send(c.dealer, buf)
			continue
		}
		if !e.call.state.CompareAndSwap(callQueued, callSending) {
			continue // abandoned by Do
		}
		err := e.send(c.dealer, buf)
		e.call.state.Store(callSent)
		if err == nil {
			continue
		}
		if !isAgain(err) {
			c.log.Warn("sending job", "addr", c.addr, "err", err)
		}
		id, _, _ := parseHeader(e.head[:])
		c.deliver(id, result{err: c.errNoWorker})
	}
	return recycle(q)
}

// receiveReplies hands the replies waiting on the DEALER socket, up to maxRecvRound, to their callers.
func (c *Client) receiveReplies() {
	var frames [2][]byte
	for range maxRecvRound {
		msg, err := recvMessage(c.dealer, frames[:0])
		if err != nil {
			if !isAgain(err) {
				c.log.Warn("receiving reply", "addr", c.addr, "err", err)
			}
			return
		}
		id, status, ok := parseHeader(msg[0])
		if !ok || len(msg) != 1 {
			c.log.Warn("dropping malformed reply", "addr", c.addr, "frames", len(msg))
			continue
		}
		switch status {
		case statusOK:
			c.deliver(id, result{reply: msg[0][headerLen:]})
		case statusExpired:
			c.deliver(id, result{err: c.errExpired})
		default:
			c.deliver(id, result{err: c.errRefused})
		}
	}
}

// failAll closes the mailbox and fails every request still queued or waiting for a reply.
func (c *Client) failAll() {
	for _, e := range c.box.close() {
		id, _, _ := parseHeader(e.head[:])
		c.deliver(id, result{err: c.errClosed})
	}
	c.mu.Lock()
	waiting := c.calls
	c.calls = make(map[uint64]*call)
	c.mu.Unlock()
	for _, cl := range waiting {
		cl.done <- result{err: c.errClosedSent}
	}
}
