// Package e2e holds the end-to-end tests of a stockmesh node: they start
// real stockmeshd processes on 127.0.0.1 with data in temp dirs (through
// internal/testnode) and talk to them over HTTPS as clients would.
package e2e
