package node

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/stockmesh/stockmesh/internal/datalock"
	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/jobq"
	"github.com/stockmesh/stockmesh/server/member"
	"github.com/stockmesh/stockmesh/server/pki"
	"github.com/stockmesh/stockmesh/server/stock"
	"github.com/stockmesh/stockmesh/server/store"
)

// IssueJoinToken issues a join token from the node whose data is in
// dataDir, as spec says (see member.Network.CreateJoinToken: a node that
// does not hold the CA asks the one that does). While that node runs (it
// holds the data folder's lock) the token is asked of it over GraphQL,
// with DATA/admin.token, DATA/node.addr and DATA/tls/ca.crt; otherwise the
// database is opened here, under the lock.
func IssueJoinToken(ctx context.Context, dataDir string, spec member.TokenSpec, log *slog.Logger) (*member.JoinToken, error) {
	var out member.JoinToken
	err := administer(ctx, dataDir, "stockmeshd join-token",
		func(ctx context.Context, r remote) error {
			var data struct{ CreateJoinToken member.JoinToken }
			q := `mutation($s: Int, $w: ID, $r: Boolean) { createJoinToken(expiresIn: $s, warehouse: $w, rejoin: $r) { token expiresAt } }`
			vars := map[string]any{"s": int64(spec.TTL / time.Second), "w": nil, "r": spec.Rejoin}
			if spec.Warehouse != "" {
				vars["w"] = spec.Warehouse
			}
			err := r.graphQL(ctx, q, vars, &data)
			out = data.CreateJoinToken
			return err
		},
		func(ctx context.Context) error {
			return withNetwork(ctx, dataDir, log, func(ctx context.Context, net *member.Network) error {
				t, err := net.CreateJoinToken(ctx, spec)
				if err == nil {
					out = *t
				}
				return err
			})
		})
	return &out, err
}

// Leave takes the node whose data is in dataDir out of the network (see
// member.Network.Leave): through the running node, or offline as
// IssueJoinToken does.
func Leave(ctx context.Context, dataDir string, log *slog.Logger) error {
	return administer(ctx, dataDir, "stockmeshd leave",
		func(ctx context.Context, r remote) error {
			var data struct{ LeaveNetwork struct{ ID string } }
			return r.graphQL(ctx, `mutation { leaveNetwork { id } }`, nil, &data)
		},
		func(ctx context.Context) error {
			return withNetwork(ctx, dataDir, log, func(ctx context.Context, net *member.Network) error {
				_, err := net.Leave(ctx)
				return err
			})
		})
}

// CreateToken issues an API token for name with role, expiring at expiresAt
// (nil: never), from the node whose data is in dataDir: through the running
// node as IssueJoinToken does, or offline, with the database opened here
// under its lock, for when no admin token is at hand. The offline token is
// known to the node from its next start. It returns the secret.
func CreateToken(ctx context.Context, dataDir, name string, role auth.Role, expiresAt *time.Time, log *slog.Logger) (string, error) {
	var secret string
	online := func(ctx context.Context, r remote) error {
		var data struct{ CreateToken struct{ Token string } }
		q := `mutation($n: String!, $r: Role!, $e: Time) { createToken(name: $n, role: $r, expiresAt: $e) { token } }`
		err := r.graphQL(ctx, q, map[string]any{"n": name, "r": strings.ToUpper(string(role)), "e": expiresAt}, &data)
		secret = data.CreateToken.Token
		return err
	}
	offline := func(ctx context.Context) error {
		return withService(ctx, dataDir, log, func(ctx context.Context, svc *stock.Service) error {
			var err error
			secret, _, err = svc.CreateToken(ctx, name, role, expiresAt)
			return err
		})
	}
	err := administer(ctx, dataDir, "stockmeshd token", online, offline)
	return secret, err
}

// administer runs online through the node serving dataDir, or, when no node
// serves it, offline under the data folder's lock, which it takes as holder.
func administer(ctx context.Context, dataDir, holder string,
	online func(context.Context, remote) error, offline func(context.Context) error) error {
	lock, err := datalock.Acquire(dataDir, NodeLockFile, holder)
	if errors.Is(err, datalock.ErrInUse) {
		r, err := dial(dataDir)
		if err != nil {
			return err
		}
		return online(ctx, r)
	}
	if err != nil {
		return err
	}
	defer lock.Release()
	return offline(ctx)
}

