package config

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/sailsync/sailsync/internal/value"
)

// Kind is the kind of a declared object, the value of a document's `kind` key.
type Kind string

// The kinds sailsync knows; the table below holds what it knows about each. ConnectorFile is
// not written by users: it is the plan's name for one `connectorFiles` entry of a Source.
const (
	KindConnector         Kind = "Connector"
	KindSource            Kind = "Source"
	KindEntitlementSchema Kind = "EntitlementSchema"
	KindConnectorFile     Kind = "ConnectorFile"
)

// KindSpec is what sailsync knows about one kind as data. Every list of kinds or of fields that
// other packages use (the loader's kind check, diff's normalisation rules and immutable check,
// export's dropped fields, apply's dependency levels) is derived from the table below, so that
// they cannot disagree; kinds_test.go holds them to it.
type KindSpec struct {
	// Kind is the kind's name, the value of a document's `kind` key.
	Kind Kind
	// Declared tells whether users write the kind in YAML; an undeclared kind (ConnectorFile) is
	// a step of the plan derived from another kind's fields.
	Declared bool
	// Unmanaged tells whether drift reports the tenant's objects of the kind that the repository
	// does not declare (and counts them in the coverage).
	Unmanaged bool
	// Level is the dependency level, from 0: an object may depend only on objects of lower levels
	// (a source on its connector, a schema on its source), so a plan and an apply run by level.
	// It is not written in a row but computed from Owner and Uses (see table): one above the
	// highest level the kind depends on.
	Level int
	// Owner is the kind of the object an object of this kind belongs to, named by its first
	// Identity field ("source"): it is created after its owner and deleted before it, and a
	// tombstone of the owner is refused while a declared object still belongs to it. "" for none.
	Owner Kind
	// Uses are the fields that name an object of another kind (a source's `connector`): the
	// object waits for the one it names to be created, and that one's delete waits for its own.
	Uses []Use
	// RefScheme is the scheme of a YAML reference to an object of the kind by its declared name
	// (`connector`: ${connector:NAME}), for a kind another one Uses; "" for none.
	RefScheme string
	// LiveID is the field of the tenant's object that a request names it by: "id", or
	// "scriptName" for a connector. A change carries it as its LiveID.
	LiveID string
	// Schema is the kind's JSON Schema file in schema/ (empty for an undeclared kind).
	Schema string
	// Identity are the fields that name an object of the kind within a tenant, ids differing
	// between tenants: "name", or "source" and "name" for objects that belong to a source.
	Identity []string
	// Immutable are the fields the tenant refuses to change once the object exists (400): plan
	// reports a difference in one as a violation instead of sending it.
	Immutable []string
	// ServerManaged are the fields the tenant sets itself: the schema forbids declaring them,
	// export drops them, and a comparison ignores them unless they are also Immutable.
	ServerManaged []string
	// TenantKept are fields users may declare but the tenant maintains as well: export leaves them
	// out so that the next plan does not take back what the tenant added.
	TenantKept []string
	// SetLike are the top-level list fields whose order carries no meaning: compared as sets.
	SetLike []string
	// ByName are the reference fields whose objects may be given by name instead of id: ids
	// differ between tenants, so plan finds each name in the tenant it talks to and export
	// writes names (see NamedRefs).
	ByName []RefField
	// TenantAttributes are the connectorAttributes keys the tenant writes itself (runtime state
	// it rewrites on every aggregation or health check, ids it sets at creation): export never
	// writes them, a comparison and a fingerprint leave them out unless declared, and validate
	// warns where the repository declares one. Only Source has any.
	TenantAttributes []TenantAttribute
	// API is where the objects of a plain kind live (see API); nil for a kind with handlers of
	// its own.
	API *API
	// Doc says in a line what the kind is.
	Doc string
}

// Use is a field of a kind that names an object of another kind: in the YAML by a reference
// (${connector:NAME} for a Connector), in the tenant by that object's LiveID.
type Use struct {
	Field string
	Kind  Kind
}

// API describes a plain kind's collection: objects listed (paged) and created (POST) at Path,
// read, replaced by a full-object PUT and deleted at Path/{id}, identified by name. Every layer
// handles such a kind from its row alone: plan compares it field by field with the row's
// rules, apply lays the declared fields over a fresh read, export writes what the listing holds.
type API struct {
	// Path is the collection, e.g. "/v3/transforms".
	Path string
	// Vendor names a boolean field that marks the vendor's own objects (`internal`: SailPoint's
	// transforms): not the tenant's to change, so never planned, reported or exported, but their
	// names are taken. The listing is read whole and they are told apart here rather than by a
	// filter, so that a declared name that one of them has is a violation, not a create the
	// tenant refuses. "" when the kind has none.
	Vendor string
	// NameIn tells whether the listing's filter allows `name in (…)`; without it a name is
	// looked up with `name sw` (case-insensitive, so that a name the tenant may take for the
	// declared one is found too; see sync's lookupFilters), one request each.
	NameIn bool
}

