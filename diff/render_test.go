package diff

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/tenanttest"
	"github.com/sailsync/sailsync/internal/value"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./diff/ -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s (run go test ./diff/ -update after checking):\n--- got\n%s\n--- want\n%s", name, path, got, want)
	}
}

type renderer struct {
	name   string
	render func(w *bytes.Buffer, p *Plan) error
}

var renderers = []renderer{
	{"text", func(w *bytes.Buffer, p *Plan) error { return RenderText(w, p, TextOptions{}) }},
	{"text_color", func(w *bytes.Buffer, p *Plan) error { return RenderText(w, p, TextOptions{Color: true}) }},
	{"json", func(w *bytes.Buffer, p *Plan) error { return RenderJSON(w, p) }},
	{"markdown", func(w *bytes.Buffer, p *Plan) error { return RenderMarkdown(w, p) }},
	{"github", func(w *bytes.Buffer, p *Plan) error { return RenderGitHub(w, p) }},
}

// TestGolden renders the Acme scenario (with one violation) with every renderer, the same
// scenario without the violation (so that the apply cost shows), and as a drift report.
func TestGolden(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name      string
		violation bool
		drift     bool
	}{
		{"acme_violation", true, false},
		{"acme", false, false},
		{"acme_drift", false, true},
	}
	for _, s := range scenarios {
		p, err := Compute(acmeRepo(t, s.violation), acmeLive(t), Options{Env: tenanttest.Env, Drift: s.drift})
		if err != nil {
			t.Fatal(err)
		}
		if !s.violation {
			// What sync.EstimateCalls gives this plan (held there against a real apply); the
			// renderers only print it.
			p.APICalls = 9
		}
		for _, r := range renderers {
			t.Run(s.name+"/"+r.name, func(t *testing.T) {
				var b bytes.Buffer
				if err := r.render(&b, p); err != nil {
					t.Fatal(err)
				}
				golden(t, s.name+"."+r.name, b.Bytes())
			})
		}
	}
}

func TestRenderNoChanges(t *testing.T) {
	t.Parallel()
	repo := config.NewRepo(&config.Source{Object: declare(t, config.KindSource, "s.yaml", `{"name": "S", "description": "d"}`)})
	live := liveOf(liveState{Sources: map[string]*value.Object{"S": liveObject(t, `{"name": "S", "description": "d", "id": "1"}`)}})
	p, err := Compute(repo, live, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range renderers {
		if r.name == "json" {
			continue
		}
		var b bytes.Buffer
		if err := r.render(&b, p); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), "No changes. The tenant matches the configuration.") {
			t.Errorf("%s: %q", r.name, b.String())
		}
		if strings.Contains(b.String(), "apply:") {
			t.Errorf("%s shows an apply cost with nothing to do: %q", r.name, b.String())
		}
	}
}

// TestSecretsNeverShown: the secret values set in the environment appear in no output of any
// renderer, whether the plan creates, rotates or adds them, nor in a saved plan.
func TestSecretsNeverShown(t *testing.T) {
	t.Parallel()
	live := acmeLive(t)
	live.Get(config.KindSource, "", "HR Database").Object("connectorAttributes").Delete("password") // added: sent
	for _, opts := range []Options{
		{Env: tenanttest.Env},
		{Env: tenanttest.Env, RotateSecrets: true},
		{Env: tenanttest.Env, Drift: true},
	} {
		p, err := Compute(acmeRepo(t, true), live, opts)
		if err != nil {
			t.Fatal(err)
		}
		sensitive := 0
		for _, c := range p.Changes {
			for _, f := range c.Fields {
				if f.Sensitive {
					sensitive++
					if f.Before != Sensitive || f.After != Sensitive {
						t.Errorf("%s %s: sensitive field shows %v → %v", c.Key(), f.Path, f.Before, f.After)
					}
				}
			}
		}
		wantSensitive := 2 // Acme HR Cloud apiToken (create), HR Database password (absent live)
		if opts.RotateSecrets {
			wantSensitive = 3 // + Corporate Directory password
		}
		if sensitive != wantSensitive {
			t.Errorf("rotate=%v: %d sensitive fields, want %d", opts.RotateSecrets, sensitive, wantSensitive)
		}
		var outputs []string
		for _, r := range renderers {
			var b bytes.Buffer
			if err := r.render(&b, p); err != nil {
				t.Fatal(err)
			}
			outputs = append(outputs, b.String())
			if r.name != "github" && !strings.Contains(b.String(), Sensitive) {
				t.Errorf("%s does not show %s", r.name, Sensitive)
			}
		}
		saved, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		outputs = append(outputs, string(saved))
		for _, out := range outputs {
			for name, secret := range tenanttest.Secrets {
				if strings.Contains(out, secret) {
					t.Errorf("the value of %s appears in an output:\n%s", name, out)
				}
			}
		}
	}
}

func TestRenderJSONIsPureJSON(t *testing.T) {
	t.Parallel()
	p, err := Compute(acmeRepo(t, true), acmeLive(t), Options{Env: tenanttest.Env})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := RenderJSON(&b, p); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		FormatVersion int `json:"format_version"`
		Changes       []struct {
			Kind, Name, Action, File string
			Line                     int
			Fields                   []map[string]any
		} `json:"changes"`
		Violations []map[string]any `json:"violations"`
		Summary    map[string]int   `json:"summary"`
		APICalls   *int             `json:"api_calls"`
	}
	dec := json.NewDecoder(&b)
	dec.DisallowUnknownFields()
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if doc.FormatVersion != FormatVersion || len(doc.Changes) != 8 || len(doc.Violations) != 1 || doc.Summary["create"] != 4 || doc.APICalls == nil {
		t.Errorf("document %+v", doc)
	}
	for _, c := range doc.Changes {
		if c.Fields == nil {
			t.Errorf("%s %s: fields is null, want []", c.Kind, c.Name)
		}
		for _, f := range c.Fields {
			for _, k := range []string{"path", "before", "after", "immutable", "sensitive"} {
				if _, ok := f[k]; !ok {
					t.Errorf("%s %s: field lacks %q: %v", c.Kind, c.Name, k, f)
				}
			}
		}
	}
}

