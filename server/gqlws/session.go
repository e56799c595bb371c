package gqlws

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/gorilla/websocket"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// session is one websocket connection: its reader (serve, on the HTTP
// handler's goroutine), its keepalive, and its subscriptions by id.
type session struct {
	srv     *Server
	ws      *websocket.Conn
	cc      *coalescingConn
	exec    graphql.GraphExecutor
	ctx     context.Context // the request's, then what the init func returned; cancelled when the session ends
	cancel  context.CancelFunc
	headers map[string][]string
	legacy  bool // graphql-ws rather than graphql-transport-ws
	payload transport.InitPayload

	mu     sync.Mutex
	subs   map[string]*member
	closed bool
	pong   bool // a pong arrived since the last ping
}

// message is a client message of either subprotocol.
type message struct {
	ID      string          `json:"id"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload"`
}

// serve runs the session: connection_init, then messages until the peer
// goes or the session is closed.
func (s *session) serve() {
	defer s.close(websocket.CloseNormalClosure, "terminated")
	if !s.init() {
		return
	}
	go s.keepalive()
	for {
		start := graphql.Now()
		m, err := s.next()
		if err != nil {
			s.readFailed(err)
			return
		}
		if !s.handle(m, start) {
			return
		}
	}
}

// next reads one message.
func (s *session) next() (message, error) {
	_, r, err := s.ws.NextReader()
	if err != nil {
		return message{}, err
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return message{}, err
	}
	var m message
	if err := json.Unmarshal(b, &m); err != nil {
		return message{}, errInvalidJSON
	}
	return m, nil
}

// errInvalidJSON is next's error for a message that is not a JSON object
// with string id and type.
var errInvalidJSON = errors.New("invalid json")

// readFailed ends the session after a failed read: a bad message closes
// with CloseBadRequest; a read that failed at the network level or on the
// peer's close just ends it.
func (s *session) readFailed(err error) {
	if errors.Is(err, errInvalidJSON) {
		s.refuse(CloseBadRequest, "Invalid message: not a JSON object with a type")
	}
}

// init waits InitTimeout for connection_init, runs the init func and
// acknowledges; it reports whether the session goes on.
func (s *session) init() bool {
	_ = s.ws.SetReadDeadline(time.Now().Add(InitTimeout))
	m, err := s.next()
	var ne interface{ Timeout() bool }
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		s.close(CloseInitTimeout, "Connection initialisation timeout")
		return false
	case err != nil:
		s.readFailed(err)
		return false
	case m.Type == "connection_terminate":
		return false
	case m.Type == "subscribe" || m.Type == "start":
		s.refuse(CloseUnauthorized, "Unauthorized")
		return false
	case m.Type != "connection_init":
		s.refuse(CloseBadRequest, "Unexpected message "+clip(m.Type)+" before connection_init")
		return false
	}
	if p := bytes.TrimSpace(m.Payload); len(p) > 0 && !bytes.Equal(p, []byte("null")) {
		if p[0] != '{' || json.Unmarshal(p, &s.payload) != nil {
			s.refuse(CloseBadRequest, "Invalid connection_init: its payload must be an object")
			return false
		}
	}
	_ = s.ws.SetReadDeadline(time.Time{})
	var ack []byte
	if s.srv.init != nil {
		ctx, ackPayload, err := s.srv.init(s.ctx, s.payload)
		if err != nil {
			code, reason := CloseForbidden, "Forbidden"
			if errors.Is(err, ErrUnauthorized) {
				code, reason = CloseUnauthorized, "Unauthorized"
			}
			s.connectionError(err.Error())
			s.close(code, reason)
			return false
		}
		s.ctx, s.cancel = context.WithCancel(ctx)
		// The context the init func returned ends when the credentials it
		// accepted do (a revoked or expired token): the session ends with
		// it. Only the serve goroutine ends a session, so this sends the
		// close frame (WriteControl may run beside any other call) and wakes
		// serve's read, which then returns and closes.
		context.AfterFunc(ctx, func() {
			_ = s.ws.WriteControl(websocket.CloseMessage,
				websocket.FormatCloseMessage(CloseUnauthorized, "Unauthorized: the token was revoked or expired"), time.Now().Add(writeTimeout))
			_ = s.ws.SetReadDeadline(time.Now())
		})
		if ackPayload != nil {
			ack, _ = json.Marshal(*ackPayload)
		}
	}
	s.send(msgAck, nil, ack)
	if s.legacy {
		s.send(msgKA, nil, nil)
	}
	return true
}

// handle acts on one message after init; it reports whether the session goes on.
func (s *session) handle(m message, start time.Time) bool {
	switch m.Type {
	case "subscribe", "start":
		return s.subscribe(m, start)
	case "complete", "stop":
		s.stop(m.ID)
	case "ping":
		if !s.legacy {
			s.send(msgPong, nil, m.Payload)
		}
	case "pong":
		s.mu.Lock()
		s.pong = true
		s.mu.Unlock()
		_ = s.ws.SetReadDeadline(time.Time{})
		if s.ctx.Err() != nil {
			// The credentials ended while this pong was handled: their
			// AfterFunc's wake-up may have come before the line above.
			_ = s.ws.SetReadDeadline(time.Now())
		}
	case "connection_terminate":
		return false
	case "connection_init":
		s.refuse(CloseTooManyInits, "Too many initialisation requests")
		return false
	default:
		s.refuse(CloseBadRequest, "Unexpected message "+clip(m.Type))
		return false
	}
	return true
}

// clip shortens a client's string for a close reason.
func clip(s string) string {
	if len(s) > 40 {
		s = strings.ToValidUTF8(s[:40], "")
	}
	return fmt.Sprintf("%q", s)
}

