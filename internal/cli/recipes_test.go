package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/sailsync/sailsync/examples"
	"github.com/sailsync/sailsync/internal/contract"
	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/tenanttest"
	"github.com/sailsync/sailsync/internal/value"
)

// The recipes of examples/ci are run here as a CI service would run them, from their own text:
// the GitHub workflows step by step (the checkout at the recipe's fetch-depth, the action's own
// run step with the recipe's inputs, every run: step with its if:), the GitLab jobs as one bash
// script of before_script and script (the pinned sailsync cloned and built as the recipe says),
// all against one emulated tenant over real HTTP, with a fake gh and a fake GitLab API, and a
// bare repository as the remote the recipes fetch and push tags to.

// recipeWorld is the CI world the recipes run in: the tenant, the remote, the credentials.
type recipeWorld struct {
	t      *testing.T
	emu    *emulator.Emulator
	url    string
	origin string // the bare repository every job clones and pushes to
	dev    string // a clone the test commits to, as developers do
	work   string
	// secrets are the CI service's secrets and variables, by name.
	secrets map[string]string
}

// gitEnv isolates git from the machine's configuration and names a committer.
func gitEnv() []string {
	return append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull,
		"GIT_AUTHOR_NAME=dev", "GIT_AUTHOR_EMAIL=dev@acme.example", "GIT_COMMITTER_NAME=dev", "GIT_COMMITTER_EMAIL=dev@acme.example")
}

func runGit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = gitEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// newRecipeWorld starts the tenant and pushes the example repository (under sailsync/, as the
// recipes expect) to main of a new remote.
func newRecipeWorld(t *testing.T) *recipeWorld {
	t.Helper()
	cleanEnv(t)
	emu, err := emulator.New(emulator.Options{Seed: examples.AcmeTenant})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(contract.Middleware(t, emu))
	t.Cleanup(srv.Close)
	w := &recipeWorld{t: t, emu: emu, url: srv.URL, work: t.TempDir()}
	w.origin = filepath.Join(w.work, "origin.git")
	runGit(t, w.work, "init", "-q", "--bare", "-b", "main", w.origin)
	w.dev = filepath.Join(w.work, "dev")
	runGit(t, w.work, "clone", "-q", w.origin, w.dev)
	runGit(t, w.dev, "checkout", "-q", "-b", "main")
	if err := os.CopyFS(filepath.Join(w.dev, "sailsync"), os.DirFS("examples/acme")); err != nil {
		t.Fatal(err)
	}
	w.commit("the example")
	w.secrets = map[string]string{
		"SAIL_BASE_URL":  srv.URL, // a variable, not a secret
		"SAIL_CLIENT_ID": emu.ClientID(), "SAIL_CLIENT_SECRET": emu.ClientSecret(),
		"SAIL_READONLY_CLIENT_ID": emu.ClientID(), "SAIL_READONLY_CLIENT_SECRET": emu.ClientSecret(),
	}
	for k, v := range tenanttest.Secrets {
		w.secrets[k] = v
	}
	return w
}

// commit commits everything in the developer's clone and pushes the branch; it returns the SHA.
func (w *recipeWorld) commit(msg string) string {
	w.t.Helper()
	runGit(w.t, w.dev, "add", "-A")
	runGit(w.t, w.dev, "commit", "-q", "-m", msg)
	branch := runGit(w.t, w.dev, "rev-parse", "--abbrev-ref", "HEAD")
	runGit(w.t, w.dev, "push", "-q", "origin", branch)
	return runGit(w.t, w.dev, "rev-parse", "HEAD")
}

// edit replaces old by new in a file of the developer's clone.
func (w *recipeWorld) edit(file, old, new string) {
	w.t.Helper()
	p := filepath.Join(w.dev, file)
	b, err := os.ReadFile(p)
	if err != nil {
		w.t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(old)) {
		w.t.Fatalf("%s lacks %q", file, old)
	}
	if err := os.WriteFile(p, bytes.Replace(b, []byte(old), []byte(new), 1), 0o644); err != nil {
		w.t.Fatal(err)
	}
}

// tag is what the remote's tag points at, "" when there is none.
func (w *recipeWorld) tag(name string) string {
	cmd := exec.Command("git", "rev-parse", "-q", "--verify", "refs/tags/"+name+"^{commit}")
	cmd.Dir = w.origin
	cmd.Env = gitEnv()
	out, _ := cmd.Output()
	return strings.TrimSpace(string(out))
}

