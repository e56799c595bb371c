package console

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSettingsHelp: run where there is no node's data folder and nothing
// is configured, the console says what it looked for and how to point it
// at a node; `config init` writes the config file once, after which the
// console works from any directory with nothing else set.
func TestSettingsHelp(t *testing.T) {
	url, ca := fakeNode(t)
	home := t.TempDir()
	elsewhere := t.TempDir()
	t.Chdir(elsewhere)
	config := filepath.Join(home, ".config", "stockmesh", "config")
	run := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		env := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, Version: "test",
			Getenv: func(k string) string { return map[string]string{"HOME": home}[k] }}
		code := Run(context.Background(), args, env)
		return code, out.String(), errOut.String()
	}
	steps := []struct {
		name    string
		args    []string
		code    int
		out     []string
		errOut  []string
		written bool // whether the config file exists after the step
	}{
		{name: "nothing set", args: []string{"products"}, code: 2, errOut: []string{
			"Cannot connect: no CA certificate at data/tls/ca.crt (the default, looked for in " + elsewhere,
			"--server URL --ca FILE --token TOKEN", "STOCKMESH_SERVER, STOCKMESH_CA and STOCKMESH_TOKEN", config, `"stockmesh config init"`}},
		{name: "nothing set spanish", args: []string{"--lang", "es", "products"}, code: 2, errOut: []string{
			"No se puede conectar: no hay certificado de CA en data/tls/ca.crt", "STOCKMESH_SERVER, STOCKMESH_CA y STOCKMESH_TOKEN"}},
		{name: "no token", args: []string{"products", "--server", url, "--ca", ca}, code: 1, errOut: []string{
			"Not allowed: no token was given, and there is no data/admin.token in " + elsewhere, "--token TOKEN"}},
		{name: "init without a CA", args: []string{"config", "init", "--server", url, "--token", "tok"}, code: 2, errOut: []string{
			"config init: cannot read the CA certificate " + filepath.Join(elsewhere, "data/tls/ca.crt")}},
		{name: "init", args: []string{"config", "init", "--server", url, "--ca", ca, "--token", "tok"}, out: []string{
			"Wrote " + config + ": server " + url + ", CA " + ca + ", the token"}, written: true},
		{name: "works from anywhere", args: []string{"product", "get", "A1"}, out: []string{"Bolt"}, written: true},
		{name: "init once", args: []string{"config", "init", "--server", "https://other:1", "--ca", ca, "--token", "x"}, code: 1,
			errOut: []string{config + " already exists; nothing was written. Add --force to replace it."}, written: true},
		{name: "still the first", args: []string{"product", "get", "A1"}, out: []string{"Bolt"}, written: true},
		{name: "init forced", args: []string{"config", "init", "--force", "--server", url, "--ca", ca, "--token", "nope"},
			out: []string{"Wrote " + config}, written: true},
		{name: "forced took effect", args: []string{"product", "get", "A1"}, code: 1, errOut: []string{"Not allowed"}, written: true},
	}
	for _, st := range steps {
		code, out, errOut := run(st.args...)
		if code != st.code {
			t.Fatalf("%s: exit %d, want %d\nstdout: %s\nstderr: %s", st.name, code, st.code, out, errOut)
		}
		for _, w := range st.out {
			if !strings.Contains(out, w) {
				t.Errorf("%s: stdout lacks %q:\n%s", st.name, w, out)
			}
		}
		for _, w := range st.errOut {
			if !strings.Contains(errOut, w) {
				t.Errorf("%s: stderr lacks %q:\n%s", st.name, w, errOut)
			}
		}
		if _, err := os.Stat(config); (err == nil) != st.written {
			t.Fatalf("%s: config file exists: %v, want %v", st.name, err == nil, st.written)
		}
	}
	if fi, err := os.Stat(config); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the config file holds a token but is not private: %v %v", fi.Mode(), err)
	}
}
