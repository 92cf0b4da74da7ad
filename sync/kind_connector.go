package sync

import (
	"context"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/isc"
	"github.com/sailsync/sailsync/internal/value"
)

func init() { register(config.KindConnector, connectorKind{}) }

// connectorKind applies Connector changes: a create and its bundle (bundle.go), a bundle
// update, a delete by scriptName.
type connectorKind struct{}

// known records the scriptName the tenant has, found by name: never derived from the name.
func (connectorKind) known(a *applier, ch diff.Change) { a.scriptNames[ch.Name] = ch.LiveID }

func (connectorKind) apply(a *applier, ch diff.Change, res *Result) (err error) {
	res.ScriptName, res.Note, err = a.connector(ch)
	return err
}

func (connectorKind) remove(a *applier, ch diff.Change) (string, error) {
	return a.deleteDone(ch, a.c.DeleteConnector(a.reqCtx, ch.LiveID))
}

// calls: the create (POST /v3/connectors) or delete, and the bundle's requests, with the fresh
// GET of an update.
func (connectorKind) calls(ch diff.Change) int { return bundleCalls(ch) + perAction(ch, 1, 0, 1) }

// connector runs a connector change: the create, then its bundle requests; or, for an
// existing connector, a fresh GET (the connector must be the one the plan was computed
// against) and the bundle requests. The scriptName and advice of a create are returned also
// when a bundle request fails, so that the report says which connector now exists.
//
// A connector's writes are one write: once the first is sent, an interrupt lets the rest go out
// (each once, never retried), since a connector created without its bundle is the empty shell
// a half-cut write would leave.
func (a *applier) connector(ch diff.Change) (scriptName, note string, err error) {
	if ch.Action == diff.ActionCreate {
		scriptName, note, err = a.createConnector(ch)
		if err != nil {
			return "", "", err
		}
		if err := a.sendBundle(ch, scriptName); err != nil {
			return scriptName, note, fmt.Errorf("connector %q: created, but %w", ch.Name, err)
		}
		return scriptName, note, nil
	}
	fresh, err := a.c.GetConnector(a.reqCtx, ch.LiveID)
	if err != nil {
		return "", "", fmt.Errorf("connector %q: fresh read: %w", ch.Name, err)
	}
	if ch.Fingerprint == nil || diff.FingerprintOf(fresh).Hash != ch.Fingerprint.Hash {
		return "", "", &staleError{what: fmt.Sprintf("connector %q", ch.Name)}
	}
	if a.stop.Err() != nil {
		return "", "", errInterrupted
	}
	if err := a.sendBundle(ch, ch.LiveID); err != nil {
		return "", "", fmt.Errorf("connector %q: %w", ch.Name, err)
	}
	return "", "", nil
}

// createConnector creates a connector and records the scriptName the tenant gave it, which is
// what ${connector:…} resolves to from then on. It returns that scriptName and advice for the
// report.
func (a *applier) createConnector(ch diff.Change) (scriptName, note string, err error) {
	body, err := a.resolveObject(ch.Op.Body)
	if err != nil {
		return "", "", fmt.Errorf("connector %q: %w", ch.Name, err)
	}
	pin := ch.Op.Pin
	created, err := a.c.CreateConnector(a.reqCtx, body, pin)
	var apiErr *isc.APIError
	if errors.As(err, &apiErr) && apiErr.Status == 400 {
		// The usual cause: a connector of that name exists, but the listing does not show it
		// (not RELEASED) and no source names it, so plan could not find it.
		return "", "", fmt.Errorf("connector %q: create: %w; if a connector named %q already exists in the tenant, "+
			"sailsync cannot find it: it is not RELEASED, no source uses it and no apply journal records it (an apply whose "+
			"connection dropped after the tenant created it, or a connector uploaded by hand). Find its scriptName in the tenant "+
			"and adopt it with `sailsync pin %s --connector %s --script-name <its scriptName>`, or pin it with `scriptName: <its scriptName>` at %s",
			ch.Name, err, ch.Name, shellWord(a.opts.Dir), shellWord(ch.Name), a.where(ch))
	}
	if err != nil {
		return "", "", fmt.Errorf("connector %q: create: %w", ch.Name, err)
	}
	sn := created.String("scriptName")
	if sn == "" {
		return "", "", fmt.Errorf("connector %q: created, but the tenant's answer has no scriptName: run plan again to find it", ch.Name)
	}
	a.mu.Lock()
	a.scriptNames[ch.Name] = sn
	a.mu.Unlock()
	a.record(config.KindConnector, ch.Name, sn)
	note = fmt.Sprintf("the tenant gave it scriptName %q", sn)
	switch {
	case pin != "" && pin != sn:
		note += fmt.Sprintf("; the repository pins %q at %s: change the pin to %q", pin, a.where(ch), sn)
	case pin == "" && created.String("status") != "RELEASED":
		note += fmt.Sprintf("; it is not RELEASED, so the connector listing does not show it: pin it with `scriptName: %s` at %s "+
			"so that sailsync finds it while no source uses it", sn, a.where(ch))
	}
	return sn, note, nil
}

