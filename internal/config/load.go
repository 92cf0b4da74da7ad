package config

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/sailsync/sailsync/internal/value"
	"github.com/sailsync/sailsync/schema"
)

// Size limits. They are far above what real files need and exist so that a mistake (a 1 GB
// export committed by accident) or hostile input is refused before it is read into memory.
const (
	// MaxYAMLFileSize bounds each YAML file: 10 MiB.
	MaxYAMLFileSize = 10 << 20
	// MaxTemplateSize bounds an entitlement schema's CSV template: 1 MiB. Only its header row
	// is used, but the whole file is uploaded.
	MaxTemplateSize = 1 << 20
	// MaxConnectorFileSize bounds one connectorFiles entry: 100 MiB, above any JDBC driver jar.
	MaxConnectorFileSize = 100 << 20
)

// SettingsFile is the file at the repository root that holds sailsync's settings (see Settings);
// it is not read as objects. sailsync.yml is reserved for it too.
const SettingsFile = "sailsync.yaml"

// JournalFile is the apply journal at the repository root (the CLI's record of what apply
// created): hidden, so the loader and the repository hash skip it, and not configuration, so a
// change to it narrows no scope.
const JournalFile = ".sailsync-journal"

// Load reads the config repository at dir. When the repository is invalid the error is
// Problems, every problem found sorted by file, line and column; when it cannot be read at all
// (dir missing, not a directory) the error is a wrapped error. A valid repository's warnings are
// in Repo.Warnings.
func Load(dir string) (*Repo, error) { return LoadContext(context.Background(), dir) }

// LoadContext is Load that stops when ctx is done (an interrupt, SIGTERM), with ctx's error: it
// is checked before each file is read or parsed, and every file's work is bounded by the size
// limits, so a large or hostile repository stops within one file's work.
func LoadContext(ctx context.Context, dir string) (*Repo, error) {
	repo, _, err := LoadWarnings(ctx, dir)
	return repo, err
}

// LoadWarnings is LoadContext that also returns the warnings, sorted like problems, when the
// repository is invalid too (validate reports both); for a valid repository they are
// Repo.Warnings.
func LoadWarnings(ctx context.Context, dir string) (*Repo, Problems, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("config repository %s: %w", dir, err)
	}
	root, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, nil, fmt.Errorf("config repository %s: %w", dir, err)
	}
	st, err := os.Stat(root)
	if err != nil {
		return nil, nil, fmt.Errorf("config repository %s: %w", dir, err)
	}
	if !st.IsDir() {
		return nil, nil, fmt.Errorf("config repository %s: not a directory", dir)
	}
	l := newLoader(ctx, root)
	files, err := l.walk()
	if err != nil {
		return nil, nil, fmt.Errorf("config repository %s: %w", dir, err)
	}
	return l.load(dir, files)
}

func newLoader(ctx context.Context, root string) *loader {
	return &loader{ctx: ctx, root: root, hashed: map[string]string{}, read: map[string][]byte{}, linked: map[string]resolution{}, unparsed: map[string]bool{}}
}

// load is LoadContext after the walk: files are the repository's YAML files, read by parseAll
// (or given with their content, as FuzzLoad does to run without writing a file per input).
func (l *loader) load(dir string, files []yamlFile) (*Repo, Problems, error) {
	ctx := l.ctx
	docs := l.parseAll(files)
	if err := ctx.Err(); err != nil {
		return nil, nil, fmt.Errorf("config repository %s: %w", dir, err)
	}
	repo := &Repo{Dir: dir}
	l.loadSettings(repo)
	l.build(repo, docs)
	l.checkRefs(repo)
	l.checkEnvironments(repo)
	if err := ctx.Err(); err != nil {
		return nil, nil, fmt.Errorf("config repository %s: %w", dir, err)
	}
	sortProblems(l.warnings)
	if len(l.problems) > 0 {
		sortProblems(l.problems)
		return nil, l.warnings, l.problems
	}
	l.recordReads(repo, files)
	var err error
	repo.Hash, err = l.hash()
	if err != nil {
		return nil, nil, fmt.Errorf("config repository %s: %w", dir, err)
	}
	repo.Warnings = l.warnings
	return repo, l.warnings, nil
}

