package pyro

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"
)

// clientTimeout bounds each round trip of the client.
const clientTimeout = 5 * time.Second

// ErrRemote reports an exception raised by the remote object; the error
// text carries its class and message.
var ErrRemote = errors.New("pyro: remote exception")

// client is a minimal Pyro4 client on one connection (json serializer, no
// metadata), enough to talk to a name server. It is not safe for
// concurrent use.
type client struct {
	nc      net.Conn
	key     []byte
	seq     uint16
	timeout time.Duration // bounds each round trip (clientTimeout)
}

// dialClient connects to addr and performs the handshake.
func dialClient(ctx context.Context, addr string, key []byte) (*client, error) {
	d := net.Dialer{Timeout: clientTimeout}
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("dialing pyro %s: %w", addr, err)
	}
	c := &client{nc: nc, key: key, timeout: clientTimeout}
	payload, _ := encodeJSON(Dict{{"handshake", "hello"}})
	f, err := c.roundTrip(&Frame{Type: MsgConnect, Serializer: SerializerJSON, Payload: payload})
	if err == nil && f.Type != MsgConnectOK {
		err = fmt.Errorf("%w: connection rejected: %s", ErrProtocol, f.Payload)
	}
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("connecting to pyro %s: %w", addr, err)
	}
	return c, nil
}

// Close closes the connection.
func (c *client) Close() error { return c.nc.Close() }

// roundTrip sends f and reads the reply, with a deadline for both.
func (c *client) roundTrip(f *Frame) (*Frame, error) {
	f.Seq = c.seq
	sign(c.key, f)
	b, err := f.Bytes()
	if err != nil {
		return nil, err
	}
	if err := c.nc.SetDeadline(time.Now().Add(c.timeout)); err != nil {
		return nil, err
	}
	if _, err := c.nc.Write(b); err != nil {
		return nil, fmt.Errorf("sending: %w", err)
	}
	reply, err := ReadFrame(c.nc, MaxPayload)
	if err != nil {
		return nil, fmt.Errorf("receiving: %w", err)
	}
	if err := verify(c.key, reply); err != nil {
		return nil, err
	}
	if reply.Seq != c.seq {
		return nil, fmt.Errorf("%w: reply seq %d, want %d", ErrProtocol, reply.Seq, c.seq)
	}
	c.seq++
	return reply, nil
}

// invoke calls object.method(args...) and decodes the result.
func (c *client) invoke(object, method string, args ...any) (any, error) {
	payload, err := encodeJSON(Dict{{"object", object}, {"method", method}, {"params", List(args)}, {"kwargs", Dict{}}})
	if err != nil {
		return nil, err
	}
	f, err := c.roundTrip(&Frame{Type: MsgInvoke, Serializer: SerializerJSON, Payload: payload})
	if err != nil {
		return nil, err
	}
	if f.Type != MsgResult {
		return nil, fmt.Errorf("%w: reply type %d to INVOKE", ErrProtocol, f.Type)
	}
	data, err := f.payload(MaxPayload)
	if err != nil {
		return nil, err
	}
	v, err := decodeValue(f.Serializer, data)
	if err != nil {
		return nil, err
	}
	if f.Flags&FlagException != 0 {
		return nil, remoteError(v)
	}
	return v, nil
}

// remoteError describes a serialized exception dict.
func remoteError(v any) error {
	d, _ := v.(Dict)
	cls, _ := d.Str("__class__")
	args, _ := d.Get("args")
	msg := ""
	if a, ok := items(args); ok && len(a) > 0 {
		msg = fmt.Sprint(a[0])
	}
	return fmt.Errorf("%w: %s: %s", ErrRemote, cls, msg)
}
