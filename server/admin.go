package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/member"
	"github.com/stockmesh/stockmesh/server/node"
)

// token runs "token create": an API token (by default an admin's, for when
// no admin token is at hand) issued through the running node, or offline
// when none serves the data folder.
func token(ctx context.Context, args []string, log *slog.Logger) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: stockmeshd token create --data DIR [--role viewer|operator|admin] [--name NAME] [--expires-in SECONDS]")
	}
	var data, queue string
	fs := flags("stockmeshd token create", &data, &queue)
	roleName := fs.String("role", "admin", "viewer, operator or admin")
	name := fs.String("name", "admin", "who the token is for (recorded on every change made with it)")
	expires := fs.Int("expires-in", 0, "seconds the token works (default: never expires)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	role, err := auth.ParseRole(*roleName)
	switch {
	case queue != "":
		return errors.New("token create takes no --queue")
	case err != nil:
		return fmt.Errorf("--role must be viewer, operator or admin: %w", err)
	case *name == "":
		return errors.New("token create needs --name")
	case *expires < 0:
		return errors.New("--expires-in must not be negative")
	}
	var exp *time.Time
	if *expires > 0 {
		t := time.Now().Add(time.Duration(*expires) * time.Second).UTC()
		exp = &t
	}
	secret, err := node.CreateToken(ctx, data, *name, role, exp, log)
	if err != nil {
		return err
	}
	fmt.Println(secret)
	return nil
}

// keys runs "keys rotate": a new key for data at rest, through the running
// node when one serves the data folder, else offline (see node.RotateKeys).
func keys(ctx context.Context, args []string, log *slog.Logger) error {
	if len(args) == 0 || args[0] != "rotate" {
		return errors.New("usage: stockmeshd keys rotate --data DIR")
	}
	var data, queue string
	fs := flags("stockmeshd keys rotate", &data, &queue)
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if queue != "" {
		return errors.New("keys rotate takes no --queue")
	}
	id, err := node.RotateKeys(ctx, data, log)
	if err != nil {
		return err
	}
	fmt.Println(id)
	return nil
}

// admin runs the join-token and leave subcommands, through the running node
// when one serves the data folder.
func admin(ctx context.Context, cmd string, args []string, log *slog.Logger) error {
	var data, queue string
	fs := flags("stockmeshd "+cmd, &data, &queue)
	expires := fs.Int("expires-in", 3600, "seconds the join token is accepted (join-token)")
	warehouse := fs.String("warehouse", "", "the only warehouse id the join token admits (join-token; default: one that has never been a member)")
	rejoin := fs.Bool("rejoin", false, "the join token admits --warehouse again though it is a member: a wiped node's recovery (join-token, on the node holding the CA)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if queue != "" {
		return errors.New(cmd + " takes no --queue")
	}
	if cmd == "leave" {
		if err := node.Leave(ctx, data, log); err != nil {
			return err
		}
		fmt.Println("left the network")
		return nil
	}
	if *rejoin && *warehouse == "" {
		return errors.New("join-token --rejoin needs --warehouse ID")
	}
	spec := member.TokenSpec{TTL: time.Duration(*expires) * time.Second, Warehouse: *warehouse, Rejoin: *rejoin}
	t, err := node.IssueJoinToken(ctx, data, spec, log)
	if err != nil {
		return err
	}
	fmt.Println(t.Token)
	log.Info("join token issued", "expires_at", t.ExpiresAt.Format(time.RFC3339))
	return nil
}
