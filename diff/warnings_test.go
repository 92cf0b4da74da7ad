package diff

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/value"
)

// TestWarningsRendered: the repository's warnings are in the plan and in every format, with or
// without changes, at their file:line:col; a plan without warnings has no warnings key.
func TestWarningsRendered(t *testing.T) {
	t.Parallel()
	warn := config.Problem{Pos: config.Pos{File: "sources/s.yaml", Line: 7, Col: 5}, Field: "features[1]",
		Message: `features[1]: "AI_AGENT_AGGREGATION" is not one of the 33 values the API publishes`}
	for _, changed := range []bool{false, true} {
		desc := `"description": "d"`
		if changed {
			desc = `"description": "new"`
		}
		repo := config.NewRepo(&config.Source{Object: declare(t, config.KindSource, "sources/s.yaml", `{"name": "S", "connector": "jdbc", `+desc+`}`)})
		repo.Warnings = config.Problems{warn}
		live := liveOf(liveState{Sources: map[string]*value.Object{"S": liveObject(t, `{"name": "S", "connector": "jdbc", "description": "d", "id": "1"}`)}})
		p, err := Compute(repo, live, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if p.HasChanges() != changed || len(p.Warnings) != 1 {
			t.Fatalf("changed %v: plan %s, warnings %v", changed, describe(p), p.Warnings)
		}
		var text, md, gh, js bytes.Buffer
		if err := RenderText(&text, p, TextOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := RenderMarkdown(&md, p); err != nil {
			t.Fatal(err)
		}
		if err := RenderGitHub(&gh, p); err != nil {
			t.Fatal(err)
		}
		if err := RenderJSON(&js, p); err != nil {
			t.Fatal(err)
		}
		for name, want := range map[string]struct{ out, line string }{
			"text":     {text.String(), `sources/s.yaml:7:5: warning: features[1]: "AI_AGENT_AGGREGATION" is not one of the 33 values the API publishes` + "\n"},
			"markdown": {md.String(), "### Warnings\n\n- <code>sources/s.yaml:7:5</code> features&#91;1&#93;: &#34;AI&#95;AGENT&#95;AGGREGATION&#34;"},
			"github":   {gh.String(), `::warning file=sources/s.yaml,line=7,col=5::features[1]: "AI_AGENT_AGGREGATION" is not one of the 33 values the API publishes` + "\n"},
		} {
			if !strings.Contains(want.out, want.line) {
				t.Errorf("changed %v, %s: no %q in\n%s", changed, name, want.line, want.out)
			}
		}
		var doc struct {
			Warnings []Warning `json:"warnings"`
		}
		if err := json.Unmarshal(js.Bytes(), &doc); err != nil || len(doc.Warnings) != 1 || doc.Warnings[0] != (Warning{File: "sources/s.yaml", Line: 7, Col: 5, Field: "features[1]", Message: warn.Message}) {
			t.Errorf("changed %v, json: %v %+v", changed, err, doc.Warnings)
		}
	}
	p, err := Compute(&config.Repo{}, &Live{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var js bytes.Buffer
	if err := RenderJSON(&js, p); err != nil || strings.Contains(js.String(), "warnings") {
		t.Errorf("a plan without warnings: %v\n%s", err, js.String())
	}
}
