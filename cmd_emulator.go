package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// Placeholder until the emulator command lands; replaced by its real options struct and run function.
func newEmulatorCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "emulator",
		Short: "emulator (not built yet)",
		RunE: func(cmd *cobra.Command, args []string) error {
			return errors.New("emulator is not built yet")
		},
	}
}
