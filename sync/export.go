package sync

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"
	gosync "sync"

	"golang.org/x/sync/errgroup"
	"gopkg.in/yaml.v3"

	"github.com/sailsync/sailsync/config"
	"github.com/sailsync/sailsync/isc"
	"github.com/sailsync/sailsync/value"
)

// ExportOptions tune Export.
type ExportOptions struct {
	// Sources limits the export to these source names; empty exports every source.
	Sources []string
	// Parallelism bounds concurrent requests; 0 means DefaultParallelism.
	Parallelism int
	// KeepIDs writes references with the tenant's ids; without it, a reference that its name
	// finds again is written by name, so that the repository promotes (see refsByName).
	KeepIDs bool
}

// ExportFile is one YAML file of an exported repository.
type ExportFile struct {
	// Path is relative to the repository root, slash-separated.
	Path    string
	Content []byte
}

// EnvVar is an environment variable an exported repository references in place of a secret the
// tenant only returns as cipher text.
type EnvVar struct {
	Name      string `json:"name"`
	Source    string `json:"source"`
	Attribute string `json:"attribute"`
}

// Exported is a tenant's state in the format of a config repository.
type Exported struct {
	Files   []ExportFile
	EnvVars []EnvVar
	// ConnectorFiles lists, per source, the connector files the tenant lists but cannot return:
	// the user must add them to the repository to manage them.
	ConnectorFiles map[string][]string
}

// exportDropped are the source fields export leaves out: those the tenant manages, which the
// config format does not allow, and `schemas`, which the tenant keeps (config's kind table).
var exportDropped = sourceNotExported()

func sourceNotExported() []string {
	s, _ := config.KindInfo(config.KindSource)
	return s.NotExported()
}

// serverAddedAttributes are connectorAttributes keys the tenant adds by itself; exporting them
// would make the user own values the tenant rewrites.
var serverAddedAttributes = []string{
	"cloudExternalId", "cloudDisplayName", "cloudCacheUpdate", "cloudOriginalApplicationType",
	"healthy", "since", "status", "connector_files",
}

