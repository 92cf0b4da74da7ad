package sync

import (
	"context"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/isc"
	"github.com/sailsync/sailsync/internal/value"
)

// refsByName rewrites the references of the exported sources that may be given by name
// (config's kind table) to name only, so that the repository promotes to another tenant: a
// reference loses its id only when its name finds exactly that object again in this tenant,
// with that very name, so that a plan of the export against the same tenant resolves every
// name to the id it had and shows no change. The lookups are the ones a plan makes.
func refsByName(ctx context.Context, c *isc.Client, sources []*value.Object, par int) error {
	type ref struct {
		obj *value.Object
		key config.NamedRef
	}
	var refs []ref
	var keys []config.NamedRef
	for _, s := range sources {
		for _, f := range config.ByNameFields(config.KindSource) {
			v, _ := s.Get(f.Field)
			var objs []any
			if f.List {
				objs, _ = v.([]any)
			} else {
				objs = []any{v}
			}
			for _, e := range objs {
				o, ok := e.(*value.Object)
				if !ok || o.String("id") == "" || o.String("name") == "" {
					continue
				}
				k := config.NamedRef{Type: f.Type, Name: o.String("name")}
				refs = append(refs, ref{obj: o, key: k})
				keys = append(keys, k)
			}
		}
	}
	if len(refs) == 0 {
		return nil
	}
	found, err := ResolveNames(ctx, c, keys, par)
	if err != nil {
		return err
	}
	for _, r := range refs {
		objs := found[r.key]
		if len(objs) == 1 && objs[0].String("id") == r.obj.String("id") && objs[0].String("name") == r.key.Name {
			r.obj.Delete("id")
		}
	}
	return nil
}
