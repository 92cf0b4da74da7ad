package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// Placeholder until the apply command lands; replaced by its real options struct and run function.
func newApplyCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "apply",
		Short: "apply (not built yet)",
		RunE: func(cmd *cobra.Command, args []string) error {
			return errors.New("apply is not built yet")
		},
	}
}
