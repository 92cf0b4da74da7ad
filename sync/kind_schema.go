package sync

import (
	"context"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/isc"
	"github.com/sailsync/sailsync/internal/value"
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

// schemaExport exports the entitlement schemas of each exported source but its account schema.
type schemaExport struct {
	schemas map[string][]*value.Object // by source name
}

func init() {
	registerExporter(config.KindEntitlementSchema, func() exporter {
		return &schemaExport{schemas: map[string][]*value.Object{}}
	})
}

func (*schemaExport) prepare(context.Context, *exportRun) error { return nil }

func (e *schemaExport) readSource(x *exportRun, s *value.Object) {
	x.readOwned(s, "schemas", x.c.ListSchemas, e.schemas)
}

// readOwned reads the objects source s owns with list (one request) into into[s's name].
func (x *exportRun) readOwned(s *value.Object, what string, list func(context.Context, string) ([]*value.Object, error), into map[string][]*value.Object) {
	id, name := s.String("id"), s.String("name")
	x.read(func() error {
		objs, err := list(x.ctx, id)
		if err != nil {
			return fmt.Errorf("source %q: list %s: %w", name, what, err)
		}
		x.mu.Lock()
		into[name] = objs
		x.mu.Unlock()
		return nil
	})
}

func (*schemaExport) renderAll(*exportRun) error { return nil }

func (e *schemaExport) renderSource(x *exportRun, s *value.Object) error {
	for _, sc := range e.schemas[s.String("name")] {
		if sc.String("name") == "account" {
			continue
		}
		f, err := exportSchema(s.String("name"), sc)
		if err != nil {
			return err
		}
		x.add(f)
	}
	return nil
}

func exportSchema(source string, sc *value.Object) (ExportFile, error) {
	doc := value.NewObject()
	doc.Set("kind", "EntitlementSchema")
	doc.Set("source", source)
	doc.Set("name", sc.String("name"))
	var attrs []any
	if list, ok := sc.Get("attributes"); ok {
		if arr, ok := list.([]any); ok {
			for _, a := range arr {
				if ao, ok := a.(*value.Object); ok && ao.String("name") != "" {
					attrs = append(attrs, ao.String("name"))
				}
			}
		}
	}
	if attrs == nil {
		attrs = []any{}
	}
	doc.Set("attributes", attrs)
	return yamlFile(path.Join("schemas", slug(source)+"-"+slug(sc.String("name"))+".yaml"), doc)
}
