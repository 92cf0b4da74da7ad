package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// Placeholder until the plan command lands; replaced by its real options struct and run function.
func newPlanCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "plan",
		Short: "plan (not built yet)",
		RunE: func(cmd *cobra.Command, args []string) error {
			return errors.New("plan is not built yet")
		},
	}
}
