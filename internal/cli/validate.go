package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/config"
)

// validateOptions are the inputs of `sailsync validate`.
type validateOptions struct {
	Dir    string    // the config repository
	Output string    // text, json or github
	Env    string    // an environment that must be declared (every one is checked anyway)
	Stdout io.Writer // problems (text, github) or the JSON report
	Stderr io.Writer // the one-line summary of text output
}

func newValidateCmd() *cobra.Command {
	opts := validateOptions{Dir: ".", Output: "text"}
	cmd := &cobra.Command{
		Use:   "validate [DIR]",
		Short: "Check a config repository (schemas, references, files) without contacting the tenant",
		Long: `Validate loads the config repository in DIR (default: the current directory) and reports
every problem at once, one per line as path:line:col: message, sorted.

It needs no credentials and no secrets: ${env:NAME} references are checked for form only.

Warnings (a value outside a list the vendor extends, say) are reported too, as
path:line:col: warning: message on stderr; they never fail validate.

Exit status: 0 valid (warnings or not), 1 invalid or unreadable.`,
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: completeDir,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Dir = args[0]
			}
			opts.Stdout = cmd.OutOrStdout()
			opts.Stderr = cmd.ErrOrStderr()
			return runValidate(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Output, "output", "o", opts.Output, "output format: text, json or github (workflow annotations)")
	completeOutput(cmd, "text", "json", "github")
	cmd.Flags().StringVar(&opts.Env, "env", "", "also require this environment to be declared in sailsync.yaml (default $SAILSYNC_ENV); every environment's vars are checked either way")
	return cmd
}

// validateReport is the --output json document.
type validateReport struct {
	Valid    bool            `json:"valid"`
	Dir      string          `json:"dir"`
	Error    string          `json:"error,omitempty"`
	Hash     string          `json:"hash,omitempty"`
	Objects  validateCounts  `json:"objects,omitempty"`
	Problems []reportProblem `json:"problems"`
	// Warnings are what the tenant accepts but the user should hear about (config.Repo.Warnings):
	// never a failure; left out when there is none.
	Warnings []reportProblem `json:"warnings,omitempty"`
}

// validateCounts are the declared objects per kind in the --output json document, keyed by
// countKey ("sources"). Derived from the kind table, so a new kind needs no field here; written
// in the table's order, which a plain map would lose.
type validateCounts map[string]int

// countsOf counts repo's objects of every declared kind.
func countsOf(repo *config.Repo) validateCounts {
	c := validateCounts{}
	for _, k := range config.UserKinds() {
		c[countKey(k)] = repo.CountOf(k)
	}
	return c
}

