package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
)

// parse sets each flag not given on the command line from its environment
// variable (--tls-san from STOCKMESH_TLS_SAN; repeatable flags take a
// comma-separated list), then parses args, which win.
func parse(fs *flag.FlagSet, args []string) error {
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		name := "STOCKMESH_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		v, ok := os.LookupEnv(name)
		if !ok || err != nil {
			return
		}
		values := []string{v}
		if f.Name == "tls-san" { // the one repeatable flag
			values = strings.Split(v, ",")
		}
		for _, part := range values {
			if e := fs.Set(f.Name, strings.TrimSpace(part)); e != nil {
				err = fmt.Errorf("%s: %w", name, e)
				return
			}
		}
	})
	if err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (see %s -h)", fs.Arg(0), fs.Name())
	}
	return nil
}
