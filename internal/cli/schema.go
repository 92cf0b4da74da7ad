package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/schema"
)

// schemaOptions are the inputs of `sailsync schema`.
type schemaOptions struct {
	Kind   string // "" for the combined schema of every kind
	Stdout io.Writer
}

func newSchemaCmd() *cobra.Command {
	opts := schemaOptions{}
	cmd := &cobra.Command{
		Use:   "schema [KIND]",
		Short: "Print the JSON Schema of config documents, for editors",
		Long: `Schema prints the JSON Schema (draft-07) that validate checks documents against.

Without KIND it prints one schema covering every kind (it dispatches on kind), which is what
an editor needs for a whole repository:

  sailsync schema > sailsync.schema.json

and, at the top of a YAML file:

  # yaml-language-server: $schema=../sailsync.schema.json

KIND is one of: ` + strings.Join(schemaKinds(), ", ") + `.`,
		Args:      cobra.MaximumNArgs(1),
		ValidArgs: schemaKinds(),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Kind = args[0]
			}
			opts.Stdout = cmd.OutOrStdout()
			return runSchema(cmd.Context(), opts)
		},
	}
	return cmd
}

func runSchema(_ context.Context, opts schemaOptions) error {
	kind := opts.Kind
	if kind != "" {
		// Accept any capitalisation: the kind names are unambiguous.
		found := false
		for _, k := range schemaKinds() {
			if strings.EqualFold(k, kind) {
				kind, found = k, true
			}
		}
		if !found {
			return fmt.Errorf("unknown kind %q: use one of %s", opts.Kind, strings.Join(schemaKinds(), ", "))
		}
	}
	b := schema.JSON(kind)
	if kind == "" {
		b = schema.Combined(config.UserKinds())
	}
	if b == nil {
		return fmt.Errorf("schema for %q is missing from this build", kind)
	}
	_, err := opts.Stdout.Write(b)
	return err
}

// schemaKinds names the kinds that have a schema (the user kinds; config's test holds the
// schema package to them) in the table's order, which the schema package cannot know.
func schemaKinds() []string {
	var out []string
	for _, k := range config.UserKinds() {
		out = append(out, string(k))
	}
	return out
}
