//go:build ignore

// Command entc generates the ent code of stockmesh from ./schema; run it
// with go generate ./ent. gen_test.go regenerates with the same (default)
// settings and fails when the committed code is stale.
package main

import (
	"log"

	"entgo.io/ent/entc"
	"entgo.io/ent/entc/gen"
)

func main() {
	if err := entc.Generate("./schema", &gen.Config{}); err != nil {
		log.Fatalf("running ent codegen: %v", err)
	}
}
