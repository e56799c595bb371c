package console

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
)

// Defaults used when no flag, variable or config file says otherwise: the
// node that `make run` starts in the current directory. Its server is the
// address the node wrote in DefaultAddrFile when there is one, else
// DefaultServer.
const (
	DefaultServer    = "https://localhost:8443"
	DefaultTokenFile = "data/admin.token"
	DefaultCAFile    = "data/tls/ca.crt"
	DefaultAddrFile  = "data/node.addr"
)

// Settings are the connection settings and language. Empty fields are unset.
type Settings struct {
	Server string
	Token  string
	CAFile string
	Lang   string
}

// merge returns s with its empty fields taken from under.
func (s Settings) merge(under Settings) Settings {
	pick := func(a, b string) string {
		if a != "" {
			return a
		}
		return b
	}
	return Settings{
		Server: pick(s.Server, under.Server),
		Token:  pick(s.Token, under.Token),
		CAFile: pick(s.CAFile, under.CAFile),
		Lang:   pick(s.Lang, under.Lang),
	}
}

// EnvSettings reads STOCKMESH_SERVER, STOCKMESH_TOKEN and STOCKMESH_CA.
func EnvSettings(getenv func(string) string) Settings {
	return Settings{
		Server: getenv("STOCKMESH_SERVER"),
		Token:  getenv("STOCKMESH_TOKEN"),
		CAFile: getenv("STOCKMESH_CA"),
	}
}

// FileSettings reads a config file of "key = value" lines (keys server,
// token, ca, lang; # starts a comment). A missing file gives empty Settings.
func FileSettings(path string) (Settings, error) {
	var s Settings
	if path == "" {
		return s, nil
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("reading config: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, val, ok := strings.Cut(line, "=")
		if !ok || !s.set(strings.TrimSpace(key), strings.Trim(strings.TrimSpace(val), `"`)) {
			return s, fmt.Errorf("reading config %s line %d %q: %w", path, n, line, ErrUsage)
		}
	}
	if err := sc.Err(); err != nil {
		return s, fmt.Errorf("reading config %s: %w", path, err)
	}
	return s, nil
}

// set assigns one config file key and reports whether it is known.
func (s *Settings) set(key, val string) bool {
	switch strings.ToLower(key) {
	case "server":
		s.Server = val
	case "token":
		s.Token = val
	case "ca":
		s.CAFile = val
	case "lang":
		s.Lang = val
	default:
		return false
	}
	return true
}

// DefaultConfigFile returns ~/.config/stockmesh/config (under
// $XDG_CONFIG_HOME when set), or "" when there is no home directory.
func DefaultConfigFile(getenv func(string) string) string {
	if dir := getenv("XDG_CONFIG_HOME"); dir != "" {
		return filepath.Join(dir, "stockmesh", "config")
	}
	home := getenv("HOME")
	if home == "" {
		return ""
	}
	return filepath.Join(home, ".config", "stockmesh", "config")
}

// Resolve layers the settings: flags over environment over config file over
// the local defaults. Without a server anywhere, it uses the address in
// DefaultAddrFile (relative to the working directory) when that file
// exists, else DefaultServer; without a token anywhere, it reads
// DefaultTokenFile when that file exists.
func Resolve(flags, env, file Settings) Settings {
	s := flags.merge(env).merge(file)
	s = s.merge(Settings{Server: localServer(), CAFile: DefaultCAFile})
	if s.Token == "" {
		if b, err := os.ReadFile(DefaultTokenFile); err == nil {
			s.Token = strings.TrimSpace(string(b))
		}
	}
	return s
}

// localServer returns the URL of the node whose address is in
// DefaultAddrFile, as this machine reaches it (an address on every
// interface is reached as localhost, which the node's certificate names),
// or DefaultServer when there is no such file or it names no address.
func localServer() string {
	b, err := os.ReadFile(DefaultAddrFile)
	if err != nil {
		return DefaultServer
	}
	host, port, err := net.SplitHostPort(strings.TrimSpace(string(b)))
	if err != nil || port == "" {
		return DefaultServer
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return "https://" + net.JoinHostPort(host, port)
}
