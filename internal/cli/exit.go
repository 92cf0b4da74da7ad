package cli

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/schema"
)

// The process exit statuses of sailsync. plan and drift use exitChanges so that a CI job can
// tell "the tenant differs" from "sailsync failed".
const (
	// exitOK: done; for plan and drift, nothing to change.
	exitOK = 0
	// exitFailure: an error, an invalid repository, a violation, or an apply that did not finish.
	exitFailure = 1
	// exitChanges: plan has changes to apply; drift found the tenant drifted.
	exitChanges = 2
)

// exitError carries a command's exit status and the message main prints for it. A nil err means
// the command has already reported the failure to the user, so main prints nothing more.
type exitError struct {
	code int
	err  error
}

// exitWith returns the error that makes main exit with code, printing err when it is not nil.
func exitWith(code int, err error) error { return &exitError{code: code, err: err} }

// Error is the wrapped error's message.
func (e *exitError) Error() string {
	if e.err != nil {
		return e.err.Error()
	}
	return fmt.Sprintf("exit status %d", e.code)
}

// Unwrap returns the wrapped error.
func (e *exitError) Unwrap() error { return e.err }

// exitStatus maps a command's error to the process exit status and the message to print after
// "sailsync: " on stderr ("" for none). main and the tests' runCLI both use it.
func exitStatus(err error) (code int, msg string) {
	if err == nil {
		return exitOK, ""
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			msg = ee.err.Error()
		}
		return ee.code, msg
	}
	return exitFailure, err.Error()
}

// multiLineError is an error whose message is a list of lines of sailsync's own (a heading and
// one item a line): main prints each on a line of its own and escapes each on its own, so that a
// value holding a line break still cannot start a line.
type multiLineError interface {
	error
	Lines() []string
}

// errorLines is msg, the message of err, as main prints it after "sailsync: ": escaped lines,
// several only for a multiLineError (after whatever prefix wrapping added to its first line).
func errorLines(err error, msg string) []string {
	var ml multiLineError
	if errors.As(err, &ml) {
		if prefix, ok := strings.CutSuffix(msg, ml.Error()); ok {
			lines := slices.Clone(ml.Lines())
			if len(lines) > 0 {
				lines[0] = prefix + lines[0]
				for i, l := range lines {
					lines[i] = diff.TextEscape(l)
				}
				return lines
			}
		}
	}
	return []string{diff.TextEscape(msg)}
}

// linesError is a multiLineError of fixed lines.
type linesError []string

func (e linesError) Error() string   { return strings.Join(e, "\n") }
func (e linesError) Lines() []string { return e }

// unknownFlag adds the closest flag of the command to pflag's "unknown flag: --NAME".
func unknownFlag(root *cobra.Command, args []string, err error) error {
	name := strings.TrimPrefix(err.Error(), "unknown flag: --")
	c, _, ferr := root.Find(args)
	if ferr != nil || name == "" {
		return err
	}
	var names []string
	c.Flags().VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
	c.InheritedFlags().VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
	if s := schema.Suggest(name, names); s != "" {
		return fmt.Errorf("%w (did you mean --%s?)", err, s)
	}
	return err
}

var unknownCommandMessage = regexp.MustCompile(`^unknown command ("(?:[^"\\]|\\.)*") for ("(?:[^"\\]|\\.)*")`)

// unknownCommand replaces cobra's unknown-command error (whose suggestions it writes with \n and
// \t, which main would print escaped) with the same text in lines.
func unknownCommand(root *cobra.Command, err error) error {
	lines := linesError{err.Error()}
	// cobra's message: unknown command "NAME" for "sailsync SUB…".
	m := unknownCommandMessage.FindStringSubmatch(err.Error())
	if m == nil {
		return lines
	}
	typed, _ := strconv.Unquote(m[1])
	parentPath, _ := strconv.Unquote(m[2])
	parent := root
	if words := strings.Fields(parentPath); len(words) > 1 {
		if c, _, ferr := root.Find(words[1:]); ferr == nil {
			parent = c
		}
	}
	if s := parent.SuggestionsFor(typed); typed != "" && len(s) > 0 {
		lines = append(lines, "", "Did you mean this?")
		for _, c := range s {
			lines = append(lines, "  "+c)
		}
	}
	return lines
}
