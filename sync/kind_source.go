package sync

import (
	"context"
	"fmt"
	"strings"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/isc"
	"github.com/sailsync/sailsync/internal/value"
)

func init() { register(config.KindSource, sourceKind{}) }

// sourceKind applies Source changes: a create, a full-object PUT over a fresh read, a delete
// whose task is followed.
type sourceKind struct{}

// known records the source's id, which its schemas and files are uploaded under.
func (sourceKind) known(a *applier, ch diff.Change) { a.sourceIDs[ch.Name] = ch.LiveID }

func (sourceKind) apply(a *applier, ch diff.Change, _ *Result) error {
	if ch.Action == diff.ActionCreate {
		return a.createSource(ch)
	}
	return a.updateSource(ch)
}

// remove sends the DELETE and follows its task; the task's outcome is the note or the error.
func (sourceKind) remove(a *applier, ch diff.Change) (string, error) {
	ref, err := a.c.DeleteSource(a.reqCtx, ch.LiveID)
	if err != nil {
		return a.deleteDone(ch, err)
	}
	return a.followTask(ref)
}

// calls: POST; a fresh GET and the PUT; the DELETE and one poll of its task.
func (sourceKind) calls(ch diff.Change) int { return perAction(ch, 1, 2, 2) }

func (a *applier) createSource(ch diff.Change) error {
	body, err := a.resolveObject(ch.Op.Body)
	if err != nil {
		return fmt.Errorf("source %q: %w", ch.Name, err)
	}
	opts := isc.CreateSourceOptions{ProvisionAsCsv: body.String("connector") == "delimited-file"}
	created, err := a.c.CreateSource(a.reqCtx, body, opts)
	if err != nil {
		return fmt.Errorf("source %q: create: %w", ch.Name, err)
	}
	a.mu.Lock()
	a.sourceIDs[ch.Name] = created.String("id")
	a.mu.Unlock()
	a.record(config.KindSource, ch.Name, created.String("id"))
	return nil
}

func (a *applier) updateSource(ch diff.Change) error {
	fresh, err := a.c.GetSource(a.reqCtx, ch.LiveID)
	if err != nil {
		return fmt.Errorf("source %q: fresh read: %w", ch.Name, err)
	}
	if fresh.String("name") != ch.Name || ch.Fingerprint == nil || diff.FingerprintOf(fresh).Hash != ch.Fingerprint.Hash {
		// Another object under that id (a forged or outdated id) is never overwritten.
		return &staleError{what: fmt.Sprintf("source %q", ch.Name)}
	}
	send := make(map[string]bool, len(ch.Op.Secrets))
	for _, p := range ch.Op.Secrets {
		send[p] = true
	}
	body, err := Overlay(fresh, ch.Op.Body, a.resolve, func(path string) bool { return send[path] })
	if err != nil {
		return fmt.Errorf("source %q: %w", ch.Name, err)
	}
	if a.stop.Err() != nil {
		return errInterrupted
	}
	if _, err := a.c.PutSource(a.reqCtx, ch.LiveID, body); err != nil {
		return fmt.Errorf("source %q: update: %w", ch.Name, err)
	}
	return nil
}

// exportDropped are the source fields export leaves out: those the tenant manages, which the
// config format does not allow, and `schemas`, which the tenant keeps (config's kind table).
var exportDropped = sourceNotExported()

func sourceNotExported() []string {
	s, _ := config.KindInfo(config.KindSource)
	return s.NotExported()
}

// sourceKindRow is config's row of the Source kind: export leaves out the connectorAttributes
// keys its TenantAttributes name.
var sourceKindRow, _ = config.KindInfo(config.KindSource)

// sourceExport writes each exported source, its secrets replaced by environment variables; the
// sources themselves are read by Export, which is rooted in them.
type sourceExport struct{}

func init() { registerExporter(config.KindSource, func() exporter { return sourceExport{} }) }

func (sourceExport) prepare(context.Context, *exportRun) error { return nil }

func (sourceExport) readSource(*exportRun, *value.Object) {}

func (sourceExport) renderAll(*exportRun) error { return nil }

func (sourceExport) renderSource(x *exportRun, s *value.Object) error {
	custom := map[string]*value.Object{}
	if ce, ok := x.kinds[config.KindConnector].(*connectorExport); ok {
		custom = ce.custom
	}
	f, vars, files, err := exportSource(s, custom, x.envTaken)
	if err != nil {
		return err
	}
	x.add(f)
	x.out.EnvVars = append(x.out.EnvVars, vars...)
	if len(files) > 0 {
		x.out.ConnectorFiles[s.String("name")] = files
	}
	return nil
}

func exportSource(s *value.Object, custom map[string]*value.Object, envTaken map[string]bool) (ExportFile, []EnvVar, []string, error) {
	name := s.String("name")
	doc := value.NewObject()
	doc.Set("kind", "Source")
	// Strings the tenant holds that look like references would be read back as references:
	// escape them before this export writes references of its own.
	body, ok := escapeRefs(s).(*value.Object)
	if !ok {
		return ExportFile{}, nil, nil, fmt.Errorf("source %q is not an object", name)
	}
	for _, k := range exportDropped {
		body.Delete(k)
	}
	if conn, ok := custom[body.String("connector")]; ok {
		body.Set("connector", "${connector:"+conn.String("name")+"}")
	}
	var vars []EnvVar
	var files []string
	if attrs := body.Object("connectorAttributes"); attrs != nil {
		cf, _ := attrs.Get("connector_files")
		files = value.StringList(cf)
		// connector_files is the tenant's list of the uploaded files, declared as connectorFiles.
		attrs.Delete("connector_files")
		live := s.Object("connectorAttributes")
		for _, k := range attrs.Keys() {
			if _, tenant := sourceKindRow.TenantAttribute(k); tenant {
				// Runtime state and the tenant's ids: the user would own values it rewrites.
				attrs.Delete(k)
				continue
			}
			if !config.TenantEncrypts(k, live) {
				continue
			}
			v, _ := attrs.Get(k)
			if str, ok := v.(string); !ok || str == "" {
				continue
			}
			env := envName(name, k)
			for n, base := 2, env; envTaken[env]; n++ {
				env = fmt.Sprintf("%s_%d", base, n)
			}
			envTaken[env] = true
			attrs.Set(k, "${env:"+env+"}")
			vars = append(vars, EnvVar{Name: env, Source: name, Attribute: k})
		}
	}
	for _, k := range body.Keys() {
		v, _ := body.Get(k)
		doc.Set(k, v)
	}
	f, err := yamlFile("sources/"+slug(name)+".yaml", doc)
	return f, vars, files, err
}

// envName derives the variable name for a secret: SOURCE_NAME_ATTRIBUTE, upper-case, each run of
// other characters an underscore.
func envName(source, attr string) string {
	return strings.ToUpper(strings.ReplaceAll(isc.ScriptName(source)+"-"+isc.ScriptName(attr), "-", "_"))
}
