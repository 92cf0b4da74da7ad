// Package diff compares desired state (config) with live state (fetched from the tenant) and
// produces a Plan: per object create, update, no change, violation or unmanaged, with field-level
// changes. It also renders plans for terminals, machines and pull requests. It never prints and
// never talks to the tenant.
package diff

import (
	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/value"
)

// FormatVersion is the version of the JSON plan format (plan --out, --output json).
const FormatVersion = 3

// Action is what a plan does with one object.
type Action string

// The actions of a plan.
const (
	ActionCreate    Action = "create"
	ActionUpdate    Action = "update"
	ActionNoChange  Action = "no-change"
	ActionViolation Action = "violation"
	// ActionUnmanaged is a source in the tenant that the repository does not declare (drift only).
	ActionUnmanaged Action = "unmanaged"
)

// Sensitive is what stands in for a secret value everywhere a value is shown.
const Sensitive = "(sensitive)"

// SensitiveUnset stands for a secret whose environment variable is not set, in a plan made with
// Options.AllowUnsetEnv: the plan can be reviewed, an apply refuses it.
const SensitiveUnset = "(sensitive, not set)"

// Live is the live state fetched for a plan: one model for every kind, the tenant's objects by
// kind and identity, and what some kinds' planners need besides (a connector's listing, bundles).
type Live struct {
	// Objects holds the tenant's objects that the repository declares, by kind and by Key
	// (owner and declared name); with Listed[kind], every object of the kind's listing. A key
	// may hold nil: looked up, and the tenant has none.
	Objects map[config.Kind]map[Key]*value.Object
	// Listed tells, per kind, whether Objects holds the kind's whole listing (drift's unmanaged
	// objects; every source, for a connector's users).
	Listed map[config.Kind]bool
	// ListedOwners tells, for a kind with an Owner, whose objects were listed (the sources
	// whose schemas were read), also when the tenant has none.
	ListedOwners map[config.Kind]map[string]bool
	// ListedConnectors is the tenant's connector listing (RELEASED connectors) when
	// Listed[Connector]: drift finds unmanaged custom connectors in it. Connectors are found by
	// name, never by a guessed scriptName (see sync.Fetch); the object's scriptName is the
	// tenant's.
	ListedConnectors []*value.Object
	// MissingConnectors holds the scriptNames that declared sources to be created name and that
	// the tenant does not have (neither listed nor found by GET /v3/connectors/{scriptName}).
	MissingConnectors map[string]bool
	// Named holds, for each reference given by name (config.Repo.NamedRefs), the tenant's
	// objects of its type with that name: exactly one is resolved, none or several is an error.
	Named map[config.NamedRef][]*value.Object
	// Lookups is the number of requests made to fill Named.
	Lookups int
	// Bundles holds, by declared connector name, the bundle as the tenant holds it when it is
	// not simply the ConnectorDetail's canonical fields: the detail's other spellings read
	// and parts confirmed at their documented GET endpoints (sync.Fetch). Nil entries, or
	// none, mean the detail in Objects is compared.
	Bundles map[string]*value.Object
	// Notes say how the tenant was read when it was not object by object (the configuration
	// export, and what it did not give); the plan shows them.
	Notes []string
	// ExportFallbacks counts the sources whose schemas the export did not give whole, read per
	// object instead.
	ExportFallbacks int
}

// Key identifies a live object within its kind: the declared name, and for a kind with an
// Owner (an entitlement schema) the name of the object it belongs to.
type Key struct {
	Owner, Name string
}

// Get returns the tenant's object of kind k declared as name (of owner), or nil.
func (l *Live) Get(k config.Kind, owner, name string) *value.Object {
	return l.Objects[k][Key{owner, name}]
}

// Has reports whether the object of kind k declared as name (of owner) was looked up.
func (l *Live) Has(k config.Kind, owner, name string) bool {
	_, ok := l.Objects[k][Key{owner, name}]
	return ok
}

// Put records o (nil: the tenant has none) as the tenant's object of kind k declared as name
// (of owner).
func (l *Live) Put(k config.Kind, owner, name string, o *value.Object) {
	if l.Objects == nil {
		l.Objects = map[config.Kind]map[Key]*value.Object{}
	}
	m := l.Objects[k]
	if m == nil {
		m = map[Key]*value.Object{}
		l.Objects[k] = m
	}
	m[Key{owner, name}] = o
}

