// Command sailsync keeps a SailPoint Identity Security Cloud tenant's sources, custom connectors
// and entitlement schemas as version-controlled YAML: validate, plan, drift, apply, export.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"

	"github.com/spf13/cobra"
)

// exitCode carries a command's exit status other than 0 and 1 (plan's 2 for "changes") or a
// failure already reported to the user, so that main does not print it again.
type exitCode struct {
	code int
	err  error
}

func (e *exitCode) Error() string {
	if e.err != nil {
		return e.err.Error()
	}
	return fmt.Sprintf("exit status %d", e.code)
}

func (e *exitCode) Unwrap() error { return e.err }

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "sailsync",
		Short:         "Keep an ISC tenant's sources, connectors and entitlement schemas as YAML in Git",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(
		newValidateCmd(),
		newSchemaCmd(),
		newEmulatorCmd(),
		newExportCmd(),
		newPlanCmd(),
		newDriftCmd(),
		newApplyCmd(),
	)
	return root
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err := newRootCmd().ExecuteContext(ctx)
	if err == nil {
		return
	}
	var ec *exitCode
	if errors.As(err, &ec) {
		if ec.err != nil {
			fmt.Fprintln(os.Stderr, "sailsync:", ec.err)
		}
		os.Exit(ec.code)
	}
	fmt.Fprintln(os.Stderr, "sailsync:", err)
	os.Exit(1)
}
