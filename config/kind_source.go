package config

import "strconv"

func init() {
	registerLoader(KindSource, kindLoader{build: buildSource,
		objects: func(r *Repo) []*Object { return objectsOf(r.Sources, func(s *Source) *Object { return &s.Object }) },
	})
}

// Source is a declared ISC source.
type Source struct {
	Object
	// ConnectorFiles are the files to upload with upload-connector-file, in declared order.
	ConnectorFiles []File
}

// buildSource takes a Source's connectorFiles out of its fields and reads each file.
func buildSource(l *loader, repo *Repo, d *document, obj Object, valid bool) {
	s := &Source{Object: obj}
	list, ok := d.value.Get("connectorFiles")
	s.Fields.Delete("connectorFiles")
	if ok {
		items, _ := list.([]any)
		for i, it := range items {
			rel, isString := it.(string)
			if !valid && (!isString || rel == "") {
				continue // the schema error says what is wrong with it
			}
			n, _, _, _ := nodeAt(d.root, []string{"connectorFiles", strconv.Itoa(i)})
			if f, ok := l.file(d.file, rel, posOf(d.file, n), "connectorFiles", MaxConnectorFileSize, "a connector file"); ok {
				s.ConnectorFiles = append(s.ConnectorFiles, f)
			}
		}
	}
	repo.Sources = append(repo.Sources, s)
}
