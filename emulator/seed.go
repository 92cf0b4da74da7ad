package emulator

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/sailsync/sailsync/value"
)

// A seed directory holds the tenant's objects as the API returns them:
//
//	connectors/*.json          ConnectorDetail objects (GET /v3/connectors/{scriptName})
//	sources/*.json             Source objects (GET /v3/sources/{id}), loaded in file-name order
//	schemas/<source>/*.json    Schema objects of the source named <source> (or with that id)
//	identities/, managed-clusters/, workgroups/, password-policies/, connector-rules/
//	                           the objects sources refer to, looked up by name (directory.go)
//
// A file may hold one object or an array of objects. Secret connectorAttributes values may be
// this emulator's cipher texts (kept) or plain text (encrypted on load). Other files (README.md)
// are ignored.

func (e *Emulator) loadSeed(seed fs.FS) error {
	conns, err := readSeedDir(seed, "connectors")
	if err != nil {
		return err
	}
	for _, f := range conns {
		c := f.obj
		if c.String("name") == "" {
			return fmt.Errorf("%s: connector without a name", f.file)
		}
		if c.String("scriptName") == "" {
			c.Set("scriptName", e.newScriptName(c.String("name")))
		}
		if e.connectorByScriptName(c.String("scriptName")) != nil {
			return fmt.Errorf("%s: second connector with scriptName %q", f.file, c.String("scriptName"))
		}
		e.connectors = append(e.connectors, c)
	}

	srcs, err := readSeedDir(seed, "sources")
	if err != nil {
		return err
	}
	for _, f := range srcs {
		s := f.obj
		name := s.String("name")
		if name == "" {
			return fmt.Errorf("%s: source without a name", f.file)
		}
		if e.sourceByName(name) != nil {
			return fmt.Errorf("%s: second source named %q", f.file, name)
		}
		id := s.String("id")
		if id == "" {
			id = newID()
			s.Set("id", id)
		}
		if e.sourceByID(id) != nil {
			return fmt.Errorf("%s: second source with id %q", f.file, id)
		}
		if _, ok := s.Get("created"); !ok {
			s.Set("created", e.stamp())
		}
		if _, ok := s.Get("modified"); !ok {
			s.Set("modified", s.String("created"))
		}
		protectSecrets(s.Object("connectorAttributes"), nil)
		if n, err := strconv.Atoi(s.Object("connectorAttributes").String("cloudExternalId")); err == nil && n > e.externalID {
			e.externalID = n // new sources get ids above the seed's
		}
		e.appendSource(s)
	}

	dirs, err := fs.ReadDir(seed, "schemas")
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("schemas: %w", err)
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		src := e.sourceByName(d.Name())
		if src == nil {
			src = e.sourceByID(d.Name())
		}
		if src == nil {
			return fmt.Errorf("schemas/%s: no source with that name or id", d.Name())
		}
		objs, err := readSeedDir(seed, path.Join("schemas", d.Name()))
		if err != nil {
			return err
		}
		for _, f := range objs {
			if f.obj.String("name") == "" {
				return fmt.Errorf("%s: schema without a name", f.file)
			}
			if f.obj.String("id") == "" {
				f.obj.Set("id", newID())
			}
			e.schemas[src.String("id")] = append(e.schemas[src.String("id")], f.obj)
		}
	}
	return e.loadDirectory(seed)
}

type seedObject struct {
	file string
	obj  *value.Object
}

// readSeedDir reads every *.json file of dir in name order; a missing dir is empty.
func readSeedDir(seed fs.FS, dir string) ([]seedObject, error) {
	entries, err := fs.ReadDir(seed, dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	var out []seedObject
	for _, ent := range entries {
		if ent.IsDir() || !strings.HasSuffix(ent.Name(), ".json") {
			continue
		}
		file := path.Join(dir, ent.Name())
		data, err := fs.ReadFile(seed, file)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		v, err := value.Decode(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		switch t := v.(type) {
		case *value.Object:
			out = append(out, seedObject{file, t})
		case []any:
			for i, el := range t {
				o, ok := el.(*value.Object)
				if !ok {
					return nil, fmt.Errorf("%s: element %d is not an object", file, i)
				}
				out = append(out, seedObject{file, o})
			}
		default:
			return nil, fmt.Errorf("%s: neither an object nor an array of objects", file)
		}
	}
	return out, nil
}

// CheckSeedDir reports whether seed looks like a seed directory: an empty directory (an empty
// tenant) or one with JSON objects in connectors/, sources/ or schemas/<source>/. A directory
// with files but none of those, such as a config repository of YAML, would otherwise start an
// empty tenant against which every object plans as new.
func CheckSeedDir(seed fs.FS) error {
	entries, err := fs.ReadDir(seed, ".")
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return nil
	}
	dirs := append([]string{"connectors", "sources"}, directorySeedDirs()...)
	if subs, err := fs.ReadDir(seed, "schemas"); err == nil {
		for _, d := range subs {
			if d.IsDir() {
				dirs = append(dirs, path.Join("schemas", d.Name()))
			}
		}
	}
	yaml := false
	for _, dir := range append(dirs, ".") {
		files, _ := fs.ReadDir(seed, dir)
		for _, f := range files {
			switch {
			case f.IsDir():
			case strings.HasSuffix(f.Name(), ".json") && dir != ".":
				return nil
			case strings.HasSuffix(f.Name(), ".yaml") || strings.HasSuffix(f.Name(), ".yml"):
				yaml = true
			}
		}
	}
	if yaml {
		return errors.New("not a seed: it holds YAML but no JSON objects in connectors/, sources/ or schemas/<source>/ (a config repository is not a seed; see examples/acme-tenant)")
	}
	return errors.New("not a seed: no JSON objects in connectors/, sources/ or schemas/<source>/ (see examples/acme-tenant)")
}