// checkout clones the remote as a CI checkout does: depth 0 is the whole history with tags,
// any other depth a shallow clone of the branch without tags (actions/checkout's default).
func (w *recipeWorld) checkout(branch string, depth int) string {
	w.t.Helper()
	ws, err := os.MkdirTemp(w.work, "ws-")
	if err != nil {
		w.t.Fatal(err)
	}
	if depth == 0 {
		runGit(w.t, w.work, "clone", "-q", "--branch", branch, w.origin, ws)
	} else {
		runGit(w.t, w.work, "clone", "-q", "--no-tags", "--depth", strconv.Itoa(depth), "--branch", branch, "file://"+w.origin, ws)
	}
	return ws
}

// recipeStep is a step of a GitHub workflow.
type recipeStep struct {
	ID   string            `yaml:"id"`
	Name string            `yaml:"name"`
	If   string            `yaml:"if"`
	Uses string            `yaml:"uses"`
	Run  string            `yaml:"run"`
	With map[string]string `yaml:"with"`
	Env  map[string]string `yaml:"env"`
}

// ghEvent is what triggered a GitHub job.
type ghEvent struct {
	branch  string // checked out
	baseRef string // a pull request's base branch
	pr      string // a pull request's number
}

// ghJob is a GitHub job's result: whether it succeeded, its log, each step's outputs, and which
// steps ran.
type ghJob struct {
	ok      bool
	log     string
	outputs map[string]map[string]string
	ran     []string
}

var expr = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)

// eval evaluates the few expressions the recipes and the action use; any other fails the test,
// so that a recipe cannot pass on an expression this runner does not understand.
func eval(t *testing.T, ctx map[string]string, e string) string {
	t.Helper()
	if l, r, ok := strings.Cut(e, "=="); ok {
		lit := strings.TrimSpace(r)
		if len(lit) < 2 || lit[0] != '\'' || lit[len(lit)-1] != '\'' {
			t.Fatalf("expression %q: want a comparison with a 'literal'", e)
		}
		return strconv.FormatBool(eval(t, ctx, strings.TrimSpace(l)) == lit[1:len(lit)-1])
	}
	if v, ok := ctx[e]; ok {
		return v
	}
	for _, prefix := range []string{"secrets.", "vars.", "steps."} {
		if strings.HasPrefix(e, prefix) {
			return "" // unset: an empty string, as on GitHub
		}
	}
	t.Fatalf("expression %q: not understood by the test's runner", e)
	return ""
}

func expand(t *testing.T, ctx map[string]string, s string) string {
	t.Helper()
	return expr.ReplaceAllStringFunc(s, func(m string) string { return eval(t, ctx, expr.FindStringSubmatch(m)[1]) })
}

