package diff

import (
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/sailsync/sailsync/internal/config"
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

// unmanagedAll finds the tenant's objects that the repository does not declare (each kind's
// planner finds its own), sets the plan's coverage and returns the unmanaged changes to report: those no
// `unmanaged:` rule accepts, none with UnmanagedIgnore.
func (c *computer) unmanagedAll(p *Plan) []planned {
	mode := c.opts.Unmanaged
	if mode == "" {
		mode = UnmanagedReport
	}
	cov := &Coverage{Mode: mode}
	var found []unmanagedObject

	for _, k := range config.AllKinds() {
		if spec, _ := config.KindInfo(k); spec.Unmanaged && planners[k].unmanaged != nil {
			found = append(found, planners[k].unmanaged(c, cov)...)
		}
	}
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
		if la, lb := config.Level(a.Kind), config.Level(b.Kind); la != lb {
			return la < lb
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Kind < b.Kind
	})
	p.Coverage = cov
	return out
}

// kindPlural is a kind in words, plural, for the coverage line: ProvisioningPolicy →
// provisioning policies.
func kindPlural(k config.Kind) string {
	var b strings.Builder
	for i, r := range string(k) {
		if unicode.IsUpper(r) && i > 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	w := b.String()
	if strings.HasSuffix(w, "y") {
		return w[:len(w)-1] + "ies"
	}
	return w + "s"
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
	for _, k := range config.AllKinds() {
		if n, ok := cv.Kinds[k]; ok && n.All > 0 {
			s += fmt.Sprintf(", %s of %s %s (%s)", thousands(n.Managed), thousands(n.All), kindPlural(k), percent(n))
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
