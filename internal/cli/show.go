package cli

import (
	"github.com/spf13/cobra"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/render"
)

// newShowCmd is `sailsync show FILE`: a plan saved by plan --out, rendered as plan renders it,
// without a tenant, credentials or the repository: what a reviewer reads before apply --plan.
func newShowCmd(d *deps) *cobra.Command {
	var output string
	var noColor bool
	cmd := &cobra.Command{
		Use:   "show FILE",
		Short: "Show a plan saved by 'plan --out FILE' (no tenant needed)",
		Example: `  sailsync plan . --out plan.json && sailsync show plan.json
  sailsync show plan.json -o markdown > plan.md`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := render.Lookup(output, render.HasPlan)
			if err != nil {
				return err
			}
			pf, err := readPlanFile(args[0])
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			return format.Plan(w, pf.Plan, diff.TextOptions{Color: d.useColor(w, noColor)}, stepSummary(d, format, w, cmd.ErrOrStderr()))
		},
	}
	bindOutput(cmd, &output, render.HasPlan)
	cmd.Flags().BoolVar(&noColor, "no-color", false, "no colour in the output (also NO_COLOR=1 or TERM=dumb)")
	return cmd
}