// actionRunStep is the action's step that runs ci/action.sh: its run line and env, which map
// the action's inputs.
func actionRunStep(t *testing.T) (inputs map[string]string, step recipeStep, outputs map[string]string) {
	t.Helper()
	raw, err := os.ReadFile("action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var a struct {
		Inputs map[string]struct {
			Default string `yaml:"default"`
		} `yaml:"inputs"`
		Outputs map[string]struct {
			Value string `yaml:"value"`
		} `yaml:"outputs"`
		Runs struct {
			Steps []recipeStep `yaml:"steps"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(raw, &a); err != nil {
		t.Fatal(err)
	}
	inputs = map[string]string{}
	for k, v := range a.Inputs {
		inputs[k] = v.Default
	}
	outputs = map[string]string{}
	for k, v := range a.Outputs {
		outputs[k] = v.Value
	}
	for _, s := range a.Runs.Steps {
		if s.ID == "run" {
			return inputs, s, outputs
		}
	}
	t.Fatal("action.yml has no step with id run")
	return
}

// readOutputs parses a $GITHUB_OUTPUT file of name=value lines.
func readOutputs(t *testing.T, path string) map[string]string {
	t.Helper()
	out := map[string]string{}
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			out[k] = v
		}
	}
	return out
}

// pinnedAction is the owner/name@ref the recipes use the action as.
var pinnedAction = regexp.MustCompile(`^sailsync/sailsync@([0-9a-f]{40})$`)

// runGitHubRecipe runs the one job of a GitHub recipe. The action's build and cache steps are
// stood in for by the test binary at the path they build to (ci/cache-key.sh is
// TestActionCacheKey's); its run step is run as action.yml writes it.
func (w *recipeWorld) runGitHubRecipe(file string, ev ghEvent, ghState string) ghJob {
	t := w.t
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("examples", "ci", file))
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Jobs map[string]struct {
			Steps []recipeStep `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(raw, &wf); err != nil {
		t.Fatal(err)
	}
	if len(wf.Jobs) != 1 {
		t.Fatalf("%s: want one job, got %d", file, len(wf.Jobs))
	}
	root, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	temp, err := os.MkdirTemp(w.work, "runner-temp-")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(temp, "bin")
	for _, p := range []string{filepath.Join(temp, "sailsync-bin", "sailsync"), filepath.Join(bin, "gh")} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(self, p); err != nil {
			t.Fatal(err)
		}
	}
	var job ghJob
	job.ok, job.outputs = true, map[string]map[string]string{}
	var log strings.Builder
	ws := ""
	for _, steps := range wf.Jobs {
		for i, s := range steps.Steps {
			ctx := map[string]string{
				"github.base_ref": ev.baseRef, "github.event.pull_request.number": ev.pr, "github.token": "ghs_fake",
				"runner.temp": temp,
			}
			for k, v := range w.secrets {
				ctx["secrets."+k], ctx["vars."+k] = v, v
			}
			for id, outs := range job.outputs {
				for k, v := range outs {
					ctx["steps."+id+".outputs."+k] = v
				}
			}
			cond := "success()"
			if s.If != "" {
				cond = eval(t, ctx, strings.TrimSpace(expr.ReplaceAllString(s.If, "$1")))
			}
			switch {
			case cond == "success()" && !job.ok, cond == "false":
				continue
			case cond != "success()" && cond != "true":
				t.Fatalf("%s: step %d: if: %q is not understood by the test's runner", file, i, s.If)
			}
			id := cmpOr(s.ID, fmt.Sprint("step", i))
			job.ran = append(job.ran, cmpOr(s.Name, s.Uses))
			outFile := filepath.Join(temp, id+".outputs")
			env := append(os.Environ(),
				"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
				"GITHUB_WORKSPACE="+ws, "GITHUB_SHA="+w.headOf(ev.branch), "GITHUB_REPOSITORY=acme/idm", "GITHUB_RUN_ID=42",
				"GITHUB_OUTPUT="+outFile, "GITHUB_STEP_SUMMARY="+filepath.Join(temp, id+".summary"), "RUNNER_TEMP="+temp,
				"FAKE_GH_STATE="+ghState, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull,
				"GIT_COMMITTER_NAME=ci", "GIT_COMMITTER_EMAIL=ci@acme.example")
			for k, v := range s.Env {
				env = append(env, k+"="+expand(t, ctx, v))
			}
			var script string
			switch {
			case i == 0:
				if s.Uses != "actions/checkout@v4" {
					t.Fatalf("%s: the first step is %q, want actions/checkout@v4", file, s.Uses)
				}
				depth := 1
				if s.With["fetch-depth"] != "" {
					if depth, err = strconv.Atoi(s.With["fetch-depth"]); err != nil {
						t.Fatalf("%s: fetch-depth %q", file, s.With["fetch-depth"])
					}
				}
				ws = w.checkout(ev.branch, depth)
				continue
			case strings.HasPrefix(s.Uses, "sailsync/"):
				if !pinnedAction.MatchString(s.Uses) {
					t.Fatalf("%s: uses %q: want sailsync/sailsync@<commit SHA>", file, s.Uses)
				}
				inputs, run, outputs := actionRunStep(t)
				for k, v := range s.With {
					if _, ok := inputs[k]; !ok {
						t.Fatalf("%s: the action has no input %q", file, k)
					}
					inputs[k] = expand(t, ctx, v)
				}
				actx := map[string]string{}
				for k, v := range ctx {
					actx[k] = v
				}
				for k, v := range inputs {
					actx["inputs."+k] = expand(t, ctx, v)
				}
				actx["github.action_path"] = root
				for k, v := range run.Env {
					env = append(env, k+"="+expand(t, actx, v))
				}
				env = append(env, "GITHUB_ACTION_PATH="+root)
				out, code := runBash(t, ws, env, expand(t, actx, run.Run))
				log.WriteString(out)
				inner := readOutputs(t, outFile)
				job.outputs[id] = map[string]string{}
				for k, v := range outputs {
					ictx := map[string]string{}
					for ik, iv := range inner {
						ictx["steps.run.outputs."+ik] = iv
					}
					job.outputs[id][k] = expand(t, ictx, v)
				}
				job.ok = job.ok && code == 0
				continue
			case s.Uses != "":
				t.Fatalf("%s: step %d uses %q, which the test's runner does not know", file, i, s.Uses)
			default:
				script = expand(t, ctx, s.Run)
			}
			out, code := runBash(t, ws, env, script)
			log.WriteString(out)
			job.outputs[id] = readOutputs(t, outFile)
			job.ok = job.ok && code == 0
		}
	}
	job.log = log.String()
	assertNoSecrets(t, job.log)
	return job
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// headOf is the remote branch's commit.
func (w *recipeWorld) headOf(branch string) string {
	w.t.Helper()
	return runGit(w.t, w.origin, "rev-parse", "refs/heads/"+branch)
}

// runBash runs a script as GitHub's bash shell and GitLab's runner do (-e, pipefail).
func runBash(t *testing.T, dir string, env []string, script string) (string, int) {
	t.Helper()
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script)
	cmd.Dir = dir
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), code
}

