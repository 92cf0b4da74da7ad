package sync

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	gosync "sync"

	"golang.org/x/sync/errgroup"
	"gopkg.in/yaml.v3"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/isc"
	"github.com/sailsync/sailsync/internal/value"
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

// Export reads the tenant's sources (all, or the named ones) and what each declared kind
// exports with them (their entitlement schemas, the custom connectors they use: the kinds'
// exporters, kind_*.go), and renders them as config-repository YAML, one file per object.
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

	x := &exportRun{c: c, out: &Exported{ConnectorFiles: map[string][]string{}}, partial: len(opts.Sources) > 0,
		taken: map[string]bool{}, envTaken: map[string]bool{}, kinds: map[config.Kind]exporter{}}
	var order []exporter
	for _, k := range config.UserKinds() {
		if f, ok := exporters[k]; ok {
			x.kinds[k] = f()
			order = append(order, x.kinds[k])
		}
	}
	for _, ex := range order {
		if err := ex.prepare(ctx, x); err != nil {
			return nil, err
		}
	}
	// The sources' reads run in parallel; a source's own objects (the higher levels) are asked
	// for before the objects it refers to, the order export has always read them in.
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(par)
	x.g, x.ctx = g, gctx
	for _, s := range sources {
		for i := len(order) - 1; i >= 0; i-- {
			order[i].readSource(x, s)
		}
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	x.ctx = ctx
	for _, ex := range order {
		if err := ex.renderAll(x); err != nil {
			return nil, err
		}
	}
	for _, s := range sources {
		for _, ex := range order {
			if err := ex.renderSource(x, s); err != nil {
				return nil, err
			}
		}
	}
	return x.out, nil
}

// exporter is export's behaviour for one declared kind, registered by the kind's file
// (registerExporter) like apply's handlers, so that Export names no kind but the sources it is
// rooted in. A fresh one is made per export: it holds what the kind read.
type exporter interface {
	// prepare reads what the kind needs before the sources' reads (the released connectors).
	prepare(ctx context.Context, x *exportRun) error
	// readSource starts, with x.read, the kind's reads for one exported source.
	readSource(x *exportRun, s *value.Object)
	// renderAll adds the kind's files that belong to no one source, before the sources' files.
	renderAll(x *exportRun) error
	// renderSource adds the kind's files of one exported source, in table order.
	renderSource(x *exportRun, s *value.Object) error
}

// exporters holds one exporter constructor per declared kind; kinds_internal_test.go holds it
// to config's table.
var exporters = map[config.Kind]func() exporter{}

// registerExporter adds the exporter of kind k; a kind registered twice is a programming error.
func registerExporter(k config.Kind, f func() exporter) {
	if _, dup := exporters[k]; dup {
		panic("sync: exporter of kind " + string(k) + " registered twice")
	}
	exporters[k] = f
}

// exportRun is one export's shared state: the client, the reads' group, the output and the
// names taken in it.
type exportRun struct {
	c     *isc.Client
	ctx   context.Context // the reads' group context while they run
	g     *errgroup.Group
	mu    gosync.Mutex // guards what the reads store
	kinds map[config.Kind]exporter
	out   *Exported
	// partial is set when only some sources are exported: the kinds that belong to no source
	// are left out.
	partial bool
	// Different names can make the same file name ("HR DB", "hr-db"); each object keeps a file
	// of its own, numbered in name order, rather than overwriting another.
	taken map[string]bool
	// Likewise variable names: two sources must not share one secret by accident.
	envTaken map[string]bool
}

// read starts fn on the reads' group, a panic in it being the group's error (see guard).
func (x *exportRun) read(fn func() error) { x.g.Go(func() error { return guard(fn) }) }

// unique returns p, numbered if another file of the export has its name already.
func (x *exportRun) unique(p string) string {
	base := strings.TrimSuffix(p, ".yaml")
	for n := 2; x.taken[strings.ToLower(p)]; n++ {
		p = fmt.Sprintf("%s-%d.yaml", base, n)
	}
	x.taken[strings.ToLower(p)] = true
	return p
}

// add adds f to the export under a unique path.
func (x *exportRun) add(f ExportFile) {
	f.Path = x.unique(f.Path)
	x.out.Files = append(x.out.Files, f)
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
