package console

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/stockmesh/stockmesh/client/remote"
)

// setupTokenCreate: token create --role viewer|operator|admin --name NAME [--expires-in DURATION].
func setupTokenCreate(fs *flag.FlagSet) runFunc {
	role := fs.String("role", "", "viewer, operator or admin")
	name := fs.String("name", "", "who the token is for (recorded on every change made with it)")
	expires := fs.String("expires-in", "", "lifetime such as 720h (default: never expires)")
	return func(ctx context.Context, a *app, args []string) error {
		if err := wantArgs(args); err != nil {
			return err
		}
		switch *role {
		case "viewer", "operator", "admin":
		default:
			return usageT(msgUsageTokenRole)
		}
		if *name == "" {
			return usageT(msgUsageTokenName)
		}
		var exp *time.Time
		if *expires != "" {
			d, err := time.ParseDuration(*expires)
			if err != nil || d <= 0 {
				return usageT(msgUsageTokenExpires, *expires)
			}
			t := time.Now().Add(d).UTC().Truncate(time.Second)
			exp = &t
		}
		c, err := a.node()
		if err != nil {
			return err
		}
		t, err := c.CreateToken(ctx, *name, *role, exp)
		if err != nil {
			return err
		}
		return a.show(t, func(out io.Writer) {
			fmt.Fprintln(out, a.p.T(msgTokenCreated, t.ID, t.Name, t.Role))
			fmt.Fprintln(out, t.Token)
		})
	}
}

// setupTokenList: token list.
func setupTokenList(*flag.FlagSet) runFunc {
	return func(ctx context.Context, a *app, args []string) error {
		if err := wantArgs(args); err != nil {
			return err
		}
		c, err := a.node()
		if err != nil {
			return err
		}
		ts, err := c.Tokens(ctx)
		if err != nil {
			return err
		}
		return a.show(ts, func(out io.Writer) { writeTokens(out, a.p, a.env.Terminal, ts) })
	}
}

// setupTokenRevoke: token revoke ID.
func setupTokenRevoke(*flag.FlagSet) runFunc {
	return func(ctx context.Context, a *app, args []string) error {
		if err := wantArgs(args, "ID"); err != nil {
			return err
		}
		c, err := a.node()
		if err != nil {
			return err
		}
		t, err := c.RevokeToken(ctx, args[0])
		if err != nil {
			return err
		}
		a.say(msgTokenRevoked, t.ID, t.Name)
		if a.json {
			return a.show(t, nil)
		}
		return nil
	}
}

// writeTokens prints the node's tokens as a table.
func writeTokens(out io.Writer, p Printer, ansi bool, ts []remote.Token) {
	t := newTable(p.T(msgColID), p.T(msgColName), p.T(msgColRole), p.T(msgColCreated), p.T(msgColExpires), p.T(msgColStatus))
	now := time.Now()
	for _, tok := range ts {
		status := msgTokenActive
		switch {
		case tok.RevokedAt != nil:
			status = msgTokenRevokedStatus
		case tok.ExpiresAt != nil && !now.Before(*tok.ExpiresAt):
			status = msgTokenExpired
		}
		exp := ""
		if tok.ExpiresAt != nil {
			exp = tok.ExpiresAt.Local().Format(time.DateTime)
		}
		t.add(tok.ID, tok.Name, tok.Role, tok.CreatedAt.Local().Format(time.DateTime), exp, p.T(status))
	}
	t.write(out, ansi)
}
