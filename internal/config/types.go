// Package config loads a sailsync config repository (a directory of YAML documents) into typed
// desired state, keeping the file:line:col of every declared value so that every later message —
// a schema error, a diff line, an immutable-field violation — can point at the YAML the user wrote.
package config

import (
	"fmt"

	"github.com/sailsync/sailsync/internal/value"
)

// Pos is a position in a YAML file. File is relative to the repository root, slash-separated.
type Pos struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Col  int    `json:"col"`
}

// String renders the position as path:line:col.
func (p Pos) String() string { return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col) }

// Object is what every declared object shares.
type Object struct {
	Kind Kind
	Name string
	// Owner is the name of the object this one belongs to, for a kind with an Owner in the
	// table (an entitlement schema's source); "" otherwise.
	Owner string
	// Doc is the position of the document's `kind` key.
	Doc Pos
	// Fields holds the declared API fields in the order written, as the API would see them:
	// `kind` and sailsync's own keys (connectorFiles, template, attributes, source) removed.
	// Strings may still hold ${env:…} and ${connector:…} references; see Expand.
	// Numbers are json.Number with the exact text written in the YAML.
	Fields *value.Object
	// Absent marks a tombstone (`absent: true`): the object must not exist in the tenant, and
	// Fields holds its identity only. Reason is the tombstone's `reason`.
	Absent bool
	Reason string
	// Positions maps a dotted field path ("description", "connectorAttributes.password",
	// "features") to the position of its value in the YAML.
	Positions map[string]Pos
}

// Declared is a declared object of any kind: *Object for a plain kind, or the kind's own type,
// which embeds Object.
type Declared interface {
	// Common returns the part every declared object shares.
	Common() *Object
}

// Common returns o itself: a plain kind's object is an Object.
func (o *Object) Common() *Object { return o }

// NewRepo returns a repository holding objs, each under its kind, in the order given: the
// desired state built without a directory (tests, benchmarks).
func NewRepo(objs ...Declared) *Repo {
	r := &Repo{}
	r.Add(objs...)
	return r
}

// Add appends objs to the repository, each under its kind.
func (r *Repo) Add(objs ...Declared) {
	if r.objects == nil {
		r.objects = map[Kind][]Declared{}
	}
	for _, d := range objs {
		k := d.Common().Kind
		r.objects[k] = append(r.objects[k], d)
	}
}

// PosOf returns the position of the value at path, falling back to the enclosing field and then
// to the document.
func (o *Object) PosOf(path string) Pos {
	for p := path; p != ""; {
		if pos, ok := o.Positions[p]; ok {
			return pos
		}
		i := lastDot(p)
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return o.Doc
}

func lastDot(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '.' {
			return i
		}
	}
	return -1
}

// File is a file referenced from the repository (connector file, schema template).
type File struct {
	// Rel is the path as written in the YAML.
	Rel string
	// Path is the resolved path on disk (absolute), checked to lie inside the repository.
	Path string
	// Root is the resolved path relative to the repository root, slash-separated: how a plan
	// names the file, wherever the repository is checked out.
	Root string
	// Pos is the position of the reference in the YAML.
	Pos Pos
	// links are the symbolic links met on the way from Rel to Root, relative to the root: a
	// change to one is a change to what the file feeds (see Repo.reads).
	links []string
}

// Repo is a loaded config repository: the desired state.
type Repo struct {
	// Dir is the repository root as given.
	Dir string
	// Hash is a hex SHA-256 over every file that makes up the desired state (YAML, the settings
	// file, templates, connector files), so that a saved plan can be tied to the content it was made from.
	Hash string
	// Settings are read from the settings file, sailsync.yaml (empty when there is none).
	Settings Settings
	// Env is the environment whose vars fill the ${var:…} references (see ForEnvironment);
	// empty for the repository as written.
	Env string
	// objects holds the declared objects, tombstones included, by kind and in repository order:
	// a plain kind's as *Object, a kind with a type of its own as that type (*Source), read
	// through ObjectsOf or the kind's typed accessor (Sources). A new kind needs no field here.
	objects map[Kind][]Declared
	// Warnings are what the load found questionable but the tenant would accept (a value outside
	// a published enum the vendor extends, runtime state declared, a plain value under a
	// password-like key): reported by every command, never a failure.
	Warnings Problems
	// reads is every path the load read, by its path relative to the root, and what it feeds
	// (see recordReads): how --changed-since maps a changed file to objects.
	reads map[string]*fileUse
}

// Problem is one thing wrong with a repository.
type Problem struct {
	Pos     Pos    `json:"pos"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// String renders the problem as path:line:col: message.
func (p Problem) String() string { return p.Pos.String() + ": " + p.Message }

// Problems is every problem found in one load; it is an error so that callers can return it.
type Problems []Problem

// Error renders the first problem and how many more there are.
func (ps Problems) Error() string {
	if len(ps) == 1 {
		return ps[0].String()
	}
	if len(ps) == 2 {
		return ps[0].String() + " (and 1 more problem)"
	}
	return fmt.Sprintf("%s (and %d more problems)", ps[0].String(), len(ps)-1)
}
