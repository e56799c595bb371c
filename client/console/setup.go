package console

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/stockmesh/stockmesh/client/remote"
	"github.com/stockmesh/stockmesh/internal/api"
	"github.com/stockmesh/stockmesh/internal/atomicfile"
)

// refusal is a request the console itself turns down, with a sentence for
// the person; it exits 1 like a request the node refuses.
type refusal struct{ text string }

// Error returns the sentence.
func (e *refusal) Error() string { return e.text }

// explainSettings returns err, the failure to set up a client, as a usage
// error that says what was looked for when the CA came from the default
// (no --ca, STOCKMESH_CA or config file line) and how to point the client
// at a node.
func (a *app) explainSettings(err error) error {
	if a.explicit.CAFile != "" {
		return usagef("%s", a.p.T(msgErrConfig, err))
	}
	cwd, _ := os.Getwd()
	return usagef("%s\n%s", a.p.T(msgNoCA, a.settings.CAFile, cwd), a.p.T(msgNoSettings, a.configPath()))
}

// sentence is Sentence for this run: a node that refuses the token when
// none was found anywhere is explained as a missing setting.
func (a *app) sentence(err error) string {
	if remote.Code(err) == api.CodeUnauthenticated && a.settings.Token == "" {
		cwd, _ := os.Getwd()
		return a.p.T(msgNoToken, DefaultTokenFile, cwd) + "\n" + a.p.T(msgNoSettings, a.configPath())
	}
	return Sentence(a.p, a.settings.Server, err)
}

// configPath returns the config file's path, or a description of it when
// there is no home directory.
func (a *app) configPath() string {
	if p := DefaultConfigFile(a.env.Getenv); p != "" {
		return p
	}
	return "~/.config/stockmesh/config"
}

// setupConfigInit: config init [--force].
func setupConfigInit(fs *flag.FlagSet) runFunc {
	force := fs.Bool("force", false, "replace an existing config file")
	return func(ctx context.Context, a *app, args []string) error {
		if err := wantArgs(args); err != nil {
			return err
		}
		return a.configInit(*force)
	}
}

// configInit writes the config file from the settings this run resolved
// (flags, environment, the node's data folder in the working directory):
// the server, the CA as an absolute path, the token, and the language when
// one was chosen. It refuses to replace an existing file unless force, and
// to write a CA it cannot read.
func (a *app) configInit(force bool) error {
	path := DefaultConfigFile(a.env.Getenv)
	if path == "" {
		return usagef("%s", a.p.T(msgConfigNoHome))
	}
	if _, err := os.Stat(path); err == nil && !force {
		return &refusal{a.p.T(msgConfigExists, path)}
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("config init: %w", err)
	}
	ca, err := filepath.Abs(a.settings.CAFile)
	if err != nil {
		return fmt.Errorf("config init: %w", err)
	}
	if b, err := os.ReadFile(ca); err != nil || !strings.Contains(string(b), "BEGIN CERTIFICATE") {
		if err == nil {
			err = errors.New("no PEM certificate in it")
		}
		return usagef("%s", a.p.T(msgConfigNoCA, ca, err))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# stockmesh console settings, written by `stockmesh config init`.\n")
	fmt.Fprintf(&b, "# Flags and STOCKMESH_* variables override them.\n")
	fmt.Fprintf(&b, "server = %s\nca = %s\n", a.settings.Server, ca)
	token := a.p.T(msgConfigNoToken)
	if a.settings.Token != "" {
		fmt.Fprintf(&b, "token = %s\n", a.settings.Token)
		token = a.p.T(msgConfigToken)
	}
	if a.explicit.Lang != "" {
		fmt.Fprintf(&b, "lang = %s\n", a.explicit.Lang)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("config init: %w", err)
	}
	if err := atomicfile.Write(path, []byte(b.String()), 0o600); err != nil {
		return fmt.Errorf("config init: %w", err)
	}
	a.say(msgConfigWritten, path, a.settings.Server, ca, token)
	return nil
}
