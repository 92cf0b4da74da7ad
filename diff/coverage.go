package diff

import (
	"fmt"
	"sort"
	"strings"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/value"
)

// UnmanagedMode is what drift does with the tenant's objects the repository does not declare.
type UnmanagedMode string

// The modes of --unmanaged.
const (
	// UnmanagedReport lists and counts them; they are not drift (the default).
	UnmanagedReport UnmanagedMode = "report"
	// UnmanagedIgnore counts them in the coverage only.
	UnmanagedIgnore UnmanagedMode = "ignore"
	// UnmanagedFail lists them, and they are drift.
	UnmanagedFail UnmanagedMode = "fail"
)

// UnmanagedModes are the valid modes, the default first.
var UnmanagedModes = []UnmanagedMode{UnmanagedReport, UnmanagedIgnore, UnmanagedFail}

// openConnectorClass is the class custom connectors are built on (the open connector standard);
// the tenant's own connectors have classes of their own.
const openConnectorClass = "sailpoint.connector.OpenConnectorAdapter"

// Coverage is how much of the tenant the repository manages, like driftctl's figure.
type Coverage struct {
	// Sources counts the declared sources the tenant has (Managed) and all of its sources.
	Sources Count `json:"sources"`
	// Connectors counts the custom connectors: declared ones the tenant has, and every custom
	// connector the tenant shows (released ones are listed; one in development only when a
	// source uses it).
	Connectors Count `json:"connectors"`
	// Kinds counts the objects of each plain kind (config.PlainKinds) whose listing was read:
	// declared ones the tenant has, and every object of the listing.
	Kinds map[config.Kind]Count `json:"kinds,omitempty"`
	// Accepted are the unmanaged objects an `unmanaged:` rule of sailsync.yaml accepts: counted,
	// not reported.
	Accepted []Accepted `json:"accepted,omitempty"`
	// Mode is the --unmanaged mode the report was made with.
	Mode UnmanagedMode `json:"mode"`
}

// Count is a coverage figure: Managed of All.
type Count struct {
	Managed int `json:"managed"`
	All     int `json:"all"`
}

// Accepted is an unmanaged object accepted by a rule of sailsync.yaml.
type Accepted struct {
	Kind   config.Kind `json:"kind"`
	Name   string      `json:"name"`
	Reason string      `json:"reason"`
	// File and Line are where the accepting rule is written.
	File string `json:"file"`
	Line int    `json:"line"`
}

// unmanagedObject is one tenant object the repository does not declare.
type unmanagedObject struct {
	kind     config.Kind
	name, id string
	note     string
	fp       Fingerprint
}

// unmanagedAll finds the tenant's sources and custom connectors that the repository does not
// declare, sets the plan's coverage and returns the unmanaged changes to report: those no
// `unmanaged:` rule accepts, none with UnmanagedIgnore.
func (c *computer) unmanagedAll(p *Plan) []planned {
	mode := c.opts.Unmanaged
	if mode == "" {
		mode = UnmanagedReport
	}
	cov := &Coverage{Mode: mode}
	var found []unmanagedObject

	declared := map[string]bool{}
	for _, s := range c.repo.Sources {
		declared[s.Name] = true
	}
	for name, lv := range c.live.Sources {
		if lv == nil {
			continue
		}
		cov.Sources.All++
		if declared[name] {
			cov.Sources.Managed++
			continue
		}
		var what []string
		if con := lv.String("connector"); con != "" {
			what = append(what, "connector "+con)
		}
		if t := lv.String("type"); t != "" {
			what = append(what, "type "+t)
		}
		found = append(found, unmanagedObject{kind: config.KindSource, name: name, id: lv.String("id"), note: noteOf(what), fp: FingerprintOf(lv)})
	}

	if c.live.AllConnectorsListed {
		for _, con := range c.customConnectors() {
			cov.Connectors.All++
			if c.declaresConnector(con) {
				cov.Connectors.Managed++
				continue
			}
			what := []string{"scriptName " + con.String("scriptName")}
			found = append(found, unmanagedObject{kind: config.KindConnector, name: con.String("name"), id: con.String("scriptName"),
				note: noteOf(what), fp: FingerprintOf(con)})
		}
	}

	found = append(found, c.plainUnmanaged(cov)...)
	var out []planned
	for _, u := range found {
		if r, ok := acceptedBy(c.repo.Settings.Unmanaged, u.kind, u.name); ok {
			cov.Accepted = append(cov.Accepted, Accepted{Kind: u.kind, Name: u.name, Reason: r.Reason, File: r.Pos.File, Line: r.Pos.Line})
			continue
		}
		if mode == UnmanagedIgnore {
			continue
		}
		fp := u.fp
		out = append(out, planned{change: Change{Kind: u.kind, Name: u.name, Action: ActionUnmanaged, LiveID: u.id,
			Fingerprint: &fp, Fields: []Field{}, Note: u.note}})
	}
	sort.Slice(cov.Accepted, func(i, j int) bool {
		a, b := cov.Accepted[i], cov.Accepted[j]
		if a.Kind != b.Kind {
			return config.Level(a.Kind) < config.Level(b.Kind)
		}
		return a.Name < b.Name
	})
	p.Coverage = cov
	return out
}

