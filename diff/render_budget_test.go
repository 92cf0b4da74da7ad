package diff

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/config"
)

// largePlan is 250 updated sources of five changed fields each, like the plan that made a
// 110,000-character comment, with 12 violations: more than GitHub shows of either.
func largePlan() *Plan {
	p := &Plan{FormatVersion: FormatVersion, Changes: []Change{}, Violations: []Violation{}}
	for i := range 250 {
		name := fmt.Sprintf("HR system %03d", i)
		file := fmt.Sprintf("sources/hr-%03d.yaml", i)
		c := Change{Kind: config.KindSource, Name: name, Action: ActionUpdate, File: file, Line: 1, LiveID: fmt.Sprintf("2c9180835d191a86015d28455b4a%04d", i)}
		for j, f := range []string{"description", "deleteThreshold", "connectorAttributes.host", "connectorAttributes.pageSize", "owner.name"} {
			c.Fields = append(c.Fields, Field{Path: f, Before: fmt.Sprintf("the value before the change, number %d", i),
				After: fmt.Sprintf("the value after the change, number %d", i), Line: 4 + 2*j})
		}
		p.Changes = append(p.Changes, c)
		p.Summary.Update++
	}
	for i := range 12 {
		name := fmt.Sprintf("Ledger %02d", i)
		file := fmt.Sprintf("sources/ledger-%02d.yaml", i)
		p.Changes = append(p.Changes, Change{Kind: config.KindSource, Name: name, Action: ActionViolation, File: file, Line: 1})
		p.Violations = append(p.Violations, Violation{Kind: config.KindSource, Name: name, Path: "type", File: file, Line: 7, Col: 7,
			Live: "DelimitedFile", Desired: "JDBC", Rule: "type cannot be changed once the source exists"})
		p.Summary.Violations++
	}
	return p
}

// TestLargePlanFitsAComment: the markdown of a plan too large for a comment stays within the
// budget with the summary and every violation whole, and says how many objects it left out; the
// GitHub annotations stop at GitHub's 10 per level and say how many more there are.
func TestLargePlanFitsAComment(t *testing.T) {
	t.Parallel()
	p := largePlan()
	var full bytes.Buffer
	if err := RenderMarkdownBudget(&full, p, 1<<30); err != nil {
		t.Fatal(err)
	}
	if full.Len() <= 65536 {
		t.Fatalf("the unbudgeted plan is %d bytes: too small to test the budget", full.Len())
	}

	var md bytes.Buffer
	if err := RenderMarkdown(&md, p); err != nil {
		t.Fatal(err)
	}
	got := md.String()
	t.Logf("markdown: %d bytes unbudgeted, %d bytes within the budget of %d", full.Len(), md.Len(), MarkdownBudget)
	if md.Len() > MarkdownBudget {
		t.Errorf("markdown is %d bytes, over the budget of %d", md.Len(), MarkdownBudget)
	}
	shown := strings.Count(got, "<details>")
	if want := fmt.Sprintf("**… and %d more objects** (full plan: the job's log / artifact)", len(p.Changes)-shown); !strings.Contains(got, want) {
		t.Errorf("no %q line", want)
	}
	for _, v := range p.Violations {
		if !strings.Contains(got, "<b>"+MarkdownEscape(v.Name)+"</b>") {
			t.Errorf("violation of %s left out", v.Name)
		}
	}
	if i, j := strings.Index(got, "### Violations"), strings.Index(got, "<details>"); i < 0 || i > j {
		t.Error("violations do not come before the objects")
	}
	golden(t, "large.markdown", md.Bytes())

	var gh bytes.Buffer
	if err := RenderGitHub(&gh, p); err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, line := range strings.Split(gh.String(), "\n") {
		if level, _, ok := strings.Cut(strings.TrimPrefix(line, "::"), " "); ok && strings.HasPrefix(line, "::") {
			counts[level]++
		}
	}
	if counts["error"] != MaxAnnotations || counts["notice"] != MaxAnnotations {
		t.Errorf("annotations per level: %v, want %d errors and %d notices", counts, MaxAnnotations, MaxAnnotations)
	}
	for _, want := range []string{"… and 3 more violations, not annotated", "… and 241 more objects to change, not annotated",
		"sources/hr-249.yaml:4: update Source"} {
		if !strings.Contains(gh.String(), want) {
			t.Errorf("annotations lack %q", want)
		}
	}
	golden(t, "large.github", gh.Bytes())
}
