package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Subprotocol is the websocket subprotocol of GraphQL subscriptions.
const Subprotocol = "graphql-transport-ws"

// Timing of a subscription connection.
const (
	handshakeTimeout = 10 * time.Second
	pingInterval     = 10 * time.Second
	readTimeout      = 3 * pingInterval // the node answers every ping with a pong
	writeTimeout     = 5 * time.Second
)

// ErrSubscriptionEnded reports that the node completed a subscription.
var ErrSubscriptionEnded = errors.New("remote: subscription ended by the node")

// wsMessage is a graphql-transport-ws message.
type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// Stream is one open subscription to stockChanged. Changes are delivered on C,
// which is closed when the subscription ends; Err then says why.
type Stream struct {
	// C delivers the changes in the order the node sent them.
	C <-chan StockChange

	conn   *websocket.Conn
	wmu    sync.Mutex // serialises writes; gorilla allows one writer
	err    error      // set before C is closed
	cancel context.CancelFunc
	done   chan struct{}
}

// Subscribe opens a subscription to stockChanged for the changes of sku
// ("" for every sku) in warehouse ("" for every warehouse the node holds,
// its own and its replicas). It returns once the node has acknowledged the
// connection and the subscribe message is sent. Cancelling ctx or calling
// Close ends it.
func (c *Client) Subscribe(ctx context.Context, warehouse, sku string) (*Stream, error) {
	conn, err := c.dial(ctx)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	ch := make(chan StockChange, 16)
	s := &Stream{C: ch, conn: conn, cancel: cancel, done: make(chan struct{})}
	if err := s.start(c.token, warehouse, sku); err != nil {
		cancel()
		conn.Close()
		return nil, err
	}
	go s.read(ctx, ch)
	go s.keepAlive(ctx)
	return s, nil
}

// dial opens the websocket to the node's /graphql endpoint.
func (c *Client) dial(ctx context.Context) (*websocket.Conn, error) {
	d := websocket.Dialer{
		TLSClientConfig:  c.wsTLS, // the Dialer clones it per dial
		HandshakeTimeout: handshakeTimeout,
		Subprotocols:     []string{Subprotocol},
	}
	u := "wss" + strings.TrimPrefix(c.endpoint, "https")
	conn, res, err := d.DialContext(ctx, u, http.Header{})
	if err != nil {
		if res != nil && (res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden) {
			return nil, fmt.Errorf("subscribing: %w", &Error{Code: CodeUnauthenticated, Message: res.Status})
		}
		if untrusted(err) {
			return nil, fmt.Errorf("subscribing: %w: %v", ErrUntrusted, err)
		}
		return nil, fmt.Errorf("subscribing: %w: %v", ErrUnavailable, err)
	}
	if conn.Subprotocol() != Subprotocol {
		conn.Close()
		return nil, fmt.Errorf("subscribing: node refused subprotocol %s: %w", Subprotocol, ErrUnavailable)
	}
	return conn, nil
}

// start sends connection_init with the token, waits for connection_ack and
// sends the subscription.
func (s *Stream) start(token, warehouse, sku string) error {
	init, _ := json.Marshal(map[string]string{"Authorization": "Bearer " + token})
	if err := s.write(wsMessage{Type: "connection_init", Payload: init}); err != nil {
		return err
	}
	s.conn.SetReadDeadline(time.Now().Add(handshakeTimeout))
	for {
		var m wsMessage
		if err := s.conn.ReadJSON(&m); err != nil {
			return fmt.Errorf("waiting for connection_ack: %w", closeError(err))
		}
		if m.Type == "connection_ack" {
			break
		}
		if m.Type == "ping" {
			if err := s.write(wsMessage{Type: "pong"}); err != nil {
				return err
			}
		}
	}
	q := `subscription($warehouse: ID, $sku: ID) { stockChanged(warehouse: $warehouse, sku: $sku) { warehouse { ` + warehouseFields + ` } sku quantity delta merged deleted movement { ` + movementFields + ` } at } }`
	vars := map[string]any{"warehouse": nullable(warehouse), "sku": nullable(sku)}
	payload, err := json.Marshal(request{Query: q, Variables: vars})
	if err != nil {
		return fmt.Errorf("encoding subscription: %w", err)
	}
	return s.write(wsMessage{ID: "1", Type: "subscribe", Payload: payload})
}