// SetListedOwner records that the objects of kind k that belong to owner were listed.
func (l *Live) SetListedOwner(k config.Kind, owner string) {
	if l.ListedOwners == nil {
		l.ListedOwners = map[config.Kind]map[string]bool{}
	}
	if l.ListedOwners[k] == nil {
		l.ListedOwners[k] = map[string]bool{}
	}
	l.ListedOwners[k][owner] = true
}

// SetListed records whether Objects holds the whole listing of kind k.
func (l *Live) SetListed(k config.Kind, all bool) {
	if l.Listed == nil {
		l.Listed = map[config.Kind]bool{}
	}
	l.Listed[k] = all
}

// Plan is the result of comparing a repository with a tenant.
type Plan struct {
	FormatVersion int `json:"format_version"`
	// Tenant is the tenant the plan was computed against (isc.TenantOf of its base URL): a plan
	// is only true of that tenant, and apply --plan refuses any other.
	Tenant string `json:"tenant,omitempty"`
	// Environment is the environment of sailsync.yaml the plan was made for (empty without
	// environments): apply --plan refuses to apply it for another one.
	Environment string `json:"environment,omitempty"`
	// RepoHash is config.Repo.Hash of the repository the plan was made from.
	RepoHash   string      `json:"repo_hash"`
	Changes    []Change    `json:"changes"`
	Violations []Violation `json:"violations"`
	Summary    Summary     `json:"summary"`
	// Notes are remarks shown once (e.g. that connector-file contents cannot be read back).
	Notes []string `json:"notes,omitempty"`
	// APICalls estimates the requests an apply of this plan makes (fresh GETs included): set by
	// sync.EstimateCalls, beside the executor it predicts.
	APICalls int `json:"api_calls"`
	// Drift is true for a drift report (Options.Drift): unmanaged sources were looked for.
	Drift bool `json:"drift,omitempty"`
	// Ignored lists the differences ignore rules left out of the plan (see Ignored).
	Ignored []Ignored `json:"ignored,omitempty"`
	// Base is the three-way comparison's base (ThreeWay); nil without one.
	Base *Base `json:"base,omitempty"`
	// Coverage is how much of the tenant the repository manages (drift only; see Coverage).
	Coverage *Coverage `json:"coverage,omitempty"`
	// Scope is set for a scoped plan (SetScope): only those objects were read and compared.
	Scope *config.Scope `json:"scope,omitempty"`
	// Lookups is the number of requests the plan made to find references given by name (see
	// sync.EstimateLookups); their ids are in the operations' bodies.
	Lookups int `json:"lookups,omitempty"`
	// Warnings are the repository's warnings (config.Repo.Warnings), shown by every renderer;
	// left out when there is none.
	Warnings []Warning `json:"warnings,omitempty"`
	// UnsetEnv are the uses of environment variables an apply of the plan would send that are
	// not set (Options.AllowUnsetEnv); a note says so, and each field is marked Unset.
	UnsetEnv []MissingEnv `json:"-"`
}

// Change is one object in the plan. Objects with no change are kept (Action no-change) so that
// renderers can count them, but they are not shown as changes.
type Change struct {
	Kind config.Kind `json:"kind"`
	// Name is the object's name; for EntitlementSchema the schema name, for ConnectorFile the
	// file's base name.
	Name string `json:"name"`
	// Source is the owning source's name for EntitlementSchema and ConnectorFile.
	Source string  `json:"source,omitempty"`
	Action Action  `json:"action"`
	File   string  `json:"file,omitempty"`
	Line   int     `json:"line,omitempty"`
	Fields []Field `json:"fields"`
	// LiveID is the tenant's id of the object (sources, schemas), or the scriptName the tenant
	// gave a connector.
	LiveID string `json:"live_id,omitempty"`
	// Fingerprint is the live object the change was computed against; nil for creates.
	Fingerprint *Fingerprint `json:"fingerprint,omitempty"`
	// Note is a one-line remark on the change for reviewers, e.g. which attributes a schema
	// re-upload adds and removes, or what an unmanaged source is.
	Note string `json:"note,omitempty"`
	// Op is what apply sends for a create, an update or a delete: the contract of apply, which executes
	// it and nothing else. Nil for no-change, violation and unmanaged.
	Op *Operation `json:"op,omitempty"`
	// Class is how the change came about relative to the base (ThreeWay): the most serious of
	// its fields' classes. Empty without a base.
	Class Class `json:"class,omitempty"`
}

