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
		LiveID: "scriptName",
		// Its bundle (bundle.go) is sent with the connector's own change, after the create and
		// before the sources (level 1) that depend on it: no level of its own is needed.
		Doc: "a custom connector (POST /v3/connectors): its fields are set on create only; its bundle (source config, " +
			"template, correlation config, translations, metadata) is updated by requests of its own",
	}, &kindLoader{
		build: func(l *loader, repo *Repo, d *document, obj Object, _ bool) {
			repo.Connectors = append(repo.Connectors, &Connector{Object: obj, PinnedScriptName: d.value.String("scriptName"),
				Bundle: l.bundle(d, obj.Fields)})
		},
		objects: func(r *Repo) []*Object {
			return objectsOf(r.Connectors, func(c *Connector) *Object { return &c.Object })
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
	for _, c := range repo.Connectors {
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