// kinds is the table of kinds (see table): one row per kind, each added by its kind's own file
// (kind_<kind>.go, with addKind) and kept in dependency order (level, then declared kinds before
// the others, then by name). Rules that hold for every kind:
//   - `id` is server-managed and immutable: forbidden in YAML and dropped on export like the other
//     server fields, but not ignored in a comparison, since a declared id that differs names
//     another object, a violation to show.
//   - connectorImplementstionId, the API reference's misspelling, stays server-managed on the
//     client side (forbidden, ignored, dropped) so that a tenant answering with either spelling
//     works; the emulator, being the tenant, has only the correct spelling.
//   - `schemas` is not server-managed (users may declare it, as README says) but TenantKept: the
//     tenant adds a reference whenever an entitlement schema is uploaded and keeps it across a
//     PUT (the emulator's serverFields), so export leaves it out.
//   - set-like fields are per kind (only Source has any).
//
// A plain kind (a row with API) is handled by every layer from its row alone; a kind with
// behaviour adds its handlers to each layer's registry from its own files (README, "Adding a
// kind"), so that neither adds a line to a file another kind uses.
var kinds []KindSpec

// addKind adds a row to the table and the loader of a declared kind (nil: a plain kind's, which
// keeps the declared object as it is); called from the kinds' init functions, in file order, so
// the levels and the order are computed once every row is in (table).
func addKind(s KindSpec, kl *kindLoader) {
	for _, r := range rows {
		if r.Kind == s.Kind {
			panic("config: kind " + string(s.Kind) + " added twice")
		}
	}
	if s.LiveID == "" {
		s.LiveID = "id"
	}
	rows = append(rows, s)
	switch {
	case kl != nil:
		registerLoader(s.Kind, *kl)
	case s.Declared:
		registerLoader(s.Kind, plainLoader())
	}
}

// rows are the rows as the kinds' files added them; table orders them.
var rows []KindSpec

var tableOnce sync.Once

// table returns the table of kinds, each row's Level computed from its Owner and Uses and the
// rows in dependency order (level, then declared kinds before the others, then by name). It is
// computed on first use, after every kind's init function has run.
func table() []KindSpec {
	tableOnce.Do(func() {
		byKind := map[Kind]*KindSpec{}
		for i := range rows {
			byKind[rows[i].Kind] = &rows[i]
		}
		done := map[Kind]bool{}
		var levelOf func(k Kind, path []Kind) int
		levelOf = func(k Kind, path []Kind) int {
			r := byKind[k]
			if r == nil {
				panic("config: kind " + string(path[len(path)-1]) + " depends on " + string(k) + ", which is not in the table")
			}
			if done[k] {
				return r.Level
			}
			if slices.Contains(path, k) {
				panic(fmt.Sprintf("config: the kinds %v depend on one another", append(path, k)))
			}
			path = append(path, k)
			lvl := 0
			if r.Owner != "" {
				lvl = max(lvl, levelOf(r.Owner, path)+1)
			}
			for _, u := range r.Uses {
				lvl = max(lvl, levelOf(u.Kind, path)+1)
			}
			r.Level, done[k] = lvl, true
			return lvl
		}
		for _, r := range rows {
			levelOf(r.Kind, nil)
		}
		slices.SortStableFunc(rows, func(a, b KindSpec) int {
			if a.Level != b.Level {
				return a.Level - b.Level
			}
			if a.Declared != b.Declared {
				if a.Declared {
					return -1
				}
				return 1
			}
			return strings.Compare(string(a.Kind), string(b.Kind))
		})
		kinds = rows
	})
	return kinds
}

// KindInfo returns the table row of kind k, and false for a kind not in the table. The row's
// lists are copies: the table itself cannot be changed through them.
func KindInfo(k Kind) (KindSpec, bool) {
	if r := row(k); r != nil {
		s := *r
		s.Identity = slices.Clone(s.Identity)
		s.Immutable = slices.Clone(s.Immutable)
		s.ServerManaged = slices.Clone(s.ServerManaged)
		s.TenantKept = slices.Clone(s.TenantKept)
		s.SetLike = slices.Clone(s.SetLike)
		s.ByName = slices.Clone(s.ByName)
		s.TenantAttributes = slices.Clone(s.TenantAttributes)
		s.Uses = slices.Clone(s.Uses)
		return s, true
	}
	return KindSpec{}, false
}

