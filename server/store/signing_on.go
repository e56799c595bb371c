//go:build !nosign

package store

// signing reports whether the writer signs its log's heads. Only the
// bench's comparison binary (built with the nosign tag, to measure what
// signing costs) turns it off: a node that signs nothing is refused by
// every member.
const signing = true
