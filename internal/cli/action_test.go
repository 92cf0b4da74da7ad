package cli

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"gopkg.in/yaml.v3"

	"github.com/sailsync/sailsync/examples"
	"github.com/sailsync/sailsync/internal/contract"
	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/tenanttest"
)

// TestMain lets the test binary stand in for the programs the action's script runs: linked as
// "sailsync" it is the CLI, linked as "gh" it is fakeGH. Everything else runs the tests.
func TestMain(m *testing.M) {
	switch filepath.Base(os.Args[0]) {
	case "sailsync":
		d := processDeps()
		d.rateLimit = testRateLimit
		os.Exit(mainWith(d))
	case "gh":
		os.Exit(fakeGH(os.Args[1:]))
	case "jq":
		os.Exit(fakeJQ(os.Args[1:]))
	case "curl":
		os.Exit(fakeCurl(os.Args[1:]))
	case "sailsync-crash":
		crash()
	}
	// The tests run sailsync from the repository's root, as a user does: the example paths
	// they pass and the paths the goldens show are the README's.
	if err := os.Chdir(filepath.Join("..", "..")); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	tenanttest.MoreParallel()
	os.Exit(m.Run())
}

// crash ends the process as a Go runtime crash does: part of a report written, then a fatal
// error that no recover can catch (a stack overflow; out of memory is the same), exit status 2.
func crash() {
	if p := os.Getenv("GITHUB_STEP_SUMMARY"); p != "" {
		_ = os.WriteFile(p, []byte("#### 3 to create\n"), 0o644)
	}
	debug.SetMaxStack(1 << 20)
	var deeper func(n int) int
	deeper = func(n int) int { return deeper(n+1) + 1 }
	deeper(0)
}

