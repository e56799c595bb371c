//go:build ignore

// Command entc generates the ent code of stockmesh from ./schema; run it
// with go generate ./ent.
package main

import (
	"log"

	"entgo.io/ent/entc"
	"entgo.io/ent/entc/gen"
)

func main() {
	if err := entc.Generate("./schema", Config()); err != nil {
		log.Fatalf("running ent codegen: %v", err)
	}
}

// Config is the generator configuration; the staleness test uses the same
// settings through gen_test.go.
func Config() *gen.Config {
	return &gen.Config{}
}
