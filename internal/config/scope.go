package config

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/sailsync/sailsync/internal/value"
	"github.com/sailsync/sailsync/schema"
)

// Selector chooses the objects of a scoped plan. Its parts narrow together: an object is
// selected when it passes every part given. The objects a selected object depends on (a
// source's connector, a schema's source) come with it, so that order and references work.
type Selector struct {
	// Sources are glob patterns (path.Match) on source names: a Source, and the schemas and
	// connector files of a source, pass when its name matches one.
	Sources []string
	// Kinds are the kinds that pass (ConnectorFile goes with Source).
	Kinds []Kind
	// Changed, when set, passes only the objects whose documents or referenced files changed.
	Changed *Changes
}

// Changes is what changed in the repository since a git commit (see ChangedSince).
type Changes struct {
	// Ref is the commit compared with, as the user named it.
	Ref string
	// All is set when the settings file changed: it bears on every object.
	All bool
	// Keys are the objects (ObjectKey) whose documents or referenced files changed.
	Keys map[string]bool
	// Removed are the objects whose documents were removed since Ref, in no document now.
	Removed []Removed
	// Widened are the changed files that feed no object the loader can name (read neither now
	// nor at the commit compared with): each puts every object in scope (All).
	Widened []string
}

// Removed is an object whose document was in the commit compared with and is in no document now.
type Removed struct {
	Kind   Kind   `json:"kind"`
	Name   string `json:"name"`
	Source string `json:"source,omitempty"`
	// File is where the commit had it.
	File string `json:"file"`
}

// Scope says what a scoped plan covers; the plan carries it so that every output says so.
type Scope struct {
	// Selector is the selection as the flags wrote it, e.g. "--changed-since origin/main".
	Selector string `json:"selector"`
	// Objects counts the declared objects in the scope (dependencies included); Total those
	// of the repository.
	Objects int `json:"objects"`
	Total   int `json:"total"`
	// Removed are the documents removed since --changed-since's commit: reported, never deleted.
	Removed []Removed `json:"removed,omitempty"`
	// Widened are the changed files that put every object in scope (see Changes.Widened).
	Widened []string `json:"widened,omitempty"`
}

// ObjectKey identifies a declared object: kind, owning source (if any) and name; the same text
// as a plan change's key.
func ObjectKey(kind Kind, source, name string) string {
	if source != "" {
		return string(kind) + "/" + source + "/" + name
	}
	return string(kind) + "/" + name
}

// Count returns how many objects the repository declares (tombstones included).
func (r *Repo) Count() int {
	n := 0
	for _, k := range UserKinds() {
		n += r.CountOf(k)
	}
	return n
}

// Scoped returns the repository narrowed to the objects sel selects and those they depend on,
// with the same Dir, Hash and Settings (a saved plan of a scope is tied to the whole content),
// and the Scope to report. A --source pattern that matches no declared source, or a kind
// users cannot declare, is an error: a typo must not plan nothing and say "No changes".
func (r *Repo) Scoped(sel Selector, selector string) (*Repo, *Scope, error) {
	for _, k := range sel.Kinds {
		if !knownKind(k) {
			var kinds []string
			for _, u := range UserKinds() {
				kinds = append(kinds, string(u))
			}
			if s := schema.Suggest(string(k), kinds); s != "" {
				return nil, nil, fmt.Errorf("--kind %s: not a kind (did you mean %s?): use %s", k, s, userKindList())
			}
			return nil, nil, fmt.Errorf("--kind %s: not a kind: use %s", k, userKindList())
		}
	}
	for _, p := range sel.Sources {
		if _, err := path.Match(p, ""); err != nil {
			return nil, nil, fmt.Errorf("--source %q: %w", p, err)
		}
		if !slices.ContainsFunc(r.ObjectsOf(KindSource), func(s *Object) bool { return globMatch(p, s.Name) }) {
			var names []string
			for _, s := range r.ObjectsOf(KindSource) {
				names = append(names, s.Name)
			}
			if s := schema.Suggest(p, names); s != "" {
				return nil, nil, fmt.Errorf("--source %q matches no Source declared in the repository (did you mean %q?)", p, s)
			}
			return nil, nil, fmt.Errorf("--source %q matches no Source declared in the repository", p)
		}
	}
	passes := func(o *Object) bool {
		if len(sel.Kinds) > 0 && !slices.Contains(sel.Kinds, o.Kind) {
			return false
		}
		if len(sel.Sources) > 0 {
			// Only sources and what belongs to them have a source name.
			source := o.Owner
			if o.Kind == KindSource {
				source = o.Name
			} else if row(o.Kind).Owner != KindSource {
				return false
			}
			if !slices.ContainsFunc(sel.Sources, func(p string) bool { return globMatch(p, source) }) {
				return false
			}
		}
		if c := sel.Changed; c != nil && !c.All {
			return c.Keys[ObjectKey(o.Kind, o.Owner, o.Name)]
		}
		return true
	}
	out := &Repo{Dir: r.Dir, Hash: r.Hash, Settings: r.Settings}
	// From the highest level down, so that what a selected object depends on (its owner, the
	// objects it uses) is known to be needed when its level comes.
	needed := map[Kind]map[string]bool{}
	need := func(k Kind, name string) {
		if needed[k] == nil {
			needed[k] = map[string]bool{}
		}
		needed[k][name] = true
	}
	levels := Levels()
	for i := len(levels) - 1; i >= 0; i-- {
		for _, k := range levels[i] {
			spec := row(k)
			for _, d := range r.objects[k] {
				o := d.Common()
				if !passes(o) && !needed[k][o.Name] {
					continue
				}
				out.Add(d)
				if spec.Owner != "" {
					need(spec.Owner, o.Owner)
				}
				for _, u := range spec.Uses {
					for _, name := range UsedNames(o, u) {
						need(u.Kind, name)
					}
				}
				if f := loaders[k].needs; f != nil {
					for nk, names := range f(d) {
						for _, name := range names {
							need(nk, name)
						}
					}
				}
			}
		}
	}
	out.Warnings = scopedWarnings(r, out)
	sc := &Scope{Selector: selector, Objects: out.Count(), Total: r.Count()}
	if sel.Changed != nil {
		sc.Removed = sel.Changed.Removed
		sc.Widened = sel.Changed.Widened
	}
	return out, sc, nil
}