// Export reads the tenant's sources (all, or the named ones), their entitlement schemas and the
// custom connectors they use, and renders them as config-repository YAML, one file per object.
func Export(ctx context.Context, c *isc.Client, opts ExportOptions) (*Exported, error) {
	par := opts.Parallelism
	if par <= 0 {
		par = DefaultParallelism
	}
	filter := ""
	if len(opts.Sources) > 0 {
		calls := sourceCalls(opts.Sources, false)
		if len(calls) == 1 {
			filter = calls[0]
		}
	}
	sources, err := c.ListSources(ctx, filter)
	if err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	if len(opts.Sources) > 0 {
		want := map[string]bool{}
		for _, n := range opts.Sources {
			want[n] = true
		}
		kept := sources[:0]
		for _, s := range sources {
			if want[s.String("name")] {
				kept = append(kept, s)
				delete(want, s.String("name"))
			}
		}
		if len(want) > 0 {
			var missing []string
			for n := range want {
				missing = append(missing, n)
			}
			sort.Strings(missing)
			return nil, fmt.Errorf("no such source in the tenant: %s", strings.Join(missing, ", "))
		}
		sources = kept
	}
	sort.Slice(sources, func(i, j int) bool { return sources[i].String("name") < sources[j].String("name") })
	if !opts.KeepIDs {
		if err := refsByName(ctx, c, sources, par); err != nil {
			return nil, err
		}
	}

	// Custom connectors: those the released list does not show, or built on the open connector
	// standard that custom connectors use.
	released := map[string]bool{}
	conns, err := c.ListConnectors(ctx)
	if err != nil {
		return nil, fmt.Errorf("list connectors: %w", err)
	}
	for _, o := range conns {
		released[o.String("scriptName")] = true
	}

	var (
		mu      gosync.Mutex
		schemas = map[string][]*value.Object{}
		custom  = map[string]*value.Object{}
		g, gctx = errgroup.WithContext(ctx)
		asked   = map[string]bool{}
	)
	g.SetLimit(par)
	for _, s := range sources {
		id, name := s.String("id"), s.String("name")
		g.Go(func() error {
			objs, err := c.ListSchemas(gctx, id)
			if err != nil {
				return fmt.Errorf("source %q: list schemas: %w", name, err)
			}
			mu.Lock()
			schemas[name] = objs
			mu.Unlock()
			return nil
		})
		sn := s.String("connector")
		if sn == "" || asked[sn] {
			continue
		}
		asked[sn] = true
		g.Go(func() error {
			o, err := c.GetConnector(gctx, sn)
			if isc.IsNotFound(err) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("connector %q: %w", sn, err)
			}
			if !released[sn] || o.String("className") == "sailpoint.connector.OpenConnectorAdapter" {
				mu.Lock()
				custom[sn] = o
				mu.Unlock()
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}

	out := &Exported{ConnectorFiles: map[string][]string{}}
	// Different names can make the same file name ("HR DB", "hr-db"); each object keeps a file
	// of its own, numbered in name order, rather than overwriting another.
	taken := map[string]bool{}
	// Likewise variable names: two sources must not share one secret by accident.
	envTaken := map[string]bool{}
	unique := func(p string) string {
		base := strings.TrimSuffix(p, ".yaml")
		for n := 2; taken[strings.ToLower(p)]; n++ {
			p = fmt.Sprintf("%s-%d.yaml", base, n)
		}
		taken[strings.ToLower(p)] = true
		return p
	}
	add := func(f ExportFile) {
		f.Path = unique(f.Path)
		out.Files = append(out.Files, f)
	}
	var snames []string
	for sn := range custom {
		snames = append(snames, sn)
	}
	sort.Strings(snames)
	for _, sn := range snames {
		// The bundle's files go in a directory named after the YAML file, so the path is
		// made unique first.
		files, err := exportConnector(custom[sn], unique("connectors/"+slug(custom[sn].String("name"))+".yaml"))
		if err != nil {
			return nil, err
		}
		out.Files = append(out.Files, files...)
	}
	for _, s := range sources {
		f, vars, files, err := exportSource(s, custom, envTaken)
		if err != nil {
			return nil, err
		}
		add(f)
		out.EnvVars = append(out.EnvVars, vars...)
		if len(files) > 0 {
			out.ConnectorFiles[s.String("name")] = files
		}
		for _, sc := range schemas[s.String("name")] {
			if sc.String("name") == "account" {
				continue
			}
			f, err := exportSchema(s.String("name"), sc)
			if err != nil {
				return nil, err
			}
			add(f)
		}
	}
	return out, nil
}

func exportConnector(o *value.Object, yamlPath string) ([]ExportFile, error) {
	doc := value.NewObject()
	doc.Set("kind", "Connector")
	for _, k := range []string{"name", "scriptName", "className", "type", "directConnect", "status"} {
		if v, ok := o.Get(k); ok {
			doc.Set(k, v)
		}
	}
	bundle := exportBundle(o, doc, yamlPath)
	f, err := yamlFile(yamlPath, doc)
	if err != nil {
		return nil, err
	}
	return append([]ExportFile{f}, bundle...), nil
}

func exportSource(s *value.Object, custom map[string]*value.Object, envTaken map[string]bool) (ExportFile, []EnvVar, []string, error) {
	name := s.String("name")
	doc := value.NewObject()
	doc.Set("kind", "Source")
	// Strings the tenant holds that look like references would be read back as references:
	// escape them before this export writes references of its own.
	body, ok := escapeRefs(s).(*value.Object)
	if !ok {
		return ExportFile{}, nil, nil, fmt.Errorf("source %q is not an object", name)
	}
	for _, k := range exportDropped {
		body.Delete(k)
	}
	if conn, ok := custom[body.String("connector")]; ok {
		body.Set("connector", "${connector:"+conn.String("name")+"}")
	}
	var vars []EnvVar
	var files []string
	if attrs := body.Object("connectorAttributes"); attrs != nil {
		cf, _ := attrs.Get("connector_files")
		files = value.StringList(cf)
		for _, k := range serverAddedAttributes {
			attrs.Delete(k)
		}
		for _, k := range attrs.Keys() {
			if !config.IsSecretAttribute(k, attrs) {
				continue
			}
			v, _ := attrs.Get(k)
			if str, ok := v.(string); !ok || str == "" {
				continue
			}
			env := envName(name, k)
			for n, base := 2, env; envTaken[env]; n++ {
				env = fmt.Sprintf("%s_%d", base, n)
			}
			envTaken[env] = true
			attrs.Set(k, "${env:"+env+"}")
			vars = append(vars, EnvVar{Name: env, Source: name, Attribute: k})
		}
	}
	for _, k := range body.Keys() {
		v, _ := body.Get(k)
		doc.Set(k, v)
	}
	f, err := yamlFile("sources/"+slug(name)+".yaml", doc)
	return f, vars, files, err
}

// escapeRefs returns a copy of v in which every "${" is written "$${", so that the loader reads
// it back as a literal.
func escapeRefs(v any) any {
	switch t := v.(type) {
	case string:
		return strings.ReplaceAll(t, "${", "$${")
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = escapeRefs(e)
		}
		return out
	case *value.Object:
		out := value.NewObject()
		for _, k := range t.Keys() {
			e, _ := t.Get(k)
			out.Set(k, escapeRefs(e))
		}
		return out
	}
	return v
}

func exportSchema(source string, sc *value.Object) (ExportFile, error) {
	doc := value.NewObject()
	doc.Set("kind", "EntitlementSchema")
	doc.Set("source", source)
	doc.Set("name", sc.String("name"))
	var attrs []any
	if list, ok := sc.Get("attributes"); ok {
		if arr, ok := list.([]any); ok {
			for _, a := range arr {
				if ao, ok := a.(*value.Object); ok && ao.String("name") != "" {
					attrs = append(attrs, ao.String("name"))
				}
			}
		}
	}
	if attrs == nil {
		attrs = []any{}
	}
	doc.Set("attributes", attrs)
	return yamlFile(path.Join("schemas", slug(source)+"-"+slug(sc.String("name"))+".yaml"), doc)
}

// envName derives the variable name for a secret: SOURCE_NAME_ATTRIBUTE, upper-case, each run of
// other characters an underscore.
func envName(source, attr string) string {
	return strings.ToUpper(strings.ReplaceAll(isc.ScriptName(source)+"-"+isc.ScriptName(attr), "-", "_"))
}

func slug(name string) string {
	if s := isc.ScriptName(name); s != "" {
		return s
	}
	return "unnamed"
}

func yamlFile(p string, doc *value.Object) (ExportFile, error) {
	node, err := yamlNode(doc)
	if err != nil {
		return ExportFile{}, fmt.Errorf("%s: %w", p, err)
	}
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(node); err != nil {
		return ExportFile{}, fmt.Errorf("%s: %w", p, err)
	}
	if err := enc.Close(); err != nil {
		return ExportFile{}, fmt.Errorf("%s: %w", p, err)
	}
	return ExportFile{Path: p, Content: []byte(b.String())}, nil
}

// yamlNode converts an Object value to a YAML node, keeping key order and numbers' exact text.
func yamlNode(v any) (*yaml.Node, error) {
	switch t := v.(type) {
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, nil
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(t)}, nil
	case json.Number:
		tag := "!!int"
		if strings.ContainsAny(string(t), ".eE") {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: string(t)}, nil
	case string:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: t}, nil
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, e := range t {
			c, err := yamlNode(e)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, c)
		}
		return n, nil
	case *value.Object:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for _, k := range t.Keys() {
			e, _ := t.Get(k)
			c, err := yamlNode(e)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}, c)
		}
		return n, nil
	}
	return nil, fmt.Errorf("cannot write a %T as YAML", v)
}
