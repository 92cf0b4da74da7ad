package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/config"
	isync "github.com/sailsync/sailsync/sync"
)

// exportOptions are the options of `sailsync export`.
type exportOptions struct {
	Dir     string
	Sources []string
	Force   bool
	KeepIDs bool
	Conn    connOptions

	stdout, stderr io.Writer
}

func newExportCmd(d *deps) *cobra.Command {
	opts := &exportOptions{}
	cmd := &cobra.Command{
		Use:               "export [DIR]",
		Short:             "Write the tenant's sources, their entitlement schemas and custom connectors as a config repository",
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: completeDir,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dir = dirArg(args)
			opts.stdout, opts.stderr = cmd.OutOrStdout(), cmd.ErrOrStderr()
			return runExport(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringArrayVar(&opts.Sources, "source", nil, "export only this source (repeatable)")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "overwrite files that already exist")
	cmd.Flags().BoolVar(&opts.KeepIDs, "keep-ids", false, "write references (owner, cluster, …) with this tenant's ids instead of by name")
	opts.Conn.bind(cmd.Flags(), d)
	return cmd
}

func runExport(ctx context.Context, opts *exportOptions) error {
	// Exporting into a repository with environments reads the chosen environment's tenant only:
	// its baseUrl must agree with the credentials' before any request, as for plan.
	settings, err := config.ReadSettings(opts.Dir)
	if err != nil {
		return fmt.Errorf("%s: %w", opts.Dir, err)
	}
	if _, err := opts.Conn.environment(settings, opts.stderr); err != nil {
		return err
	}
	sess, err := opts.Conn.connect(ctx, opts.stderr)
	if err != nil {
		return err
	}
	defer sess.close()
	exp, err := isync.Export(ctx, sess.client, isync.ExportOptions{Sources: opts.Sources, Parallelism: opts.Conn.Parallelism, KeepIDs: opts.KeepIDs})
	if err != nil {
		return err
	}
	// Check every file first so that an export never leaves a half-overwritten repository, nor
	// writes a byte through a link.
	for _, f := range exp.Files {
		if err := checkExportPath(opts.Dir, f.Path, opts.Force); err != nil {
			return err
		}
	}
	for _, f := range exp.Files {
		p := filepath.Join(opts.Dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := replaceFile(p, f.Content); err != nil {
			return err
		}
		fmt.Fprintln(opts.stdout, "wrote", diff.TextEscape(p))
	}
	if len(exp.EnvVars) > 0 {
		fmt.Fprintln(opts.stdout, "\nSecrets the tenant only returns encrypted were replaced by references; set these before plan or apply:")
		for _, v := range exp.EnvVars {
			fmt.Fprintln(opts.stdout, diff.TextEscape(fmt.Sprintf("  %s  (source %q, connectorAttributes.%s)", v.Name, v.Source, v.Attribute)))
		}
	}
	srcs := make([]string, 0, len(exp.ConnectorFiles))
	for src := range exp.ConnectorFiles {
		srcs = append(srcs, src)
	}
	sort.Strings(srcs)
	for _, src := range srcs {
		fmt.Fprintf(opts.stdout, "\n%s\n", diff.TextEscape(fmt.Sprintf("Source %q lists connector files the tenant cannot return (%q): add them to the repository and to connectorFiles to manage them.", src, exp.ConnectorFiles[src])))
	}
	return nil
}

// checkExportPath refuses to write rel under dir through a symbolic link: the directory may be
// a checkout whose files a pull request wrote, and a link in it (sources -> ~/.ssh, a file ->
// another repository's) would take the export outside. Every existing element of the path
// below dir must be a real directory, the file itself absent or, with force, a regular file.
// dir itself is the user's choice and is followed.
func checkExportPath(dir, rel string, force bool) error {
	parts := strings.Split(rel, "/")
	p := dir
	for i, part := range parts {
		p = filepath.Join(p, part)
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return nil // nothing below a missing element exists yet
		}
		if err != nil {
			return err
		}
		last := i == len(parts)-1
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			return fmt.Errorf("%s is a symbolic link: export writes nothing through a link, also with --force (remove it, or export into another directory); nothing was written", p)
		case !last && !fi.IsDir():
			return fmt.Errorf("%s is not a directory, and export would write %s below it: nothing was written", p, filepath.Join(dir, filepath.FromSlash(rel)))
		case last && !fi.Mode().IsRegular():
			return fmt.Errorf("%s exists and is not a regular file: nothing was written", p)
		case last && !force:
			return fmt.Errorf("%s already exists: pass --force to overwrite", p)
		}
	}
	return nil
}

// replaceFile writes data to p by renaming a new file over it: a rename replaces whatever name
// p is (should a link appear there since the check) rather than writing where it leads, and a
// reader never sees half a file.
func replaceFile(p string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(p), ".sailsync-export-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, p)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", p, err)
	}
	return nil
}