// globMatch matches a --source pattern against a name; a pattern with no glob characters is
// the name itself.
func globMatch(pattern, name string) bool {
	ok, _ := path.Match(pattern, name)
	return ok
}

// ChangedSince finds, with git, what changed in the repository since the commit ref: the
// objects whose YAML documents differ (compared as values, so a comment or a blank line is no
// change), those fed by a changed file the loader read (templates, connector and bundle files,
// the files linked YAML files lead to, every symbolic link on the way), and the documents
// removed since ref that no current document declares. A changed file the load did not read
// is looked up in the repository as ref had it (a renamed or deleted file fed what it fed
// then); one neither read feeds no object sailsync can name and widens the scope to all. The
// repository must be loaded from the work tree of a git repository.
func ChangedSince(r *Repo, ref string) (*Changes, error) {
	files, err := gitChangedFiles(r.Dir, ref)
	if err != nil {
		return nil, err
	}
	known, err := gitHasFiles(r.Dir, ref)
	if err != nil {
		return nil, fmt.Errorf("--changed-since %s: %w", ref, err)
	}
	if !known {
		// An ignored or never-added directory has no history to compare: "0 objects" would
		// be a green check for anything.
		return nil, fmt.Errorf("--changed-since %s: %s has no file tracked by git (ignored, or never added): nothing to compare with", ref, r.Dir)
	}
	ignored, err := gitIgnoredFiles(r.Dir)
	if err != nil {
		return nil, fmt.Errorf("--changed-since %s: %w", ref, err)
	}
	files = append(files, ignoredReads(r, ignored, files)...)
	ch := &Changes{Ref: ref, Keys: map[string]bool{}}
	declared := map[string]bool{}
	for k, list := range r.objects {
		for _, d := range list {
			o := d.Common()
			declared[ObjectKey(k, o.Owner, o.Name)] = true
		}
	}
	var then map[string]*fileUse
	thenLoaded := false
	readThen := func(rel string) *fileUse {
		if !thenLoaded {
			thenLoaded = true
			// Loaded only for a file the work tree's load did not read; a commit that does not
			// load leaves such a file unknown (the scope widens).
			if old, _, err := LoadRevision(r.Dir, ref); err == nil {
				then = old.reads
			}
		}
		return then[rel]
	}
	for _, f := range files {
		rel := f.rel
		if rel == SettingsFile || rel == "sailsync.yml" {
			ch.All = true
			continue
		}
		if rel == JournalFile {
			// The apply journal is not configuration: it feeds no object.
			continue
		}
		// A YAML file the walk meets, now or at ref, is compared document by document.
		walked := !hiddenPath(rel) && isYAML(rel)
		u := r.reads[rel]
		if u == nil && !walked {
			u = readThen(rel)
		}
		if u == nil && !walked {
			// A file no object was read from (anything else in the directory): skipping it
			// could plan "No changes" while apply sends it, so the plan covers everything.
			ch.All = true
			ch.Widened = append(ch.Widened, rel)
			continue
		}
		if u != nil && u.settings {
			ch.All = true
			continue
		}
		if u != nil {
			for _, k := range u.feeds {
				if declared[k] {
					ch.Keys[k] = true
				}
			}
		}
		if walked || u.documents {
			compareDocuments(r, ref, f, declared, ch)
		}
	}
	slices.SortFunc(ch.Removed, func(a, b Removed) int {
		return strings.Compare(ObjectKey(a.Kind, a.Source, a.Name), ObjectKey(b.Kind, b.Source, b.Name))
	})
	return ch, nil
}

