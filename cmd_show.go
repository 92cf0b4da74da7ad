package main

import (
	"github.com/spf13/cobra"

	"github.com/sailsync/sailsync/diff"
)

// newShowCmd is `sailsync show FILE`: a plan saved by plan --out, rendered as plan renders it,
// without a tenant, credentials or the repository: what a reviewer reads before apply --plan.
func newShowCmd() *cobra.Command {
	var output string
	var noColor bool
	cmd := &cobra.Command{
		Use:   "show FILE",
		Short: "Show a plan saved by 'plan --out FILE' (no tenant needed)",
		Example: `  sailsync plan . --out plan.json && sailsync show plan.json
  sailsync show plan.json -o markdown > plan.md`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output, "text", "json", "markdown", "github"); err != nil {
				return err
			}
			pf, err := readPlanFile(args[0])
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			return renderPlan(w, pf.Plan, output, diff.TextOptions{Color: useColor(w, noColor)})
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "text, json, markdown or github")
	completeOutput(cmd, "text", "json", "markdown", "github")
	cmd.Flags().BoolVar(&noColor, "no-color", false, "no colour in the output (also NO_COLOR=1 or TERM=dumb)")
	return cmd
}
