package sync

import (
	"fmt"
	"io"
	"strings"

	"github.com/sailsync/sailsync/config"
	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/isc"
	"github.com/sailsync/sailsync/value"
)

func init() { register(config.KindEntitlementSchema, schemaKind{}) }

// schemaKind applies EntitlementSchema changes: an upload of the template (after a fresh read
// for an update), a delete by the schema's id under its source.
type schemaKind struct{}

func (schemaKind) known(*applier, diff.Change) {}

func (schemaKind) apply(a *applier, ch diff.Change, _ *Result) error { return a.uploadSchema(ch) }

func (schemaKind) remove(a *applier, ch diff.Change) (string, error) {
	sourceID, err := a.sourceID(ch.Source)
	if err == nil {
		err = a.c.DeleteSchema(a.reqCtx, sourceID, ch.LiveID)
	}
	return a.deleteDone(ch, err)
}

// calls: the upload; a fresh GET of the source's schemas and the upload; the DELETE.
func (schemaKind) calls(ch diff.Change) int { return perAction(ch, 1, 2, 1) }

func (a *applier) uploadSchema(ch diff.Change) error {
	if ch.Op.Upload == nil {
		return fmt.Errorf("entitlement schema %q of source %q: the plan has no file to upload", ch.Name, ch.Source)
	}
	id, err := a.sourceID(ch.Source)
	if err != nil {
		return err
	}
	if ch.Action == diff.ActionUpdate {
		// A re-upload replaces the schema: make sure it is still the one the plan was shown.
		fresh, err := a.c.ListSchemas(a.reqCtx, id)
		if err != nil {
			return fmt.Errorf("entitlement schema %q of source %q: fresh read: %w", ch.Name, ch.Source, err)
		}
		var cur *value.Object
		for _, o := range fresh {
			if o.String("name") == ch.Name {
				cur = o
			}
		}
		if cur == nil || ch.Fingerprint == nil || diff.FingerprintOf(cur).Hash != ch.Fingerprint.Hash {
			return &staleError{what: fmt.Sprintf("entitlement schema %q of source %q", ch.Name, ch.Source)}
		}
		if a.stop.Err() != nil {
			return errInterrupted
		}
	}
	content := ch.Op.Upload.Content
	up := isc.Upload{Name: ch.Op.Upload.Name, Open: func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(content)), nil
	}}
	if _, err := a.c.UploadEntitlementSchema(a.reqCtx, id, ch.Name, up); err != nil {
		return fmt.Errorf("entitlement schema %q of source %q: upload: %w", ch.Name, ch.Source, err)
	}
	return nil
}