// TestRecipesGitHub runs the three GitHub recipes in the order a repository lives them: the
// deploy applies main (every ${env:} secret passed, or apply would refuse) and moves the
// deployed tag; drift against that tag is quiet, stays quiet when a change is merged but not
// applied (--base deployed), and opens the issue and a notice when an admin changes the tenant;
// a pull request's plan comments once and updates that comment.
func TestRecipesGitHub(t *testing.T) {
	t.Parallel()
	w := newRecipeWorld(t)
	issues := filepath.Join(w.work, "gh-state.json")
	main1 := w.headOf("main")

	deploy := w.runGitHubRecipe("github-deploy.yml", ghEvent{branch: "main"}, issues)
	if !deploy.ok || deploy.outputs["step1"]["exit-code"] != "0" {
		t.Fatalf("deploy failed (outputs %v):\n%s", deploy.outputs, deploy.log)
	}
	// The one source the deploy creates got its secret (the others are updated: secrets are
	// sent on create only).
	if got, _ := w.emu.Secret("Acme HR Cloud", "apiToken"); got != tenanttest.Secrets["ACME_HR_TOKEN"] {
		t.Errorf("after the deploy, Acme HR Cloud's apiToken is %q, want $ACME_HR_TOKEN's", got)
	}
	if got := w.tag("deployed"); got != main1 {
		t.Fatalf("after the deploy, tag deployed is %q, want %s\n%s", got, main1, deploy.log)
	}

	drift := func(wantChanges string) ghJob {
		t.Helper()
		j := w.runGitHubRecipe("github-drift.yml", ghEvent{branch: "main"}, issues)
		if !j.ok || j.outputs["drift"]["changes"] != wantChanges {
			t.Fatalf("drift: ok %v, outputs %v, want changes=%s:\n%s", j.ok, j.outputs["drift"], wantChanges, j.log)
		}
		return j
	}
	if j := drift("false"); slices.Contains(j.ran, "Note the drift in the run's title line") {
		t.Errorf("in sync, yet the notice step ran:\n%s", j.log)
	}
	// Merged, not applied: a pending change, which --base deployed does not count as drift.
	w.edit("sailsync/sources/hr-database.yaml", "deleteThreshold: 10", "deleteThreshold: 12")
	w.commit("HR Database: a higher delete threshold")
	drift("false")
	if err := w.emu.UpdateSource("Corporate Directory", func(o *value.Object) { o.Set("description", "edited in the UI") }); err != nil {
		t.Fatal(err)
	}
	j := drift("true")
	if !strings.Contains(j.log, "::notice title=sailsync drift::") {
		t.Errorf("drift, yet no notice:\n%s", j.log)
	}
	st := readGHState(t, issues)
	if len(st.Issues) != 1 || st.Issues[0].State != "open" || !strings.Contains(st.Issues[0].Body, "Corporate Directory") {
		t.Errorf("want one open drift issue naming Corporate Directory, got %+v", st.Issues)
	}

	runGit(t, w.dev, "checkout", "-q", "-b", "feature")
	w.edit("sailsync/sources/acme-hr-cloud.yaml", "via the custom Acme HR connector", "via the Acme HR connector, reviewed")
	w.commit("Acme HR Cloud: a description")
	for range 2 {
		pr := w.runGitHubRecipe("github-pr-plan.yml", ghEvent{branch: "feature", baseRef: "main", pr: "7"}, issues)
		if !pr.ok || pr.outputs["step1"]["changes"] != "true" {
			t.Fatalf("pull request plan: ok %v, outputs %v:\n%s", pr.ok, pr.outputs, pr.log)
		}
	}
	st = readGHState(t, issues)
	if len(st.Comments) != 1 || st.Comments[0].Updates != 1 || !strings.Contains(st.Comments[0].Body, "Acme HR Cloud") {
		t.Errorf("want one comment on the pull request, updated once, naming Acme HR Cloud: %+v", st.Comments)
	}
}

// glNote is a merge-request note of the fake GitLab API.
type glNote struct {
	ID      int    `json:"id"`
	Body    string `json:"body"`
	Author  string `json:"-"`
	Updates int    `json:"-"`
}

// fakeGitLab serves the GitLab API calls the recipe makes: the token's user and one merge
// request's notes. Any other call is a 404 and fails the test.
type fakeGitLab struct {
	t     *testing.T
	mu    sync.Mutex
	token string
	notes []glNote
}

