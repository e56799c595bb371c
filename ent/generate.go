// Package ent is the generated data layer of a stockmesh node: the schema
// lives in ent/schema and the code beside this file is generated from it
// by entc.go (go generate ./ent). Only server/store uses it.
package ent

//go:generate go run -mod=mod entc.go
