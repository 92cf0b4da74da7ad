package cli

import (
	"context"
	"errors"
	"io"

	"github.com/spf13/cobra"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/render"
)

// validateOptions are the inputs of `sailsync validate`.
type validateOptions struct {
	Dir    string // the config repository
	Output string // text, json or github
	Env    string // an environment that must be declared (every one is checked anyway)
	// AllowEmpty accepts a repository that declares no objects (--allow-empty).
	AllowEmpty bool
	Stdout     io.Writer // problems (text, github) or the JSON report
	Stderr     io.Writer // the one-line summary of text output

	deps *deps // the run's environment ($SAILSYNC_ENV)
}

func newValidateCmd(d *deps) *cobra.Command {
	opts := validateOptions{Dir: ".", Output: "text", deps: d}
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
	bindOutput(cmd, &opts.Output, render.HasValidation)
	cmd.Flags().BoolVar(&opts.AllowEmpty, "allow-empty", false, allowEmptyUsage)
	cmd.Flags().StringVar(&opts.Env, "env", "", "also require this environment to be declared in sailsync.yaml (default $SAILSYNC_ENV); every environment's vars are checked either way")
	return cmd
}

func runValidate(ctx context.Context, opts validateOptions) error {
	format, err := render.Lookup(opts.Output, render.HasValidation)
	if err != nil {
		return err
	}
	repo, warnings, err := config.LoadWarnings(ctx, opts.Dir)
	if err == nil && repo != nil {
		err = requireObjects(repo, opts.Dir, opts.AllowEmpty)
	}
	var problems config.Problems
	if err != nil && !errors.As(err, &problems) {
		// Unreadable: not a list of problems but one error about the repository as a whole.
		if !format.CarriesErrors {
			return err
		}
		if werr := format.Validation(opts.Stdout, opts.Stderr, render.Validation{Dir: opts.Dir, Err: err}); werr != nil {
			return werr
		}
		return exitWith(exitFailure, nil)
	}
	if repo != nil {
		if err := requireEnvironment(opts.deps, repo.Settings, opts.Env); err != nil {
			return err
		}
	}
	v := render.Validation{Dir: opts.Dir, Problems: problemsAt(opts.Dir, problems), Warnings: problemsAt(opts.Dir, warnings), Repo: repo}
	if err := format.Validation(opts.Stdout, opts.Stderr, v); err != nil {
		return err
	}
	if len(problems) > 0 {
		return exitWith(exitFailure, nil)
	}
	return nil
}

func plural(n int, word string) string { return render.Plural(n, word) }