// ignoredReads are the files the load read that git ignores (ignored lists files and whole
// directories, "dir/"): they are in no commit, so each is new since any, and a pull request's
// .gitignore must not hide one from the scope.
func ignoredReads(r *Repo, ignored []string, listed []changedFile) []changedFile {
	if len(ignored) == 0 {
		return nil
	}
	seen := map[string]bool{}
	for _, f := range listed {
		seen[f.rel] = true
	}
	var out []changedFile
	for rel := range r.reads {
		if seen[rel] {
			continue
		}
		for _, ig := range ignored {
			if rel == ig || strings.HasSuffix(ig, "/") && strings.HasPrefix(rel, ig) {
				out = append(out, changedFile{rel: rel})
				break
			}
		}
	}
	slices.SortFunc(out, func(a, b changedFile) int { return strings.Compare(a.rel, b.rel) })
	return out
}

// compareDocuments compares a changed YAML file's documents at ref with the work tree's: each
// object whose document is new or differs goes into ch.Keys, each document gone and declared
// nowhere now into ch.Removed. When ref had a symbolic link there, what it led to is not known
// here: every document now is taken as changed.
func compareDocuments(r *Repo, ref string, f changedFile, declared map[string]bool, ch *Changes) {
	before := map[string]docDigest{}
	if old, ok := gitShow(r.Dir, ref, f.rel); ok && !f.wasLink {
		before = digests(f.rel, old)
	}
	now := map[string]docDigest{}
	if data, err := os.ReadFile(filepath.Join(r.Dir, filepath.FromSlash(f.rel))); err == nil {
		now = digests(f.rel, data)
	}
	for k, d := range now {
		if b, ok := before[k]; !ok || b.sum != d.sum {
			ch.Keys[k] = true
		}
	}
	for k, d := range before {
		if _, ok := now[k]; !ok && !declared[k] {
			ch.Removed = append(ch.Removed, d.removed)
		}
	}
}

// docDigest is one document of a file version: its value's JSON, as what identifies a change.
type docDigest struct {
	sum     string
	removed Removed
}

// digests parses a YAML file's content and returns its documents by object key. Problems are
// not reported here: the work tree's are validate's, and an old version's no longer matter.
func digests(rel string, data []byte) map[string]docDigest {
	budget := MaxDocuments
	out := map[string]docDigest{}
	for _, d := range parseFile(rel, data, func(Problem) {}, &budget) {
		if d.value == nil {
			continue
		}
		kind := Kind(d.value.String("kind"))
		name := d.value.String("name")
		source := ""
		if r := row(kind); r != nil && r.Declared && r.Owner != "" {
			source = d.value.String(r.Identity[0])
		}
		b, err := value.Marshal(d.value)
		if err != nil {
			continue
		}
		out[ObjectKey(kind, source, name)] = docDigest{sum: string(b), removed: Removed{Kind: kind, Name: name, Source: source, File: rel}}
	}
	return out
}

// hiddenPath reports whether a path lies in a hidden file or directory, which the loader skips.
func hiddenPath(rel string) bool {
	for _, seg := range strings.Split(rel, "/") {
		if strings.HasPrefix(seg, ".") {
			return true
		}
	}
	return false
}

// isYAML reports whether the loader reads the file as YAML documents.
func isYAML(rel string) bool {
	ext := strings.ToLower(path.Ext(rel))
	return ext == ".yaml" || ext == ".yml"
}

// scopedWarnings are the warnings of r that concern the scope out: those in a file that declares
// an object of the scope, and those in a file that declares none (the settings file), which
// concern the whole repository. A scoped plan is then not told about files it did not read.
func scopedWarnings(r, out *Repo) Problems {
	if len(r.Warnings) == 0 {
		return nil
	}
	declares, inScope := map[string]bool{}, map[string]bool{}
	for _, o := range r.Objects() {
		declares[o.Doc.File] = true
	}
	for _, o := range out.Objects() {
		inScope[o.Doc.File] = true
	}
	var ws Problems
	for _, w := range r.Warnings {
		if inScope[w.Pos.File] || !declares[w.Pos.File] {
			ws = append(ws, w)
		}
	}
	return ws
}
