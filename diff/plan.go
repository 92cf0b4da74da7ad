// Package diff compares desired state (config) with live state (fetched from the tenant) and
// produces a Plan: per object create, update, no change, violation or unmanaged, with field-level
// changes. It also renders plans for terminals, machines and pull requests. It never prints and
// never talks to the tenant.
package diff

import (
	"github.com/sailsync/sailsync/config"
	"github.com/sailsync/sailsync/isc"
)

// FormatVersion is the version of the JSON plan format (plan --out, --output json).
const FormatVersion = 1

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

// Live is the live state fetched for a plan. Keys are names, as objects are identified by name.
type Live struct {
	// Sources holds the declared sources the tenant has, by name; with AllSourcesListed, every
	// source of the tenant.
	Sources map[string]*isc.Object
	// AllSourcesListed is true when Sources holds every source of the tenant (needed to report
	// unmanaged sources).
	AllSourcesListed bool
	// Schemas holds the schemas of the declared sources that exist, by source name then schema name.
	Schemas map[string]map[string]*isc.Object
	// Connectors holds the connectors found, by scriptName.
	Connectors map[string]*isc.Object
}

// Plan is the result of comparing a repository with a tenant.
type Plan struct {
	FormatVersion int `json:"format_version"`
	// RepoHash is config.Repo.Hash of the repository the plan was made from.
	RepoHash   string      `json:"repo_hash"`
	Changes    []Change    `json:"changes"`
	Violations []Violation `json:"violations"`
	Summary    Summary     `json:"summary"`
	// Notes are remarks shown once (e.g. that connector-file contents cannot be read back).
	Notes []string `json:"notes,omitempty"`
	// APICalls estimates the requests an apply of this plan makes (fresh GETs included).
	APICalls int `json:"api_calls"`
	// Drift is true for a drift report (Options.Drift): unmanaged sources were looked for.
	Drift bool `json:"drift,omitempty"`
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
	// LiveID is the tenant's id of the object (sources, schemas), or scriptName for connectors.
	LiveID string `json:"live_id,omitempty"`
	// Fingerprint is the live object the change was computed against; nil for creates.
	Fingerprint *Fingerprint `json:"fingerprint,omitempty"`
	// Note is a one-line remark on the change for reviewers, e.g. which attributes a schema
	// re-upload adds and removes, or what an unmanaged source is.
	Note string `json:"note,omitempty"`
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
	// Line is the YAML line of the declared value of an updated field (0 when not known), where
	// a GitHub annotation of the update points.
	Line int `json:"line,omitempty"`
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
}
