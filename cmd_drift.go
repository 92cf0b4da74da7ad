package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// Placeholder until the drift command lands; replaced by its real options struct and run function.
func newDriftCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "drift",
		Short: "drift (not built yet)",
		RunE: func(cmd *cobra.Command, args []string) error {
			return errors.New("drift is not built yet")
		},
	}
}