// row is the table row of k, or nil: the loader asks once per document, so without copies.
func row(k Kind) *KindSpec {
	kinds := table()
	for i := range kinds {
		if kinds[i].Kind == k {
			return &kinds[i]
		}
	}
	return nil
}

// AllKinds returns every kind of the table, in table order.
func AllKinds() []Kind {
	out := make([]Kind, len(table()))
	for i, s := range table() {
		out[i] = s.Kind
	}
	return out
}

// UserKinds returns the kinds users may declare, in documented order.
func UserKinds() []Kind {
	var out []Kind
	for _, s := range table() {
		if s.Declared {
			out = append(out, s.Kind)
		}
	}
	return out
}

// Levels returns the kinds grouped by dependency level, lowest first; within a level, in table
// order (which carries no meaning: an object waits for its own dependencies only).
func Levels() [][]Kind {
	var out [][]Kind
	for _, s := range table() {
		for len(out) <= s.Level {
			out = append(out, nil)
		}
		out[s.Level] = append(out[s.Level], s.Kind)
	}
	return out
}

// Level returns the dependency level of k; a kind not in the table comes after every level.
func Level(k Kind) int {
	if r := row(k); r != nil {
		return r.Level
	}
	return len(Levels())
}

// UsedNames returns the declared names of the objects of kind u.Kind that o's field u.Field
// names with references (${connector:NAME}), in order.
func UsedNames(o *Object, u Use) []string {
	r := row(u.Kind)
	if r == nil || r.RefScheme == "" {
		return nil
	}
	v, _ := o.Fields.Get(u.Field)
	str, _ := v.(string)
	if !strings.Contains(str, "${") {
		return nil
	}
	refs, _ := Refs(str)
	var out []string
	for _, ref := range refs {
		if ref.Scheme == r.RefScheme {
			out = append(out, ref.Name)
		}
	}
	return out
}

// usersOf names the kinds that use kind k for messages: "a Source's", "a Source's or a Role's".
func usersOf(k Kind) string {
	var names []string
	for _, s := range table() {
		if slices.ContainsFunc(s.Uses, func(u Use) bool { return u.Kind == k }) {
			names = append(names, "a "+string(s.Kind)+"'s")
		}
	}
	return orList(names)
}

// kindOfScheme returns the kind a reference scheme names objects of, or "".
func kindOfScheme(scheme string) Kind {
	for _, s := range table() {
		if s.RefScheme != "" && s.RefScheme == scheme {
			return s.Kind
		}
	}
	return ""
}

// LiveIDField returns the field of the tenant's objects of kind k that requests name them by
// (the row's LiveID): "id" for a kind not in the table.
func LiveIDField(k Kind) string {
	if r := row(k); r != nil {
		return r.LiveID
	}
	return "id"
}

// IgnoredInComparison returns the server-managed fields of the kind that a comparison leaves
// out on both sides: all but the immutable ones (see the table's note on `id`).
func (s KindSpec) IgnoredInComparison() []string {
	var out []string
	for _, f := range s.ServerManaged {
		if !slices.Contains(s.Immutable, f) {
			out = append(out, f)
		}
	}
	return out
}

// NotExported returns the fields export leaves out of the kind's objects: the server-managed
// ones, which the schema forbids, and those the tenant keeps.
func (s KindSpec) NotExported() []string {
	return append(slices.Clone(s.ServerManaged), s.TenantKept...)
}

// userKindList names the user kinds for messages: "Connector, Source or EntitlementSchema".
func userKindList() string {
	ks := UserKinds()
	names := make([]string, len(ks))
	for i, k := range ks {
		names[i] = string(k)
	}
	return orList(names)
}

// orList joins names for a message: "a", "a or b", "a, b or c".
func orList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// Vendors reports whether live is one of the vendor's own objects of the collection (Vendor).
func (a *API) Vendors(live *value.Object) bool {
	if a == nil || a.Vendor == "" {
		return false
	}
	v, _ := live.Get(a.Vendor)
	return v == true
}

// PlainKinds returns the declared kinds with an API row (plain kinds), in table order.
func PlainKinds() []Kind {
	var out []Kind
	for _, s := range table() {
		if s.Declared && s.API != nil {
			out = append(out, s.Kind)
		}
	}
	return out
}

// knownKind reports whether users may declare k.
func knownKind(k Kind) bool {
	r := row(k)
	return r != nil && r.Declared
}