// TestActionlint lints every GitHub workflow recipe under examples/ci and the action itself with
// actionlint and fails on any finding. actionlint reads workflows, not action metadata, so the
// action is checked twice: its composite steps as the steps of a workflow whose inputs are the
// action's, and a workflow that uses it (`uses: ./`, every input given), which makes actionlint
// parse action.yml and check the input names.
func TestActionlint(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Fatalf("the action's script needs bash: %v", err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	type run struct {
		command, dir string
		bin          string   // the sailsync to run: "" for sailsync, "sailsync-crash" for one that crashes
		env          []string // more variables for the script and the fake gh
		wantExit     int      // the script's exit status
		wantCode     string   // the exit-code output (sailsync's own status)
		wantComments int      // comments on the pull request afterwards
		wantIssues   string   // open/closed state of the drift issues afterwards, in order
		wantBody     string   // in the last comment (or issue, for drift)
		wantChanges  string   // the changes output, when not ""
		wantLog      string   // in the script's output, when not ""
		noLog        string   // not in the script's output, when not ""
		export       bool     // first replace the repository with an export of the tenant
		envName      string   // the environment input
		flags        string   // the flags input
		noSummary    bool     // the script stops before it writes a step summary
		noBody       string   // not in the last comment, when not ""
		wantErrors   int      // ::error lines in the script's output, when not 0
	}
	// Flags that would run commands if anything evaluated them: each would create a file in
	// canary.
	canary := t.TempDir()
	hostileFlags := fmt.Sprintf(`--rate-limit 50%% $(touch %[1]s/a) "$(touch %[1]s/b)" `+"`touch %[1]s/c`"+` ; touch %[1]s/d && touch %[1]s/e | touch %[1]s/f`, canary)
	abs := func(p string) string {
		a, err := filepath.Abs(p)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	// Items a person (or a pull request) put there before, holding the script's markers.
	hostile := func(user string, pr bool, issue int, body string) ghItem {
		return ghItem{User: user, PullRequest: pr, Issue: issue, Body: body, State: "open", Title: "quoted"}
	}
	const planMarker = "<!-- sailsync-action: plan default "
	const driftMarker = "<!-- sailsync-action: drift default "
	tests := []struct {
		name string
		seed ghState // the comments and issues before the first run (IDs from 1000)
		runs []run
		// untouched: the seeded items must be exactly as seeded afterwards.
		untouched bool
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
		// A Go runtime crash exits 2, the status of "changes": without sailsync's result file
		// saying 2 it fails the step, and nothing claims there are changes.
		{name: "a crash that exits 2 fails the step", runs: []run{
			{command: "plan", dir: abs("examples/acme"), bin: "sailsync-crash", wantExit: 1, wantCode: "1", wantChanges: "false", wantComments: 1, wantBody: "crashed",
				wantLog: "fatal error: stack overflow"},
		}},
		{name: "a crash of drift opens no issue and fails", runs: []run{
			{command: "drift", dir: "repo", bin: "sailsync-crash", wantExit: 1, wantCode: "1", wantChanges: "false",
				wantLog: "::error title=sailsync::sailsync drift ended with exit status 2 without finishing"},
		}},
		// A pull request's author who posts the marker first does not own sailsync's comment.
		{name: "a comment with the marker by someone else is not taken over",
			seed: ghState{Comments: []ghItem{
				hostile("mallory", false, 7, planMarker+"/x -->\nall clear, merge it"),
				hostile("mallory", false, 7, planMarker+abs("examples/acme")+" -->\nNo changes"),
			}},
			untouched: true,
			runs: []run{
				{command: "plan", dir: abs("examples/acme"), wantExit: 0, wantCode: "2", wantComments: 3, wantBody: "to create"},
				{command: "plan", dir: abs("examples/acme"), wantExit: 0, wantCode: "2", wantComments: 3, wantBody: "to create"},
			}},
		// An issue quoting a report, or a pull request holding the marker (the issue list
		// returns both), is never the drift issue.
		{name: "drift skips issues by others and pull requests",
			seed: ghState{Issues: []ghItem{
				hostile("alice", false, 0, "I saw this:\n"+driftMarker),
				hostile("github-actions[bot]", true, 0, driftMarker),
			}},
			untouched: true,
			runs: []run{
				{command: "drift", dir: "repo", wantExit: 0, wantCode: "2", wantIssues: "open,open,open", wantBody: "drift"},
				{command: "drift", dir: "repo", wantExit: 0, wantCode: "2", wantIssues: "open,open,open", wantBody: "drift"},
			}},
		// A personal token's identity comes from GET /user, and only its items are edited.
		{name: "a personal token edits only its own comment",
			seed: ghState{Comments: []ghItem{
				hostile("github-actions[bot]", false, 7, planMarker+abs("examples/acme")+" -->\nold"),
			}},
			untouched: true,
			runs: []run{
				{command: "plan", dir: abs("examples/acme"), env: []string{"FAKE_GH_LOGIN=sailsync-bot", "FAKE_GH_ACTOR=sailsync-bot"}, wantExit: 0, wantCode: "2", wantComments: 2, wantBody: "to create"},
				{command: "plan", dir: abs("examples/acme"), env: []string{"FAKE_GH_LOGIN=sailsync-bot", "FAKE_GH_ACTOR=sailsync-bot"}, wantExit: 0, wantCode: "2", wantComments: 2, wantBody: "to create"},
			}},
		// environment: is the sailsync.yaml environment (--env), and each keeps its own comment.
		{name: "environment selects the environment, one comment each", runs: []run{
			{command: "plan", dir: "envs", wantExit: 1, wantCode: "1", wantComments: 1, wantErrors: 1,
				wantLog: "choose one with --env NAME"},
			{command: "plan", dir: "envs", envName: "prod", wantExit: 0, wantCode: "2", wantComments: 2, wantBody: "to create"},
			{command: "plan", dir: "envs", envName: "sandbox", wantExit: 0, wantCode: "2", wantComments: 3, wantBody: "to create"},
			{command: "plan", dir: "envs", envName: "prod", wantExit: 0, wantCode: "2", wantComments: 3, wantBody: "to create"},
			{command: "plan", dir: "envs", envName: "staging", wantExit: 1, wantCode: "1", wantComments: 4, wantErrors: 1,
				wantLog: `environment "staging" is not declared`},
		}},
		{name: "flags are split as a shell splits words", runs: []run{
			{command: "plan", dir: abs("examples/acme"), flags: `--source 'HR Database' --rate-limit "50%"`, wantExit: 0, wantCode: "2", wantComments: 1,
				wantBody: "HR Database", noBody: "Corporate Directory"},
		}},
		// Nothing in flags is expanded or run: the words reach sailsync as they are, which
		// refuses the extra arguments, as an annotation.
		{name: "flags cannot run commands", runs: []run{
			{command: "plan", dir: abs("examples/acme"), flags: hostileFlags, wantExit: 1, wantCode: "1", wantComments: 1, wantErrors: 1,
				wantLog: "::error title=sailsync plan failed::exit status 1: sailsync: "},
		}},
		{name: "an open quote in flags is an error and runs nothing", runs: []run{
			{command: "plan", dir: abs("examples/acme"), flags: `--source 'HR Database --rate-limit 50%`, wantExit: 1, wantCode: "1", noSummary: true, wantErrors: 1,
				wantLog: "::error title=sailsync::flags: xargs: unmatched single quote", noLog: "Plan:"},
		}},
		// A flag sailsync does not know fails before it knows its output format: the script
		// annotates the error line; errors sailsync annotated itself are not repeated.
		{name: "a failure sailsync did not annotate is an error annotation", runs: []run{
			{command: "apply", dir: abs("examples/acme"), flags: "--bogus", wantExit: 1, wantCode: "1", wantComments: 1, wantErrors: 1,
				wantLog: "::error title=sailsync apply failed::exit status 1: sailsync: unknown flag: --bogus"},
		}},
		// An app's installation token cannot read /user: the token-login input names its bot.
		{name: "token-login names an app's bot",
			runs: []run{
				{command: "plan", dir: abs("examples/acme"), env: []string{"SAILSYNC_TOKEN_LOGIN=acme-sync[bot]", "FAKE_GH_ACTOR=acme-sync[bot]"}, wantExit: 0, wantCode: "2", wantComments: 1, wantBody: "to create"},
				{command: "plan", dir: abs("examples/acme"), env: []string{"SAILSYNC_TOKEN_LOGIN=acme-sync[bot]", "FAKE_GH_ACTOR=acme-sync[bot]"}, wantExit: 0, wantCode: "2", wantComments: 1, wantBody: "to create"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cleanEnv(t)
			setSecrets(t)
			emu, err := emulator.New(emulator.Options{Seed: examples.AcmeTenant})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(contract.Middleware(t, emu))
			defer srv.Close()
			bin := t.TempDir()
			for _, name := range []string{"sailsync", "sailsync-crash", "gh"} {
				if err := os.Symlink(self, filepath.Join(bin, name)); err != nil {
					t.Fatal(err)
				}
			}
			work := t.TempDir()
			state := filepath.Join(work, "gh-state.json")
			for i := range tt.seed.Comments {
				tt.seed.Comments[i].ID = 1000 + i
			}
			for i := range tt.seed.Issues {
				tt.seed.Issues[i].ID, tt.seed.Issues[i].Number = 2000+i, 2000+i
			}
			if len(tt.seed.Comments)+len(tt.seed.Issues) > 0 {
				b, err := json.Marshal(tt.seed)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(state, b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			// "repo" is a copy of the example that a run may replace with an export of the
			// tenant, which is in sync with it: the same directory, so the same issue.
			repoDir := filepath.Join(work, "repo")
			if err := os.CopyFS(repoDir, os.DirFS("examples/acme")); err != nil {
				t.Fatal(err)
			}
			// "envs" is the example with two environments in sailsync.yaml.
			envsDir := filepath.Join(work, "envs")
			if err := os.CopyFS(envsDir, os.DirFS("examples/acme")); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(envsDir, "sailsync.yaml"), []byte("environments:\n  sandbox: {}\n  prod: {}\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			resolve := func(r run) string {
				switch r.dir {
				case "repo":
					return repoDir
				case "envs":
					return envsDir
				}
				return r.dir
			}
			// The script's marker: only [A-Za-z0-9._/ -] of the key go into it.
			marker := func(r run) string {
				key := r.command + " " + cmp.Or(r.envName, "default") + " " + resolve(r)
				return "<!-- sailsync-action: " + regexp.MustCompile(`[^A-Za-z0-9._/ -]`).ReplaceAllString(key, "_") + " -->"
			}
			for i, r := range tt.runs {
				dir := resolve(r)
				if r.export {
					if err := os.RemoveAll(repoDir); err != nil {
						t.Fatal(err)
					}
					exportRepo(t, bin, srv.URL, emu, repoDir)
				}
				summary := filepath.Join(work, fmt.Sprintf("summary-%d.md", i))
				outputs := filepath.Join(work, fmt.Sprintf("outputs-%d", i))
				cmd := exec.Command("bash", filepath.Join("ci", "action.sh"))
				cmd.Env = append(childEnv(t),
					"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
					"SAIL_BASE_URL="+srv.URL, "SAIL_CLIENT_ID="+emu.ClientID(), "SAIL_CLIENT_SECRET="+emu.ClientSecret(),
					"SAILSYNC_BIN="+cmp.Or(r.bin, "sailsync"), "SAILSYNC_COMMAND="+r.command, "SAILSYNC_DIRECTORY="+dir,
					"SAILSYNC_ENVIRONMENT="+r.envName, "SAILSYNC_FLAGS="+r.flags, "SAILSYNC_DRIFT_ISSUE=true", "SAILSYNC_PR=7",
					"GITHUB_REPOSITORY=acme/idm", "GITHUB_RUN_ID=42", "GITHUB_STEP_SUMMARY="+summary,
					"GITHUB_OUTPUT="+outputs, "RUNNER_TEMP="+work, "FAKE_GH_STATE="+state,
				)
				if r.command == "drift" {
					cmd.Env = append(cmd.Env, "SAILSYNC_PR=") // a scheduled job has no pull request
				}
				cmd.Env = append(cmd.Env, r.env...)
				out, err := cmd.CombinedOutput()
				code := 0
				if ee, ok := err.(*exec.ExitError); ok {
					code = ee.ExitCode()
				} else if err != nil {
					t.Fatal(err)
				}
				assertNoSecrets(t, string(out))
				t.Logf("run %d (%s):\n%s", i, r.command, out)
				if r.wantLog != "" && !strings.Contains(string(out), r.wantLog) {
					t.Errorf("run %d (%s): output lacks %q", i, r.command, r.wantLog)
				}
				if r.noLog != "" && strings.Contains(string(out), r.noLog) {
					t.Errorf("run %d (%s): output has %q", i, r.command, r.noLog)
				}
				if n := len(regexp.MustCompile(`(?m)^::error`).FindAllString(string(out), -1)); r.wantErrors > 0 && n != r.wantErrors {
					t.Errorf("run %d (%s): %d ::error lines, want %d", i, r.command, n, r.wantErrors)
				}
				if ran, _ := os.ReadDir(canary); len(ran) > 0 {
					t.Errorf("run %d (%s): flags ran a command: %s holds %v", i, r.command, canary, ran)
				}
				if code != r.wantExit {
					t.Fatalf("run %d (%s): exit %d, want %d\n%s", i, r.command, code, r.wantExit, out)
				}
				outs, _ := os.ReadFile(outputs)
				if !strings.Contains(string(outs), "exit-code="+r.wantCode+"\n") {
					t.Errorf("run %d (%s): outputs %q, want exit-code=%s", i, r.command, outs, r.wantCode)
				}
				if r.wantChanges != "" && !strings.Contains(string(outs), "changes="+r.wantChanges+"\n") {
					t.Errorf("run %d (%s): outputs %q, want changes=%s", i, r.command, outs, r.wantChanges)
				}
				sum, _ := os.ReadFile(summary)
				title := "### sailsync " + r.command
				if r.envName != "" {
					title += ": " + r.envName
				}
				if !r.noSummary && !strings.Contains(string(sum), title+"\n") {
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
				if r.noBody != "" && strings.Contains(last, r.noBody) {
					t.Errorf("run %d (%s): last body has %q:\n%s", i, r.command, r.noBody, last)
				}
				if r.wantBody != "" && !strings.HasPrefix(last, "<!-- sailsync-action: ") {
					t.Errorf("run %d (%s): body does not start with the marker:\n%s", i, r.command, last)
				}
			}
			// Updates, not additions: each run after the first of a command edited its comment.
			st := readGHState(t, state)
			if tt.untouched {
				got := map[int]ghItem{}
				for _, it := range append(st.Comments, st.Issues...) {
					got[it.ID] = it
				}
				for _, want := range append(tt.seed.Comments, tt.seed.Issues...) {
					if got[want.ID] != want {
						t.Errorf("%s's item %d was changed: %+v, was %+v", want.User, want.ID, got[want.ID], want)
					}
				}
			}
			for _, c := range st.Comments {
				if strings.Contains(c.Body, "In sync again") || c.ID >= 1000 {
					continue
				}
				n := 0
				for _, r := range tt.runs {
					if r.command != "drift" && firstLine(c.Body) == marker(r) {
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
	// User is the login that wrote the item; PullRequest marks an entry of the issue list
	// that is a pull request (the API's pull_request key).
	User        string `json:"user"`
	PullRequest bool   `json:"pull_request,omitempty"`
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

// jqMarker is the one jq program fakeGH understands: the script's search for its marker among
// the items of one login, pull requests left out.
var jqMarker = regexp.MustCompile(`^\.\[\] \| select\(\.user\.login == "([^"]*)" and \(has\("pull_request"\) \| not\) and \(\.body // "" \| contains\("([^"]*)"\)\)\) \| \.(id|number)$`)

// fakeActor is who the fake's token writes as: $FAKE_GH_ACTOR, else the Actions token's bot.
func fakeActor() string {
	if a := os.Getenv("FAKE_GH_ACTOR"); a != "" {
		return a
	}
	return "github-actions[bot]"
}

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
	if method == "GET" && path == "user" {
		// The Actions token cannot read /user; a personal token (FAKE_GH_LOGIN) can.
		if os.Getenv("FAKE_GH_LOGIN") == "" || jq != ".login" {
			return fail("GET user: HTTP 403: Resource not accessible by integration")
		}
		fmt.Println(os.Getenv("FAKE_GH_LOGIN"))
		return 0
	}
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
			if (onIssue == 0 || it.Issue == onIssue) && (onIssue != 0 || it.State == "open") &&
				it.User == m[1] && !it.PullRequest && strings.Contains(it.Body, m[2]) {
				if m[3] == "id" {
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
		st.Comments = append(st.Comments, ghItem{ID: st.NextID, Issue: n, Body: fields["body"], User: fakeActor()})
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
		st.Issues = append(st.Issues, ghItem{ID: st.NextID, Number: st.NextID, Title: fields["title"], Body: fields["body"], State: "open", User: fakeActor()})
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

// readOnlySecrets are the secrets a job that runs a pull request's code may read: the read-only
// API client's. Any other secret (the write client, an ${env:} secret of the deploy) must live
// in an environment, whose protection rules a pull request cannot pass.
var readOnlySecrets = map[string]bool{"SAIL_READONLY_CLIENT_ID": true, "SAIL_READONLY_CLIENT_SECRET": true, "GITHUB_TOKEN": true}

// TestRecipesKeepWriteSecretsInEnvironments parses the GitHub recipes: a workflow a pull request
// triggers reads no secret but the read-only client's, and every job that reads any other
// secret names an environment (the deploy's required reviewers protect nothing when the
// write credentials are repository secrets any branch's workflow can read). Plan and drift
// work without the deploy's ${env:} secrets (TestUnsetSecretPlanWarnsApplyRefuses).
func TestRecipesKeepWriteSecretsInEnvironments(t *testing.T) {
	t.Parallel()
	recipes, err := filepath.Glob(filepath.Join("examples", "ci", "github-*.yml"))
	if err != nil || len(recipes) < 3 {
		t.Fatalf("want the three GitHub recipes, found %v (%v)", recipes, err)
	}
	secretRef := regexp.MustCompile(`secrets\.([A-Za-z0-9_]+)`)
	deploys := 0
	for _, r := range recipes {
		raw, err := os.ReadFile(r)
		if err != nil {
			t.Fatal(err)
		}
		var wf struct {
			On   yaml.Node            `yaml:"on"`
			Env  yaml.Node            `yaml:"env"`
			Jobs map[string]yaml.Node `yaml:"jobs"`
		}
		if err := yaml.Unmarshal(raw, &wf); err != nil {
			t.Fatalf("%s: %v", r, err)
		}
		onPR := false
		var on any
		if err := wf.On.Decode(&on); err != nil {
			t.Fatal(err)
		}
		switch o := on.(type) {
		case string:
			onPR = strings.HasPrefix(o, "pull_request")
		case []any:
			for _, e := range o {
				onPR = onPR || strings.HasPrefix(fmt.Sprint(e), "pull_request")
			}
		case map[string]any:
			for e := range o {
				onPR = onPR || strings.HasPrefix(e, "pull_request")
			}
		}
		top, _ := yaml.Marshal(&wf.Env)
		for name, job := range wf.Jobs {
			body, err := yaml.Marshal(&job)
			if err != nil {
				t.Fatal(err)
			}
			var j struct {
				Environment yaml.Node `yaml:"environment"`
			}
			if err := job.Decode(&j); err != nil {
				t.Fatal(err)
			}
			var write []string
			for _, m := range secretRef.FindAllStringSubmatch(string(top)+string(body), -1) {
				if !readOnlySecrets[m[1]] {
					write = append(write, m[1])
				}
			}
			if onPR && len(write) > 0 {
				t.Errorf("%s: job %s runs on pull requests and reads %v: only %v", r, name, write, slices.Sorted(maps.Keys(readOnlySecrets)))
			}
			if len(write) > 0 && j.Environment.Kind == 0 {
				t.Errorf("%s: job %s reads %v without an environment:", r, name, write)
			}
			if len(write) > 0 {
				deploys++
			}
		}
	}
	if deploys == 0 {
		t.Error("no recipe job holds the write client: the deploy recipe is gone")
	}
}

// TestActionCacheKey runs ci/cache-key.sh, the key of the action's cached binary: a commit SHA
// ref is the key as it is; a tag or branch (which can move) gives a hash of the action's files,
// the same for the same files wherever they are, another when any file changes.
func TestActionCacheKey(t *testing.T) {
	t.Parallel()
	script, err := filepath.Abs(filepath.Join("ci", "cache-key.sh"))
	if err != nil {
		t.Fatal(err)
	}
	key := func(dir, ref string) string {
		t.Helper()
		cmd := exec.Command("bash", script)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "ACTION_REF="+ref, "GITHUB_ACTION_REF=", "GITHUB_OUTPUT=", "RUNNER_OS=Linux", "RUNNER_ARCH=X64")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("cache-key.sh: %v\n%s", err, out)
		}
		k, ok := strings.CutPrefix(strings.TrimSpace(string(out)), "key=")
		if !ok {
			t.Fatalf("cache-key.sh printed %q", out)
		}
		return k
	}
	a, b := t.TempDir(), t.TempDir()
	for _, d := range []string{a, b} {
		if err := os.CopyFS(filepath.Join(d, "ci"), os.DirFS("ci")); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "go.mod"), []byte("module x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const sha = "0123456789abcdef0123456789abcdef01234567"
	if got := key(a, sha); got != "sailsync-bin-Linux-X64-"+sha {
		t.Errorf("ref %s: key %q", sha, got)
	}
	ka, kb := key(a, "v1"), key(b, "main")
	if !regexp.MustCompile(`^sailsync-bin-Linux-X64-tree-[0-9a-f]{64}$`).MatchString(ka) || ka != kb {
		t.Errorf("the same files under a tag and a branch: keys %q and %q, want one tree hash", ka, kb)
	}
	if err := os.WriteFile(filepath.Join(b, "go.mod"), []byte("module y\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if kb2 := key(b, "main"); kb2 == ka {
		t.Errorf("a changed go.mod kept the key %q", kb2)
	}
	if err := os.Rename(filepath.Join(a, "go.mod"), filepath.Join(a, "go.sum")); err != nil {
		t.Fatal(err)
	}
	if ka2 := key(a, ""); ka2 == ka {
		t.Errorf("a renamed file kept the key %q", ka2)
	}
}