// MarshalJSON writes the counts in the table's order.
func (c validateCounts) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for _, k := range config.UserKinds() {
		n, ok := c[countKey(k)]
		if !ok {
			continue
		}
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%q:%d", countKey(k), n)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// countKey is a kind's key in validateCounts: lower camel case, plural (EntitlementSchema →
// entitlementSchemas).
func countKey(k config.Kind) string {
	s := string(k)
	return pluralOf(strings.ToLower(s[:1]) + s[1:])
}

// countNoun is a kind in words for the text summary: EntitlementSchema → entitlement schema.
func countNoun(k config.Kind) string {
	var b strings.Builder
	for i, r := range string(k) {
		if unicode.IsUpper(r) && i > 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

type reportProblem struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

func runValidate(ctx context.Context, opts validateOptions) error {
	switch opts.Output {
	case "text", "json", "github":
	default:
		return fmt.Errorf("--output %q: use text, json or github", opts.Output)
	}
	repo, warnings, err := config.LoadWarnings(ctx, opts.Dir)
	var problems config.Problems
	if err != nil && !errors.As(err, &problems) {
		// Unreadable: not a list of problems but one error about the repository as a whole.
		switch opts.Output {
		case "json":
			if werr := writeJSON(opts.Stdout, validateReport{Dir: opts.Dir, Error: err.Error(), Problems: []reportProblem{}}); werr != nil {
				return werr
			}
			return exitWith(exitFailure, nil)
		case "github":
			fmt.Fprintf(opts.Stdout, "::error::%s\n", diff.GitHubData(err.Error()))
			return exitWith(exitFailure, nil)
		}
		return err
	}
	if repo != nil {
		if err := requireEnvironment(repo.Settings, opts.Env); err != nil {
			return err
		}
	}
	// Positions are relative to the repository; shown relative to where the user pointed, so
	// that editors and GitHub annotations find the files.
	base := filepath.ToSlash(opts.Dir)
	file := func(p config.Pos) string { return path.Join(base, p.File) }
	switch opts.Output {
	case "json":
		rep := validateReport{Valid: len(problems) == 0, Dir: opts.Dir, Problems: make([]reportProblem, 0, len(problems))}
		for _, p := range problems {
			rep.Problems = append(rep.Problems, reportProblem{File: file(p.Pos), Line: p.Pos.Line, Col: p.Pos.Col, Field: p.Field, Message: p.Message})
		}
		for _, p := range warnings {
			rep.Warnings = append(rep.Warnings, reportProblem{File: file(p.Pos), Line: p.Pos.Line, Col: p.Pos.Col, Field: p.Field, Message: p.Message})
		}
		if repo != nil {
			rep.Hash = repo.Hash
			rep.Objects = countsOf(repo)
		}
		if err := writeJSON(opts.Stdout, rep); err != nil {
			return err
		}
	case "github":
		for _, p := range problems {
			fmt.Fprintf(opts.Stdout, "::error file=%s,line=%d,col=%d::%s\n", diff.GitHubProperty(file(p.Pos)), p.Pos.Line, p.Pos.Col, diff.GitHubData(p.Message))
		}
		for _, p := range warnings {
			fmt.Fprintf(opts.Stdout, "::warning file=%s,line=%d,col=%d::%s\n", diff.GitHubProperty(file(p.Pos)), p.Pos.Line, p.Pos.Col, diff.GitHubData(p.Message))
		}
	default:
		for _, p := range problems {
			fmt.Fprintf(opts.Stdout, "%s:%d:%d: %s\n", diff.TextEscape(file(p.Pos)), p.Pos.Line, p.Pos.Col, diff.TextEscape(p.Message))
		}
		// Warnings go with the summary, on stderr: stdout stays the list of problems.
		for _, p := range warnings {
			fmt.Fprintf(opts.Stderr, "%s:%d:%d: warning: %s\n", diff.TextEscape(file(p.Pos)), p.Pos.Line, p.Pos.Col, diff.TextEscape(p.Message))
		}
		warned := ""
		if len(warnings) > 0 {
			warned = " (" + plural(len(warnings), "warning") + ")"
		}
		if len(problems) > 0 {
			fmt.Fprintf(opts.Stderr, "%s: %s%s\n", diff.TextEscape(opts.Dir), plural(len(problems), "problem"), warned)
		} else {
			counts := make([]string, 0, len(config.UserKinds()))
			for _, k := range config.UserKinds() {
				counts = append(counts, plural(repo.CountOf(k), countNoun(k)))
			}
			fmt.Fprintf(opts.Stderr, "%s: valid: %s%s\n", diff.TextEscape(opts.Dir), strings.Join(counts, ", "), warned)
		}
	}
	if len(problems) > 0 {
		return exitWith(exitFailure, nil)
	}
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %s", n, pluralOf(word))
}

// pluralOf is the plural of an English noun of sailsync's messages: policy → policies.
func pluralOf(word string) string {
	if strings.HasSuffix(word, "y") && !strings.HasSuffix(word, "ey") {
		return word[:len(word)-1] + "ies"
	}
	return word + "s"
}

// writeJSON writes v as indented JSON made safe to print (diff.JSONEscape).
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(diff.JSONEscape(buf.Bytes()))
	return err
}
