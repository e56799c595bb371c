package console

import (
	"slices"
	"strings"
)

// groupLines returns the usage lines, in p's language, of the commands
// whose first word is word when it names a group of several (product,
// stock), and "" otherwise. The lines come from the usage text, so the
// two never disagree.
func groupLines(p Printer, word string) string {
	n := 0
	for _, c := range commands() {
		if len(c.words) > 1 && c.words[0] == word {
			n++
		}
	}
	if n == 0 {
		return ""
	}
	var lines []string
	for line := range strings.Lines(p.T(msgUsage)) {
		if strings.HasPrefix(line, "  "+word+" ") {
			lines = append(lines, strings.TrimRight(line, "\n"))
		}
	}
	return strings.Join(slices.Compact(lines), "\n")
}

// groupError is the usage error for words that name a group without one
// of its commands (`stockmesh product`) or with an unknown one (`stockmesh
// product frob`), listing the group's commands; nil when words[0] is not
// a group.
func groupError(p Printer, words []string) error {
	lines := groupLines(p, words[0])
	switch {
	case lines == "":
		return nil
	case len(words) == 1:
		return usagef("%s", p.T(msgGroupUsage, words[0], lines))
	}
	return usagef("%s", p.T(msgGroupUnknown, strings.Join(words, " "), words[0], lines))
}
