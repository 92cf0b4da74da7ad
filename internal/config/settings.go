package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/sailsync/sailsync/internal/value"
	"github.com/sailsync/sailsync/schema"
)

// Settings are the repository's settings, read from SettingsFile at the root. The file is
// validated so that a mistake in it is an error rather than silently ignored: settings are added
// here as fields (with their JSON name) and in schema/settings.json, which rejects every key it
// does not list.
type Settings struct {
	// Ignore are the differences plan, drift and apply leave alone (see IgnoreRule).
	Ignore []IgnoreRule `json:"ignore,omitempty"`
	// Unmanaged are the tenant objects knowingly not declared (see UnmanagedRule).
	Unmanaged []UnmanagedRule `json:"unmanaged,omitempty"`
	// Environments are the tenants the repository is applied to, in the order written (see
	// Repo.ForEnvironment); read from the mapping itself, which keeps positions and YAML types.
	Environments []Environment `json:"-"`
}

// settingsFiles are the names reserved for the settings file at the root; the first is the one
// documented.
var settingsFiles = []string{SettingsFile, "sailsync.yml"}

// loadSettings reads and validates the settings file, when there is one, into repo.Settings.
// Its bytes are hashed with the YAML files: settings are part of the desired state (later ones
// change what a plan does), so a plan made before a settings change must not apply after it.
func (l *loader) loadSettings(repo *Repo) {
	if len(l.settings) > 1 {
		for _, f := range l.settings[1:] {
			l.add(Problem{Pos: Pos{File: f.rel, Line: 1, Col: 1}, Message: fmt.Sprintf(
				"the settings file is %s, which also exists: keep one of them", l.settings[0].rel)})
		}
	}
	for _, f := range l.settings {
		data, problem := l.readYAML(f)
		if problem != nil {
			l.add(*problem)
			continue
		}
		l.read[f.rel] = data
		if s, ok := parseSettings(f.rel, data, l.add); ok {
			repo.Settings = s
		} else {
			l.settingsBroken = true
		}
	}
}

// parseSettings parses the settings file: one YAML document, empty or a mapping that
// schema/settings.json accepts. Problems go to add; ok is false when there was one.
func parseSettings(file string, data []byte, add func(Problem)) (s Settings, ok bool) {
	ok = true
	report := func(p Problem) { ok = false; add(p) }
	if !utf8.Valid(data) {
		line, col := invalidUTF8At(data)
		report(Problem{Pos: Pos{File: file, Line: line, Col: col}, Message: "the file is not valid UTF-8: save it as UTF-8"})
		return s, false
	}
	// As in parseFile: a parser panic is a problem with the file, never a crash.
	defer func() {
		if r := recover(); r != nil {
			report(Problem{Pos: Pos{File: file, Line: 1, Col: 1}, Message: fmt.Sprintf("the YAML parser failed on this file: %v", r)})
			ok = false
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var root *yaml.Node
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			report(syntaxProblem(file, data, err))
			return s, false
		}
		if n.Kind != yaml.DocumentNode || len(n.Content) == 0 {
			continue
		}
		r := n.Content[0]
		if r.Kind == yaml.ScalarNode && r.ShortTag() == "!!null" {
			continue // an empty document: no settings
		}
		if root != nil {
			report(Problem{Pos: posOf(file, r), Message: fmt.Sprintf("a second YAML document: %s holds one mapping of settings", file)})
			return s, false
		}
		root = r
	}
	if root == nil {
		return s, ok // empty, comments only: no settings
	}
	if root.Kind != yaml.MappingNode {
		report(Problem{Pos: posOf(file, root), Message: fmt.Sprintf("%s holds a mapping of settings (key: value), not %s", file, nodeKind(root))})
		return s, false
	}
	d := &document{file: file, root: root, rootPos: posOf(file, root), positions: map[string]Pos{}}
	c := converter{d: d, add: func(p Problem) { d.broken = true; report(p) }}
	v, _ := c.value(root, "", 1)
	obj, _ := v.(*value.Object)
	if obj == nil {
		obj = value.NewObject()
	}
	plain := value.ToPlain(obj)
	errs := schema.ValidateSettings(plain)
	for i := range errs {
		if errs[i].Keyword == "additionalProperties" {
			// Settings are keys of a file of sailsync's own, not API fields.
			errs[i].Message = strings.Replace(errs[i].Message, "unknown field", "unknown key", 1)
		}
	}
	if placeSchemaErrors(d, errs, report) > 0 || !ok {
		return s, false
	}
	b, err := json.Marshal(plain)
	if err == nil {
		err = json.Unmarshal(b, &s)
	}
	if err != nil {
		// The schema admits only what Settings can hold; this is a bug, said plainly.
		report(Problem{Pos: d.rootPos, Message: fmt.Sprintf("internal error reading the settings: %v", err)})
		return s, false
	}
	checkRules(file, root, &s, time.Now(), report)
	s.Environments = environmentsOf(obj, d)
	return s, ok
}

// nodeKind names what a YAML node is, for a message.
func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		v := n.Value
		if utf8.RuneCountInString(v) > 40 {
			v = string([]rune(v)[:40]) + "…"
		}
		return fmt.Sprintf("the value %q", v)
	default:
		return "this"
	}
}

// ReadSettings reads only the settings file of the repository at dir (export writes into a
// repository it does not load, and must still honour its environments). A directory without
// one has zero Settings; a broken one is an error with its problems.
func ReadSettings(dir string) (Settings, error) {
	for _, name := range []string{SettingsFile, "sailsync.yml"} {
		f, err := os.Open(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return Settings{}, fmt.Errorf("%s: %w", name, err)
		}
		data, err := io.ReadAll(io.LimitReader(f, MaxYAMLFileSize+1))
		f.Close()
		if err != nil {
			return Settings{}, fmt.Errorf("%s: %w", name, err)
		}
		if len(data) > MaxYAMLFileSize {
			return Settings{}, fmt.Errorf("%s: larger than %d MiB", name, MaxYAMLFileSize>>20)
		}
		var ps Problems
		s, ok := parseSettings(name, data, func(p Problem) { ps = append(ps, p) })
		if !ok {
			return Settings{}, ps
		}
		return s, nil
	}
	return Settings{}, nil
}
