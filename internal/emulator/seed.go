package emulator

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/sailsync/sailsync/internal/value"
)

// A seed directory holds the tenant's objects as the API returns them, in a directory per kind
// that the kind's file names (kindHandler.seedDirs), for instance:
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
	for _, h := range seedOrder() {
		if h.loadSeed != nil {
			if err := h.loadSeed(e, seed); err != nil {
				return err
			}
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
// tenant) or one with JSON objects in a kind's directory (connectors/, sources/, schemas/<source>/, …). A directory
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
	dirs := directorySeedDirs()
	var hints []string
	for _, h := range seedOrder() {
		if h.seedDirs != nil {
			dirs = append(dirs, h.seedDirs(seed)...)
			hints = append(hints, h.seedHint)
		}
	}
	where := strings.Join(hints[:len(hints)-1], ", ") + " or " + hints[len(hints)-1]
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
		return errors.New("not a seed: it holds YAML but no JSON objects in " + where + " (a config repository is not a seed; see examples/acme-tenant)")
	}
	return errors.New("not a seed: no JSON objects in " + where + " (see examples/acme-tenant)")
}

// readSourceSeeds reads the seed's <dir>/<source>/*.json, <source> a seeded source's name or
// id, and hands each source's objects to add: the layout of the kinds a source owns.
func (e *Emulator) readSourceSeeds(seed fs.FS, dir string, add func(src *value.Object, objs []seedObject) error) error {
	dirs, err := fs.ReadDir(seed, dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: %w", dir, err)
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
			return fmt.Errorf("%s/%s: no source with that name or id", dir, d.Name())
		}
		objs, err := readSeedDir(seed, path.Join(dir, d.Name()))
		if err != nil {
			return err
		}
		if err := add(src, objs); err != nil {
			return err
		}
	}
	return nil
}