func noteOf(what []string) string {
	n := "not declared in the repository"
	if len(what) > 0 {
		n += " (" + strings.Join(what, ", ") + ")"
	}
	return n
}

// acceptedBy returns the first `unmanaged:` rule accepting the object.
func acceptedBy(rules []config.UnmanagedRule, k config.Kind, name string) (config.UnmanagedRule, bool) {
	for _, r := range rules {
		if r.Matches(k, name) {
			return r, true
		}
	}
	return config.UnmanagedRule{}, false
}

// customConnectors are the tenant's custom connectors as far as the API shows them: listed ones
// built on the open connector class, and those live sources use that the listing (RELEASED
// connectors only) lacks, named by the sources' connectorName, except SaaS connectors. One per
// scriptName, by scriptName.
func (c *computer) customConnectors() []*value.Object {
	byScript := map[string]*value.Object{}
	listed := map[string]bool{}
	for _, con := range c.live.ListedConnectors {
		sn := con.String("scriptName")
		listed[sn] = true
		if con.String("className") == openConnectorClass {
			byScript[sn] = con
		}
	}
	for _, con := range c.live.Connectors {
		if con != nil {
			byScript[con.String("scriptName")] = con
		}
	}
	for _, src := range c.live.Sources {
		if src == nil {
			continue
		}
		sn := src.String("connector")
		if sn == "" || listed[sn] || byScript[sn] != nil || config.UsesSaaSConnector(src) {
			continue
		}
		o := value.NewObject()
		o.Set("name", src.String("connectorName"))
		o.Set("scriptName", sn)
		if o.String("name") == "" {
			o.Set("name", sn)
		}
		byScript[sn] = o
	}
	names := make([]string, 0, len(byScript))
	for sn := range byScript {
		names = append(names, sn)
	}
	sort.Strings(names)
	out := make([]*value.Object, len(names))
	for i, sn := range names {
		out[i] = byScript[sn]
	}
	return out
}

// declaresConnector reports whether the repository declares the live connector: it is the one
// found for a declared Connector, or has a declared Connector's name.
func (c *computer) declaresConnector(con *value.Object) bool {
	for name, lv := range c.live.Connectors {
		if lv != nil && lv.String("scriptName") == con.String("scriptName") && c.connectorByName(name) != nil {
			return true
		}
	}
	for _, d := range c.repo.Connectors {
		if strings.EqualFold(d.Name, con.String("name")) {
			return true
		}
	}
	return false
}

// CoverageLine is the coverage figure for humans: "Coverage: 2 of 3 sources (67 %), 1 of 1
// custom connectors managed; 1 unmanaged accepted by sailsync.yaml." "" without a coverage.
func CoverageLine(p *Plan) string {
	cv := p.Coverage
	if cv == nil {
		return ""
	}
	s := fmt.Sprintf("Coverage: %s of %s sources (%s)", thousands(cv.Sources.Managed), thousands(cv.Sources.All), percent(cv.Sources))
	if cv.Connectors.All > 0 {
		s += fmt.Sprintf(", %s of %s custom connectors (%s)", thousands(cv.Connectors.Managed), thousands(cv.Connectors.All), percent(cv.Connectors))
	}
	for _, k := range config.PlainKinds() {
		if n, ok := cv.Kinds[k]; ok && n.All > 0 {
			s += fmt.Sprintf(", %s of %s %ss (%s)", thousands(n.Managed), thousands(n.All), strings.ToLower(string(k)), percent(n))
		}
	}
	s += " managed"
	if n := len(cv.Accepted); n > 0 {
		file := cv.Accepted[0].File
		s += fmt.Sprintf("; %s unmanaged accepted by %s", thousands(n), file)
	}
	return s + "."
}

// percent renders a coverage figure as a whole percentage, rounded down so that 100 % means all.
func percent(c Count) string {
	if c.All == 0 {
		return "100 %"
	}
	return fmt.Sprintf("%d %%", c.Managed*100/c.All)
}