func TestMarkdownEscapes(t *testing.T) {
	t.Parallel()
	repo := config.NewRepo(&config.Source{Object: declare(t, config.KindSource, "s.yaml",
		"{\"name\": \"A|B <script>\", \"description\": \"```\\n@team *x* [l](u)\"}")})
	p, err := Compute(repo, &Live{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := RenderMarkdown(&b, p); err != nil {
		t.Fatal(err)
	}
	// Code blocks show values literally; everything else must be escaped.
	var outside []string
	inFence := false
	for _, line := range strings.Split(b.String(), "\n") {
		if strings.HasPrefix(line, "```") {
			inFence = !inFence
			continue
		}
		if !inFence {
			outside = append(outside, line)
		}
	}
	out := strings.Join(outside, "\n")
	for _, bad := range []string{"<script>", "A|B", "@team"} {
		if strings.Contains(out, bad) {
			t.Errorf("markdown contains %q:\n%s", bad, out)
		}
	}
	// The description holds ``` : the fence must be longer.
	if !strings.Contains(b.String(), "````diff\n") {
		t.Errorf("fence not lengthened:\n%s", out)
	}
}

func TestGitHubEscapes(t *testing.T) {
	t.Parallel()
	if got := GitHubData("50% done\r\nnext"); got != "50%25 done%0D%0Anext" {
		t.Errorf("ghData %q", got)
	}
	if got := GitHubProperty("a:b,c%\n"); got != "a%3Ab%2Cc%25%0A" {
		t.Errorf("ghProperty %q", got)
	}
	repo := config.NewRepo(&config.Source{Object: declare(t, config.KindSource, "dir,x/s:1.yaml", `{"name": "100% S"}`)})
	p, err := Compute(repo, &Live{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := RenderGitHub(&b, p); err != nil {
		t.Fatal(err)
	}
	want := "::notice file=dir%2Cx/s%3A1.yaml,line=1,title=sailsync create::create Source \"100%25 S\"\n"
	if !strings.HasPrefix(b.String(), want) {
		t.Errorf("got %q, want prefix %q", b.String(), want)
	}
}

func TestFormatting(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		secs float64
		want string
	}{
		{1.4, "1.4 s"}, {0.1, "0.1 s"}, {2, "2 s"}, {0, "0 s"}, {59.95, "60 s"}, {60, "1 min"}, {202, "3 min 22 s"}, {201.5, "3 min 22 s"},
	} {
		if got := formatSeconds(c.secs); got != c.want {
			t.Errorf("formatSeconds(%v) = %q, want %q", c.secs, got, c.want)
		}
	}
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 2014: "2,014", 1234567: "1,234,567", -2014: "-2,014"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q", n, got)
		}
	}
	p := &Plan{APICalls: 14}
	if got := apiCallsLine(p, 0); got != "apply: 14 requests, at least 1.4 s at 100 requests / 10 s" {
		t.Errorf("%q", got)
	}
	p.APICalls = 2014
	if got := apiCallsLine(p, 100); got != "apply: 2,014 requests, at least 3 min 22 s at 100 requests / 10 s" {
		t.Errorf("%q", got)
	}
	p.APICalls = 1
	if got := apiCallsLine(p, 50); got != "apply: 1 request, at least 0.2 s at 50 requests / 10 s" {
		t.Errorf("%q", got)
	}
	for _, c := range []struct {
		s     Summary
		drift bool
		want  string
	}{
		{Summary{Create: 1, Update: 3, Violations: 1}, false, "Plan: 1 to create, 3 to update, 1 violation."},
		{Summary{Update: 1, Violations: 2}, false, "Plan: 0 to create, 1 to update, 2 violations."},
		{Summary{Create: 2}, true, "Drift: 2 to create, 0 to update, 0 unmanaged."},
		{Summary{Unmanaged: 1}, true, "Drift: 0 to create, 0 to update, 1 unmanaged."},
	} {
		if got := summaryLine(&Plan{Summary: c.s}, c.drift); got != c.want {
			t.Errorf("summaryLine(%+v) = %q, want %q", c.s, got, c.want)
		}
	}
	obj := liveObject(t, `{"type": "IDENTITY", "id": "1", "n": 1.50, "l": ["a", true, null]}`)
	if got := formatValue(obj); got != `{type: "IDENTITY", id: "1", n: 1.50, l: ["a", true, null]}` {
		t.Errorf("formatValue %s", got)
	}
	if got := formatValue("line\nbreak \x1b[31m"); got != `"line\nbreak \u001b[31m"` {
		t.Errorf("control characters reach the terminal: %s", got)
	}
}

func TestTextColor(t *testing.T) {
	t.Parallel()
	p, err := Compute(acmeRepo(t, true), acmeLive(t), Options{Env: tenanttest.Env})
	if err != nil {
		t.Fatal(err)
	}
	var plain, colored bytes.Buffer
	if err := RenderText(&plain, p, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := RenderText(&colored, p, TextOptions{Color: true}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), "\x1b[") {
		t.Error("colour without Color")
	}
	if !strings.Contains(colored.String(), "\x1b[32m+ create\x1b[0m") || !strings.Contains(colored.String(), "\x1b[31;1m! violation\x1b[0;22m") {
		t.Errorf("no colour with Color:\n%s", colored.String())
	}
}