// write sends one message with a deadline.
func (s *Stream) write(m wsMessage) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	if err := s.conn.WriteJSON(m); err != nil {
		return fmt.Errorf("sending %s: %w: %v", m.Type, ErrUnavailable, err)
	}
	return nil
}

// read owns the connection's reading: it delivers changes on ch, answers
// pings, and closes ch when the subscription ends.
func (s *Stream) read(ctx context.Context, ch chan<- StockChange) {
	defer close(s.done)
	defer close(ch)
	defer s.conn.Close()
	defer s.cancel()
	go func() { // unblock ReadJSON when ctx ends
		<-ctx.Done()
		s.conn.SetReadDeadline(time.Now())
	}()
	for {
		s.conn.SetReadDeadline(time.Now().Add(readTimeout))
		var m wsMessage
		if err := s.conn.ReadJSON(&m); err != nil {
			s.err = closeError(err)
			if ctx.Err() != nil {
				s.err = ctx.Err()
			}
			return
		}
		change, done, err := s.handle(m)
		if done {
			s.err = err
			return
		}
		if change == nil {
			continue
		}
		select {
		case ch <- *change:
		case <-ctx.Done():
			s.err = ctx.Err()
			return
		}
	}
}

// handle interprets one message: a change to deliver, or the end of the
// subscription with its reason.
func (s *Stream) handle(m wsMessage) (*StockChange, bool, error) {
	switch m.Type {
	case "next":
		var p struct {
			Data struct {
				StockChanged *StockChange `json:"stockChanged"`
			} `json:"data"`
			Errors gqlErrors `json:"errors"`
		}
		if err := json.Unmarshal(m.Payload, &p); err != nil {
			return nil, true, fmt.Errorf("decoding change: %w", err)
		}
		if err := p.Errors.first(); err != nil {
			return nil, true, err
		}
		return p.Data.StockChanged, false, nil
	case "error":
		var es gqlErrors
		if err := json.Unmarshal(m.Payload, &es); err != nil || len(es) == 0 {
			return nil, true, &Error{Code: CodeInternal, Message: string(m.Payload)}
		}
		return nil, true, es.first()
	case "complete":
		return nil, true, ErrSubscriptionEnded
	case "ping":
		if err := s.write(wsMessage{Type: "pong", Payload: m.Payload}); err != nil {
			return nil, true, err
		}
	}
	return nil, false, nil
}

// keepAlive sends a ping every pingInterval so that a silent dead connection
// is noticed by the read deadline.
func (s *Stream) keepAlive(ctx context.Context) {
	t := time.NewTicker(pingInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.done:
			return
		case <-t.C:
			if s.write(wsMessage{Type: "ping"}) != nil {
				return
			}
		}
	}
}

// Close ends the subscription and waits until C is closed.
func (s *Stream) Close() {
	_ = s.write(wsMessage{ID: "1", Type: "complete"})
	s.cancel()
	<-s.done
}

// Err returns why the subscription ended; it is valid once C is closed.
func (s *Stream) Err() error {
	<-s.done
	return s.err
}

// closeError maps a websocket read error to the package's errors: the
// graphql-transport-ws close codes for a refused token to *Error, anything
// else to ErrUnavailable.
func closeError(err error) error {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		switch ce.Code {
		case 4401, 4400:
			return &Error{Code: CodeUnauthenticated, Message: ce.Text}
		case 4403:
			return &Error{Code: CodeForbidden, Message: ce.Text}
		}
	}
	return fmt.Errorf("%w: %v", ErrUnavailable, err)
}
