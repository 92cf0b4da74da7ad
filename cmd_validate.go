package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// Placeholder until the validate command lands; replaced by its real options struct and run function.
func newValidateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "validate",
		Short: "validate (not built yet)",
		RunE: func(cmd *cobra.Command, args []string) error {
			return errors.New("validate is not built yet")
		},
	}
}