const glBot = "project_1_bot_sailsync"

func (g *fakeGitLab) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if r.Header.Get("PRIVATE-TOKEN") != g.token {
		http.Error(rw, `{"message":"401 Unauthorized"}`, http.StatusUnauthorized)
		return
	}
	const notes = "/api/v4/projects/1/merge_requests/5/notes"
	body := func() string {
		if err := r.ParseForm(); err != nil {
			g.t.Errorf("fake GitLab: %v", err)
		}
		return r.PostForm.Get("body")
	}
	switch {
	case r.Method == "GET" && r.URL.Path == "/api/v4/user":
		fmt.Fprintf(rw, `{"username":%q}`, glBot)
	case r.Method == "GET" && r.URL.Path == notes:
		var list []map[string]any
		for _, n := range g.notes {
			list = append(list, map[string]any{"id": n.ID, "body": n.Body, "author": map[string]any{"username": n.Author}})
		}
		_ = json.NewEncoder(rw).Encode(list)
	case r.Method == "POST" && r.URL.Path == notes:
		g.notes = append(g.notes, glNote{ID: 100 + len(g.notes), Body: body(), Author: glBot})
		fmt.Fprint(rw, "{}")
	case r.Method == "PUT" && strings.HasPrefix(r.URL.Path, notes+"/"):
		id, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, notes+"/"))
		for i := range g.notes {
			if g.notes[i].ID == id && g.notes[i].Author == glBot {
				g.notes[i].Body = body()
				g.notes[i].Updates++
				fmt.Fprint(rw, "{}")
				return
			}
		}
		http.Error(rw, `{"message":"403 Forbidden"}`, http.StatusForbidden)
	default:
		g.t.Errorf("fake GitLab: unexpected %s %s", r.Method, r.URL)
		http.NotFound(rw, r)
	}
}

// gitlabRecipe is the parsed examples/ci/gitlab-ci.yml.
type gitlabRecipe struct {
	variables    map[string]string
	beforeScript []string
	jobs         map[string]gitlabJob
}

type gitlabJob struct {
	Variables   map[string]string `yaml:"variables"`
	Script      []string          `yaml:"script"`
	Environment struct {
		Name string `yaml:"name"`
	} `yaml:"environment"`
}