// parsed is what parseAll's workers make of one file.
type parsed struct {
	data     []byte
	ok       bool // the file was read: data holds it
	docs     []*document
	problems []Problem
	panicked string // a panic while parsing the file, raised again on parseAll's goroutine
	// unparsed are the names a file with a YAML syntax error seems to declare (declaredNames).
	unparsed []string
}

// parseOne reads, parses and validates one file into p. A panic on a worker goroutine would end
// the process with exit status 2 (CI's "changes"); kept in p and raised again by parseAll, main's
// recover makes it exit 1.
func (l *loader) parseOne(f yamlFile, p *parsed) {
	defer func() {
		if r := recover(); r != nil {
			p.panicked = fmt.Sprintf("%s: %v\n%s", f.rel, r, debug.Stack())
		}
	}()
	if l.ctx.Err() != nil {
		return // LoadContext returns the context's error
	}
	data, problem := l.readYAML(f)
	if problem != nil {
		p.problems = append(p.problems, *problem)
		return
	}
	p.data, p.ok = data, true
	budget := MaxDocuments
	p.docs = parseFile(f.rel, data, func(pr Problem) {
		if strings.HasPrefix(pr.Message, "YAML syntax error: ") {
			p.unparsed = declaredNames(data) // the parse stops at its first syntax error
		}
		p.problems = append(p.problems, pr)
	}, &budget)
	for _, d := range p.docs {
		// Schema validation is pure and the other half of the work: done here too,
		// also for a document with a conversion problem (see document.masked).
		if k, ok := d.value.Get("kind"); ok {
			if ks, isString := k.(string); isString && knownKind(Kind(ks)) {
				plain := value.ToPlain(d.value)
				d.schemaErrs, d.validated = schema.Validate(Kind(ks), plain), true
				d.schemaWarns = schema.Warnings(Kind(ks), plain)
			}
		}
		// The YAML tree is only needed to place schema errors and connector files and
		// to mask the errors of a broken document: without those it is dropped now
		// rather than when every file is parsed, as the trees of a large repository
		// weigh on the loader's peak memory.
		ks, _ := d.value.Get("kind")
		kind, _ := ks.(string)
		if _, files := d.value.Get("connectorFiles"); d.validated && len(d.schemaErrs) == 0 && len(d.schemaWarns) == 0 && !files && !d.broken &&
			!loaders[Kind(kind)].tree {
			d.root = nil
		}
	}
}

// parseAll reads and parses the files on every core, as YAML parsing and reading the files
// dominate loading a large repository. The result is the sequential
// loop's: files are read and parsed independently, each within the document budget, and merged
// in order; should the repository exceed the budget, it is parsed again one file after the other
// so that the problems are exactly the sequential ones.
func (l *loader) parseAll(files []yamlFile) []*document {
	out := make([]parsed, len(files))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(len(files), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				l.parseOne(files[i], &out[i])
			}
		}()
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, p := range out {
		if p.panicked != "" {
			panic("loading " + p.panicked)
		}
	}
	total, readable := 0, 0
	for i, p := range out {
		total += len(p.docs)
		if p.ok {
			readable++
			// Kept for Repo.Hash, which hashes what was parsed instead of reading every file again.
			l.read[files[i].rel] = p.data
		}
	}
	if total > MaxDocuments || total == MaxDocuments && readable > 1 {
		// At (or past) the budget: only the sequential loop says which document went over.
		budget := MaxDocuments
		var docs []*document
		for _, p := range out {
			if !p.ok {
				l.problems = append(l.problems, p.problems...) // the file's read problem
			}
		}
		for i, p := range out {
			if p.ok {
				docs = append(docs, parseFile(files[i].rel, p.data, l.add, &budget)...)
			}
		}
		return docs
	}
	var docs []*document
	for _, p := range out {
		l.problems = append(l.problems, p.problems...)
		docs = append(docs, p.docs...)
		for _, n := range p.unparsed {
			l.unparsed[n] = true
		}
	}
	return docs
}

