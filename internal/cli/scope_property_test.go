package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/tenanttest"
)

// TestChangedSinceProperty is issue 24's property of --changed-since: for a seeded random edit
// to any file of an example repository (a YAML value, a comment, a bundle XML attribute, a
// translation, a template header, a new file anywhere, a deleted or renamed file, a link
// pointed elsewhere), committed, staged or left in the work tree, the scoped plan lists
// exactly the full plan's entries for the objects in its scope; every object whose planned
// change the edit altered is in that scope; and a scope that says it widened is the full plan.
// What a pull request controls is every file; what it must not get is a green scoped check
// while the deploy's full plan sends something the check never showed.
func TestChangedSinceProperty(t *testing.T) {
	t.Parallel()
	for _, v := range propertyVariants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			emu := applyTenant(t)
			url := envOf(t)["SAIL_BASE_URL"]
			base := propertyBase(t, v, url)
			before, code, stderr := propertyPlan(t, filepath.Join(base, "sailsync"), v.env, "")
			if code == 1 && before == nil {
				t.Fatalf("the full plan of the unedited repository failed:\n%s", stderr)
			}
			for seed := uint64(1); seed <= uint64(len(propertyEdits))*seedsPerEdit; seed++ {
				edit := propertyEdits[int(seed-1)%len(propertyEdits)]
				t.Run(fmt.Sprintf("%d-%s", seed, edit.name), func(t *testing.T) {
					top := t.TempDir()
					if out, err := exec.Command("cp", "-a", base+"/.", top).CombinedOutput(); err != nil {
						t.Fatalf("cp: %v\n%s", err, out)
					}
					dir := filepath.Join(top, "sailsync")
					r := rand.New(rand.NewPCG(seed, 24))
					e := &editCtx{t: t, r: r, top: top, dir: dir}
					e.mode = r.IntN(3) // 0: committed, 1: staged, 2: in the work tree
					what, effective, precise := edit.apply(e)
					if what == "" {
						// This repository has no file this edit applies to: nothing to compare.
						t.Logf("%s: nothing to edit in %s", edit.name, v.name)
						return
					}
					ref := "HEAD"
					switch e.mode {
					case 0:
						git(t, top, "add", "-A")
						git(t, top, "commit", "-q", "-m", "edit")
						ref = "HEAD~1"
					case 1:
						git(t, top, "add", "-A")
					}
					t.Logf("%s (%s, --changed-since %s)", what, []string{"committed", "staged", "work tree"}[e.mode], ref)
					emu.ResetLog()
					full, fullCode, fullErr := propertyPlan(t, dir, v.env, "")
					scoped, scopedCode, scopedErr := propertyPlan(t, dir, v.env, ref)
					if w := tenanttest.Writes(emu); len(w) != 0 {
						t.Fatalf("a plan wrote to the tenant: %v", w)
					}
					checkScopeProperty(t, before, full, scoped, fullCode, scopedCode, fullErr, scopedErr, effective)
					if precise && scoped != nil && len(scoped.widened) > 0 {
						t.Errorf("the edit is to files the loader reads, and the scope widened to everything for %q", scoped.widened)
					}
				})
			}
		})
	}
}

// seedsPerEdit is how many seeds each kind of edit gets per repository.
const seedsPerEdit = 2

// propertyVariant is one example repository the property runs on.
type propertyVariant struct {
	name, src string
	env       string                              // --env, when the repository declares environments
	setup     func(t *testing.T, dir, url string) // after the copy, before the first commit
}

