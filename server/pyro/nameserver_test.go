package pyro

import (
	"context"
	"net"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestNameServerMethods(t *testing.T) {
	self := URI{NameServerName, "127.0.0.1", 9090}
	ns := newNameServer(self)
	ctx := context.Background()
	call := func(method string, args []any, kwargs Dict) (any, error) {
		return ns.invoke(ctx, method, args, kwargs)
	}
	steps := []struct {
		name      string
		method    string
		args      []any
		kwargs    Dict
		want      any
		wantClass string
	}{
		{"register string uri", "register", []any{"a.uno", "PYRO:o1@127.0.0.1:1"}, Dict{{"metadata", Set{"tag1", "tag2"}}}, nil, ""},
		{"register uri dict", "register", []any{"a.dos", URI{"o2", "127.0.0.1", 2}.classDict()}, nil, nil, ""},
		{"safe duplicate", "register", []any{"a.uno", "PYRO:x@h:3"}, Dict{{"safe", true}}, nil, pyNamingError},
		{"bad uri", "register", []any{"b", "PYRONAME:x"}, nil, nil, pyPyroError},
		{"str metadata", "register", []any{"b", "PYRO:x@h:3", "safe-no", "tag"}, nil, nil, pyTypeError},
		{"lookup", "lookup", []any{"a.dos"}, nil, URI{"o2", "127.0.0.1", 2}, ""},
		{"lookup with metadata", "lookup", []any{"a.uno"}, Dict{{"return_metadata", true}},
			Tuple{URI{"o1", "127.0.0.1", 1}, List{"tag1", "tag2"}}, ""},
		{"lookup unknown", "lookup", []any{"zzz"}, nil, nil, pyNamingError},
		{"count", "count", nil, nil, int64(3), ""},
		{"list prefix", "list", nil, Dict{{"prefix", "a."}},
			Dict{{"a.dos", "PYRO:o2@127.0.0.1:2"}, {"a.uno", "PYRO:o1@127.0.0.1:1"}}, ""},
		{"list regex", "list", nil, Dict{{"regex", `a\.u`}}, Dict{{"a.uno", "PYRO:o1@127.0.0.1:1"}}, ""},
		{"list regex is anchored", "list", nil, Dict{{"regex", `uno`}}, Dict{}, ""},
		{"list metadata_all", "list", nil, Dict{{"metadata_all", List{"tag1", "tag2"}}, {"return_metadata", true}},
			Dict{{"a.uno", Tuple{"PYRO:o1@127.0.0.1:1", List{"tag1", "tag2"}}}}, ""},
		{"list metadata_any", "list", nil, Dict{{"metadata_any", Set{"tag2", "x"}}}, Dict{{"a.uno", "PYRO:o1@127.0.0.1:1"}}, ""},
		{"two filters", "list", []any{"a", "b"}, nil, nil, pyValueError},
		{"bad regex", "list", nil, Dict{{"regex", "("}}, nil, pyNamingError},
		{"set_metadata", "set_metadata", []any{"a.dos", List{"m"}}, nil, nil, ""},
		{"set_metadata unknown", "set_metadata", []any{"zzz", List{}}, nil, nil, pyNamingError},
		{"remove self refused", "remove", []any{NameServerName}, nil, int64(0), ""},
		{"remove prefix", "remove", nil, Dict{{"prefix", "a."}}, int64(2), ""},
		{"count after", "count", nil, nil, int64(1), ""},
		{"ping", "ping", nil, nil, nil, ""},
	}
	for _, st := range steps {
		got, err := call(st.method, st.args, st.kwargs)
		if st.wantClass != "" {
			if pe, ok := err.(*PyError); !ok || pe.Class != st.wantClass {
				t.Errorf("%s: error %v, want %s", st.name, err, st.wantClass)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, st.want) {
			t.Errorf("%s: got %#v, %v; want %#v", st.name, got, err, st.want)
		}
	}
}

// TestPythonNSCEmbedded drives the embedded name server with Pyro4's own
// command-line tool.
func TestPythonNSCEmbedded(t *testing.T) {
	needPyro4(t)
	s := startServer(t, Config{Listen: "127.0.0.1:0", EmbeddedNS: "127.0.0.1:0"}, newMemInventory())
	nsPort := strconv.Itoa(s.NSAddr().(*net.TCPAddr).Port)
	nsc := func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, python, append([]string{"-m", "Pyro4.nsc", "-n", "127.0.0.1", "-p", nsPort}, args...)...)
		cmd.Env = pyEnv(s.NSAddr(), "")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("nsc %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"ping"}, "Name server ping ok."},
		{[]string{"list"}, "inventario.servicio --> " + s.URI().String()},
		{[]string{"register", "otro.servicio", "PYRO:otro@127.0.0.1:5"}, "Registered otro.servicio"},
		{[]string{"lookup", "otro.servicio"}, "PYRO:otro@127.0.0.1:5"},
		{[]string{"setmeta", "otro.servicio", "tag1"}, "Metadata updated"},
		{[]string{"listmeta_all", "tag1"}, "otro.servicio --> PYRO:otro@127.0.0.1:5"},
		{[]string{"remove", "otro.servicio"}, "Removed"},
	} {
		if out := nsc(tc.args...); !strings.Contains(out, tc.want) {
			t.Errorf("nsc %v: output lacks %q:\n%s", tc.args, tc.want, out)
		}
	}
}