func sortProblems(ps Problems) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.Pos.File != b.Pos.File {
			return a.Pos.File < b.Pos.File
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line < b.Pos.Line
		}
		if a.Pos.Col != b.Pos.Col {
			return a.Pos.Col < b.Pos.Col
		}
		return a.Message < b.Message
	})
}

type loader struct {
	ctx      context.Context // the load stops when it is done
	root     string          // absolute, symbolic links resolved
	problems Problems
	warnings Problems   // see Repo.Warnings
	settings []yamlFile // the settings file (sailsync.yaml, then sailsync.yml) when present
	// settingsBroken is set when the settings file has problems: its vars are then unknown.
	settingsBroken bool
	hashed         map[string]string // repository-relative slash path → path on disk of the referenced files, for Repo.Hash
	read           map[string][]byte // repository-relative slash path → the YAML file's (and settings file's) bytes, for Repo.Hash
	// linked are the YAML and settings files the walk met as symbolic links, by path: how
	// each resolved (see recordReads).
	linked map[string]resolution
	// unparsed are the names files with a YAML syntax error seem to declare: a reference to
	// one is not reported again as naming nothing.
	unparsed map[string]bool
}

func (l *loader) add(p Problem) { l.problems = append(l.problems, p) }

// warn records a warning: reported with the repository, never failing its load.
func (l *loader) warn(p Problem) { l.warnings = append(l.warnings, p) }

type yamlFile struct {
	rel  string // slash-separated, relative to the root
	path string // on disk
	// regular is set when the walk saw a regular file (not a symbolic link), which lies inside
	// the repository by construction: the walk starts at the resolved root and does not follow
	// links.
	regular bool
	// content, when not nil, is the file's content, given instead of read (FuzzLoad).
	content []byte
}

