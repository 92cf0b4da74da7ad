package config

// kindLoader is the loader's behaviour for one declared kind, registered by the kind's file
// (kind_<kind>.go) beside its typed object, so that the loader and every walk over all objects
// go through the registry instead of a switch or a loop per kind.
type kindLoader struct {
	// build turns a document of the kind, already schema-validated (valid), into its typed
	// object in repo; obj holds the fields with `kind` removed.
	build func(l *loader, repo *Repo, d *document, obj Object, valid bool)
	// objects returns the shared part of each declared object of the kind in repo, in order.
	objects func(r *Repo) []*Object
	// check, when set, runs the kind's own checks across documents (a connector's pinned
	// scriptName), after the identities are checked.
	check func(l *loader, r *Repo)
}

// loaders holds one kindLoader per declared kind of the table; kinds_test.go holds the two to
// each other.
var loaders = map[Kind]kindLoader{}

// registerLoader adds the loader of kind k; a kind registered twice is a programming error.
func registerLoader(k Kind, kl kindLoader) {
	if _, dup := loaders[k]; dup {
		panic("config: kind " + string(k) + " registered twice")
	}
	loaders[k] = kl
}

// plainLoader keeps each declared object of a plain kind as it is: its fields are the API's.
func plainLoader(k Kind) kindLoader {
	return kindLoader{
		build: func(_ *loader, repo *Repo, _ *document, obj Object, _ bool) {
			if repo.plain == nil {
				repo.plain = map[Kind][]*Object{}
			}
			repo.plain[k] = append(repo.plain[k], &obj)
		},
		objects: func(r *Repo) []*Object { return r.plain[k] },
	}
}

// Plain returns the declared objects of plain kind k (PlainKinds), in repository order.
func (r *Repo) Plain(k Kind) []*Object { return r.plain[k] }

// objectsOf returns the Object of each of list's typed objects.
func objectsOf[T any](list []T, of func(T) *Object) []*Object {
	out := make([]*Object, len(list))
	for i, o := range list {
		out[i] = of(o)
	}
	return out
}

// Objects returns every declared object of r, kind by kind in the table's order (connectors,
// sources, entitlement schemas), each in declared order.
func (r *Repo) Objects() []*Object {
	var out []*Object
	for _, k := range UserKinds() {
		out = append(out, loaders[k].objects(r)...)
	}
	return out
}

// ObjectsOf returns the declared objects of kind k, tombstones included, in repository order
// (none for a kind users do not declare).
func (r *Repo) ObjectsOf(k Kind) []*Object {
	if kl, ok := loaders[k]; ok {
		return kl.objects(r)
	}
	return nil
}

// CountOf returns how many objects of kind k r declares, tombstones included (0 for a kind
// users do not declare).
func (r *Repo) CountOf(k Kind) int {
	if kl, ok := loaders[k]; ok {
		return len(kl.objects(r))
	}
	return 0
}
