//go:build nosign

package store

// signing is off in a binary built with the nosign tag: the bench's
// comparison node, whose log no member would accept.
const signing = false