// walk lists the YAML files: every *.yaml and *.yml below the root, skipping hidden files and
// directories (.git, .github, tool configs such as .golangci.yml). The settings file is kept
// apart, in l.settings.
// Symbolic links to directories are not followed; a symbolic link to a file is read only when it
// resolves inside the repository.
func (l *loader) walk() ([]yamlFile, error) {
	var out []yamlFile
	err := filepath.WalkDir(l.root, func(p string, d fs.DirEntry, err error) error {
		if cerr := l.ctx.Err(); cerr != nil {
			return cerr
		}
		rel, rerr := filepath.Rel(l.root, p)
		if rerr != nil {
			return rerr
		}
		rel = filepath.ToSlash(rel)
		if err != nil {
			if p == l.root {
				return err
			}
			l.add(Problem{Pos: Pos{File: rel, Line: 1, Col: 1}, Message: fmt.Sprintf("cannot read: %v", unwrapPath(err))})
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if p == l.root {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		ext := strings.ToLower(path.Ext(rel))
		if ext != ".yaml" && ext != ".yml" {
			return nil
		}
		f := yamlFile{rel: rel, path: p, regular: d.Type().IsRegular()}
		if !f.regular {
			l.linked[rel] = resolve(l.root, p)
		}
		for _, name := range settingsFiles {
			if rel == name {
				// Not objects, but settings: read by loadSettings, and hashed.
				l.settings = append(l.settings, f)
				return nil
			}
		}
		out = append(out, f)
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].rel < out[j].rel })
	sort.Slice(l.settings, func(i, j int) bool { return settingsRank(l.settings[i].rel) < settingsRank(l.settings[j].rel) })
	return out, err
}

// settingsRank orders the settings files as settingsFiles lists them.
func settingsRank(rel string) int {
	for i, n := range settingsFiles {
		if rel == n {
			return i
		}
	}
	return len(settingsFiles)
}

// unwrapPath drops the path from a *fs.PathError: messages already name the file.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// readYAML reads one YAML file, refusing it before reading when it is too large or not a
// regular file inside the repository. It only reads (the parse workers call it at once), so a
// file it refuses comes back as a problem.
func (l *loader) readYAML(f yamlFile) ([]byte, *Problem) {
	if f.content != nil {
		if len(f.content) > MaxYAMLFileSize {
			return nil, &Problem{Pos: Pos{File: f.rel, Line: 1, Col: 1}, Message: fmt.Sprintf("the file is %s; a YAML file may be at most %s", size(int64(len(f.content))), size(MaxYAMLFileSize))}
		}
		return f.content, nil
	}
	if f.regular {
		if data, ok := readRegular(f.path); ok {
			return data, nil
		}
		// Anything unusual (the file changed since the walk, or is too large) takes the
		// careful path below, which says what is wrong.
	}
	at := Pos{File: f.rel, Line: 1, Col: 1}
	bad := func(msg string) ([]byte, *Problem) { return nil, &Problem{Pos: at, Message: msg} }
	real, msg := l.inside(f.path)
	if msg != "" {
		return bad(msg)
	}
	// Stat before Open: opening a FIFO would block until something writes to it.
	st, err := os.Stat(real)
	if err != nil {
		return bad(fmt.Sprintf("cannot read: %v", unwrapPath(err)))
	}
	if !st.Mode().IsRegular() {
		return bad("not a regular file")
	}
	if st.Size() > MaxYAMLFileSize {
		return bad(fmt.Sprintf("the file is %s; a YAML file may be at most %s", size(st.Size()), size(MaxYAMLFileSize)))
	}
	fh, err := os.Open(real)
	if err != nil {
		return bad(fmt.Sprintf("cannot read: %v", unwrapPath(err)))
	}
	defer fh.Close()
	// The file may grow between Stat and Read; the limit holds regardless.
	data, err := io.ReadAll(io.LimitReader(fh, MaxYAMLFileSize+1))
	if err != nil {
		return bad(fmt.Sprintf("cannot read: %v", unwrapPath(err)))
	}
	if len(data) > MaxYAMLFileSize {
		return bad(fmt.Sprintf("the file is larger than %s, the limit for a YAML file", size(MaxYAMLFileSize)))
	}
	return data, nil
}

// readRegular reads a file the walk saw as a regular file in four system calls (open, fstat,
// read, close) instead of the dozen of resolving every path component, a stat and a growing
// read: for a repository of 10,000 files those calls were a tenth of loading. The open does not
// follow a symbolic link nor block on a FIFO, so a file swapped since the walk is refused here
// and handled by readYAML's careful path. ok is false whenever the data is not certainly the
// whole of a regular file within the size limit.
func readRegular(p string) (data []byte, ok bool) {
	fh, err := os.OpenFile(p, os.O_RDONLY|openNoFollow, 0)
	if err != nil {
		return nil, false
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() > MaxYAMLFileSize {
		return nil, false
	}
	// One byte more than the size, so that a file that grew since the fstat shows it.
	buf := make([]byte, 0, st.Size()+1)
	for {
		n, err := fh.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		switch {
		case errors.Is(err, io.EOF):
			return buf, true
		case err != nil:
			return nil, false
		case len(buf) == cap(buf):
			return nil, false // larger than it was: let the careful path read it
		}
	}
}

// inside resolves symbolic links in p and checks that the result lies inside the repository. It
// returns the resolved path, or a message saying what is wrong.
func (l *loader) inside(p string) (string, string) {
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			if fi, lerr := os.Lstat(p); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
				return "", "is a symbolic link to a file that does not exist"
			}
			return "", "not found"
		}
		return "", fmt.Sprintf("cannot resolve: %v", unwrapPath(err))
	}
	rel, err := filepath.Rel(l.root, real)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return "", "is a symbolic link that leads outside the repository"
	}
	return real, ""
}

func size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}