var propertyVariants = []propertyVariant{
	{name: "acme", src: "examples/acme"},
	{name: "acme-linked", src: "examples/acme", setup: linkedLayout},
	{name: "acme-promote", src: "examples/acme-promote", env: "sandbox", setup: func(t *testing.T, dir, url string) {
		// The environment's baseUrl checks the job's tenant: point it at the emulator. The
		// Acme HR connector and its bundle come along, so that a bundle is planned under an
		// environment too.
		b, err := os.ReadFile(filepath.Join(dir, "sailsync.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		s := strings.Replace(string(b), "https://acme-sb.api.identitynow.com", url, 1)
		writeFile(t, filepath.Join(dir, "sailsync.yaml"), s)
		if out, err := exec.Command("cp", "-a", "examples/acme/connectors", dir+"/").CombinedOutput(); err != nil {
			t.Fatalf("cp: %v\n%s", err, out)
		}
	}},
	{name: "acme-immutable", src: "examples/acme-immutable"},
}

// linkedLayout rearranges the Acme example the way issue 24 attacked it: the transforms are a
// symbolic link to a file in a hidden directory, the schema's template is a link into it, the
// connector's bundle directory is a link to a hidden directory, the bundle has a translations
// file, and the settings file is a link into another hidden directory.
func linkedLayout(t *testing.T, dir, _ string) {
	for _, d := range []string{".shared", ".bundles"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	mv := func(from, to, link string) {
		if err := os.Rename(filepath.Join(dir, from), filepath.Join(dir, to)); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(link, filepath.Join(dir, from)); err != nil {
			t.Fatal(err)
		}
	}
	mv("transforms/transforms.yaml", ".shared/transforms.yaml", "../.shared/transforms.yaml")
	mv("schemas/group.csv", ".shared/group.csv", "../.shared/group.csv")
	mv("connectors/acme-hr", ".bundles/acme-hr", "../.bundles/acme-hr")
	if err := os.Mkdir(filepath.Join(dir, ".config"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, ".config/sailsync.yaml"), "# sailsync's settings: none yet.\n")
	if err := os.Symlink(".config/sailsync.yaml", filepath.Join(dir, "sailsync.yaml")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, ".bundles/acme-hr/messages_en.properties"),
		"# The form's labels in English.\nbaseUrl=API base URL\napiToken=API token\npageSize=Page size\n")
	f, err := os.OpenFile(filepath.Join(dir, "connectors/acme-hr.yaml"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("translations: {en: acme-hr/messages_en.properties}\n"); err != nil {
		t.Fatal(err)
	}
}

// propertyBase copies the variant into a git repository (in a subdirectory, as gitRepo does)
// with one commit, and returns the top of the git work tree.
func propertyBase(t *testing.T, v propertyVariant, url string) string {
	t.Helper()
	top := t.TempDir()
	dir := filepath.Join(top, "sailsync")
	if out, err := exec.Command("cp", "-a", v.src, dir).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v\n%s", err, out)
	}
	if v.setup != nil {
		v.setup(t, dir, url)
	}
	git(t, top, "init", "-q", "-b", "main")
	git(t, top, "config", "user.name", "sailsync test")
	git(t, top, "config", "user.email", "test@sailsync.invalid")
	git(t, top, "add", "-A")
	git(t, top, "commit", "-q", "-m", "the example")
	return top
}

// planEntries is a JSON plan by object key, with its scope.
type planEntries struct {
	entries    map[string]string // key → the change's JSON
	placeless  map[string]string // key → the change's JSON without file, line and col
	violations map[string][]string
	widened    []string
	objects    int
	total      int
}

// propertyPlan runs plan -o json (scoped when ref is given) and returns its entries, or nil
// when the plan printed none.
func propertyPlan(t *testing.T, dir, env, ref string) (*planEntries, int, string) {
	t.Helper()
	args := []string{"plan", dir, "--output", "json"}
	if env != "" {
		args = append(args, "--env", env)
	}
	if ref != "" {
		args = append(args, "--changed-since", ref)
	}
	stdout, stderr, code := runCLI(t, "", args...)
	var raw struct {
		Error      string
		Changes    []map[string]any
		Violations []map[string]any
		Scope      *struct {
			Objects, Total int
			Widened        []string
		}
	}
	if err := json.Unmarshal([]byte(stdout), &raw); err != nil || raw.Error != "" {
		return nil, code, stderr
	}
	p := &planEntries{entries: map[string]string{}, placeless: map[string]string{}, violations: map[string][]string{}}
	for _, c := range raw.Changes {
		k := planKey(c)
		if _, dup := p.entries[k]; dup {
			t.Fatalf("two entries for %s", k)
		}
		b, _ := json.Marshal(c)
		p.entries[k] = string(b)
		b, _ = json.Marshal(placeless(c))
		p.placeless[k] = string(b)
	}
	for _, v := range raw.Violations {
		b, _ := json.Marshal(v)
		p.violations[planKey(v)] = append(p.violations[planKey(v)], string(b))
	}
	if raw.Scope != nil {
		p.widened, p.objects, p.total = raw.Scope.Widened, raw.Scope.Objects, raw.Scope.Total
	}
	return p, code, stderr
}

// planKey names a plan entry's object: kind, owning source (schemas, connector files), name.
func planKey(c map[string]any) string {
	s := func(k string) string { v, _ := c[k].(string); return v }
	return s("kind") + "/" + s("source") + "/" + s("name")
}

// placeless drops where an entry was declared (file, line, col, everywhere in it): moving a
// document or adding a comment above it moves it, and changes nothing the tenant is sent.
func placeless(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range t {
			if k != "file" && k != "line" && k != "col" {
				out[k] = placeless(e)
			}
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = placeless(e)
		}
		return out
	}
	return v
}

// checkScopeProperty asserts the property on one edit's plans: before is the full plan of the
// unedited repository, full and scoped the plans after the edit.
func checkScopeProperty(t *testing.T, before, full, scoped *planEntries, fullCode, scopedCode int, fullErr, scopedErr string, effective bool) {
	t.Helper()
	if full == nil {
		// The edit broke the repository: the scoped check must fail as the deploy would.
		t.Logf("the edit broke the repository: %s", firstLine(fullErr))
		if scopedCode != 1 || fullCode != 1 {
			t.Fatalf("full plan exit %d (%s), scoped plan exit %d (%s): a broken repository must fail both", fullCode, fullErr, scopedCode, scopedErr)
		}
		return
	}
	if scoped == nil {
		t.Fatalf("the full plan planned (exit %d) but the scoped plan failed (exit %d):\n%s", fullCode, scopedCode, scopedErr)
	}
	for k, e := range scoped.entries {
		if full.entries[k] != e {
			t.Errorf("%s: the scoped plan's entry is not the full plan's:\nscoped %s\nfull   %s", k, e, full.entries[k])
		}
		if !slices.Equal(scoped.violations[k], full.violations[k]) {
			t.Errorf("%s: violations %q, the full plan's %q", k, scoped.violations[k], full.violations[k])
		}
	}
	// Every object whose planned change the edit altered must be in the scope: that is what
	// the deploy's full plan will send and the check must have shown.
	var altered []string
	for k, e := range full.placeless {
		if before.placeless[k] != e {
			altered = append(altered, k)
			if _, ok := scoped.entries[k]; !ok {
				t.Errorf("%s: the edit changed its plan, and the scoped plan (%d of %d objects) left it out:\nbefore %s\nafter  %s",
					k, scoped.objects, scoped.total, before.placeless[k], e)
			}
		}
	}
	slices.Sort(altered)
	t.Logf("altered %q; scope %d of %d, widened %q", altered, scoped.objects, scoped.total, scoped.widened)
	if len(scoped.widened) > 0 || scoped.objects == scoped.total {
		for k := range full.entries {
			if _, ok := scoped.entries[k]; !ok {
				t.Errorf("the scope widened (%q, %d of %d) but left out %s", scoped.widened, scoped.objects, scoped.total, k)
			}
		}
	}
	if effective && mapsEqual(before.placeless, full.placeless) {
		t.Errorf("the edit changed nothing the full plan sends: it does not test the scope")
	}
	if fullCode != scopedCode && len(scoped.entries) == len(full.entries) {
		t.Errorf("the same entries, exit %d scoped and %d full", scopedCode, fullCode)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// editCtx is one edit's repository and random source.
type editCtx struct {
	t         *testing.T
	r         *rand.Rand
	top, dir  string
	mode      int
	fileCache []string
}

// files are the repository's files and links (not directories, not .git), slash-separated,
// sorted: what a pull request can edit.
func (e *editCtx) files() []string {
	if e.fileCache != nil {
		return e.fileCache
	}
	var out []string
	err := filepath.WalkDir(e.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(e.dir, p)
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	slices.Sort(out)
	e.fileCache = out
	return out
}

// pick returns a random file that passes keep, or "".
func (e *editCtx) pick(keep func(rel string, fi fs.FileInfo) bool) string {
	var c []string
	for _, f := range e.files() {
		fi, err := os.Lstat(filepath.Join(e.dir, f))
		if err == nil && keep(f, fi) {
			c = append(c, f)
		}
	}
	if len(c) == 0 {
		return ""
	}
	return c[e.r.IntN(len(c))]
}

// regularWith keeps regular files (not links) whose name ends in one of exts.
func regularWith(exts ...string) func(string, fs.FileInfo) bool {
	return func(rel string, fi fs.FileInfo) bool {
		return fi.Mode().IsRegular() && slices.Contains(exts, strings.ToLower(path.Ext(rel)))
	}
}

func (e *editCtx) read(rel string) string {
	b, err := os.ReadFile(filepath.Join(e.dir, filepath.FromSlash(rel)))
	if err != nil {
		e.t.Fatal(err)
	}
	return string(b)
}

func (e *editCtx) write(rel, s string) {
	p := filepath.Join(e.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		e.t.Fatal(err)
	}
	writeFile(e.t, p, s)
}

// dirs are the repository's directories (root "", hidden ones included), sorted.
func (e *editCtx) dirs() []string {
	seen := map[string]bool{"": true}
	for _, f := range e.files() {
		if d := path.Dir(f); d != "." {
			seen[d] = true
		}
	}
	out := make([]string, 0, len(seen))
	for d := range seen {
		out = append(out, d)
	}
	slices.Sort(out)
	return out
}

// readByLoader reports whether the loader reads rel as YAML: not hidden, or the target of a link.
func (e *editCtx) readByLoader(rel string) bool {
	if !hiddenRel(rel) {
		return true
	}
	for _, f := range e.files() {
		if real, err := filepath.EvalSymlinks(filepath.Join(e.dir, f)); err == nil && f != rel {
			if r, _ := filepath.Rel(e.dir, real); filepath.ToSlash(r) == rel {
				return true
			}
		}
	}
	return false
}

func hiddenRel(rel string) bool {
	return slices.ContainsFunc(strings.Split(rel, "/"), func(s string) bool { return strings.HasPrefix(s, ".") })
}

// propertyEdit is one kind of edit: apply says what it did ("" when the repository has nothing
// to edit that way), whether the full plan must change, and whether the scope must not widen
// (the edit is to files the loader reads, so the scope can name what they feed).
type propertyEdit struct {
	name  string
	apply func(e *editCtx) (what string, effective, precise bool)
}

// scalarLine is a YAML line "key: value" with a plain, quoted, number or boolean value.
var scalarLine = regexp.MustCompile(`(?m)^(\s*(?:- )?)([A-Za-z][\w.]*): ([^\s#{}\[\]|>&*!$][^#\n]*?|"[^"\n]*")(\s*(?:#.*)?)$`)

var propertyEdits = []propertyEdit{
	{"yaml value", func(e *editCtx) (string, bool, bool) {
		rel := e.pick(regularWith(".yaml", ".yml"))
		if rel == "" {
			return "", false, false
		}
		s := e.read(rel)
		m := scalarLine.FindAllStringSubmatchIndex(s, -1)
		if len(m) == 0 {
			return "", false, false
		}
		i := m[e.r.IntN(len(m))]
		old := s[i[6]:i[7]]
		var nv string
		switch {
		case old == "true" || old == "false":
			nv = strconv.FormatBool(old != "true")
		case regexp.MustCompile(`^-?[0-9]+$`).MatchString(old):
			n, _ := strconv.Atoi(old)
			nv = strconv.Itoa(n + 1 + e.r.IntN(5))
		case strings.HasPrefix(old, `"`):
			nv = old[:len(old)-1] + " (edited)" + `"`
		default:
			nv = old + "-edited"
		}
		e.write(rel, s[:i[6]]+nv+s[i[7]:])
		return fmt.Sprintf("%s: %s: %s → %s", rel, s[i[4]:i[5]], old, nv), e.readByLoader(rel) && rel != "sailsync.yaml", e.readByLoader(rel)
	}},
	{"yaml comment", func(e *editCtx) (string, bool, bool) {
		rel := e.pick(regularWith(".yaml", ".yml"))
		if rel == "" {
			return "", false, false
		}
		lines := strings.SplitAfter(e.read(rel), "\n")
		at := e.r.IntN(len(lines))
		lines = slices.Insert(lines, at, "# a reviewer's note\n")
		e.write(rel, strings.Join(lines, ""))
		return fmt.Sprintf("%s: a comment at line %d", rel, at+1), false, e.readByLoader(rel)
	}},
	{"bundle xml", func(e *editCtx) (string, bool, bool) {
		rel := e.pick(regularWith(".xml"))
		if rel == "" {
			return "", false, false
		}
		s := e.read(rel)
		body := strings.Index(s, "?>") + 2
		attrs := regexp.MustCompile(`="([^"]*)"`).FindAllStringSubmatchIndex(s[body:], -1)
		if len(attrs) == 0 {
			return "", false, false
		}
		a := attrs[e.r.IntN(len(attrs))]
		end := body + a[3]
		e.write(rel, s[:end]+"x"+s[end:])
		return fmt.Sprintf("%s: the attribute value %q gains an x", rel, s[body+a[2]:end]), true, true
	}},
	{"translation", func(e *editCtx) (string, bool, bool) {
		rel := e.pick(regularWith(".properties"))
		if rel == "" {
			return "", false, false
		}
		lines := strings.SplitAfter(e.read(rel), "\n")
		var kv []int
		for i, l := range lines {
			if strings.Contains(l, "=") && !strings.HasPrefix(l, "#") {
				kv = append(kv, i)
			}
		}
		i := kv[e.r.IntN(len(kv))]
		lines[i] = strings.TrimSuffix(lines[i], "\n") + " (edited)\n"
		e.write(rel, strings.Join(lines, ""))
		return fmt.Sprintf("%s: line %d's value", rel, i+1), true, true
	}},
	{"template header", func(e *editCtx) (string, bool, bool) {
		rel := e.pick(regularWith(".csv"))
		if rel == "" {
			return "", false, false
		}
		s := e.read(rel)
		col := fmt.Sprintf("extra%d", e.r.IntN(100))
		first, rest, _ := strings.Cut(s, "\n")
		e.write(rel, first+","+col+"\n"+rest)
		return fmt.Sprintf("%s: a column %s", rel, col), true, true
	}},
	{"new source file", func(e *editCtx) (string, bool, bool) {
		ds := e.dirs()
		d := ds[e.r.IntN(len(ds))]
		name := fmt.Sprintf("Badge System %d", e.r.IntN(1000))
		rel := path.Join(d, "badge.yaml")
		e.write(rel, "kind: Source\nname: "+name+"\nowner: {type: IDENTITY, id: 2c91808568c529c60168cca6f90c1313, name: Amelia Ortiz}\nconnector: delimited-file\n")
		return "a new " + rel + " declaring " + name, !hiddenRel(rel), !hiddenRel(rel)
	}},
	{"document appended", func(e *editCtx) (string, bool, bool) {
		rel := e.pick(func(rel string, fi fs.FileInfo) bool {
			return regularWith(".yaml", ".yml")(rel, fi) && rel != "sailsync.yaml"
		})
		if rel == "" {
			return "", false, false
		}
		name := fmt.Sprintf("Upper %d", e.r.IntN(1000))
		e.write(rel, e.read(rel)+"\n---\nkind: Transform\nname: "+name+"\ntype: upper\nattributes: {input: {type: accountAttribute, attributes: {sourceName: HR Database, attributeName: email}}}\n")
		return rel + " gains the Transform " + name, e.readByLoader(rel), e.readByLoader(rel)
	}},
	{"ignored new file", func(e *editCtx) (string, bool, bool) {
		// The .gitignore above the config directory, so that git shows no change in it: the
		// new file is in no commit and no diff, and the loader reads it.
		ds := e.dirs()
		d := ds[e.r.IntN(len(ds))]
		if hiddenRel(d) {
			d = ""
		}
		rel := path.Join(d, "local.yaml")
		writeFile(e.t, filepath.Join(e.top, ".gitignore"), "local.yaml\n")
		e.write(rel, "kind: Transform\nname: Local\ntype: upper\nattributes: {input: {type: accountAttribute, attributes: {sourceName: HR Database, attributeName: email}}}\n")
		return "a new " + rel + " that .gitignore ignores", true, true
	}},
	{"other new file", func(e *editCtx) (string, bool, bool) {
		rel := []string{"NOTES.txt", ".github/workflows/lint.yml", "sources/README.md", ".shared/extra.yaml", "transforms/draft.yaml.bak"}[e.r.IntN(5)]
		e.write(rel, "kind: Transform\nname: Draft\ntype: lower\n")
		return "a new " + rel, false, false
	}},
	{"deleted file", func(e *editCtx) (string, bool, bool) {
		rel := e.pick(func(string, fs.FileInfo) bool { return true })
		if err := os.Remove(filepath.Join(e.dir, filepath.FromSlash(rel))); err != nil {
			e.t.Fatal(err)
		}
		return rel + " deleted", false, false
	}},
	{"renamed file", func(e *editCtx) (string, bool, bool) {
		rel := e.pick(func(rel string, _ fs.FileInfo) bool { return rel != "sailsync.yaml" })
		base := path.Base(rel)
		to := path.Join(path.Dir(rel), "renamed-"+base)
		if e.mode == 2 {
			if err := os.Rename(filepath.Join(e.dir, filepath.FromSlash(rel)), filepath.Join(e.dir, filepath.FromSlash(to))); err != nil {
				e.t.Fatal(err)
			}
		} else {
			git(e.t, e.dir, "mv", rel, to)
		}
		// The references to it follow, as a reviewer's rename would make them.
		for _, f := range e.files() {
			fi, err := os.Lstat(filepath.Join(e.dir, f))
			if f == rel || err != nil || !fi.Mode().IsRegular() || !isYAMLName(f) {
				continue
			}
			s := e.read(f)
			n := s
			for _, sep := range []string{"/", ": ", "- "} {
				n = strings.ReplaceAll(n, sep+base+"\n", sep+"renamed-"+base+"\n")
				n = strings.ReplaceAll(n, sep+base+" ", sep+"renamed-"+base+" ")
				n = strings.ReplaceAll(n, sep+base+"}", sep+"renamed-"+base+"}")
			}
			if n != s {
				e.write(f, n)
			}
		}
		return rel + " renamed " + to, false, true
	}},
	{"link retargeted", func(e *editCtx) (string, bool, bool) {
		rel := e.pick(func(_ string, fi fs.FileInfo) bool { return fi.Mode()&fs.ModeSymlink != 0 })
		if rel == "" {
			return "", false, false
		}
		p := filepath.Join(e.dir, filepath.FromSlash(rel))
		old, err := os.Readlink(p)
		if err != nil {
			e.t.Fatal(err)
		}
		target := filepath.Join(filepath.Dir(p), old)
		alt := filepath.Join(filepath.Dir(target), "alt-"+filepath.Base(target))
		if out, err := exec.Command("cp", "-a", target, alt).CombinedOutput(); err != nil {
			e.t.Fatalf("cp: %v\n%s", err, out)
		}
		// The new target differs from the old one where a reviewer would not look.
		changed := alt
		if fi, err := os.Stat(alt); err == nil && fi.IsDir() {
			changed = filepath.Join(alt, "source-config.xml")
		}
		orig, err := os.ReadFile(changed)
		if err != nil {
			e.t.Fatal(err)
		}
		b := orig
		switch filepath.Ext(changed) {
		case ".xml":
			b = bytes.Replace(b, []byte(`value="30"`), []byte(`value="31"`), 1)
		case ".csv":
			b = bytes.Replace(b, []byte("\n"), []byte(",retargeted\n"), 1)
		case ".yaml":
			b = bytes.Replace(b, []byte("type: lower"), []byte("type: upper"), 1)
		}
		writeFile(e.t, changed, string(b))
		if err := os.Remove(p); err != nil {
			e.t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(filepath.Dir(old), "alt-"+filepath.Base(old)), p); err != nil {
			e.t.Fatal(err)
		}
		return rel + " now leads to a changed copy of " + old, !bytes.Equal(b, orig), true
	}},
	{"file made a link", func(e *editCtx) (string, bool, bool) {
		rel := e.pick(func(rel string, fi fs.FileInfo) bool { return fi.Mode().IsRegular() && !hiddenRel(rel) })
		if rel == "" {
			return "", false, false
		}
		to := path.Join(".moved", rel)
		e.write(to, e.read(rel))
		if err := os.Remove(filepath.Join(e.dir, filepath.FromSlash(rel))); err != nil {
			e.t.Fatal(err)
		}
		up := strings.Repeat("../", strings.Count(rel, "/"))
		if err := os.Symlink(up+to, filepath.Join(e.dir, filepath.FromSlash(rel))); err != nil {
			e.t.Fatal(err)
		}
		return rel + " moved to " + to + " and linked there", false, true
	}},
	{"document moved", func(e *editCtx) (string, bool, bool) {
		rel := e.pick(func(rel string, fi fs.FileInfo) bool {
			return regularWith(".yaml")(rel, fi) && strings.Contains(e.read(rel), "\n---\n")
		})
		if rel == "" {
			return "", false, false
		}
		s := e.read(rel)
		i := strings.LastIndex(s, "\n---\n")
		e.write(rel, s[:i+1])
		to := path.Join(path.Dir(rel), "moved.yaml")
		e.write(to, s[i+5:])
		return "the last document of " + rel + " moved to " + to, false, !hiddenRel(to)
	}},
}

func isYAMLName(rel string) bool {
	ext := strings.ToLower(path.Ext(rel))
	return ext == ".yaml" || ext == ".yml"
}

func writeFile(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}
