package pyro

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"
)

// writeTimeout bounds writing a reply. Waiting for the next frame has no
// deadline: a Python proxy keeps an idle connection open between calls and
// breaks if the server drops it (TCP keepalive finds dead peers instead,
// and a full server evicts the connection idle longest). See limits.go.
const writeTimeout = 30 * time.Second

// daemon serves a fixed table of objects on connections, one goroutine each.
type daemon struct {
	objects map[string]object // fixed after construction
	key     []byte
	log     *slog.Logger
	limits  limits
}

// newDaemon returns a daemon serving objects plus its own Pyro.Daemon.
func newDaemon(objects map[string]object, key []byte, log *slog.Logger) *daemon {
	d := &daemon{objects: objects, key: key, log: log, limits: newLimits()}
	objects[DaemonName] = &daemonObject{objects: objects}
	return d
}

// conn is one client connection.
type conn struct {
	*tracked
	r *bufio.Reader // nc's reads: a frame's header and body in one read(2)
}

// serve runs the protocol on t's connection until the peer closes it, a
// protocol error occurs, a deadline passes, or ctx is done; it always
// closes the connection.
func (d *daemon) serve(ctx context.Context, t *tracked) {
	nc := t.nc
	defer nc.Close()
	c := &conn{tracked: t, r: bufio.NewReader(nc)}
	err := d.handshake(ctx, c)
	for err == nil {
		c.setState(stateIdle)
		var f *Frame
		var release func()
		if f, release, err = d.readFrame(ctx, c, time.Time{}); err == nil {
			err = d.handle(ctx, c, f)
			release()
		}
	}
	switch {
	case isClosed(err) || ctx.Err() != nil:
	case isTimeout(err):
		d.log.Debug("closing pyro connection past its deadline", "remote", nc.RemoteAddr().String(), "err", err)
	case errors.Is(err, ErrProtocol) || errors.Is(err, ErrSerializer):
		d.log.Warn("closing pyro connection", "remote", nc.RemoteAddr().String(), "err", err)
	default:
		d.log.Debug("pyro connection ended", "remote", nc.RemoteAddr().String(), "err", err)
	}
}

// isClosed reports whether err is the peer (or we) closing the connection.
func isClosed(err error) bool {
	return errors.Is(err, errConnDone) || errors.Is(err, net.ErrClosed) || errors.Is(err, io.EOF)
}

// errConnDone ends a connection after a reply that closes it (CONNECTFAIL).
var errConnDone = errors.New("pyro: connection done")

// isTimeout reports whether err is a deadline passing.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// handshake reads the CONNECT frame, which must arrive within
// HandshakeTimeout, and answers CONNECTOK or CONNECTFAIL.
func (d *daemon) handshake(ctx context.Context, c *conn) error {
	f, release, err := d.readFrame(ctx, c, time.Now().Add(HandshakeTimeout))
	if err != nil {
		return err
	}
	defer release()
	if f.Type != MsgConnect {
		return fmt.Errorf("%w: expected CONNECT, got message type %d", ErrProtocol, f.Type)
	}
	if !supported(f.Serializer) {
		d.fail(c, f, SerializerJSON, fmt.Sprintf("message used serializer that is not accepted: %d", f.Serializer))
		return errConnDone
	}
	if err := verify(d.key, f); err != nil {
		d.fail(c, f, f.Serializer, clientText(err))
		return errConnDone
	}
	reply, err := d.connectReply(f)
	if err != nil {
		d.fail(c, f, f.Serializer, clientText(err))
		return errConnDone
	}
	return d.send(c, reply)
}

// connectReply builds the CONNECTOK for a verified CONNECT frame.
func (d *daemon) connectReply(f *Frame) (*Frame, error) {
	data, err := f.payload(MaxRequest)
	if err != nil {
		return nil, err
	}
	v, err := decodeValue(f.Serializer, data)
	if err != nil {
		return nil, errors.New("pyro: invalid handshake data")
	}
	var resp any = "hello"
	flags := uint16(0)
	if f.Flags&FlagMetaOnConnect != 0 {
		hs, _ := v.(Dict)
		id, _ := hs.Str("object")
		obj, ok := d.objects[id]
		if !ok {
			return nil, errors.New("pyro: unknown object")
		}
		resp = Dict{{"handshake", "hello"}, {"meta", metadata(obj)}}
		flags = FlagMetaOnConnect
	}
	payload, err := encodeValue(f.Serializer, resp)
	if err != nil {
		return nil, err
	}
	return &Frame{Type: MsgConnectOK, Flags: flags, Seq: f.Seq, Serializer: f.Serializer,
		Annotations: corr(f), Payload: payload}, nil
}

// fail answers a CONNECT with CONNECTFAIL carrying reason, encoded with ser.
func (d *daemon) fail(c *conn, req *Frame, ser uint16, reason string) {
	payload, err := encodeValue(ser, reason)
	if err != nil {
		return
	}
	reply := &Frame{Type: MsgConnectFail, Seq: req.Seq, Serializer: ser, Annotations: corr(req), Payload: payload}
	if err := d.send(c, reply); err != nil {
		d.log.Debug("sending pyro CONNECTFAIL", "err", err)
	}
}

// clientText is an error's text as Pyro4 clients expect it.
func clientText(err error) string {
	return strings.TrimPrefix(err.Error(), "pyro: ")
}

// send signs f when a key is set and writes it in one write with a deadline.
func (d *daemon) send(c *conn, f *Frame) error {
	sign(d.key, f)
	b, err := f.Bytes()
	if err != nil {
		return err
	}
	if err := c.nc.SetWriteDeadline(time.Now().Add(writeTimeout)); err != nil {
		return err
	}
	if _, err := c.nc.Write(b); err != nil {
		return fmt.Errorf("writing reply: %w", err)
	}
	return nil
}

// corr returns the CORR annotation for a reply: the request's or a new one.
func corr(req *Frame) []Annotation {
	if v, ok := req.Annotation("CORR"); ok && len(v) == 16 {
		return []Annotation{{"CORR", v}}
	}
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	id[6] = id[6]&0x0f | 0x40 // a version 4 UUID
	id[8] = id[8]&0x3f | 0x80
	return []Annotation{{"CORR", id}}
}