func readGitLabRecipe(t *testing.T) gitlabRecipe {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("examples", "ci", "gitlab-ci.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]yaml.Node
	if err := yaml.Unmarshal(raw, &top); err != nil {
		t.Fatal(err)
	}
	r := gitlabRecipe{jobs: map[string]gitlabJob{}}
	for k, n := range top {
		switch k {
		case "variables":
			if err := n.Decode(&r.variables); err != nil {
				t.Fatal(err)
			}
		case "default":
			var d struct {
				BeforeScript []string `yaml:"before_script"`
			}
			if err := n.Decode(&d); err != nil {
				t.Fatal(err)
			}
			r.beforeScript = d.BeforeScript
		case "stages":
		default:
			var j gitlabJob
			if err := n.Decode(&j); err != nil {
				t.Fatalf("gitlab-ci.yml: job %s: %v", k, err)
			}
			r.jobs[k] = j
		}
	}
	return r
}

// glEvent is what triggered a GitLab pipeline.
type glEvent struct {
	branch string
	mr     bool
}

// runGitLabJob runs one job of the GitLab recipe as the runner would: the checkout (GIT_DEPTH,
// else GitLab's default of 20), the variables in order with $NAME expanded, the CI/CD variables
// of the project (those scoped to production only in a job of that environment), then
// before_script and script as one bash script that stops at the first failure. The project
// variable SAILSYNC_REPOSITORY points the build at this repository, as README tells a user with
// a copy of their own; SAILSYNC_COMMIT stays the recipe's pin.
func (w *recipeWorld) runGitLabJob(name string, ev glEvent, gl *httptest.Server, glToken string) (log string, ok bool, ws string) {
	t := w.t
	t.Helper()
	r := readGitLabRecipe(t)
	job, found := r.jobs[name]
	if !found {
		t.Fatalf("gitlab-ci.yml has no job %s", name)
	}
	root := runGit(t, ".", "rev-parse", "--show-toplevel")
	temp, err := os.MkdirTemp(w.work, "gitlab-job-")
	if err != nil {
		t.Fatal(err)
	}
	// The image's package manager: only the recipe's jq install, which the machine has.
	fake := filepath.Join(temp, "fakebin")
	if err := os.MkdirAll(fake, 0o755); err != nil {
		t.Fatal(err)
	}
	aptGet := "#!/bin/sh\ncase \"$*\" in 'update -qq'|'install -y -qq jq') command -v jq >/dev/null; exit $?;; esac\necho \"fake apt-get: $*\" >&2; exit 1\n"
	if err := os.WriteFile(filepath.Join(fake, "apt-get"), []byte(aptGet), 0o755); err != nil {
		t.Fatal(err)
	}
	// jq and curl: the machine's, or the test binary playing the recipe's calls (fakecli_test.go)
	// on a machine with only Go.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, tool := range []string{"jq", "curl"} {
		if _, err := exec.LookPath(tool); err != nil || os.Getenv("SAILSYNC_FAKE_TOOLS") != "" {
			if err := os.Symlink(self, filepath.Join(fake, tool)); err != nil {
				t.Fatal(err)
			}
		}
	}
	tmp := filepath.Join(temp, "tmp")
	if err := os.Mkdir(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	get := func(k string) string { return vars[k] }
	set := func(k, v string) { vars[k] = os.Expand(v, get) }
	sha := w.headOf(ev.branch)
	ci := map[string]string{
		"CI_API_V4_URL": gl.URL + "/api/v4", "CI_PROJECT_ID": "1", "CI_PROJECT_PATH": "acme/idm",
		"CI_SERVER_PROTOCOL": "http", "CI_SERVER_HOST": "gitlab.test", "CI_SERVER_PORT": "80",
		"CI_COMMIT_SHA": sha, "CI_COMMIT_BRANCH": ev.branch, "CI_DEFAULT_BRANCH": "main",
	}
	if ev.mr {
		ci["CI_MERGE_REQUEST_IID"] = "5"
		ci["CI_PIPELINE_SOURCE"] = "merge_request_event"
	}
	for k, v := range ci {
		vars[k] = v
	}
	// Project CI/CD variables: the write client, the ${env:} secrets and the tag token are
	// scoped to production.
	project := map[string]string{"SAIL_BASE_URL": w.url, "SAILSYNC_NOTE_TOKEN": glToken,
		"SAIL_READONLY_CLIENT_ID": w.secrets["SAIL_READONLY_CLIENT_ID"], "SAIL_READONLY_CLIENT_SECRET": w.secrets["SAIL_READONLY_CLIENT_SECRET"]}
	if job.Environment.Name == "production" {
		for k, v := range w.secrets {
			if !strings.HasPrefix(k, "SAIL_READONLY_") {
				project[k] = v
			}
		}
		project["SAILSYNC_TAG_TOKEN"] = "glpat-tag"
	}
	for _, k := range slices.Sorted(maps.Keys(r.variables)) {
		set(k, r.variables[k])
	}
	for k, v := range project {
		vars[k] = v
	}
	vars["SAILSYNC_REPOSITORY"] = root
	for _, k := range slices.Sorted(maps.Keys(job.Variables)) {
		set(k, job.Variables[k])
	}
	depth := 20
	if d, ok := vars["GIT_DEPTH"]; ok {
		if depth, err = strconv.Atoi(d); err != nil {
			t.Fatalf("GIT_DEPTH %q", d)
		}
	}
	ws = w.checkout(ev.branch, depth)
	env := append(os.Environ(), "PATH="+fake+string(os.PathListSeparator)+os.Getenv("PATH"), "TMPDIR="+tmp,
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull,
		// The push URL the apply job builds reaches the test's remote.
		"GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=url."+w.origin+".insteadOf",
		"GIT_CONFIG_VALUE_0=http://sailsync:glpat-tag@gitlab.test:80/acme/idm.git")
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	script := strings.Join(append(slices.Clone(r.beforeScript), job.Script...), "\n")
	out, code := runBash(t, ws, env, script)
	assertNoSecrets(t, out)
	return out, code == 0, ws
}

// TestRecipesGitLab runs the GitLab recipe's jobs, sailsync cloned at the recipe's pinned commit
// and built by its before_script: apply on main (with the production-scoped secrets) moves the
// deployed tag; drift against it passes in sync and with a change merged but not applied, and
// fails naming the source an admin changed; the merge request's plan writes one note, updates
// it, and leaves a note someone else wrote with the marker alone.
func TestRecipesGitLab(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"bash", "go", "git"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("the GitLab recipe's jobs need %s (the golang image has it): %v", tool, err)
		}
	}
	w := newRecipeWorld(t)
	g := &fakeGitLab{t: t, token: "glpat-notes"}
	g.notes = []glNote{{ID: 1, Author: "mallory", Body: "<!-- sailsync-plan default sailsync -->\nall clear, merge it"}}
	gl := httptest.NewServer(g)
	defer gl.Close()
	main1 := w.headOf("main")

	out, ok, ws := w.runGitLabJob("sailsync-apply", glEvent{branch: "main"}, gl, g.token)
	if !ok {
		t.Fatalf("apply job failed:\n%s", out)
	}
	if b, err := os.ReadFile(filepath.Join(ws, "apply.md")); err != nil || !strings.Contains(string(b), "done") {
		t.Errorf("apply.md: %v\n%s", err, b)
	}
	if got := w.tag("deployed"); got != main1 {
		t.Fatalf("after apply, tag deployed is %q, want %s\n%s", got, main1, out)
	}
	if out, ok, _ := w.runGitLabJob("sailsync-drift", glEvent{branch: "main"}, gl, g.token); !ok {
		t.Fatalf("drift in sync failed:\n%s", out)
	}
	w.edit("sailsync/sources/hr-database.yaml", "deleteThreshold: 10", "deleteThreshold: 12")
	w.commit("HR Database: a higher delete threshold")
	if out, ok, _ := w.runGitLabJob("sailsync-drift", glEvent{branch: "main"}, gl, g.token); !ok {
		t.Fatalf("drift with a change merged, not applied, failed:\n%s", out)
	}
	if err := w.emu.UpdateSource("Corporate Directory", func(o *value.Object) { o.Set("description", "edited in the UI") }); err != nil {
		t.Fatal(err)
	}
	out, ok, ws = w.runGitLabJob("sailsync-drift", glEvent{branch: "main"}, gl, g.token)
	if b, _ := os.ReadFile(filepath.Join(ws, "drift.md")); ok || !strings.Contains(string(b), "Corporate Directory") {
		t.Fatalf("drift after an admin's change: ok %v, drift.md:\n%s\nlog:\n%s", ok, b, out)
	}

	runGit(t, w.dev, "checkout", "-q", "-b", "feature")
	w.edit("sailsync/sources/acme-hr-cloud.yaml", "via the custom Acme HR connector", "via the Acme HR connector, reviewed")
	w.commit("Acme HR Cloud: a description")
	for range 2 {
		if out, ok, _ := w.runGitLabJob("sailsync-plan", glEvent{branch: "feature", mr: true}, gl, g.token); !ok {
			t.Fatalf("merge-request plan failed:\n%s", out)
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.notes) != 2 || g.notes[0].Body != "<!-- sailsync-plan default sailsync -->\nall clear, merge it" ||
		g.notes[1].Updates != 1 || !strings.Contains(g.notes[1].Body, "Acme HR Cloud") {
		t.Errorf("want mallory's note untouched and one note of the bot, updated once, naming Acme HR Cloud: %+v", g.notes)
	}
}

