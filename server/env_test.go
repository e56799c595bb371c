package main

import (
	"slices"
	"testing"
)

func TestParseEnvAndFlags(t *testing.T) {
	cases := []struct {
		name     string
		env      map[string]string
		args     []string
		wantData string
		wantName string
		wantSANs []string
		wantErr  bool
	}{
		{name: "defaults", wantData: "data"},
		{name: "environment", env: map[string]string{"STOCKMESH_DATA": "/srv/wh", "STOCKMESH_NAME": "Madrid, Norte"},
			wantData: "/srv/wh", wantName: "Madrid, Norte"},
		{name: "flag beats environment", env: map[string]string{"STOCKMESH_DATA": "/srv/wh"}, args: []string{"--data", "/tmp/x"},
			wantData: "/tmp/x"},
		{name: "repeatable flag splits on commas", env: map[string]string{"STOCKMESH_TLS_SAN": "a.example, 10.0.0.7"},
			args: []string{"--tls-san", "b.example"}, wantData: "data", wantSANs: []string{"a.example", "10.0.0.7", "b.example"}},
		{name: "unknown flag", args: []string{"--nope"}, wantErr: true},
		{name: "stray argument", args: []string{"serve"}, wantErr: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			var data, queue, name string
			var sans []string
			fs := flags("test", &data, &queue)
			fs.SetOutput(discard{})
			fs.StringVar(&name, "name", "", "")
			fs.Func("tls-san", "", func(s string) error { sans = append(sans, s); return nil })
			err := parse(fs, c.args)
			if (err != nil) != c.wantErr {
				t.Fatalf("err %v, want error %v", err, c.wantErr)
			}
			if c.wantErr {
				return
			}
			if data != c.wantData || name != c.wantName || !slices.Equal(sans, c.wantSANs) {
				t.Fatalf("got data %q name %q sans %q", data, name, sans)
			}
		})
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
