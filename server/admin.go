package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/stockmesh/stockmesh/server/node"
)

// admin runs the join-token and leave subcommands, through the running node
// when one serves the data folder.
func admin(ctx context.Context, cmd string, args []string, log *slog.Logger) error {
	var data, queue string
	fs := flags("stockmeshd "+cmd, &data, &queue)
	expires := fs.Int("expires-in", 3600, "seconds the join token is accepted (join-token)")
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
	t, err := node.IssueJoinToken(ctx, data, time.Duration(*expires)*time.Second, log)
	if err != nil {
		return err
	}
	fmt.Println(t.Token)
	log.Info("join token issued", "expires_at", t.ExpiresAt.Format(time.RFC3339))
	return nil
}