// Operation is one write of an apply. Its body keeps references symbolic (${connector:…},
// ${env:…}, $${ escapes): apply expands them at send time, in one place, so a plan holds no
// secret and no scriptName the tenant has not chosen yet.
type Operation struct {
	// Deps are the keys (Change.Key) of the changes this one waits for: a source on the
	// connector it names, an upload on its source. Keys not in the plan's writes are done.
	Deps []string `json:"deps,omitempty"`
	// Body is the object to send: for a create the whole body, for a source update the
	// declared fields that apply lays over a fresh GET of the object (a full-object PUT).
	Body *value.Object `json:"body,omitempty"`
	// Secrets are the dotted paths of Body's ${env:…} values that are sent. A declared secret
	// not listed is not sent: the tenant's cipher text goes back and keeps it.
	Secrets []string `json:"secrets,omitempty"`
	// Pin is a connector create's declared scriptName, for the report's advice.
	Pin string `json:"pin,omitempty"`
	// Upload is the file of an entitlement schema or connector file upload.
	Upload *Upload `json:"upload,omitempty"`
	// Bundle are a connector's bundle requests, in the order sent: after the create (Body) of a
	// new connector, alone for an existing one (see bundle.go).
	Bundle []BundleRequest `json:"bundle,omitempty"`
}

// Upload is a file an operation sends as multipart field "file".
type Upload struct {
	// Name is the file name sent.
	Name string `json:"name"`
	// Content is the file itself, for schema templates (at most config.MaxTemplateSize).
	Content string `json:"content,omitempty"`
	// Path names a connector file relative to the repository root (slash-separated): such
	// files can be large, so apply reads it from the repository.
	Path string `json:"path,omitempty"`
}

// Key identifies an object across the plan: kind, source (if any) and name.
func (c Change) Key() string {
	if c.Source != "" {
		return string(c.Kind) + "/" + c.Source + "/" + c.Name
	}
	return string(c.Kind) + "/" + c.Name
}

// Field is one field-level difference.
type Field struct {
	// Path is the dotted field path, e.g. "connectorAttributes.healthCheckTimeout".
	Path   string `json:"path"`
	Before any    `json:"before"`
	After  any    `json:"after"`
	// Immutable marks a field the tenant will not change (a violation when it differs).
	Immutable bool `json:"immutable"`
	// Sensitive marks a secret: Before and After are both Sensitive, never the value.
	Sensitive bool `json:"sensitive"`
	// Unset marks a secret whose environment variable is not set (Options.AllowUnsetEnv):
	// After is SensitiveUnset. It is not part of what apply --plan holds a plan file to.
	Unset bool `json:"unset,omitempty"`
	// Line is the YAML line of the declared value of an updated field (0 when not known), where
	// a GitHub annotation of the update points.
	Line int `json:"line,omitempty"`
	// Class is how the difference came about relative to the base (ThreeWay); empty without one.
	Class Class `json:"class,omitempty"`
	// Base is the value the base declared, for a conflict (repository and tenant both changed it).
	Base any `json:"base,omitempty"`
	// Summary stands for Before and After where showing both would repeat a whole document (a
	// connector bundle's XML): "3 lines changed". Diff then holds the changed lines.
	Summary string `json:"summary,omitempty"`
	// Diff is a line diff of a document field ("- old", "+ new", "  context", "…"), bounded
	// in length; the lines are escaped for every output already (see bundle.go).
	Diff []string `json:"diff,omitempty"`
}

// Violation is a declared value the tenant cannot accept: an immutable field that differs.
type Violation struct {
	Kind    config.Kind `json:"kind"`
	Name    string      `json:"name"`
	Path    string      `json:"path"`
	File    string      `json:"file"`
	Line    int         `json:"line"`
	Col     int         `json:"col"`
	Live    any         `json:"live"`
	Desired any         `json:"desired"`
	Rule    string      `json:"rule"`
}

// Fingerprint identifies the version of a live object a change was computed against.
type Fingerprint struct {
	Modified string `json:"modified,omitempty"`
	// Hash is a hex SHA-256 of the object's canonical JSON.
	Hash string `json:"hash"`
}

// Summary counts the plan's objects by action.
type Summary struct {
	Create     int `json:"create"`
	Update     int `json:"update"`
	NoChange   int `json:"no_change"`
	Violations int `json:"violations"`
	Unmanaged  int `json:"unmanaged"`
	// Ignored counts the differences ignore rules left out (Plan.Ignored).
	Ignored int `json:"ignored,omitempty"`
	// Delete counts the tombstoned objects the tenant has: reviewed on their own, so that a
	// deletion is never lost among updates.
	Delete int `json:"delete,omitempty"`
}
