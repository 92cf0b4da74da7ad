package config

import (
	"slices"
	"strings"
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
	Level int
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
	// Doc says in a line what the kind is.
	Doc string
}

// kinds is the table of kinds, in documented order (user kinds first). Where the copies this
// table replaced disagreed, it decides:
//   - `id` is server-managed and immutable: forbidden in YAML and dropped on export like the other
//     server fields, but not ignored in a comparison, since a declared id that differs names
//     another object, a violation to show (normalise left it out, the other copies had it).
//   - connectorImplementstionId, the API reference's misspelling, stays server-managed on the
//     client side (forbidden, ignored, dropped) so that a tenant answering with either spelling
//     works; the emulator, being the tenant, has only the correct spelling.
//   - `schemas` is not server-managed (users may declare it, as README says) but TenantKept: the
//     tenant adds a reference whenever an entitlement schema is uploaded and keeps it across a
//     PUT (the emulator's serverFields), so export leaves it out (export dropped it, the
//     loader, the schema and normalise allowed it).
//   - set-like fields are per kind (only Source has any); normalise had applied them to every
//     kind, which is the same while no other kind declares a field of those names.
//
// A new kind (declared, with its own endpoint) touches 12 files besides tests, counted on the
// handlers2 commit. Where behaviour differs per kind, it goes to the kind's own file, registered
// by kind and held to this table by a test (config/kinds_test.go, sync/kinds_internal_test.go,
// emulator/kinds_test.go, cmd_validate_kinds_test.go): config/kind_<kind>.go (the typed object
// and its loader), sync/kind_<kind>.go (apply's create, update, delete and request count, and
// export's reads and files) and emulator/<kind>.go (the tenant's routes, state and seed
// directory, as in sources.go). With this file (constant and row), schema/<kind>.json (embedded
// as *.json and found by its kind const), an example in examples/acme and README.md, that is 7,
// the goal's 6 plus the second handler file. The other 5 hold per-kind code no registry removes
// yet: config/types.go (Repo's field), diff/compute.go (the planner; it has no switch: kinds
// are planned in sequence, so a registry would move the code to a new diff/kind_<kind>.go
// without removing a file) and diff/plan.go (Live's field), sync/fetch.go (the reads are
// batched across kinds) and isc/endpoints.go. It was 17 before the emulator's registry, the
// schema files' discovery, validate's counts from this table and export's registry, 18 before
// the handlers (apply.go, estimate.go and load.go held switches), 20 before this table.
var kinds = []KindSpec{
	{
		Kind: KindConnector, Declared: true, Unmanaged: true, Level: 0, Schema: "connector.json",
		Identity: []string{"name"},
		// Its bundle (bundle.go) is sent with the connector's own change, after the create and
		// before the sources (level 1) that depend on it: no level of its own is needed.
		Doc: "a custom connector (POST /v3/connectors): its fields are set on create only; its bundle (source config, " +
			"template, correlation config, translations, metadata) is updated by requests of its own",
	},
	{
		Kind: KindSource, Declared: true, Unmanaged: true, Level: 1, Schema: "source.json",
		Identity: []string{"name"},
		// PUT /v3/sources/{id} answers 400 to a change of these.
		Immutable: []string{"id", "type", "authoritative", "connector", "connectorClass", "passwordPolicies"},
		ServerManaged: []string{"id", "created", "modified", "healthy", "status", "since", "connectorId",
			"connectorName", "connectionType", "connectorImplementationId", "connectorImplementstionId"},
		TenantKept: []string{"schemas"},
		// features: the tenant returns them in its own order; passwordPolicies: a membership.
		SetLike: []string{"features", "passwordPolicies"},
		ByName: []RefField{
			{Field: "owner", Type: RefIdentity},
			{Field: "cluster", Type: RefCluster},
			{Field: "managementWorkgroup", Type: RefGovernanceGroup},
			{Field: "passwordPolicies", Type: RefPasswordPolicy, List: true},
			{Field: "accountCorrelationRule", Type: RefRule},
			{Field: "managerCorrelationRule", Type: RefRule},
			{Field: "beforeProvisioningRule", Type: RefRule},
		},
		Doc: "an ISC source (/v3/sources), updated by a full-object PUT",
	},
	{
		Kind: KindEntitlementSchema, Declared: true, Level: 2, Schema: "entitlement-schema.json",
		Identity: []string{"source", "name"},
		Doc:      "an entitlement schema of a declared source, uploaded as a CSV template",
	},
	{
		Kind: KindConnectorFile, Level: 2,
		Identity: []string{"source", "name"},
		Doc:      "one connectorFiles entry of a Source, uploaded after the source exists",
	},
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
		return s, true
	}
	return KindSpec{}, false
}

// row is the table row of k, or nil: the loader asks once per document, so without copies.
func row(k Kind) *KindSpec {
	for i := range kinds {
		if kinds[i].Kind == k {
			return &kinds[i]
		}
	}
	return nil
}

// AllKinds returns every kind of the table, in table order.
func AllKinds() []Kind {
	out := make([]Kind, len(kinds))
	for i, s := range kinds {
		out[i] = s.Kind
	}
	return out
}

// UserKinds returns the kinds users may declare, in documented order.
func UserKinds() []Kind {
	var out []Kind
	for _, s := range kinds {
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
	for _, s := range kinds {
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
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// knownKind reports whether users may declare k.
func knownKind(k Kind) bool {
	r := row(k)
	return r != nil && r.Declared
}
