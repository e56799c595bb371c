// Command stockmesh is the warehouse console client of a stockmesh node: an
// interactive menu without arguments, subcommands for scripts otherwise. Run
// `stockmesh help` for the commands and settings.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"

	"github.com/stockmesh/stockmesh/client/console"
)

// version is set at link time with -ldflags "-X main.version=…".
var version = ""

func main() {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt)
	stat, _ := os.Stdout.Stat()
	code := console.Run(context.Background(), os.Args[1:], console.Env{
		Stdin:      os.Stdin,
		Stdout:     os.Stdout,
		Stderr:     os.Stderr,
		Getenv:     os.Getenv,
		Interrupts: sigs,
		Terminal:   stat != nil && stat.Mode()&os.ModeCharDevice != 0,
		Version:    buildVersion(),
	})
	os.Exit(code)
}

// buildVersion returns the link-time version, else the module version or VCS
// revision recorded by the Go toolchain, else "devel".
func buildVersion() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return "devel-" + s.Value[:12]
		}
	}
	return "devel"
}
