package jobq

import (
	zmq "github.com/pebbe/zmq4"
)

// serve is the loop owning the DEALER and PULL sockets: it sends the requests posted by Do and hands
// replies back to their callers. On Close (or a poll failure) it fails everything still waiting and
// closes both sockets.
func (c *Client) serve() {
	defer c.dealer.Close()
	defer c.pull.Close()
	defer c.failAll()
	poller := zmq.NewPoller()
	poller.Add(c.dealer, zmq.POLLIN)
	poller.Add(c.pull, zmq.POLLIN)
	spare := make([]envelope, 0, cap(c.slots))
	for {
		polled, err := poller.Poll(idlePoll)
		if err != nil {
			c.log.Error("polling job queue; failing all jobs", "addr", c.addr, "err", err)
			return
		}
		for _, p := range polled {
			if p.Socket == c.pull {
				drainWakes(c.pull)
			} else {
				c.receiveReplies()
			}
		}
		if isClosed(c.quit) {
			return
		}
		spare = c.sendRequests(spare)
	}
}

// sendRequests sends every posted request that was not abandoned, without blocking; a request that
// cannot be sent fails at once.
func (c *Client) sendRequests(spare []envelope) []envelope {
	q := c.box.take(spare)
	for i := range q {
		e := &q[i]
		if !e.call.state.CompareAndSwap(callQueued, callSending) {
			continue // abandoned by Do
		}
		err := e.send(c.dealer)
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
	var frames [3][]byte
	for range maxRecvRound {
		msg, err := recvMessage(c.dealer, frames[:0])
		if err != nil {
			if !isAgain(err) {
				c.log.Warn("receiving reply", "addr", c.addr, "err", err)
			}
			return
		}
		id, status, ok := parseHeader(msg[0])
		if !ok || len(msg) != 2 {
			c.log.Warn("dropping malformed reply", "addr", c.addr, "frames", len(msg))
			continue
		}
		if status == statusOK {
			c.deliver(id, result{reply: msg[1]})
		} else {
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
		cl.done <- result{err: c.errClosed}
	}
}
