package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// Placeholder until the schema command lands; replaced by its real options struct and run function.
func newSchemaCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "schema (not built yet)",
		RunE: func(cmd *cobra.Command, args []string) error {
			return errors.New("schema is not built yet")
		},
	}
}
