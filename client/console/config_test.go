package console

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestResolvePrecedence(t *testing.T) {
	t.Chdir(t.TempDir()) // no ./data here
	tests := []struct {
		name             string
		flags, env, file Settings
		want             Settings
	}{
		{
			name: "defaults",
			want: Settings{Server: DefaultServer, CAFile: DefaultCAFile},
		},
		{
			name: "file over defaults",
			file: Settings{Server: "https://file:1", Token: "ft", CAFile: "file.crt", Lang: "es"},
			want: Settings{Server: "https://file:1", Token: "ft", CAFile: "file.crt", Lang: "es"},
		},
		{
			name: "env over file",
			env:  Settings{Server: "https://env:1", Token: "et"},
			file: Settings{Server: "https://file:1", Token: "ft", CAFile: "file.crt"},
			want: Settings{Server: "https://env:1", Token: "et", CAFile: "file.crt"},
		},
		{
			name:  "flag over env over file",
			flags: Settings{Token: "flag"},
			env:   Settings{Token: "et", CAFile: "env.crt"},
			file:  Settings{Token: "ft", CAFile: "file.crt", Server: "https://file:1"},
			want:  Settings{Server: "https://file:1", Token: "flag", CAFile: "env.crt"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Resolve(tt.flags, tt.env, tt.file); got != tt.want {
				t.Fatalf("Resolve = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestResolveReadsLocalToken(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, DefaultTokenFile), []byte("local-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := Resolve(Settings{}, Settings{}, Settings{}).Token; got != "local-token" {
		t.Fatalf("token = %q, want the one in ./data", got)
	}
	if got := Resolve(Settings{}, Settings{Token: "env"}, Settings{}).Token; got != "env" {
		t.Fatalf("token = %q, want the environment's", got)
	}
}

func TestResolveReadsLocalAddress(t *testing.T) {
	tests := []struct {
		name, addr string // addr "" writes no node.addr
		env        Settings
		want       string
	}{
		{name: "no node.addr", want: DefaultServer},
		{name: "every interface", addr: ":19001\n", want: "https://localhost:19001"},
		{name: "every IPv4 interface", addr: "0.0.0.0:19001\n", want: "https://localhost:19001"},
		{name: "every IPv6 interface", addr: "[::]:19001\n", want: "https://localhost:19001"},
		{name: "loopback", addr: "127.0.0.1:19001\n", want: "https://127.0.0.1:19001"},
		{name: "IPv6 loopback", addr: "[::1]:19001\n", want: "https://[::1]:19001"},
		{name: "not an address", addr: "garbage\n", want: DefaultServer},
		{name: "the environment wins", addr: "127.0.0.1:19001\n", env: Settings{Server: "https://env:1"}, want: "https://env:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			if tt.addr != "" {
				if err := os.MkdirAll(filepath.Join(dir, "data"), 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, DefaultAddrFile), []byte(tt.addr), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if got := Resolve(Settings{}, tt.env, Settings{}).Server; got != tt.want {
				t.Fatalf("server = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFileSettings(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		want    Settings
		wantErr bool
	}{
		{name: "keys and comments", text: "# stockmesh\nserver = https://mad:8443\ntoken=\"abc\"\n\nca = /etc/ca.crt\nlang = es\n",
			want: Settings{Server: "https://mad:8443", Token: "abc", CAFile: "/etc/ca.crt", Lang: "es"}},
		{name: "unknown key", text: "colour = red\n", wantErr: true},
		{name: "no equals", text: "server\n", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config")
			if err := os.WriteFile(path, []byte(tt.text), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := FileSettings(path)
			if tt.wantErr {
				if !errors.Is(err, ErrUsage) {
					t.Fatalf("err = %v, want ErrUsage", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("FileSettings = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
	if s, err := FileSettings(filepath.Join(t.TempDir(), "missing")); err != nil || s != (Settings{}) {
		t.Fatalf("missing file: %+v, %v; want empty settings", s, err)
	}
}

func TestDetectLang(t *testing.T) {
	tests := []struct {
		name    string
		flag    string
		env     map[string]string
		want    Lang
		wantErr bool
	}{
		{name: "nothing", want: English},
		{name: "LANG es", env: map[string]string{"LANG": "es_ES.UTF-8"}, want: Spanish},
		{name: "LANG en", env: map[string]string{"LANG": "en_GB.UTF-8"}, want: English},
		{name: "LC_ALL wins", env: map[string]string{"LC_ALL": "es_MX.UTF-8", "LANG": "en_US.UTF-8"}, want: Spanish},
		{name: "flag wins", flag: "en", env: map[string]string{"LANG": "es_ES.UTF-8"}, want: English},
		{name: "flag es", flag: "es", want: Spanish},
		{name: "bad flag", flag: "fr", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DetectLang(tt.flag, func(k string) string { return tt.env[k] })
			if (err != nil) != tt.wantErr || (!tt.wantErr && got != tt.want) {
				t.Fatalf("DetectLang = %v, %v; want %v (error %v)", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestDefaultConfigFile(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{name: "home", env: map[string]string{"HOME": "/home/ana"}, want: "/home/ana/.config/stockmesh/config"},
		{name: "xdg", env: map[string]string{"HOME": "/home/ana", "XDG_CONFIG_HOME": "/cfg"}, want: "/cfg/stockmesh/config"},
		{name: "none", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DefaultConfigFile(func(k string) string { return tt.env[k] }); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}