// started checks that dataDir holds file, which a node makes on its first
// start; the error names what (a node, its network, its database) is
// missing.
func started(dataDir, file, what string) error {
	if _, err := os.Stat(filepath.Join(dataDir, file)); err != nil {
		return fmt.Errorf("%s holds no %s yet: start the node once first: %w", dataDir, what, err)
	}
	return nil
}

// withNetwork opens the database of a stopped node in process and runs f
// over its network.
func withNetwork(ctx context.Context, dataDir string, log *slog.Logger, f func(context.Context, *member.Network) error) (err error) {
	if err := started(dataDir, filepath.Join("tls", pki.CACertFile), "network"); err != nil {
		return err
	}
	return withService(ctx, dataDir, log, func(ctx context.Context, svc *stock.Service) error {
		net, err := member.New(ctx, member.Config{Store: svc, TLSDir: filepath.Join(dataDir, "tls"), Logger: log})
		if err != nil {
			return err
		}
		return f(ctx, net)
	})
}

// withService opens the database of a stopped node in process (under its
// database lock, so a running dbworker refuses it) and runs f over its
// service, as the node itself.
func withService(ctx context.Context, dataDir string, log *slog.Logger, f func(context.Context, *stock.Service) error) (err error) {
	if err := started(dataDir, store.FileName, "node"); err != nil {
		return err
	}
	addr := fmt.Sprintf("inproc://stockmesh-admin-%d", time.Now().UnixNano())
	w, err := StartWorker(WorkerConfig{DataDir: dataDir, Queue: addr, Logger: log, inNode: true})
	if err != nil {
		return err
	}
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan error, 1)
	go func() { done <- w.Run(wctx) }()
	defer func() {
		cancel()
		if werr := <-done; err == nil {
			err = werr
		}
	}()
	client, err := jobq.NewClient(jobq.ClientConfig{Addr: addr, Logger: log})
	if err != nil {
		return fmt.Errorf("connecting to the job queue: %w", err)
	}
	defer client.Close()
	svc := stock.NewService(queue{client})
	// Whoever may open the data folder administers it; the audit log names them stockmeshd.
	ctx = stock.WithActor(auth.AsNode(ctx), offlineActor)
	if _, err := svc.LocalWarehouse(ctx); err != nil {
		return err
	}
	return f(ctx, svc)
}

// offlineActor names who made the changes of the offline admin commands.
const offlineActor = "stockmeshd"

// remote is a running node, reached as its admin.
type remote struct {
	url, token string
	client     *http.Client
}

// dial prepares calls to the node serving dataDir.
func dial(dataDir string) (remote, error) {
	addr, err := os.ReadFile(filepath.Join(dataDir, AddrFile))
	if err != nil {
		return remote{}, fmt.Errorf("finding the running node's address: %w", err)
	}
	token, err := os.ReadFile(filepath.Join(dataDir, AdminTokenFile))
	if err != nil {
		return remote{}, fmt.Errorf("reading the admin token: %w", err)
	}
	cfg, err := pki.ClientConfig(filepath.Join(dataDir, "tls", pki.CACertFile))
	if err != nil {
		return remote{}, err
	}
	url := "https://" + displayHost(strings.TrimSpace(string(addr)))
	return remote{url: url, token: strings.TrimSpace(string(token)),
		client: &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}, Timeout: 30 * time.Second}}, nil
}

// graphQL sends a GraphQL request and decodes its data into out; the first
// GraphQL error is returned as an error.
func (r remote) graphQL(ctx context.Context, query string, vars map[string]any, out any) error {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.url+"/graphql", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+r.token)
	resp, err := r.client.Do(req)
	if err != nil {
		return fmt.Errorf("calling the running node at %s: %w", r.url, err)
	}
	defer resp.Body.Close()
	var res struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		return fmt.Errorf("decoding the running node's answer (%s): %w", resp.Status, err)
	}
	if len(res.Errors) > 0 {
		return fmt.Errorf("the running node refused: %s", res.Errors[0].Message)
	}
	return json.Unmarshal(res.Data, out)
}