// TestDeployRecipesPassEverySecret: every ${env:NAME} of the example is passed to the GitHub
// deploy's sailsync step as the secret NAME, and named among the GitLab recipe's CI/CD
// variables. apply needs a secret only for what it creates, so a missing one would pass the
// deploy of an existing tenant and fail the first create (TestRecipesGitHub cannot see it).
func TestDeployRecipesPassEverySecret(t *testing.T) {
	t.Parallel()
	ref := regexp.MustCompile(`\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}`)
	want := map[string]bool{}
	err := filepath.WalkDir("examples/acme", func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		for _, m := range ref.FindAllSubmatch(b, -1) {
			want[string(m[1])] = true
		}
		return err
	})
	if err != nil || len(want) < 3 {
		t.Fatalf("the example's ${env:} secrets: %v (%v)", slices.Sorted(maps.Keys(want)), err)
	}
	raw, err := os.ReadFile("examples/ci/github-deploy.yml")
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Jobs map[string]struct {
			Steps []recipeStep `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(raw, &wf); err != nil {
		t.Fatal(err)
	}
	steps := 0
	for _, j := range wf.Jobs {
		for _, s := range j.Steps {
			if !strings.HasPrefix(s.Uses, "sailsync/") {
				continue
			}
			steps++
			for name := range want {
				if got := s.Env[name]; got != "${{ secrets."+name+" }}" {
					t.Errorf("github-deploy.yml: the sailsync step passes %s as %q, want ${{ secrets.%s }}", name, got, name)
				}
			}
		}
	}
	if steps != 1 {
		t.Errorf("github-deploy.yml: %d sailsync steps, want 1", steps)
	}
	gl, err := os.ReadFile("examples/ci/gitlab-ci.yml")
	if err != nil {
		t.Fatal(err)
	}
	for name := range want {
		if !regexp.MustCompile(`(?m)^#.*\b` + name + `\b`).Match(gl) {
			t.Errorf("gitlab-ci.yml: the CI/CD variables comment does not name %s", name)
		}
	}
}