// where renders the position of a change's document as the user wrote the repository's path.
func (a *applier) where(ch diff.Change) string {
	file := ch.File
	if a.opts.Dir != "" && a.opts.Dir != "." {
		file = path.Join(filepath.ToSlash(a.opts.Dir), file)
	}
	return fmt.Sprintf("%s:%d", file, ch.Line)
}

// connectorExport exports the custom connectors the exported sources use: those the released
// list does not show, or built on the open connector standard that custom connectors use.
type connectorExport struct {
	released map[string]bool
	asked    map[string]bool
	custom   map[string]*value.Object // by scriptName
}

func init() {
	registerExporter(config.KindConnector, func() exporter {
		return &connectorExport{released: map[string]bool{}, asked: map[string]bool{}, custom: map[string]*value.Object{}}
	})
}

func (e *connectorExport) prepare(ctx context.Context, x *exportRun) error {
	conns, err := x.c.ListConnectors(ctx)
	if err != nil {
		return fmt.Errorf("list connectors: %w", err)
	}
	for _, o := range conns {
		e.released[o.String("scriptName")] = true
	}
	return nil
}

// readSource reads the source's connector, once per scriptName.
func (e *connectorExport) readSource(x *exportRun, s *value.Object) {
	sn := s.String("connector")
	if sn == "" || e.asked[sn] || config.UsesSaaSConnector(s) {
		return
	}
	e.asked[sn] = true
	x.read(func() error {
		o, err := x.c.GetConnector(x.ctx, sn)
		if isc.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("connector %q: %w", sn, err)
		}
		if !e.released[sn] || o.String("className") == "sailpoint.connector.OpenConnectorAdapter" {
			x.mu.Lock()
			e.custom[sn] = o
			x.mu.Unlock()
		}
		return nil
	})
}

// renderAll writes the custom connectors in scriptName order, each with its bundle.
func (e *connectorExport) renderAll(x *exportRun) error {
	var snames []string
	for sn := range e.custom {
		snames = append(snames, sn)
	}
	sort.Strings(snames)
	for _, sn := range snames {
		// The bundle's files go in a directory named after the YAML file, so the path is
		// made unique first.
		files, err := exportConnector(e.custom[sn], x.unique("connectors/"+slug(e.custom[sn].String("name"))+".yaml"))
		if err != nil {
			return err
		}
		x.out.Files = append(x.out.Files, files...)
	}
	return nil
}

func (*connectorExport) renderSource(*exportRun, *value.Object) error { return nil }

func exportConnector(o *value.Object, yamlPath string) ([]ExportFile, error) {
	doc := value.NewObject()
	doc.Set("kind", "Connector")
	for _, k := range []string{"name", "scriptName", "className", "type", "directConnect", "status"} {
		if v, ok := o.Get(k); ok {
			doc.Set(k, v)
		}
	}
	bundle := exportBundle(o, doc, yamlPath)
	f, err := yamlFile(yamlPath, doc)
	if err != nil {
		return nil, err
	}
	return append([]ExportFile{f}, bundle...), nil
}

// shellWord quotes s for a POSIX shell when it holds anything but plain characters, so that the
// command a message gives can be pasted as it is.
func shellWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
