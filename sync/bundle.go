package sync

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/isc"
	"github.com/sailsync/sailsync/internal/value"
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
	for _, conn := range f.repo.Connectors() {
		o := f.live.Get(config.KindConnector, "", conn.Name)
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
			f.live.Put(config.KindConnector, "", conn.Name, d)
			f.mu.Unlock()
			return nil
		})
	}
	if err := f.pool.wait(); err != nil {
		return err
	}
	return f.confirmBundles(ctx, par)
}

// confirmBundles fills live.Bundles: each declared connector's bundle as the tenant holds it.
// ConnectorDetail's fields are read under every spelling a tenant may give them (which one it
// uses is not documented), and a source config, source template or locale's translations that
// the detail does not show equal to the declared file is read at its documented GET before it
// is reported as a change: a tenant may keep applicationXml at its generated default and serve
// an uploaded template only there. A part the detail shows equal costs no request.
func (f *fetcher) confirmBundles(ctx context.Context, par int) error {
	f.pool = newPool(ctx, par)
	if f.live.Bundles == nil {
		f.live.Bundles = map[string]*value.Object{}
	}
	for _, conn := range f.repo.Connectors() {
		d := f.live.Get(config.KindConnector, "", conn.Name)
		if conn.Bundle.Empty() || d == nil {
			continue
		}
		view := bundleView(d, conn.Bundle)
		f.live.Bundles[conn.Name] = view
		sn := d.String("scriptName")
		for _, part := range config.XMLParts {
			file := conn.Bundle.XML[part.Field]
			read := documentedRead(part.Field)
			if file == nil || read == nil {
				continue
			}
			if live, ok := view.Get(part.Live); ok {
				if s, isString := live.(string); isString && diff.SameBundleText(part.Field, string(file.Data), s) {
					continue
				}
			}
			field := part.Live
			f.submit(func(ctx context.Context) error {
				text, err := read(f.c, ctx, sn)
				return f.confirmed(conn.Name, err, func() { view.Set(field, text) })
			})
		}
		tr := view.Object(config.LiveTranslations)
		for _, t := range conn.Bundle.Translations {
			if s := tr.String(t.Locale); s != "" && diff.SameBundleText(config.FieldTranslations, string(t.Data), s) {
				continue
			}
			locale := t.Locale
			f.submit(func(ctx context.Context) error {
				text, err := f.c.GetConnectorTranslations(ctx, sn, locale)
				return f.confirmed(conn.Name, err, func() { tr.Set(locale, text) })
			})
		}
	}
	return f.pool.wait()
}

// confirmed records one documented read's answer in view (set, under mu). A 404 leaves the
// detail's text in place: the tenant does not serve that endpoint, so the change is reported.
func (f *fetcher) confirmed(name string, err error, set func()) error {
	if isc.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("connector %q: %w", name, err)
	}
	f.mu.Lock()
	set()
	f.mu.Unlock()
	return nil
}

// documentedRead is the documented GET of an XML part, or nil: the v3 document has GET
// …/source-config and …/source-template but no GET of the correlation config (its path file
// is not part of the published v3 document).
func documentedRead(field string) func(*isc.Client, context.Context, string) (string, error) {
	switch field {
	case "sourceConfig":
		return (*isc.Client).GetConnectorSourceConfig
	case "sourceTemplate":
		return (*isc.Client).GetConnectorSourceTemplate
	}
	return nil
}

// liveAliases are the other names a ConnectorDetail may give a bundle part: the document's
// schema has sourceConfig beside sourceConfigXml; correlationConfig is the same pattern.
var liveAliases = map[string]string{"sourceConfigXml": "sourceConfig", "correlationConfigXml": "correlationConfig"}

// bundleView is the bundle of ConnectorDetail d under the canonical field names
// (config.XMLParts' Live, translationProperties by the declared locales, connectorMetadata as
// an object), read from whichever spelling d uses; d is not changed.
func bundleView(d *value.Object, b *config.Bundle) *value.Object {
	view := value.NewObject()
	for _, part := range config.XMLParts {
		for _, k := range []string{part.Live, liveAliases[part.Live]} {
			if v, ok := d.Get(k); ok && k != "" {
				if s, isString := v.(string); isString {
					view.Set(part.Live, s)
					break
				}
			}
		}
	}
	tr := value.NewObject()
	if live := d.Object(config.LiveTranslations); live != nil {
		for _, t := range b.Translations {
			if s, ok := localeText(live, t.Locale); ok {
				tr.Set(t.Locale, s)
			}
		}
	}
	view.Set(config.LiveTranslations, tr)
	switch md := func() any { v, _ := d.Get(config.FieldConnectorMetadata); return v }().(type) {
	case *value.Object:
		view.Set(config.FieldConnectorMetadata, md)
	case string:
		// Metadata given as JSON text: its object, if it holds one.
		if v, err := value.Decode([]byte(md)); err == nil {
			if o, ok := v.(*value.Object); ok {
				view.Set(config.FieldConnectorMetadata, o)
			}
		}
	}
	return view
}

// localeText is the translations text of locale in the detail's map: under the locale as the
// API spells it, or else under a key equal to it but for case and '_' for '-' (zh_tw). A
// value that is not text (an object of parsed pairs, say) is not taken: the documented GET
// reads the locale instead.
func localeText(m *value.Object, locale string) (string, bool) {
	fold := func(s string) string { return strings.ToLower(strings.ReplaceAll(s, "_", "-")) }
	v, ok := m.Get(locale)
	if !ok {
		for k, x := range m.All() {
			if fold(k) == fold(locale) {
				v, ok = x, true
				break
			}
		}
	}
	s, isString := v.(string)
	return s, ok && isString
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
