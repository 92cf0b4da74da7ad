package config

import (
	"fmt"

	"github.com/sailsync/sailsync/internal/value"
)

func init() {
	addKind(KindSpec{
		Kind: KindConnector, Declared: true, Unmanaged: true, Schema: "connector.json",
		Identity: []string{"name"},
		// The tenant names a connector by the scriptName it chose, not by an id.
		LiveID: "scriptName", RefScheme: SchemeConnector,
		// Its bundle (bundle.go) is sent with the connector's own change, after the create and
		// before the sources (level 1) that depend on it: no level of its own is needed.
		Doc: "a custom connector (POST /v3/connectors): its fields are set on create only; its bundle (source config, " +
			"template, correlation config, translations, metadata) is updated by requests of its own",
	}, &kindLoader{
		build: func(l *loader, d *document, obj Object, _ bool) Declared {
			return &Connector{Object: obj, PinnedScriptName: d.value.String("scriptName"), Bundle: l.bundle(d, obj.Fields)}
		},
		// A copy of the whole connector: its bundle is sent under every environment.
		bind: func(d Declared, o Object) Declared {
			c := *d.(*Connector)
			c.Object = o
			return &c
		},
		// The bundle's files are sent with the connector: a change to one is the connector's.
		files: func(d Declared) []File {
			b := d.(*Connector).Bundle
			if b == nil {
				return nil
			}
			var out []File
			for _, f := range b.XML {
				out = append(out, f.File)
			}
			for _, t := range b.Translations {
				out = append(out, t.File)
			}
			return out
		},
		check: checkPinnedScriptNames,
	})
}

// Connector is a declared custom connector (POST /v3/connectors).
type Connector struct {
	Object
	// PinnedScriptName is the declared `scriptName:`, or empty. The tenant derives a new
	// connector's scriptName by an undocumented rule, so nothing else is assumed about it:
	// connectors are found by name (see sync.Fetch) and the pin is only a hint and a check.
	PinnedScriptName string
	// Bundle is the declared bundle (source config, template, translations, metadata), taken
	// out of Fields: nil when none is declared. See bundle.go.
	Bundle *Bundle
}

// Connectors returns the declared connectors, tombstones included, in repository order.
func (r *Repo) Connectors() []*Connector { return typedOf[*Connector](r, KindConnector) }

// Connector returns the declared connector called name, or nil.
func (r *Repo) Connector(name string) *Connector {
	for _, d := range r.objects[KindConnector] {
		if c := d.(*Connector); c.Name == name {
			return c
		}
	}
	return nil
}

// UsesSaaSConnector reports whether a live source runs on a SaaS connector (sp-connect): its
// connector is the connector spec's id, which no custom-connector call knows, so such a
// connector is neither exported nor counted as an unmanaged custom connector.
func UsesSaaSConnector(src *value.Object) bool {
	ca, _ := src.Get("connectorAttributes")
	attrs, _ := ca.(*value.Object)
	if attrs == nil {
		return false
	}
	spec := attrs.String("spConnectorSpecId")
	return attrs.String("idnProxyType") == "sp-connect" || (spec != "" && spec == src.String("connector"))
}

// checkPinnedScriptNames refuses two connectors that pin one scriptName. The tenant's scriptName
// rule is undocumented: only pins can be compared offline.
func checkPinnedScriptNames(l *loader, repo *Repo) {
	named := map[string]bool{}
	scripts := map[string]*Connector{}
	for _, c := range repo.Connectors() {
		if c.Name == "" || named[c.Name] {
			continue // an invalid name, or a second declaration, reported already
		}
		named[c.Name] = true
		if c.PinnedScriptName == "" {
			continue
		}
		if first, ok := scripts[c.PinnedScriptName]; ok {
			l.add(Problem{Pos: c.PosOf("scriptName"), Field: "scriptName", Message: fmt.Sprintf("scriptName: Connector %q pins the scriptName %q of Connector %q declared at %s: set a different scriptName", c.Name, c.PinnedScriptName, first.Name, first.PosOf("name"))})
			continue
		}
		scripts[c.PinnedScriptName] = c
	}
}
