// Command trim cuts the official ISC OpenAPI document down to the operations sailsync and its
// emulator use, keeping every component they reference, so that the contract checks run on a
// fresh clone without ../shared beside it.
//
//	go run ./internal/contract/trim        # rewrite internal/contract/testdata/isc-v3-beta.trimmed.json
//	go run ./internal/contract/trim -check # fail when the committed copy differs from a new trim
//
// The source is ../shared/api-specs/bundled/isc-v3-beta.combined.json (or -in FILE).
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/sailsync/sailsync/internal/config"
)

// keptPaths are the path templates sailsync's client calls and its emulator serves, under both
// API versions where the document has them, besides the plain kinds' collections, which come
// from config's table (plainPaths). Every operation of a kept path is kept, so that the
// emulator's answers to PATCH and DELETE are checked against the document too.
var keptPaths = []string{
	"/v3/sources",
	"/v3/sources/{id}",
	"/v3/sources/{sourceId}/schemas",
	"/v3/sources/{sourceId}/schemas/{schemaId}",
	"/v3/sources/{id}/schemas/entitlements",
	"/v3/sources/{sourceId}/upload-connector-file",
	"/v3/sources/{sourceId}/provisioning-policies",
	"/v3/sources/{sourceId}/provisioning-policies/{usageType}",
	"/v3/connectors",
	"/v3/connectors/{scriptName}",
	"/v3/connectors/{scriptName}/source-config",
	"/v3/connectors/{scriptName}/source-template",
	"/v3/connectors/{scriptName}/translations/{locale}",
	"/beta/sources",
	"/beta/sources/{id}",
	"/beta/sources/{sourceId}/schemas",
	"/beta/sources/{sourceId}/schemas/{schemaId}",
	"/beta/sources/{sourceId}/schemas/entitlements",
	"/beta/sources/{sourceId}/upload-connector-file",
	"/beta/connectors",
	"/beta/task-status/{id}",
	"/beta/sources/{sourceId}/connector/test-configuration",
	// The configuration export: bulk reads of the sources' schemas.
	"/beta/sp-config/export",
	"/beta/sp-config/export/{id}",
	"/beta/sp-config/export/{id}/download",
	// The directory: objects sources refer to, looked up when a reference gives a name.
	"/beta/identities",
	"/v3/managed-clusters",
	"/beta/managed-clusters",
	"/beta/workgroups",
	"/v3/password-policies",
	"/beta/password-policies",
	"/beta/connector-rules",
}

// plainPaths are the collections of config's plain kinds (config.API): the collection and an
// object of it, and their /beta twins where the document has them (the emulator serves both).
func plainPaths(paths map[string]any) []string {
	var out []string
	for _, k := range config.PlainKinds() {
		spec, _ := config.KindInfo(k)
		for _, p := range []string{spec.API.Path, spec.API.Path + "/{id}"} {
			out = append(out, p)
			if beta, ok := strings.CutPrefix(p, "/v3/"); ok {
				if _, has := paths["/beta/"+beta]; has {
					out = append(out, "/beta/"+beta)
				}
			}
		}
	}
	return out
}

func main() {
	in := flag.String("in", filepath.Join("..", "shared", "api-specs", "bundled", "isc-v3-beta.combined.json"), "the combined OpenAPI document")
	out := flag.String("out", filepath.Join("internal", "contract", "testdata", "isc-v3-beta.trimmed.json"), "where the trimmed document goes")
	check := flag.Bool("check", false, "compare with -out instead of writing it; exit 1 when they differ")
	flag.Parse()
	if err := run(*in, *out, *check); err != nil {
		fmt.Fprintln(os.Stderr, "trim:", err)
		os.Exit(1)
	}
}

func run(in, out string, check bool) error {
	raw, err := os.ReadFile(in)
	if err != nil {
		return fmt.Errorf("read the document: %w", err)
	}
	trimmed, err := trim(raw)
	if err != nil {
		return fmt.Errorf("trim %s: %w", in, err)
	}
	if check {
		have, err := os.ReadFile(out)
		if err != nil {
			return fmt.Errorf("read the committed copy: %w", err)
		}
		if !bytes.Equal(have, trimmed) {
			return fmt.Errorf("%s is not the trim of %s: run go run ./contract/trim", out, in)
		}
		return nil
	}
	if err := os.WriteFile(out, trimmed, 0o644); err != nil {
		return fmt.Errorf("write the trimmed document: %w", err)
	}
	return nil
}

// trim returns the document with only keptPaths and the components reachable from them.
func trim(raw []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // numbers (examples, limits) stay exactly as published
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	paths, _ := doc["paths"].(map[string]any)
	components, _ := doc["components"].(map[string]any)
	if paths == nil || components == nil {
		return nil, errors.New("no paths or components")
	}
	keptP := map[string]any{}
	for _, p := range append(slices.Clone(keptPaths), plainPaths(paths)...) {
		item, ok := paths[p]
		if !ok {
			return nil, fmt.Errorf("the document has no path %s", p)
		}
		keptP[p] = item
	}
	// Walk $refs from the kept paths until no new component turns up.
	keptC := map[string]map[string]any{}
	var queue []any
	queue = append(queue, keptP)
	if sec, ok := components["securitySchemes"]; ok {
		// Security schemes are named by the operations' security lists, not by $ref.
		keptC["securitySchemes"] = sec.(map[string]any)
	}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for _, ref := range refs(v) {
			section, name, ok := strings.Cut(strings.TrimPrefix(ref, "#/components/"), "/")
			if !ok || !strings.HasPrefix(ref, "#/components/") || strings.Contains(name, "/") {
				return nil, fmt.Errorf("unsupported $ref %q", ref)
			}
			if _, seen := keptC[section][name]; seen {
				continue
			}
			sec, _ := components[section].(map[string]any)
			target, ok := sec[name]
			if !ok {
				return nil, fmt.Errorf("$ref %q names no component", ref)
			}
			if keptC[section] == nil {
				keptC[section] = map[string]any{}
			}
			keptC[section][name] = target
			queue = append(queue, target)
		}
	}
	comps := map[string]any{}
	for k, v := range keptC {
		comps[k] = v
	}
	doc["paths"] = keptP
	doc["components"] = comps
	doc["tags"] = usedTags(doc["tags"], keptP)
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	return b.Bytes(), nil
}

// refs returns every $ref value inside v.
func refs(v any) []string {
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if r, ok := x["$ref"].(string); ok {
				out = append(out, r)
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(v)
	sort.Strings(out)
	return out
}

// usedTags keeps the tag definitions the kept operations name.
func usedTags(all any, paths map[string]any) []any {
	used := map[string]bool{}
	for _, item := range paths {
		for _, op := range item.(map[string]any) {
			o, ok := op.(map[string]any)
			if !ok {
				continue
			}
			tags, _ := o["tags"].([]any)
			for _, t := range tags {
				if s, ok := t.(string); ok {
					used[s] = true
				}
			}
		}
	}
	list, _ := all.([]any)
	out := []any{}
	for _, t := range list {
		if m, ok := t.(map[string]any); ok && used[fmt.Sprint(m["name"])] {
			out = append(out, t)
		}
	}
	return out
}
