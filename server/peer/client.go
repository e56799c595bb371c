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
)

// client speaks the sync protocol to one member.
type client struct {
	http *http.Client
	base string // the member's base URL, without a trailing slash
}

// heads asks the member how far it holds every log.
func (c *client) heads(ctx context.Context) (*HeadsReply, error) {
	var r HeadsReply
	if err := c.get(ctx, HeadsPath, nil, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// changes asks the member for origin's log after seq, waiting up to wait
// for news.
func (c *client) changes(ctx context.Context, origin string, after int64, limit int, wait time.Duration) (*ChangesReply, error) {
	q := url.Values{"origin": {origin}, "after": {strconv.FormatInt(after, 10)}, "limit": {strconv.Itoa(limit)},
		"wait": {strconv.Itoa(int(wait / time.Second))}}
	var r ChangesReply
	if err := c.get(ctx, ChangesPath, q, &r); err != nil {
		return nil, err
	}
	if r.Origin != origin {
		return nil, fmt.Errorf("asked for the log of %s, got %s's", origin, r.Origin)
	}
	return &r, nil
}

// get sends a versioned GET and decodes its JSON answer into out; an
// answer in another protocol version is errProtocol.
func (c *client) get(ctx context.Context, path string, q url.Values, out any) error {
	u := c.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set(ProtocolHeader, strconv.Itoa(Protocol))
	res, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 256<<20))
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	if v := res.Header.Get(ProtocolHeader); v != strconv.Itoa(Protocol) {
		return fmt.Errorf("%w: %s speaks %q, this node %d", errProtocol, c.base, v, Protocol)
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s%s: %s: %s", c.base, path, res.Status, strings.TrimSpace(string(body)))
	}
	return json.Unmarshal(body, out)
}
