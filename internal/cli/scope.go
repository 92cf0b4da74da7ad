package cli

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/sailsync/sailsync/internal/config"
)

// scopeOptions are the flags that narrow plan, drift and apply to some objects.
type scopeOptions struct {
	Sources      []string
	Kinds        []string
	ChangedSince string
	// AllowEmpty accepts a repository that declares nothing (--allow-empty); it narrows nothing.
	AllowEmpty bool
}

// bind adds the scope flags; changed adds --changed-since (plan and apply).
func (s *scopeOptions) bind(f *pflag.FlagSet, changed bool) {
	f.StringArrayVar(&s.Sources, "source", nil, "only the source `NAME` (a glob: 'HR *'), its schemas and connector files, and what they depend on; repeatable")
	var kinds []string
	for _, k := range config.UserKinds() {
		kinds = append(kinds, string(k))
	}
	f.StringArrayVar(&s.Kinds, "kind", nil, "only objects of `KIND` ("+strings.Join(kinds, ", ")+") and what they depend on; repeatable")
	f.BoolVar(&s.AllowEmpty, "allow-empty", false, allowEmptyUsage)
	if changed {
		f.StringVar(&s.ChangedSince, "changed-since", "", "only objects whose documents or referenced files differ between the git commit `REF` and the work tree")
	}
}

// completeKinds offers the kinds users declare as the values of --kind (README "Commands").
func completeKinds(cmd *cobra.Command) {
	var kinds []string
	for _, k := range config.UserKinds() {
		kinds = append(kinds, string(k))
	}
	_ = cmd.RegisterFlagCompletionFunc("kind", cobra.FixedCompletions(kinds, cobra.ShellCompDirectiveNoFileComp))
}

// set reports whether any scope flag was given.
func (s *scopeOptions) set() bool {
	return s != nil && (len(s.Sources) > 0 || len(s.Kinds) > 0 || s.ChangedSince != "")
}

// narrow returns the repository narrowed to the scope and the scope to report, or the
// repository itself and nil when no scope flag was given.
func (s *scopeOptions) narrow(repo *config.Repo) (*config.Repo, *config.Scope, error) {
	if !s.set() {
		return repo, nil, nil
	}
	sel := config.Selector{Sources: s.Sources}
	var words []string
	for _, p := range s.Sources {
		words = append(words, "--source "+strconv.Quote(p))
	}
	for _, k := range s.Kinds {
		sel.Kinds = append(sel.Kinds, config.Kind(k))
		words = append(words, "--kind "+strconv.Quote(k))
	}
	if s.ChangedSince != "" {
		if strings.HasPrefix(s.ChangedSince, "-") {
			return nil, nil, fmt.Errorf("--changed-since %q: not a commit", s.ChangedSince)
		}
		changes, err := config.ChangedSince(repo, s.ChangedSince)
		if err != nil {
			return nil, nil, err
		}
		sel.Changed = changes
		words = append(words, "--changed-since "+strconv.Quote(s.ChangedSince))
	}
	return repo.Scoped(sel, strings.Join(words, " "))
}

// errScopeWithPlanFile refuses scope flags beside apply --plan: a saved plan has its scope.
var errScopeWithPlanFile = errors.New("--source, --kind and --changed-since do not go with --plan: the plan file has the scope it was made with")
