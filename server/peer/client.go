package peer

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// client speaks the sync protocol to one member.
type client struct {
	http *http.Client
	base string // the member's base URL, without a trailing slash
	id   string // the member's warehouse id, which its certificate must name; "" when not known yet
}

// heads asks the member how far it holds every log; with wait, once any
// of its logs moved past generation gen (or wait passed).
func (c *client) heads(ctx context.Context, gen uint64, wait time.Duration) (*HeadsReply, error) {
	return c.headsOf(ctx, gen, wait, false, "")
}

// headsOf is heads, brief (see Handler.heads) when brief is set, and with
// have (what this node holds, "ORIGIN:SEQ,…") when not empty.
func (c *client) headsOf(ctx context.Context, gen uint64, wait time.Duration, brief bool, have string) (*HeadsReply, error) {
	q := url.Values{}
	if wait > 0 {
		q = url.Values{"gen": {strconv.FormatUint(gen, 10)}, "wait": {strconv.Itoa(int(wait / time.Second))}}
	}
	if brief {
		q.Set("brief", "1")
	}
	if have != "" {
		q.Set("have", have)
	}
	var r HeadsReply
	if err := c.get(ctx, HeadsPath, q, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// changes asks the member for origin's log after seq, waiting up to wait
// for news.
func (c *client) changes(ctx context.Context, origin string, after int64, limit int, wait time.Duration) (*ChangesReply, error) {
	q := url.Values{"origin": {origin}, "after": {strconv.FormatInt(after, 10)}, "limit": {strconv.Itoa(limit)},
		"wait": {strconv.Itoa(int(wait / time.Second))}}
	body, header, err := c.fetch(ctx, ChangesPath, q)
	if err != nil {
		return nil, err
	}
	return decodeChanges(origin, header, body)
}

// decodeChanges reads a changes answer for origin from its headers and
// body, refusing one about another origin or with entries of another.
func decodeChanges(origin string, header http.Header, body []byte) (*ChangesReply, error) {
	var err error
	r := &ChangesReply{Origin: header.Get(OriginHeader)}
	if r.Origin != origin {
		return nil, fmt.Errorf("asked for the log of %s, got %q's", origin, r.Origin)
	}
	if r.LastSeq, err = strconv.ParseInt(header.Get(LastSeqHeader), 10, 64); err != nil {
		return nil, fmt.Errorf("the changes of %s carry no %s: %w", origin, LastSeqHeader, err)
	}
	var batch stock.ChangeBatch
	if err := stock.DecodeValue(body, &batch); err != nil {
		return nil, fmt.Errorf("decoding the changes of %s: %w", origin, err)
	}
	r.Epoch, r.Entries, r.Proof, r.body = batch.Epoch, batch.Entries, batch.Proof, body
	return r, r.check()
}

// get sends a versioned GET and decodes its JSON answer into out.
func (c *client) get(ctx context.Context, path string, q url.Values, out any) error {
	body, _, err := c.fetch(ctx, path, q)
	if err != nil {
		return err
	}
	return json.Unmarshal(body, out)
}

// fetch sends a versioned GET and returns the body and headers of a 200
// answer; an answer in another protocol version is errProtocol.
func (c *client) fetch(ctx context.Context, path string, q url.Values) ([]byte, http.Header, error) {
	u := c.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set(ProtocolHeader, strconv.Itoa(Protocol))
	res, err := c.http.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	if err := c.checkServer(res); err != nil {
		return nil, nil, err
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, MaxBody+1))
	if err != nil {
		return nil, nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(body) > MaxBody {
		return nil, nil, fmt.Errorf("%s%s: the answer is larger than %d bytes", c.base, path, MaxBody)
	}
	v := res.Header.Get(ProtocolHeader)
	if v == "" && res.StatusCode != http.StatusOK { // refused before the sync endpoints (the peer guard): no version clash
		return nil, nil, fmt.Errorf("%s%s: %s: %s", c.base, path, res.Status, strings.TrimSpace(string(body)))
	}
	if v != strconv.Itoa(Protocol) {
		return nil, nil, fmt.Errorf("%w: %s speaks %q, this node %d", errProtocol, c.base, v, Protocol)
	}
	if res.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("%s%s: %s: %s", c.base, path, res.Status, strings.TrimSpace(string(body)))
	}
	return body, res.Header, nil
}

// checkServer refuses an answer from a server whose certificate does not
// name the member this client meant to reach: another member answering at
// its address (the network's CA vouches for both).
func (c *client) checkServer(res *http.Response) error {
	if c.id == "" || res.TLS == nil || len(res.TLS.PeerCertificates) == 0 {
		return nil
	}
	if cn := res.TLS.PeerCertificates[0].Subject.CommonName; cn != c.id {
		return fmt.Errorf("%s answers with the certificate of %q, not of %q", c.base, cn, c.id)
	}
	return nil
}