// build turns documents into typed objects, validating each against its schema. A document with
// problems still becomes an object, so that the checks across documents (names, references,
// secrets, files) run on it too: every problem is reported in one run, and a schema that refers
// to an invalid Source is not told that the Source does not exist. Load returns no Repo when
// there is any problem, so such objects never reach a caller.
func (l *loader) build(repo *Repo, docs []*document) {
	for _, d := range docs {
		d.doc = d.rootPos
		kindPos, hasKind := d.kindKey, d.hasKindKey
		if hasKind {
			d.doc = kindPos
		}
		kv, _ := d.value.Get("kind")
		ks, isString := kv.(string)
		switch {
		case !hasKind:
			l.add(Problem{Pos: d.doc, Field: "kind", Message: "kind: missing: every document starts with kind: " + userKindList()})
			continue
		case !isString || !knownKind(Kind(ks)):
			l.add(Problem{Pos: d.positions["kind"], Field: "kind", Message: fmt.Sprintf("kind: unknown kind %s: use %s", showValue(kv), userKindList())})
			continue
		}
		d.kind = Kind(ks)
		valid := l.validate(d) && !d.broken
		// The document's value becomes the object's fields (not a copy: nothing else holds it);
		// fields read below are read before they are deleted.
		obj := Object{Kind: d.kind, Name: d.value.String("name"), Doc: d.doc, Fields: d.value, Positions: d.positions}
		if r := row(d.kind); r.Owner != "" {
			obj.Owner = d.value.String(r.Identity[0])
		}
		obj.Fields.Delete("kind")
		tombstone(&obj)
		repo.Add(loaders[d.kind].build(l, d, obj, valid))
	}
}

func showValue(v any) string {
	switch t := v.(type) {
	case string:
		return strconv.Quote(t)
	case nil:
		return "null"
	case *value.Object:
		return "(a mapping)"
	case []any:
		return "(a list)"
	default:
		return fmt.Sprint(t)
	}
}

// validate checks a document against its kind's schema and reports each violation at the YAML
// node it concerns, and each value outside an open enum as a warning there. It reports whether
// the document is valid.
func (l *loader) validate(d *document) bool {
	errs, warns := d.schemaErrs, d.schemaWarns
	if !d.validated {
		plain := value.ToPlain(d.value)
		errs, warns = schema.Validate(d.kind, plain), schema.Warnings(d.kind, plain)
	}
	placeSchemaErrors(d, warns, l.warn)
	return placeSchemaErrors(d, errs, l.add) == 0
}

// placeSchemaErrors reports each schema error of d at the YAML node it concerns, leaving out
// those masked by a conversion problem, and returns how many it reported.
func placeSchemaErrors(d *document, errs []schema.Error, add func(Problem)) int {
	n := 0
	for _, e := range errs {
		if d.masked(e) || d.value != nil && varValued(d.value, e.Path) {
			continue
		}
		n++
		node, key, matched, field := nodeAt(d.root, e.Path)
		// The tokens not found in the YAML (a missing required field) still name the field.
		for _, t := range e.Path[matched:] {
			field = join(field, t)
		}
		at := node
		if (e.Keyword == "additionalProperties" || e.Keyword == "not") && key != nil && matched == len(e.Path) {
			at = key // an unknown or forbidden field: point at its name
		}
		msg := e.Message
		if field != "" {
			msg = field + ": " + msg
		}
		add(Problem{Pos: posOf(d.file, at), Field: field, Message: msg})
	}
	return n
}

