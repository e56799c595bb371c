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

	"github.com/stockmesh/stockmesh/internal/api"
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

// Stream is one open subscription to stockChanged, and on the same
// connection to lowStockAlert. Changes are delivered on C, which is closed
// when the subscription ends; Err then says why.
type Stream struct {
	// C delivers the changes in the order the node sent them.
	C <-chan StockChange
	// Points delivers the reorder points lowStockAlert tells of (of the
	// subscription's sku when it has one), so that a view marking low stock
	// follows a reorder point changed elsewhere; closed with C.
	Points <-chan ReorderPointChange

	conn   *websocket.Conn
	wmu    sync.Mutex // serialises writes; gorilla allows one writer
	err    error      // set before C is closed
	cancel context.CancelFunc
	done   chan struct{}
	sku    string // of the subscription, "" for every one
}

// The ids of a Stream's two subscriptions on its connection.
const (
	changesID = "1"
	pointsID  = "2"
)

// Subscribe opens a subscription to stockChanged for the changes of sku
// ("" for every sku) in warehouse ("" for every warehouse the node holds,
// its own and its replicas), and one to lowStockAlert for their reorder
// points. It returns once the node has acknowledged the connection and the
// subscribe messages are sent. Cancelling ctx or calling Close ends it.
func (c *Client) Subscribe(ctx context.Context, warehouse, sku string) (*Stream, error) {
	conn, err := c.dial(ctx)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	ch, points := make(chan StockChange, 16), make(chan ReorderPointChange, 16)
	s := &Stream{C: ch, Points: points, conn: conn, cancel: cancel, done: make(chan struct{}), sku: sku}
	if err := s.start(c.token, warehouse, sku); err != nil {
		cancel()
		conn.Close()
		return nil, err
	}
	go s.read(ctx, ch, points)
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
			return nil, fmt.Errorf("subscribing: %w", &Error{Code: api.CodeUnauthenticated, Message: res.Status})
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
	if err := s.write(wsMessage{ID: changesID, Type: "subscribe", Payload: payload}); err != nil {
		return err
	}
	q = `subscription($warehouse: ID) { lowStockAlert(warehouse: $warehouse) { warehouse { ` + warehouseFields + ` } sku reorderPoint } }`
	if payload, err = json.Marshal(request{Query: q, Variables: map[string]any{"warehouse": nullable(warehouse)}}); err != nil {
		return fmt.Errorf("encoding subscription: %w", err)
	}
	return s.write(wsMessage{ID: pointsID, Type: "subscribe", Payload: payload})
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

// read owns the connection's reading: it delivers changes on ch and
// reorder points on points, answers pings, and closes both when the
// subscription ends.
func (s *Stream) read(ctx context.Context, ch chan<- StockChange, points chan<- ReorderPointChange) {
	defer close(s.done)
	defer close(ch)
	defer close(points)
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
		if m.ID == pointsID {
			if p := s.point(m); p != nil {
				select {
				case points <- *p:
				case <-ctx.Done():
					s.err = ctx.Err()
					return
				}
			}
			continue
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

// point returns the reorder point a lowStockAlert message tells of, nil
// for any other message of that subscription or another sku's: its end or
// refusal (a node without it) only stops the reorder points, never the
// changes.
func (s *Stream) point(m wsMessage) *ReorderPointChange {
	if m.Type != "next" {
		return nil
	}
	var p struct {
		Data struct {
			LowStockAlert *ReorderPointChange `json:"lowStockAlert"`
		} `json:"data"`
	}
	if json.Unmarshal(m.Payload, &p) != nil || p.Data.LowStockAlert == nil || (s.sku != "" && p.Data.LowStockAlert.SKU != s.sku) {
		return nil
	}
	return p.Data.LowStockAlert
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
			return nil, true, &Error{Code: api.CodeInternal, Message: string(m.Payload)}
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
	_ = s.write(wsMessage{ID: changesID, Type: "complete"})
	_ = s.write(wsMessage{ID: pointsID, Type: "complete"})
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
			return &Error{Code: api.CodeUnauthenticated, Message: ce.Text}
		case 4403:
			return &Error{Code: api.CodeForbidden, Message: ce.Text}
		}
	}
	return fmt.Errorf("%w: %v", ErrUnavailable, err)
}