// subscribe starts subscription m.ID: it joins the group executing the same
// operation for the same role, or starts one; an operation that is not a
// shared feed subscription (a failed resolver, another stream) runs for this
// subscriber alone. It reports whether the session goes on.
func (s *session) subscribe(m message, start time.Time) bool {
	if m.ID == "" {
		s.refuse(CloseBadRequest, "Invalid subscribe: it needs an id")
		return false
	}
	idJSON := quote(m.ID)
	s.mu.Lock()
	_, taken := s.subs[m.ID]
	full := len(s.subs) >= MaxSubscriptions
	mb := &member{id: m.ID, idJSON: idJSON, s: s}
	if !taken && !full {
		s.subs[m.ID] = mb
	}
	s.mu.Unlock()
	if taken {
		s.refuse(CloseSubscriberExists, "Subscriber for "+clip(m.ID)+" already exists")
		return false
	}
	if full {
		s.sendErrors(idJSON, &gqlerror.Error{
			Message:    fmt.Sprintf("too many subscriptions on one connection: at most %d may be open at a time; complete one first", MaxSubscriptions),
			Extensions: map[string]any{"code": "INVALID_INPUT"},
		})
		return true
	}
	rc, ctx, ok := s.operation(m, start, idJSON)
	if !ok {
		s.forget(mb)
		return true
	}
	s.srv.groups.join(s, mb, rc, ctx)
	return true
}

// operation parses and validates m's operation as gqlgen's transport does;
// on failure it answers id with the errors and complete.
func (s *session) operation(m message, start time.Time, id []byte) (*graphql.OperationContext, context.Context, bool) {
	ctx := graphql.StartOperationTrace(s.ctx)
	params := &graphql.RawParams{}
	dec := json.NewDecoder(bytes.NewReader(m.Payload))
	dec.UseNumber()
	if err := dec.Decode(params); err != nil {
		s.sendErrors(id, &gqlerror.Error{Message: "invalid json"})
		s.send(msgComplete, id, nil)
		return nil, nil, false
	}
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	params.Headers = s.headers
	rc, errs := s.exec.CreateOperationContext(ctx, params)
	if errs != nil {
		resp := s.exec.DispatchError(graphql.WithOperationContext(ctx, rc), errs)
		if errcode.GetErrorKind(errs) == errcode.KindProtocol {
			s.sendErrors(id, resp.Errors...)
		} else {
			s.send(dataType(s.legacy), id, encodeResponse(&graphql.Response{Errors: errs}))
		}
		s.send(msgComplete, id, nil)
		return nil, nil, false
	}
	return rc, ctx, true
}

// stop ends subscription id at the client's request and answers complete.
func (s *session) stop(id string) {
	s.mu.Lock()
	mb := s.subs[id]
	s.mu.Unlock()
	if mb != nil && mb.end() {
		s.forget(mb)
		s.send(msgComplete, mb.idJSON, nil)
	}
}

// finished is called when mb's stream ended on the server's side (a solo
// operation ran out, the hub closed): complete tells the client, unless the
// session is closing.
func (s *session) finished(mb *member) {
	if s.forget(mb) && s.ctx.Err() == nil {
		s.send(msgComplete, mb.idJSON, nil)
	}
}

// forget removes mb from the session's subscriptions, reporting whether it
// was there.
func (s *session) forget(mb *member) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.subs[mb.id] != mb {
		return false
	}
	delete(s.subs, mb.id)
	return true
}

// send writes one message, waiting while the peer's buffer is full (for at
// most writeTimeout).
func (s *session) send(t string, id, payload []byte) {
	_, _ = s.cc.Write(frame(t, id, payload))
}

// sendErrors sends an error message for id.
func (s *session) sendErrors(id []byte, errs ...*gqlerror.Error) {
	b, err := json.Marshal(errs)
	if err != nil {
		b = []byte(`[{"message":"internal error"}]`)
	}
	s.send(msgError, id, b)
}

// connectionError sends graphql-ws's connection_error with message
// (graphql-transport-ws has none).
func (s *session) connectionError(message string) {
	if s.legacy {
		b, _ := json.Marshal(&gqlerror.Error{Message: message})
		s.send(msgConnErr, nil, b)
	}
}

// refuse closes the session for a protocol violation, telling a graphql-ws
// client why in connection_error first.
func (s *session) refuse(code int, reason string) {
	s.connectionError(reason)
	s.close(code, reason)
}

// keepalive pings (graphql-transport-ws) or sends ka (graphql-ws) every
// keepAlive until the session ends. On graphql-transport-ws a peer that
// has not answered a ping within two intervals has its reads time out,
// which ends the session.
func (s *session) keepalive() {
	every := s.srv.keepAlive
	if every <= 0 {
		return
	}
	if !s.legacy {
		_ = s.ws.SetReadDeadline(time.Now().Add(2 * every))
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		}
		if s.legacy {
			s.send(msgKA, nil, nil)
			continue
		}
		s.send(msgPing, nil, nil)
		s.mu.Lock()
		if s.pong {
			_ = s.ws.SetReadDeadline(time.Now().Add(2 * every))
		}
		s.pong = false
		s.mu.Unlock()
	}
}

// close ends every subscription, sends a close frame with code and reason
// and closes the connection; later calls do nothing.
func (s *session) close(code int, reason string) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	subs := s.subs
	s.subs = map[string]*member{}
	s.mu.Unlock()
	s.cancel()
	for _, mb := range subs {
		mb.end()
	}
	_ = s.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(writeTimeout))
	_ = s.ws.Close()
}
