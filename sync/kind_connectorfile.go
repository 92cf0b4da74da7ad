package sync

import (
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/isc"
)

func init() { register(config.KindConnectorFile, connectorFileKind{}) }

// connectorFileKind uploads one connectorFiles entry of a Source; the API has no update or
// delete of a connector file.
type connectorFileKind struct{}

func (connectorFileKind) known(*applier, diff.Change) {}

func (connectorFileKind) apply(a *applier, ch diff.Change, _ *Result) error {
	return a.uploadConnectorFile(ch)
}

func (connectorFileKind) remove(a *applier, ch diff.Change) (string, error) {
	return a.deleteDone(ch, fmt.Errorf("%s cannot be deleted", ch.Kind))
}

// calls: the upload (a plan never holds an update or a delete of a connector file).
func (connectorFileKind) calls(ch diff.Change) int { return perAction(ch, 1, 1, 1) }

func (a *applier) uploadConnectorFile(ch diff.Change) error {
	if ch.Op.Upload == nil || ch.Op.Upload.Path == "" {
		return fmt.Errorf("connector file %q of source %q: the plan names no file to upload", ch.Name, ch.Source)
	}
	id, err := a.sourceID(ch.Source)
	if err != nil {
		return err
	}
	// The plan names the file inside the repository; a path leaving it is not one sailsync wrote.
	rel := path.Clean(ch.Op.Upload.Path)
	if !filepath.IsLocal(filepath.FromSlash(rel)) {
		return fmt.Errorf("connector file %q of source %q: %q is not a path inside the repository", ch.Name, ch.Source, ch.Op.Upload.Path)
	}
	p := filepath.Join(a.opts.Dir, filepath.FromSlash(rel))
	up := isc.Upload{Name: ch.Op.Upload.Name, Open: func() (io.ReadCloser, error) { return os.Open(p) }}
	if _, err := a.c.UploadConnectorFile(a.reqCtx, id, up); err != nil {
		return fmt.Errorf("connector file %q of source %q: upload: %w", ch.Name, ch.Source, err)
	}
	return nil
}