// TestRecipesPinOneCommit: every recipe gets sailsync from one pinned commit (the GitHub ones
// as sailsync/sailsync@<SHA>, the GitLab one as SAILSYNC_COMMIT), which is a commit of this
// repository whose action.yml declares every input the recipes pass. README "CI" says how to
// point them elsewhere.
func TestRecipesPinOneCommit(t *testing.T) {
	t.Parallel()
	pins := map[string][]string{}
	inputs := map[string]bool{}
	recipes, err := filepath.Glob(filepath.Join("examples", "ci", "github-*.yml"))
	if err != nil || len(recipes) < 3 {
		t.Fatalf("want the three GitHub recipes, found %v (%v)", recipes, err)
	}
	for _, r := range recipes {
		raw, err := os.ReadFile(r)
		if err != nil {
			t.Fatal(err)
		}
		var wf struct {
			Jobs map[string]struct {
				Steps []recipeStep `yaml:"steps"`
			} `yaml:"jobs"`
		}
		if err := yaml.Unmarshal(raw, &wf); err != nil {
			t.Fatal(err)
		}
		for _, j := range wf.Jobs {
			for _, s := range j.Steps {
				if !strings.Contains(s.Uses, "sailsync") {
					continue
				}
				m := pinnedAction.FindStringSubmatch(s.Uses)
				if m == nil {
					t.Errorf("%s: uses %q, want sailsync/sailsync@<40-hex commit SHA>", r, s.Uses)
					continue
				}
				pins[m[1]] = append(pins[m[1]], r)
				for k := range s.With {
					inputs[k] = true
				}
			}
		}
	}
	gl := readGitLabRecipe(t)
	if c := gl.variables["SAILSYNC_COMMIT"]; regexp.MustCompile(`^[0-9a-f]{40}$`).MatchString(c) {
		pins[c] = append(pins[c], "gitlab-ci.yml")
	} else {
		t.Errorf("gitlab-ci.yml: SAILSYNC_COMMIT %q, want a 40-hex commit SHA", c)
	}
	if !strings.Contains(strings.Join(gl.beforeScript, "\n"), `checkout --quiet "$SAILSYNC_COMMIT"`) {
		t.Errorf("gitlab-ci.yml: before_script does not check out $SAILSYNC_COMMIT:\n%s", strings.Join(gl.beforeScript, "\n"))
	}
	if len(pins) != 1 {
		t.Fatalf("the recipes pin %d commits, want one: %v", len(pins), pins)
	}
	for sha := range pins {
		cmd := exec.Command("git", "show", sha+":action.yml")
		cmd.Env = gitEnv()
		raw, err := cmd.Output()
		if err != nil {
			t.Fatalf("the pinned commit %s is not a commit of this repository with an action.yml (a shallow clone? fetch with depth 0): %v", sha, err)
		}
		var a struct {
			Inputs map[string]any `yaml:"inputs"`
		}
		if err := yaml.Unmarshal(raw, &a); err != nil {
			t.Fatal(err)
		}
		for k := range inputs {
			if _, ok := a.Inputs[k]; !ok {
				t.Errorf("the recipes pass input %q, which the action at %s does not declare", k, sha)
			}
		}
	}
}

// TestShallowCloneSaysFetchHistory: --base and --changed-since naming a revision a shallow
// clone (CI's default checkout) does not have say that the clone is shallow and how to fetch
// the history; in a full clone the same revision works.
func TestShallowCloneSaysFetchHistory(t *testing.T) {
	w := newRecipeWorld(t)
	runGit(t, w.dev, "tag", "deployed")
	runGit(t, w.dev, "push", "-q", "origin", "deployed")
	w.edit("sailsync/sources/hr-database.yaml", "deleteThreshold: 10", "deleteThreshold: 12")
	w.commit("a second commit")
	shallow := filepath.Join(w.checkout("main", 1), "sailsync")
	full := filepath.Join(w.checkout("main", 0), "sailsync")
	for _, flags := range [][]string{{"--base", "deployed"}, {"--changed-since", "HEAD~1"}} {
		args := append([]string{"plan", shallow, "--emulator"}, flags...)
		_, stderr, code := runCLI(t, "", args...)
		if code != exitFailure || !strings.Contains(stderr, "the clone is shallow") || !strings.Contains(stderr, "fetch-depth: 0") {
			t.Errorf("%v in a shallow clone: exit %d, want 1 saying the clone is shallow and fetch-depth: 0:\n%s", flags, code, stderr)
		}
		args[1] = full
		if _, stderr, code := runCLI(t, "", args...); code != exitChanges {
			t.Errorf("%v in a full clone: exit %d, want 2:\n%s", flags, code, stderr)
		}
	}
}
