package diff

import (
	"path"
	"path/filepath"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/value"
)

func init() {
	registerPlanner(config.KindConnectorFile, kindPlanner{
		// A source's connectorFiles entries, each a step of its own after the source.
		plan: func(c *computer, out []planned) ([]planned, error) {
			listed := false
			for _, src := range c.repo.Sources() {
				for _, f := range src.ConnectorFiles {
					pl := c.connectorFile(src, f)
					listed = listed || pl.change.Action == ActionNoChange
					out = append(out, pl)
				}
			}
			if listed {
				c.notes = append(c.notes, noteConnectorFiles)
			}
			return out, nil
		},
		live: func(*computer, *config.Object, string) *value.Object { return nil },
	})
}

const noteConnectorFiles = "connector files already listed on a source are not re-uploaded: the tenant cannot return their contents to compare"

// listedConnectorFiles returns the base names in a live source's connectorAttributes.connector_files,
// which the tenant keeps as a comma-separated string (a list is accepted too).
func listedConnectorFiles(src *value.Object) map[string]bool {
	out := map[string]bool{}
	v, _ := src.Path("connectorAttributes.connector_files")
	for _, n := range value.StringList(v) {
		out[path.Base(filepath.ToSlash(n))] = true
	}
	return out
}

func (c *computer) connectorFile(src *config.Source, f config.File) planned {
	base := path.Base(filepath.ToSlash(f.Rel))
	ch := Change{Kind: config.KindConnectorFile, Name: base, Source: src.Name, File: f.Pos.File, Line: f.Pos.Line, Fields: []Field{}}
	lv := c.live.Get(config.KindSource, "", src.Name)
	if lv != nil && listedConnectorFiles(lv)[base] {
		ch.Action = ActionNoChange
		return planned{change: ch}
	}
	ch.Action = ActionCreate
	ch.Fields = []Field{{Path: "file", After: f.Rel}}
	ch.Op = &Operation{Deps: []string{Change{Kind: config.KindSource, Name: src.Name}.Key()}, Upload: &Upload{Name: base, Path: f.Root}}
	return planned{change: ch}
}
