package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// Placeholder until the export command lands; replaced by its real options struct and run function.
func newExportCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "export",
		Short: "export (not built yet)",
		RunE: func(cmd *cobra.Command, args []string) error {
			return errors.New("export is not built yet")
		},
	}
}
