package member

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http/httptrace"
	"sync/atomic"
)

// ErrWrongServer reports a connection whose server is not the member the
// caller meant to reach: no verified certificate, or one that names
// another warehouse (a stale address, or a member answering at another's
// address).
var ErrWrongServer = errors.New("member: the server is not the member called")

// VerifyServer checks that the server of the TLS connection cs was
// verified against the network's CA (cs.VerifiedChains, as a client that
// trusts only the CA gets) and that its certificate names the warehouse id
// (CommonName), and fails with ErrWrongServer otherwise. A node calling
// member X at X's address checks it before trusting, or sending, anything.
func VerifyServer(cs *tls.ConnectionState, id string) error {
	switch {
	case cs == nil || len(cs.PeerCertificates) == 0:
		return fmt.Errorf("%w: %s answered without a certificate", ErrWrongServer, id)
	case len(cs.VerifiedChains) == 0:
		return fmt.Errorf("%w: the certificate at %s's address was not verified against the network's CA", ErrWrongServer, id)
	case cs.PeerCertificates[0].Subject.CommonName != id:
		return fmt.Errorf("%w: the server at %s's address is %q", ErrWrongServer, id, cs.PeerCertificates[0].Subject.CommonName)
	}
	return nil
}

// serverCheck holds back a request's body until the connection the request
// goes out on is known to reach the member id: the first Read of the body
// verifies the connection GotConn reported (VerifyServer) and fails the
// request when it is another server, before a byte of the body is sent.
type serverCheck struct {
	id    string
	state atomic.Pointer[tls.ConnectionState]
}

// trace returns the client trace that records the request's connection.
func (c *serverCheck) trace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) {
		if tc, ok := info.Conn.(*tls.Conn); ok {
			cs := tc.ConnectionState()
			c.state.Store(&cs)
		}
	}}
}

// body returns a request body of data that is read only once the
// connection is verified.
func (c *serverCheck) body(data []byte) io.ReadCloser {
	return &checkedBody{check: c, r: bytes.NewReader(data)}
}

// checkedBody is a request body behind a serverCheck.
type checkedBody struct {
	check *serverCheck
	r     *bytes.Reader
	err   error
	done  bool
}

// Read verifies the connection on its first call, then reads the body.
func (b *checkedBody) Read(p []byte) (int, error) {
	if !b.done {
		b.done = true
		b.err = VerifyServer(b.check.state.Load(), b.check.id)
	}
	if b.err != nil {
		return 0, b.err
	}
	return b.r.Read(p)
}

// Close implements io.Closer.
func (b *checkedBody) Close() error { return nil }
