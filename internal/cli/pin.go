package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/isc"
)

// pinOptions are the options of `sailsync pin`.
type pinOptions struct {
	Dir        string
	Connector  string
	ScriptName string
	Conn       connOptions

	stdout, stderr io.Writer
}

func newPinCmd(d *deps) *cobra.Command {
	opts := &pinOptions{}
	cmd := &cobra.Command{
		Use:   "pin [DIR] --connector NAME --script-name SCRIPTNAME",
		Short: "Adopt a tenant's connector into the repository by its scriptName (writes `scriptName:` into its YAML)",
		Long: "pin writes `scriptName: SCRIPTNAME` into the declaration of the connector NAME, after checking\n" +
			"that the tenant's connector SCRIPTNAME is called NAME. Use it for a connector that exists but that\n" +
			"sailsync cannot find: not RELEASED, used by no source and in no apply journal (an apply whose\n" +
			"connection dropped after the tenant created it, or a connector uploaded by hand).",
		Example: `  sailsync pin examples/acme --connector "Acme HR" --script-name acme-hr-7`,
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dir = dirArg(args)
			opts.stdout, opts.stderr = cmd.OutOrStdout(), cmd.ErrOrStderr()
			return runPin(cmd.Context(), opts)
		},
		ValidArgsFunction: completeDir,
	}
	cmd.Flags().StringVar(&opts.Connector, "connector", "", "the connector's name, as the repository declares it")
	cmd.Flags().StringVar(&opts.ScriptName, "script-name", "", "the scriptName the tenant gave it")
	opts.Conn.bind(cmd.Flags(), d)
	return cmd
}

func runPin(ctx context.Context, opts *pinOptions) error {
	if opts.Connector == "" || opts.ScriptName == "" {
		return errors.New("pin needs --connector NAME and --script-name SCRIPTNAME")
	}
	repo, err := loadRepo(ctx, opts.Dir, opts.stderr)
	if err != nil {
		return err
	}
	if repo, err = opts.Conn.bindEnvironment(repo, opts.stderr); err != nil {
		return err
	}
	conn := repo.Connector(opts.Connector)
	if conn == nil || conn.Absent {
		return fmt.Errorf("the repository declares no Connector %q: declare it first (pin adopts a declared connector)", opts.Connector)
	}
	switch conn.PinnedScriptName {
	case opts.ScriptName:
		fmt.Fprintf(opts.stdout, "Connector %q already pins scriptName %q.\n", diff.TextEscape(conn.Name), diff.TextEscape(opts.ScriptName))
		return nil
	case "":
	default:
		return fmt.Errorf("the repository already pins Connector %q to scriptName %q at %s: edit that line if the tenant's is %q",
			conn.Name, conn.PinnedScriptName, filepath.ToSlash(filepath.Join(opts.Dir, conn.PosOf("scriptName").String())), opts.ScriptName)
	}
	sess, err := opts.Conn.connect(ctx, opts.stderr)
	if err != nil {
		return err
	}
	defer sess.close()
	live, err := sess.client.GetConnector(ctx, opts.ScriptName)
	if isc.IsNotFound(err) {
		return fmt.Errorf("the tenant %s has no connector with scriptName %q", sess.client.Tenant(), opts.ScriptName)
	}
	if err != nil {
		return fmt.Errorf("connector %q: %w", opts.ScriptName, err)
	}
	if got := live.String("name"); !isc.SameName(got, conn.Name) {
		return fmt.Errorf("the tenant's connector %q is called %q, not %q: nothing was written", opts.ScriptName, got, conn.Name)
	}
	pos, err := writePin(repo.Dir, conn.Doc, opts.ScriptName)
	if err != nil {
		return err
	}
	// The edited repository must load and pin what was asked; otherwise the file is put back.
	again, err := config.LoadContext(ctx, repo.Dir)
	if err == nil {
		if c := again.Connector(conn.Name); c == nil || c.PinnedScriptName != opts.ScriptName {
			err = errors.New("the edited declaration does not pin it")
		}
	}
	if err != nil {
		if rerr := restorePin(repo.Dir, conn.Doc.File, pos.original); rerr != nil {
			return fmt.Errorf("%s: the pin broke the repository (%v) and the file could not be restored: %w", conn.Doc.File, err, rerr)
		}
		return fmt.Errorf("%s: the pin could not be written there (%v): add `scriptName: %s` to the declaration by hand", conn.Doc.File, err, opts.ScriptName)
	}
	fmt.Fprintf(opts.stdout, "Pinned Connector %q to scriptName %q at %s:%d.\n", diff.TextEscape(conn.Name), diff.TextEscape(opts.ScriptName),
		diff.TextEscape(filepath.ToSlash(filepath.Join(opts.Dir, conn.Doc.File))), pos.line)
	return nil
}

// pinEdit is what writePin changed: the line it wrote and the file as it was.
type pinEdit struct {
	line     int
	original []byte
}

// writePin inserts `scriptName: sn` after the document's `kind:` line, at its indentation. Only
// a block mapping is edited; the file is replaced whole (replaceFile), and never read through a
// link.
func writePin(root string, doc config.Pos, sn string) (pinEdit, error) {
	path := filepath.Join(root, filepath.FromSlash(doc.File))
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return pinEdit{}, fmt.Errorf("%s: %w", doc.File, err)
	}
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		f.Close()
		return pinEdit{}, fmt.Errorf("%s is not a regular file: refused", doc.File)
	}
	data, err := io.ReadAll(io.LimitReader(f, config.MaxYAMLFileSize+1))
	f.Close()
	if err != nil {
		return pinEdit{}, fmt.Errorf("%s: %w", doc.File, err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	if doc.Line < 1 || doc.Line > len(lines) || doc.Col < 1 || doc.Col > len(lines[doc.Line-1]) {
		return pinEdit{}, fmt.Errorf("%s:%d: the declaration is not where it was read", doc.File, doc.Line)
	}
	kindLine := lines[doc.Line-1]
	indent := kindLine[:doc.Col-1]
	if strings.Trim(indent, " ") != "" || !strings.HasPrefix(kindLine[doc.Col-1:], "kind:") {
		return pinEdit{}, fmt.Errorf("%s:%d: the declaration is not a block mapping: add `scriptName: %s` to it by hand", doc.File, doc.Line, sn)
	}
	quoted, err := yaml.Marshal(sn)
	if err != nil {
		return pinEdit{}, err
	}
	if !strings.HasSuffix(kindLine, "\n") {
		lines[doc.Line-1] += "\n"
	}
	inserted := indent + "scriptName: " + string(quoted)
	lines = append(lines[:doc.Line], append([]string{inserted}, lines[doc.Line:]...)...)
	if err := replaceFile(path, []byte(strings.Join(lines, ""))); err != nil {
		return pinEdit{}, fmt.Errorf("%s: %w", doc.File, err)
	}
	return pinEdit{line: doc.Line + 1, original: data}, nil
}

// restorePin puts back the file writePin edited.
func restorePin(root, file string, original []byte) error {
	path := filepath.Join(root, filepath.FromSlash(file))
	return replaceFile(path, original)
}
