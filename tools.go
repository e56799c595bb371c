//go:build tools

// Package tools pins the code generators that go generate runs, so that
// go.mod records their versions.
package tools

import (
	_ "entgo.io/ent/cmd/ent"
	_ "github.com/99designs/gqlgen"
)