// file checks a file referenced from the YAML file yamlRel: relative, inside the repository after
// resolving symbolic links, a regular file, within limit.
func (l *loader) file(yamlRel, rel string, at Pos, field string, limit int64, what string) (File, bool) {
	bad := func(msg string) (File, bool) {
		l.add(Problem{Pos: at, Field: field, Message: fmt.Sprintf("%s: %q %s", field, rel, msg)})
		return File{}, false
	}
	if rel == "" {
		return bad("is empty")
	}
	if filepath.IsAbs(rel) || strings.HasPrefix(rel, "/") || strings.HasPrefix(rel, `\`) || filepath.VolumeName(rel) != "" {
		return bad("is an absolute path: write it relative to this file, inside the repository")
	}
	joined := filepath.Join(l.root, filepath.FromSlash(path.Dir(yamlRel)), filepath.FromSlash(rel))
	lexical, err := filepath.Rel(l.root, joined)
	if err != nil || lexical == ".." || strings.HasPrefix(lexical, ".."+string(filepath.Separator)) {
		return bad("is outside the repository")
	}
	real, msg := l.inside(joined)
	if msg != "" {
		return bad(msg)
	}
	st, err := os.Stat(real)
	if err != nil {
		return bad(fmt.Sprintf("cannot be read: %v", unwrapPath(err)))
	}
	if !st.Mode().IsRegular() {
		return bad("is not a regular file")
	}
	if st.Size() > limit {
		return bad(fmt.Sprintf("is %s; %s may be at most %s", size(st.Size()), what, size(limit)))
	}
	relReal, _ := filepath.Rel(l.root, real)
	l.hashed[filepath.ToSlash(relReal)] = real
	return File{Rel: rel, Path: real, Root: filepath.ToSlash(relReal), Pos: at, links: resolve(l.root, joined).links}, true
}

// header reads a template (at most MaxTemplateSize, checked before) and the attribute names
// of its header row. The bytes are kept: the plan carries them as the upload's content.
func (l *loader) header(f File) ([]byte, []string) {
	fh, err := os.Open(f.Path)
	if err != nil {
		l.add(Problem{Pos: f.Pos, Field: "template", Message: fmt.Sprintf("template: %q cannot be read: %v", f.Rel, unwrapPath(err))})
		return nil, nil
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, MaxTemplateSize))
	if err != nil {
		l.add(Problem{Pos: f.Pos, Field: "template", Message: fmt.Sprintf("template: %q cannot be read: %v", f.Rel, unwrapPath(err))})
		return nil, nil
	}
	names, err := ReadTemplateHeader(bytes.NewReader(data))
	if err != nil {
		l.add(Problem{Pos: f.Pos, Field: "template", Message: fmt.Sprintf("template: %q: %v", f.Rel, err)})
		return nil, nil
	}
	return data, names
}

// ReadTemplateHeader reads the header row of a CSV entitlement schema template: the attribute
// names. A UTF-8 byte order mark is ignored; empty or repeated names, names with leading or
// trailing space, control characters or invalid UTF-8 are errors.
func ReadTemplateHeader(r io.Reader) ([]string, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	rec, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("is empty: its header row names the attributes")
	}
	if err != nil {
		return nil, fmt.Errorf("header row: %w", err)
	}
	if len(rec) > 0 {
		rec[0] = strings.TrimPrefix(rec[0], "\ufeff")
	}
	seen := map[string]bool{}
	for i, name := range rec {
		// The template is uploaded as written: a name the plan would trim or read otherwise
		// than the tenant is refused, so that plan and upload agree.
		if !utf8.ValidString(name) {
			return nil, fmt.Errorf("column %d of the header row is not valid UTF-8", i+1)
		}
		if r, bad := nameControl(name); bad {
			return nil, fmt.Errorf("column %d of the header row (%q) holds the control character %U", i+1, name, r)
		}
		if strings.TrimSpace(name) == "" {
			return nil, fmt.Errorf("column %d of the header row is empty", i+1)
		}
		if strings.TrimSpace(name) != name {
			return nil, fmt.Errorf("column %d of the header row (%q) has leading or trailing space: the tenant would get it as written", i+1, name)
		}
		if seen[name] {
			return nil, fmt.Errorf("the header row names %q twice", name)
		}
		seen[name] = true
	}
	return rec, nil
}

// checkRefs runs the checks across documents: duplicate names, ${…} references, schema sources.
func (l *loader) checkRefs(repo *Repo) {
	l.checkLiteralSecrets(repo)
	l.checkTombstones(repo)
	l.checkNames(repo)
	declared := l.checkIdentities(repo)
	for _, k := range UserKinds() {
		if check := loaders[k].check; check != nil {
			check(l, repo)
		}
	}
	for _, o := range repo.Objects() {
		if !anyString(o.Fields, func(s string) bool { return strings.Contains(s, "${") }) {
			// Nearly every object holds no reference: a walk that builds no field paths
			// settles that, instead of a path and a position lookup for every string.
			continue
		}
		walkStrings(o.Fields, "", func(field, s string) {
			refs, err := Refs(s)
			at := o.PosOf(field)
			if err != nil {
				l.add(Problem{Pos: at, Field: field, Message: fmt.Sprintf("%s: %v", field, err)})
				return
			}
			if len(refs) > 0 && field == "name" {
				l.add(Problem{Pos: at, Field: field, Message: "name: references are not allowed in a name: a name identifies the object in every tenant"})
				return
			}
			for _, r := range refs {
				if r.Scheme == SchemeEnv {
					if msg := envRefProblem(o, field, r); msg != "" {
						l.add(Problem{Pos: at, Field: field, Message: field + ": " + msg})
					}
					continue
				}
				if r.Scheme == SchemeVar {
					l.checkVar(repo, at, field, s, r)
					continue
				}
				used := kindOfScheme(r.Scheme)
				if used == "" {
					continue
				}
				if !slices.ContainsFunc(row(o.Kind).Uses, func(u Use) bool { return u.Kind == used }) {
					// Only the fields of a kind that uses the referenced kind wait for the
					// object they name (apply's order).
					l.add(Problem{Pos: at, Field: field, Message: fmt.Sprintf("%s: %s: %s references are resolved in %s fields only", field, r, r.Scheme, usersOf(used))})
					continue
				}
				if !declared[used][r.Name] && !l.unparsed[r.Name] {
					l.add(Problem{Pos: at, Field: field, Message: fmt.Sprintf("%s: %s names no %s declared in this repository", field, r, used)})
				}
			}
		})
	}
}

// checkIdentities refuses two declarations of one object (the same Identity: name, and owner
// for a kind with an Owner), two names the tenant may take for one (NameKey) among objects found
// by name (kinds without an Owner; an owned object is matched exactly within its owner's
// listing), and an owned object whose owner is not declared. It returns the declared names of
// each kind, the first declaration of each.
func (l *loader) checkIdentities(repo *Repo) map[Kind]map[string]bool {
	declared := map[Kind]map[string]bool{}
	// unnamed is set for a kind one of whose objects has no readable name: an owned object may
	// then name it, and "names no Source" would be wrong.
	unnamed := map[Kind]bool{}
	var owned []*Object // the first declaration of each owned object
	for _, k := range UserKinds() {
		spec := row(k)
		declared[k] = map[string]bool{}
		first := map[[2]string]*Object{}
		folded := map[string]*Object{}
		for _, o := range repo.ObjectsOf(k) {
			if o.Name == "" || spec.Owner != "" && o.Owner == "" {
				unnamed[k] = unnamed[k] || o.Name == ""
				continue // an invalid name or owner, reported by the schema
			}
			key := [2]string{o.Owner, o.Name}
			if f, ok := first[key]; ok {
				what := fmt.Sprintf("%s %q", k, o.Name)
				if spec.Owner != "" {
					what += fmt.Sprintf(" of %s %q", strings.ToLower(string(spec.Owner)), o.Owner)
				}
				l.dup(o, f, what)
				continue
			}
			first[key] = o
			declared[k][o.Name] = true
			if spec.Owner != "" {
				owned = append(owned, o)
				continue
			}
			if f, ok := folded[NameKey(o.Name)]; ok {
				l.collide(o, f, string(k))
			}
			folded[NameKey(o.Name)] = o
		}
	}
	for _, o := range owned {
		spec := row(o.Kind)
		if field := spec.Identity[0]; !declared[spec.Owner][o.Owner] && !unnamed[spec.Owner] && !l.unparsed[o.Owner] {
			l.add(Problem{Pos: o.PosOf(field), Field: field, Message: fmt.Sprintf("%s: %q names no %s declared in this repository", field, o.Owner, spec.Owner)})
		}
	}
	return declared
}

// collide reports a second name that the tenant may take for the first (same NameKey), naming
// both places.
func (l *loader) collide(second, first *Object, kind string) {
	l.add(Problem{Pos: second.PosOf("name"), Field: "name", Message: fmt.Sprintf(
		"name: %s %q and %s %q declared at %s may be one object to the tenant (the names differ only in case, surrounding space, zero-width characters or Unicode normalisation): rename one",
		kind, second.Name, kind, first.Name, first.PosOf("name"))})
}

// checkNames refuses control and bidi characters in the name of every object.
func (l *loader) checkNames(repo *Repo) {
	check := func(o *Object) {
		if r, bad := nameControl(o.Name); bad {
			l.add(Problem{Pos: o.PosOf("name"), Field: "name", Message: fmt.Sprintf(
				"name: %q holds the control character %U: names may not hold control or bidirectional formatting characters", o.Name, r)})
		}
	}
	for _, o := range repo.Objects() {
		check(o)
	}
}

// dup reports a second declaration, naming both places.
func (l *loader) dup(second, first *Object, what string) {
	l.add(Problem{Pos: second.PosOf("name"), Field: "name", Message: fmt.Sprintf("name: %s is declared twice: also at %s", what, first.PosOf("name"))})
}

// anyString reports whether pred holds for some string in v.
func anyString(v any, pred func(string) bool) bool {
	switch t := v.(type) {
	case string:
		return pred(t)
	case []any:
		for _, e := range t {
			if anyString(e, pred) {
				return true
			}
		}
	case *value.Object:
		for _, e := range t.All() {
			if anyString(e, pred) {
				return true
			}
		}
	}
	return false
}

// walkStrings calls fn for every string in v with its dotted field path (list elements share the
// list's path).
func walkStrings(v any, path string, fn func(field, s string)) {
	switch t := v.(type) {
	case string:
		fn(path, t)
	case []any:
		for _, e := range t {
			walkStrings(e, path, fn)
		}
	case *value.Object:
		for k, e := range t.All() {
			walkStrings(e, join(path, k), fn)
		}
	}
}

// hash is the SHA-256 over every file of the desired state, in path order, each framed by its
// path and length so that moving bytes between files changes the hash. The YAML files are hashed
// from the bytes that were parsed (reading them again cost as much as reading them the first
// time); the other files (settings, connector files, templates) are read here.
func (l *loader) hash() (string, error) {
	rels := make([]string, 0, len(l.hashed)+len(l.read))
	for r := range l.read {
		rels = append(rels, r)
	}
	for r := range l.hashed {
		if _, read := l.read[r]; !read {
			rels = append(rels, r)
		}
	}
	sort.Strings(rels)
	h := sha256.New()
	for _, r := range rels {
		if data, read := l.read[r]; read {
			fmt.Fprintf(h, "%s\x00%d\x00", r, len(data))
			h.Write(data)
			continue
		}
		fh, err := os.Open(l.hashed[r])
		if err != nil {
			return "", fmt.Errorf("hash %s: %w", r, err)
		}
		st, err := fh.Stat()
		if err != nil {
			fh.Close()
			return "", fmt.Errorf("hash %s: %w", r, err)
		}
		fmt.Fprintf(h, "%s\x00%d\x00", r, st.Size())
		_, err = io.Copy(h, io.LimitReader(fh, st.Size()))
		fh.Close()
		if err != nil {
			return "", fmt.Errorf("hash %s: %w", r, err)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// EnvVars returns the name of every ${env:…} reference in the repository, sorted and unique, so
// that plan can report every missing variable at once.
func (r *Repo) EnvVars() []string {
	seen := map[string]bool{}
	visit := func(o *Object) {
		walkStrings(o.Fields, "", func(_, s string) {
			refs, _ := Refs(s)
			for _, ref := range refs {
				if ref.Scheme == SchemeEnv {
					seen[ref.Name] = true
				}
			}
		})
	}
	for _, o := range r.Objects() {
		visit(o)
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
