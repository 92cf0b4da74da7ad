package config

// kindLoader is the loader's behaviour for one declared kind, registered by the kind's file
// (kind_<kind>.go) beside its typed object, so that the loader and every walk over all objects
// go through the registry instead of a switch or a loop per kind.
type kindLoader struct {
	// build turns a document of the kind, already schema-validated (valid), into its typed
	// object; obj holds the fields with `kind` removed.
	build func(l *loader, d *document, obj Object, valid bool) Declared
	// bind returns the object d with o, d's Object with ${var:…} substituted, in its place
	// (ForEnvironment); nil keeps everything else of d.
	bind func(d Declared, o Object) Declared
	// files returns the files d reads beside its
	// document (templates, connector files, a bundle's files): a change to one is d's.
	files func(d Declared) []File
	// check, when set, runs the kind's own checks across documents (a connector's pinned
	// scriptName), after the identities are checked.
	check func(l *loader, r *Repo)
	// needs, when set, returns the objects of other kinds that d names inside its fields (a
	// policy's transforms, by name), beyond its Owner and Uses: a scope that selects d takes them.
	needs func(d Declared) map[Kind][]string
	// tree tells that build reads the document's YAML tree (positions in a list), which the
	// loader otherwise drops once the document is validated.
	tree bool
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
func plainLoader() kindLoader {
	return kindLoader{build: func(_ *loader, _ *document, obj Object, _ bool) Declared { return &obj }}
}

// typedOf returns the objects of kind k as the kind's type T, in repository order.
func typedOf[T Declared](r *Repo, k Kind) []T {
	list := r.objects[k]
	out := make([]T, len(list))
	for i, d := range list {
		out[i], _ = d.(T)
	}
	return out
}

// ObjectsOf returns the shared part of the declared objects of kind k, tombstones included, in
// repository order (none for a kind users do not declare).
func (r *Repo) ObjectsOf(k Kind) []*Object {
	list := r.objects[k]
	out := make([]*Object, len(list))
	for i, d := range list {
		out[i] = d.Common()
	}
	return out
}

// Objects returns every declared object of r, kind by kind in the table's order (connectors,
// transforms, sources, entitlement schemas), each in declared order.
func (r *Repo) Objects() []*Object {
	var out []*Object
	for _, k := range UserKinds() {
		for _, d := range r.objects[k] {
			out = append(out, d.Common())
		}
	}
	return out
}

// CountOf returns how many objects of kind k r declares, tombstones included (0 for a kind
// users do not declare).
func (r *Repo) CountOf(k Kind) int { return len(r.objects[k]) }
