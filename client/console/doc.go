// Package console is the warehouse floor's view of a stockmesh node: the
// numbered interactive menu, the prompts that validate what people type, the
// tables that show the answers, the live stock screen, and the same actions as
// subcommands for scripts (Run). Every sentence it shows comes from one
// English/Spanish catalog.
package console
