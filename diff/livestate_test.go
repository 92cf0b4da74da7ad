package diff

import (
	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/value"
)

// liveState is a test's live state written kind by kind, as a fetch would find it; liveOf
// turns it into the Live a plan reads.
type liveState struct {
	Sources             map[string]*value.Object
	Schemas             map[string]map[string]*value.Object
	Connectors          map[string]*value.Object
	Objects             map[config.Kind]map[string]*value.Object
	AllSourcesListed    bool
	AllConnectorsListed bool
	Listed              map[config.Kind]bool
	ListedConnectors    []*value.Object
	MissingConnectors   map[string]bool
	Named               map[config.NamedRef][]*value.Object
	Lookups             int
	Bundles             map[string]*value.Object
}

// liveOf returns the Live that holds s.
func liveOf(s liveState) *Live {
	l := &Live{ListedConnectors: s.ListedConnectors, MissingConnectors: s.MissingConnectors, Named: s.Named,
		Lookups: s.Lookups, Bundles: s.Bundles}
	for name, o := range s.Sources {
		l.Put(config.KindSource, "", name, o)
	}
	for source, m := range s.Schemas {
		for name, o := range m {
			l.Put(config.KindEntitlementSchema, source, name, o)
		}
	}
	for name, o := range s.Connectors {
		l.Put(config.KindConnector, "", name, o)
	}
	for k, m := range s.Objects {
		for name, o := range m {
			l.Put(k, "", name, o)
		}
	}
	for k, all := range s.Listed {
		l.SetListed(k, all)
	}
	if s.AllSourcesListed {
		l.SetListed(config.KindSource, true)
	}
	if s.AllConnectorsListed {
		l.SetListed(config.KindConnector, true)
	}
	return l
}
