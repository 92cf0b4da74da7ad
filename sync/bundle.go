package sync

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/sailsync/sailsync/config"
	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/isc"
	"github.com/sailsync/sailsync/value"
)

// bundleCalls is the number of requests a connector change's bundle sends: one per
// BundleRequest, plus the fresh GET of an existing connector (the stale check).
func bundleCalls(c diff.Change) int {
	if c.Kind != config.KindConnector || c.Op == nil || len(c.Op.Bundle) == 0 {
		return 0
	}
	n := len(c.Op.Bundle)
	if c.Action == diff.ActionUpdate {
		n++
	}
	return n
}

// sendBundle sends a connector's bundle requests one after the other, in the plan's order,
// stopping at the first failure: the sources that use the connector are then skipped rather
// than configured against a half-updated bundle.
func (a *applier) sendBundle(ch diff.Change, scriptName string) error {
	// One write with the create: once it went out, an interrupt stops retries, not the parts.
	ctx := isc.ContinueWrite(a.reqCtx)
	for _, r := range ch.Op.Bundle {
		var err error
		switch r.Part {
		case diff.BundleSourceConfig:
			_, err = a.c.PutConnectorSourceConfig(ctx, scriptName, bundleUpload(r))
		case diff.BundleSourceTemplate:
			_, err = a.c.PutConnectorSourceTemplate(ctx, scriptName, bundleUpload(r))
		case diff.BundleTranslations:
			_, err = a.c.PutConnectorTranslations(ctx, scriptName, r.Locale, bundleUpload(r))
		case diff.BundlePatch:
			ops := make([]isc.PatchOp, len(r.Patch))
			for j, op := range r.Patch {
				ops[j] = isc.PatchOp{Op: op.Op, Path: op.Path, Value: op.Value}
			}
			_, err = a.c.PatchConnector(ctx, scriptName, ops)
		default:
			err = fmt.Errorf("unknown bundle request %q: run plan again", r.Part)
		}
		if err != nil {
			return fmt.Errorf("bundle %s: %w", bundleWhat(r), err)
		}
	}
	return nil
}

// bundleWhat names a bundle request in messages.
func bundleWhat(r diff.BundleRequest) string {
	switch r.Part {
	case diff.BundleTranslations:
		return "translations " + r.Locale
	case diff.BundlePatch:
		paths := make([]string, len(r.Patch))
		for i, op := range r.Patch {
			paths[i] = op.Path
		}
		return "patch " + strings.Join(paths, ", ")
	}
	return string(r.Part)
}

func bundleUpload(r diff.BundleRequest) isc.Upload {
	if r.Upload == nil {
		return isc.Upload{Name: string(r.Part), Open: func() (io.ReadCloser, error) {
			return nil, errors.New("the plan has no file for this bundle request: run plan again")
		}}
	}
	content := r.Upload.Content
	return isc.Upload{Name: r.Upload.Name, Open: func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(content)), nil
	}}
}

// details reads the ConnectorDetail of each declared connector with a bundle that the fetch
// found in the listing only: the listing's V3ConnectorDto has no bundle. Connectors found by
// GET (not RELEASED, pinned, named by a source) already have it, and connectors without a
// declared bundle are not read again: the API minimum.
func (f *fetcher) details(ctx context.Context, par int) error {
	f.pool = newPool(ctx, par)
	for _, conn := range f.repo.Connectors {
		o := f.live.Connectors[conn.Name]
		if conn.Bundle.Empty() || o == nil {
			continue
		}
		sn := o.String("scriptName")
		f.mu.Lock()
		detailed := f.detailed[sn]
		f.mu.Unlock()
		if detailed {
			continue
		}
		f.submit(func(ctx context.Context) error {
			d, err := f.c.GetConnector(ctx, sn)
			if err != nil {
				return fmt.Errorf("connector %q: %w", conn.Name, err)
			}
			f.mu.Lock()
			f.live.Connectors[conn.Name] = d
			f.mu.Unlock()
			return nil
		})
	}
	return f.pool.wait()
}

// exportBundle adds a connector's bundle to its exported document: each XML part and each
// locale's translations as a file in dir (beside the YAML file, named after it), referenced
// relative to the YAML file; connectorMetadata inline. What the tenant holds empty is left out.
func exportBundle(o *value.Object, doc *value.Object, yamlPath string) []ExportFile {
	dir := strings.TrimSuffix(yamlPath, path.Ext(yamlPath))
	rel := path.Base(dir)
	var files []ExportFile
	for _, part := range config.XMLParts {
		text := o.String(part.Live)
		if strings.TrimSpace(text) == "" {
			continue
		}
		doc.Set(part.Field, rel+"/"+part.ExportName)
		files = append(files, ExportFile{Path: dir + "/" + part.ExportName, Content: []byte(text)})
	}
	if tr := o.Object(config.LiveTranslations); tr != nil && tr.Len() > 0 {
		locales := tr.Keys()
		sort.Strings(locales)
		m := value.NewObject()
		for _, l := range locales {
			v, _ := tr.Get(l)
			text, ok := v.(string)
			if !ok || !safeLocale(l) {
				continue // not a locale: never a file name that could leave the directory
			}
			name := "messages_" + l + ".properties"
			m.Set(l, rel+"/"+name)
			files = append(files, ExportFile{Path: dir + "/" + name, Content: []byte(text)})
		}
		if m.Len() > 0 {
			doc.Set(config.FieldTranslations, m)
		}
	}
	if md := o.Object(config.FieldConnectorMetadata); md != nil && md.Len() > 0 {
		doc.Set(config.FieldConnectorMetadata, md)
	}
	return files
}

// safeLocale reports whether a locale the tenant returned can name a file: letters, digits,
// '-' and '_' only (zh-TW).
func safeLocale(l string) bool {
	if l == "" || len(l) > 16 {
		return false
	}
	for _, r := range l {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
