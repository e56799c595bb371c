package console

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// globals are the flags every command accepts.
type globals struct {
	settings Settings
	json     bool
	version  bool
}

// register adds the global flags to fs.
func (g *globals) register(fs *flag.FlagSet) {
	fs.StringVar(&g.settings.Server, "server", "", "node URL")
	fs.StringVar(&g.settings.Token, "token", "", "access token")
	fs.StringVar(&g.settings.CAFile, "ca", "", "CA certificate file")
	fs.StringVar(&g.settings.Lang, "lang", "", "language: en or es")
	fs.BoolVar(&g.json, "json", false, "machine-readable output")
	fs.BoolVar(&g.version, "version", false, "print the version, as the version command does")
}

// isBoolFlag reports whether the flag name takes no value.
func isBoolFlag(name string) bool {
	switch name {
	case "json", "yes", "y", "h", "help", "version", "allow-repeat", "force":
		return true
	}
	return false
}

// Run runs stockmesh with args (without the program name): the interactive
// menu when there are none, else the command they name. It returns the exit
// code: 0 success, 1 refused request, 2 usage, 3 node unreachable.
func Run(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	words := findCommand(args)
	cmd, ok := lookup(words)
	var g globals
	fs := flag.NewFlagSet("stockmesh", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	g.register(fs)
	globalFlags := map[string]bool{}
	fs.VisitAll(func(f *flag.Flag) { globalFlags[f.Name] = true })
	var run runFunc
	if ok {
		run = cmd.setup(fs)
	}
	pos, perr := parseInterspersed(fs, args)
	a, err := newApp(env, g)
	if err != nil {
		fmt.Fprintln(env.Stderr, err)
		return ExitUsage
	}
	defer a.close()
	switch {
	case errors.Is(perr, flag.ErrHelp) || (len(words) > 0 && words[0] == "help"):
		fmt.Fprint(env.Stdout, a.p.T(msgUsage))
		return ExitOK
	case perr != nil:
		var own []string // the command's flags, for a mistyped one
		fs.VisitAll(func(f *flag.Flag) {
			if !globalFlags[f.Name] {
				own = append(own, "--"+f.Name)
			}
		})
		return a.usage(flagProblem(a.p, perr, strings.Join(cmd.words, " "), own))
	case g.version && len(words) == 0:
		if err := runVersion(ctx, a, nil); err != nil {
			return a.fail(err)
		}
		return ExitOK
	case len(words) == 0:
		return a.menu(ctx)
	case !ok && groupError(a.p, words) != nil:
		return a.fail(groupError(a.p, words))
	case !ok:
		return a.usage(a.p.T(msgUsageUnknownCommand, strings.Join(words, " ")))
	}
	if cmd.interruptible {
		var stop context.CancelFunc
		ctx, stop = withInterrupt(ctx, env.Interrupts)
		defer stop()
	}
	if err := run(ctx, a, pos[len(cmd.words):]); err != nil {
		return a.fail(err)
	}
	return ExitOK
}

// newApp resolves the settings and language.
func newApp(env Env, g globals) (*app, error) {
	file, err := FileSettings(DefaultConfigFile(env.Getenv))
	if err != nil {
		return nil, err
	}
	s := Resolve(g.settings, EnvSettings(env.Getenv), file)
	lang, err := DetectLang(s.Lang, env.Getenv)
	if err != nil {
		return nil, fmt.Errorf("unknown language %q; use en or es", s.Lang)
	}
	explicit := g.settings.merge(EnvSettings(env.Getenv)).merge(file)
	return &app{env: env, p: NewPrinter(lang), settings: s, explicit: explicit, json: g.json}, nil
}

// usage reports a usage problem, said in the person's language, and
// returns ExitUsage.
func (a *app) usage(problem string) int {
	return a.fail(usageT(msgUsageSeeHelp, problem))
}

// flagProblem says in p's language what is wrong with a flag, as the flag
// package found it: an unknown one (naming the flags command takes, when
// it takes some), one without its value, or a value it cannot take.
func flagProblem(p Printer, err error, command string, flags []string) string {
	s := err.Error()
	var name, value string
	switch {
	case strings.HasPrefix(s, "flag provided but not defined: "):
		name = "-" + strings.TrimPrefix(s, "flag provided but not defined: ")
		if command == "" || len(flags) == 0 {
			return p.T(msgUsageFlagUnknown, name)
		}
		return p.T(msgUsageFlagUnknownTakes, name, command, strings.Join(flags, ", "))
	case strings.HasPrefix(s, "flag needs an argument: "):
		return p.T(msgUsageFlagNoValue, "-"+strings.TrimPrefix(s, "flag needs an argument: "))
	case scanned(s, "invalid value %q for flag %s", &value, &name), scanned(s, "invalid boolean value %q for %s", &value, &name):
		return p.T(msgUsageFlagBadValue, "-"+strings.TrimSuffix(name, ":"), value)
	}
	return s
}

// scanned reports whether s starts as format says, filling args.
func scanned(s, format string, args ...any) bool {
	n, _ := fmt.Sscanf(s, format, args...)
	return n == len(args)
}

// findCommand returns the leading positional words of args (up to two),
// skipping flags and the values of flags that take one.
func findCommand(args []string) []string {
	var words []string
	for i := 0; i < len(args) && len(words) < 2; i++ {
		arg := args[i]
		if arg == "--" {
			break
		}
		if strings.HasPrefix(arg, "-") && len(arg) > 1 && !isNumber(arg) {
			if takesValue(arg) {
				i++
			}
			continue
		}
		words = append(words, arg)
	}
	return words
}

// parseInterspersed parses flags anywhere among args and returns the
// positional arguments in order. Negative numbers such as -3 are positional
// unless they follow a flag that takes a value.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for len(args) > 0 {
		if isNumber(args[0]) {
			pos, args = append(pos, args[0]), args[1:]
			continue
		}
		k := nextNegative(args)
		if err := fs.Parse(args[:k]); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			args = args[k:]
			continue
		}
		pos = append(pos, rest[0])
		args = slices.Concat(rest[1:], args[k:])
	}
	return pos, nil
}

// nextNegative returns the index of the first negative number in args that
// is not a flag's value, or len(args).
func nextNegative(args []string) int {
	for i, a := range args {
		if strings.HasPrefix(a, "-") && isNumber(a) && (i == 0 || !takesValue(args[i-1])) {
			return i
		}
	}
	return len(args)
}

// takesValue reports whether arg is a flag whose value is the next argument.
func takesValue(arg string) bool {
	if !strings.HasPrefix(arg, "-") || isNumber(arg) {
		return false
	}
	name := strings.TrimLeft(arg, "-")
	return name != "" && !strings.Contains(name, "=") && !isBoolFlag(name)
}

// isNumber reports whether s is a whole number, possibly signed.
func isNumber(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil
}
