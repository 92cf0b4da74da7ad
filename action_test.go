package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"gopkg.in/yaml.v3"

	"github.com/sailsync/sailsync/contract"
	"github.com/sailsync/sailsync/emulator"
	"github.com/sailsync/sailsync/examples"
)

// TestMain lets the test binary stand in for the programs the action's script runs: linked as
// "sailsync" it is the CLI, linked as "gh" it is fakeGH. Everything else runs the tests.
func TestMain(m *testing.M) {
	switch filepath.Base(os.Args[0]) {
	case "sailsync":
		main()
		os.Exit(0)
	case "gh":
		os.Exit(fakeGH(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// TestActionlint lints every GitHub workflow recipe under examples/ci and the action itself with
// actionlint and fails on any finding. actionlint reads workflows, not action metadata, so the
// action is checked twice: its composite steps as the steps of a workflow whose inputs are the
// action's, and a workflow that uses it (`uses: ./`, every input given), which makes actionlint
// parse action.yml and check the input names.
func TestActionlint(t *testing.T) {
	root, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	project, err := actionlint.NewProject(root)
	if err != nil {
		t.Fatal(err)
	}
	recipes, err := filepath.Glob(filepath.Join("examples", "ci", "github-*.yml"))
	if err != nil || len(recipes) < 3 {
		t.Fatalf("want the three GitHub recipes, found %v (%v)", recipes, err)
	}
	files := map[string][]byte{}
	for _, r := range recipes {
		b, err := os.ReadFile(r)
		if err != nil {
			t.Fatal(err)
		}
		files[r] = b
	}
	steps, uses := actionWorkflows(t)
	files["action.yml (its steps)"] = steps
	files["action.yml (used)"] = uses

	for name, content := range files {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			linter, err := actionlint.NewLinter(&out, &actionlint.LinterOptions{Oneline: true, WorkingDir: root})
			if err != nil {
				t.Fatal(err)
			}
			errs, err := linter.Lint(name, content, project)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range errs {
				t.Errorf("%s:%d:%d: %s [%s]", name, e.Line, e.Column, e.Message, e.Kind)
			}
			if len(errs) > 0 && strings.HasPrefix(name, "action.yml") {
				t.Logf("the synthesised workflow:\n%s", content)
			}
		})
	}
}

// actionWorkflows returns the two workflows TestActionlint lints for action.yml.
func actionWorkflows(t *testing.T) (steps, uses []byte) {
	t.Helper()
	raw, err := os.ReadFile("action.yml")
	if err != nil {
		t.Fatal(err)
	}
	// Every key GitHub's action metadata syntax allows for a composite action, and no other: a
	// misspelt key is silently ignored by GitHub.
	var action struct {
		Name        string            `yaml:"name"`
		Description string            `yaml:"description"`
		Author      string            `yaml:"author"`
		Branding    map[string]string `yaml:"branding"`
		Inputs      map[string]struct {
			Description        string `yaml:"description"`
			Required           bool   `yaml:"required"`
			Default            string `yaml:"default"`
			DeprecationMessage string `yaml:"deprecationMessage"`
		} `yaml:"inputs"`
		Outputs map[string]struct {
			Description string `yaml:"description"`
			Value       string `yaml:"value"`
		} `yaml:"outputs"`
		Runs struct {
			Using string    `yaml:"using"`
			Steps yaml.Node `yaml:"steps"`
		} `yaml:"runs"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&action); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	if action.Runs.Using != "composite" || action.Runs.Steps.Kind != yaml.SequenceNode {
		t.Fatalf("action.yml: want a composite action with steps, got runs.using %q", action.Runs.Using)
	}
	ids := map[string]bool{}
	for _, step := range action.Runs.Steps.Content {
		var s struct {
			ID    string `yaml:"id"`
			Run   string `yaml:"run"`
			Shell string `yaml:"shell"`
		}
		if err := step.Decode(&s); err != nil {
			t.Fatal(err)
		}
		// A composite action's run step must name its shell; workflows do not need to.
		if s.Run != "" && s.Shell == "" {
			t.Errorf("action.yml:%d: a composite run step needs shell:", step.Line)
		}
		ids[s.ID] = true
	}
	for name, o := range action.Outputs {
		for _, m := range regexp.MustCompile(`steps\.([A-Za-z0-9_-]+)\.outputs`).FindAllStringSubmatch(o.Value, -1) {
			if !ids[m[1]] {
				t.Errorf("action.yml: output %s reads step %q, which does not exist", name, m[1])
			}
		}
	}

	inputs := map[string]any{}
	with := map[string]string{}
	for name, in := range action.Inputs {
		if in.Description == "" {
			t.Errorf("action.yml: input %s has no description", name)
		}
		inputs[name] = map[string]any{"type": "string", "required": false}
		with[name] = "x"
	}
	wf := map[string]any{
		"name": "action steps",
		"on":   map[string]any{"workflow_call": map[string]any{"inputs": inputs}},
		"jobs": map[string]any{"action": map[string]any{"runs-on": "ubuntu-latest", "steps": &action.Runs.Steps}},
	}
	steps, err = yaml.Marshal(wf)
	if err != nil {
		t.Fatal(err)
	}
	user := map[string]any{
		"name": "uses the action",
		"on":   "pull_request",
		"jobs": map[string]any{"plan": map[string]any{"runs-on": "ubuntu-latest", "steps": []any{
			map[string]any{"uses": "actions/checkout@v4"},
			map[string]any{"uses": "./", "with": with},
		}}},
	}
	uses, err = yaml.Marshal(user)
	if err != nil {
		t.Fatal(err)
	}
	return steps, uses
}

// TestActionScript runs the action's script (ci/action.sh) as the action does, against the
// emulator over real HTTP with every request checked against the OpenAPI document, with a fake
// gh on PATH that keeps the pull request's comments and the repository's issues in a file.
func TestActionScript(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Fatalf("the action's script needs bash: %v", err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	type run struct {
		command, dir string
		wantExit     int    // the script's exit status
		wantCode     string // the exit-code output (sailsync's own status)
		wantComments int    // comments on the pull request afterwards
		wantIssues   string // open/closed state of the drift issues afterwards, in order
		wantBody     string // in the last comment (or issue, for drift)
		export       bool   // first replace the repository with an export of the tenant
	}
	abs := func(p string) string {
		a, err := filepath.Abs(p)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	tests := []struct {
		name string
		runs []run
	}{
		{name: "a second plan updates the first comment", runs: []run{
			{command: "plan", dir: abs("examples/acme"), wantExit: 0, wantCode: "2", wantComments: 1, wantBody: "to create"},
			{command: "plan", dir: abs("examples/acme"), wantExit: 0, wantCode: "2", wantComments: 1, wantBody: "to create"},
		}},
		{name: "a violation fails the step and is commented", runs: []run{
			{command: "plan", dir: abs("examples/acme-immutable"), wantExit: 1, wantCode: "1", wantComments: 1, wantBody: "violation"},
		}},
		{name: "apply then plan keep one comment each", runs: []run{
			{command: "apply", dir: abs("examples/acme"), wantExit: 0, wantCode: "0", wantComments: 1, wantBody: "done"},
			{command: "plan", dir: abs("examples/acme"), wantExit: 0, wantCode: "0", wantComments: 2, wantBody: "No changes"},
			{command: "plan", dir: abs("examples/acme"), wantExit: 0, wantCode: "0", wantComments: 2, wantBody: "No changes"},
		}},
		{name: "drift opens one issue, updates it, closes it when in sync", runs: []run{
			{command: "drift", dir: "repo", wantExit: 0, wantCode: "2", wantIssues: "open", wantBody: "drift"},
			{command: "drift", dir: "repo", wantExit: 0, wantCode: "2", wantIssues: "open", wantBody: "drift"},
			{command: "drift", dir: "repo", export: true, wantExit: 0, wantCode: "0", wantComments: 1, wantIssues: "closed"},
			{command: "drift", dir: "repo", wantExit: 0, wantCode: "0", wantComments: 1, wantIssues: "closed"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cleanEnv(t)
			setSecrets(t)
			emu, err := emulator.New(emulator.Options{Seed: examples.AcmeTenant})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(contract.Middleware(t, emu))
			defer srv.Close()
			bin := t.TempDir()
			for _, name := range []string{"sailsync", "gh"} {
				if err := os.Symlink(self, filepath.Join(bin, name)); err != nil {
					t.Fatal(err)
				}
			}
			work := t.TempDir()
			state := filepath.Join(work, "gh-state.json")
			// "repo" is a copy of the example that a run may replace with an export of the
			// tenant, which is in sync with it: the same directory, so the same issue.
			repoDir := filepath.Join(work, "repo")
			if err := os.CopyFS(repoDir, os.DirFS("examples/acme")); err != nil {
				t.Fatal(err)
			}
			for i, r := range tt.runs {
				dir := r.dir
				if dir == "repo" {
					dir = repoDir
				}
				if r.export {
					if err := os.RemoveAll(repoDir); err != nil {
						t.Fatal(err)
					}
					exportRepo(t, bin, srv.URL, emu, repoDir)
				}
				summary := filepath.Join(work, fmt.Sprintf("summary-%d.md", i))
				outputs := filepath.Join(work, fmt.Sprintf("outputs-%d", i))
				cmd := exec.Command("bash", filepath.Join("ci", "action.sh"))
				cmd.Env = append(os.Environ(),
					"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
					"SAIL_BASE_URL="+srv.URL, "SAIL_CLIENT_ID="+emu.ClientID(), "SAIL_CLIENT_SECRET="+emu.ClientSecret(),
					"SAILSYNC_BIN=sailsync", "SAILSYNC_COMMAND="+r.command, "SAILSYNC_DIRECTORY="+dir,
					"SAILSYNC_ENVIRONMENT=production", "SAILSYNC_DRIFT_ISSUE=true", "SAILSYNC_PR=7",
					"GITHUB_REPOSITORY=acme/idm", "GITHUB_RUN_ID=42", "GITHUB_STEP_SUMMARY="+summary,
					"GITHUB_OUTPUT="+outputs, "RUNNER_TEMP="+work, "FAKE_GH_STATE="+state,
				)
				if r.command == "drift" {
					cmd.Env = append(cmd.Env, "SAILSYNC_PR=") // a scheduled job has no pull request
				}
				out, err := cmd.CombinedOutput()
				code := 0
				if ee, ok := err.(*exec.ExitError); ok {
					code = ee.ExitCode()
				} else if err != nil {
					t.Fatal(err)
				}
				assertNoSecrets(t, string(out))
				t.Logf("run %d (%s):\n%s", i, r.command, out)
				if code != r.wantExit {
					t.Fatalf("run %d (%s): exit %d, want %d\n%s", i, r.command, code, r.wantExit, out)
				}
				outs, _ := os.ReadFile(outputs)
				if !strings.Contains(string(outs), "exit-code="+r.wantCode+"\n") {
					t.Errorf("run %d (%s): outputs %q, want exit-code=%s", i, r.command, outs, r.wantCode)
				}
				sum, _ := os.ReadFile(summary)
				if !strings.Contains(string(sum), "### sailsync "+r.command+": production") {
					t.Errorf("run %d (%s): step summary lacks the report:\n%s", i, r.command, sum)
				}
				assertNoSecrets(t, string(sum))
				st := readGHState(t, state)
				if len(st.Comments) != r.wantComments {
					t.Errorf("run %d (%s): %d comments on the pull request, want %d: %+v", i, r.command, len(st.Comments), r.wantComments, st.Comments)
				}
				var states []string
				for _, is := range st.Issues {
					states = append(states, is.State)
				}
				if got := strings.Join(states, ","); got != r.wantIssues {
					t.Errorf("run %d (%s): issues %q, want %q", i, r.command, got, r.wantIssues)
				}
				last := ""
				if r.command == "drift" && len(st.Issues) > 0 {
					last = st.Issues[len(st.Issues)-1].Body
				} else if len(st.Comments) > 0 {
					last = st.Comments[len(st.Comments)-1].Body
				}
				if r.wantBody != "" && !strings.Contains(last, r.wantBody) {
					t.Errorf("run %d (%s): last body lacks %q:\n%s", i, r.command, r.wantBody, last)
				}
				if r.wantBody != "" && !strings.HasPrefix(last, "<!-- sailsync-action: ") {
					t.Errorf("run %d (%s): body does not start with the marker:\n%s", i, r.command, last)
				}
			}
			// Updates, not additions: each run after the first of a command edited its comment.
			st := readGHState(t, state)
			for _, c := range st.Comments {
				if strings.Contains(c.Body, "In sync again") {
					continue
				}
				n := 0
				for _, r := range tt.runs {
					if r.command != "drift" && strings.HasPrefix(c.Body, "<!-- sailsync-action: "+r.command+" ") {
						n++
					}
				}
				if c.Updates != n-1 {
					t.Errorf("comment %d was updated %d times after %d runs: %q", c.ID, c.Updates, n, firstLine(c.Body))
				}
			}
		})
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// exportRepo writes the tenant as a repository with `sailsync export`.
func exportRepo(t *testing.T, bin, url string, emu *emulator.Emulator, dir string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(bin, "sailsync"), "export", dir)
	cmd.Env = append(os.Environ(), "SAIL_BASE_URL="+url, "SAIL_CLIENT_ID="+emu.ClientID(), "SAIL_CLIENT_SECRET="+emu.ClientSecret())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("export: %v\n%s", err, out)
	}
}

// ghState is what fakeGH keeps between calls: the pull request's comments and the issues.
type ghState struct {
	Comments []ghItem `json:"comments"`
	Issues   []ghItem `json:"issues"`
	NextID   int      `json:"next_id"`
}

type ghItem struct {
	ID      int    `json:"id"`
	Number  int    `json:"number,omitempty"`
	Issue   int    `json:"issue,omitempty"` // for a comment: the issue or pull request it is on
	Title   string `json:"title,omitempty"`
	Body    string `json:"body"`
	State   string `json:"state,omitempty"`
	Updates int    `json:"updates"`
}

func readGHState(t *testing.T, path string) ghState {
	t.Helper()
	var st ghState
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return st
	}
	if err != nil || json.Unmarshal(b, &st) != nil {
		t.Fatalf("fake gh state: %v", err)
	}
	return st
}

// jqMarker is the one jq program fakeGH understands: the script's search for its marker.
var jqMarker = regexp.MustCompile(`^\.\[\] \| select\(\.body \| contains\("([^"]*)"\)\) \| \.(id|number)$`)

// fakeGH implements the few `gh api` calls the action's script makes, against the state file
// $FAKE_GH_STATE, and fails loudly on any other call so that a changed script cannot pass by
// accident.
func fakeGH(args []string) int {
	fail := func(format string, a ...any) int {
		fmt.Fprintf(os.Stderr, "fake gh: "+format+"\n", a...)
		return 1
	}
	if len(args) == 0 || args[0] != "api" {
		return fail("unsupported call %q", args)
	}
	method, jq, path := "GET", "", ""
	fields := map[string]string{}
	for i := 1; i < len(args); i++ {
		switch a := args[i]; a {
		case "--paginate":
		case "-X", "--jq", "-F", "-f":
			if i+1 >= len(args) {
				return fail("%s without a value", a)
			}
			v := args[i+1]
			i++
			switch a {
			case "-X":
				method = v
			case "--jq":
				jq = v
			default:
				k, val, _ := strings.Cut(v, "=")
				if a == "-F" && strings.HasPrefix(val, "@") {
					b, err := os.ReadFile(val[1:])
					if err != nil {
						return fail("read %s: %v", val, err)
					}
					val = string(b)
				}
				fields[k] = val
			}
		default:
			if path != "" {
				return fail("two paths: %q and %q", path, a)
			}
			path = a
		}
	}
	stateFile := os.Getenv("FAKE_GH_STATE")
	var st ghState
	if b, err := os.ReadFile(stateFile); err == nil {
		if err := json.Unmarshal(b, &st); err != nil {
			return fail("state: %v", err)
		}
	}
	path, _, _ = strings.Cut(path, "?")
	seg := strings.Split(path, "/")
	if len(seg) < 4 || seg[0] != "repos" || seg[3] != "issues" {
		return fail("unsupported path %q", path)
	}
	list := func(items []ghItem, onIssue int) int {
		m := jqMarker.FindStringSubmatch(jq)
		if m == nil {
			return fail("unsupported --jq %q", jq)
		}
		for _, it := range items {
			if (onIssue == 0 || it.Issue == onIssue) && (onIssue != 0 || it.State == "open") && strings.Contains(it.Body, m[1]) {
				if m[2] == "id" {
					fmt.Println(it.ID)
				} else {
					fmt.Println(it.Number)
				}
			}
		}
		return 0
	}
	var n int
	code := 0
	switch rest := seg[4:]; {
	case method == "GET" && len(rest) == 0:
		return list(st.Issues, 0)
	case method == "GET" && len(rest) == 2 && rest[1] == "comments" && scan(rest[0], &n):
		return list(st.Comments, n)
	case method == "POST" && len(rest) == 2 && rest[1] == "comments" && scan(rest[0], &n):
		st.NextID++
		st.Comments = append(st.Comments, ghItem{ID: st.NextID, Issue: n, Body: fields["body"]})
	case method == "PATCH" && len(rest) == 2 && rest[0] == "comments" && scan(rest[1], &n):
		code = 1
		for i := range st.Comments {
			if st.Comments[i].ID == n {
				st.Comments[i].Body, code = fields["body"], 0
				st.Comments[i].Updates++
			}
		}
	case method == "POST" && len(rest) == 0:
		st.NextID++
		st.Issues = append(st.Issues, ghItem{ID: st.NextID, Number: st.NextID, Title: fields["title"], Body: fields["body"], State: "open"})
	case method == "PATCH" && len(rest) == 1 && scan(rest[0], &n):
		code = 1
		for i := range st.Issues {
			if st.Issues[i].Number == n {
				if b, ok := fields["body"]; ok {
					st.Issues[i].Body = b
				}
				if s, ok := fields["state"]; ok {
					st.Issues[i].State = s
				}
				st.Issues[i].Updates++
				code = 0
			}
		}
	default:
		return fail("unsupported call %s %s", method, path)
	}
	if code != 0 {
		return fail("%s %s: not found", method, path)
	}
	b, _ := json.Marshal(st)
	if err := os.WriteFile(stateFile, b, 0o644); err != nil {
		return fail("state: %v", err)
	}
	fmt.Println("{}")
	return 0
}

func scan(s string, n *int) bool {
	_, err := fmt.Sscanf(s, "%d", n)
	return err == nil
}
