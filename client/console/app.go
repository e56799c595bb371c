package console

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/stockmesh/stockmesh/client/remote"
)

// Env is what Run needs from the process: its streams, environment and
// interrupts, so that tests can supply their own.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads an environment variable (os.Getenv in the binary).
	Getenv func(string) string
	// Interrupts delivers Ctrl-C (SIGINT). Nil means none ever arrive.
	Interrupts <-chan os.Signal
	// Terminal reports whether Stdout is a terminal; tables then use ANSI
	// bold and reverse video.
	Terminal bool
	// Version is what `stockmesh version` prints.
	Version string
	// Logger receives debug detail such as retries; nil discards it.
	Logger *slog.Logger
}

// app is one run of the command: settings, language, output and the node.
type app struct {
	env      Env
	p        Printer
	settings Settings
	explicit Settings // what flags, environment and config file set, without defaults
	json     bool
	client   *remote.Client
	prompter *Prompter
}

// node returns the client for the configured node, creating it on first use.
func (a *app) node() (*remote.Client, error) {
	if a.client != nil {
		return a.client, nil
	}
	c, err := remote.NewClient(remote.Config{
		ServerURL: a.settings.Server,
		Token:     a.settings.Token,
		CAFile:    a.settings.CAFile,
		Logger:    a.env.Logger,
	})
	if err != nil {
		return nil, a.explainSettings(err)
	}
	a.client = c
	return c, nil
}

// prompts returns the Prompter over stdin, creating it on first use. With
// --json its questions go to stderr, keeping stdout machine-readable.
func (a *app) prompts() *Prompter {
	if a.prompter == nil {
		out := a.env.Stdout
		if a.json {
			out = a.env.Stderr
		}
		a.prompter = NewPrompter(a.env.Stdin, out, a.p)
	}
	return a.prompter
}

// close releases the client and the prompter.
func (a *app) close() {
	if a.client != nil {
		a.client.Close()
	}
	if a.prompter != nil {
		a.prompter.Close()
	}
}

// show prints v as JSON with --json, else calls text.
func (a *app) show(v any, text func(out io.Writer)) error {
	if a.json {
		enc := json.NewEncoder(a.env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			return fmt.Errorf("writing JSON: %w", err)
		}
		return nil
	}
	text(a.env.Stdout)
	return nil
}

// say prints a sentence unless the output is JSON.
func (a *app) say(id msg, args ...any) {
	if !a.json {
		fmt.Fprintln(a.env.Stdout, a.p.T(id, args...))
	}
}

// fail reports err the way the output mode wants and returns its exit code.
func (a *app) fail(err error) int {
	sentence := a.sentence(err)
	if a.json {
		out := map[string]any{"error": map[string]string{"code": errorCode(err), "message": sentence}}
		enc := json.NewEncoder(a.env.Stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(out)
	} else {
		fmt.Fprintln(a.env.Stderr, sentence)
	}
	if a.env.Logger != nil {
		a.env.Logger.Debug("command failed", "err", err)
	}
	return ExitCode(err)
}

// withInterrupt returns a context that ends when ctx does or when an
// interrupt arrives, and a stop func to call when done with it.
func withInterrupt(ctx context.Context, sigs <-chan os.Signal) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	stop := make(chan struct{})
	go func() {
		select {
		case <-sigs:
			cancel()
		case <-stop:
		case <-ctx.Done():
		}
	}()
	return ctx, func() {
		close(stop)
		cancel()
	}
}
