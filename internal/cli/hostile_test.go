package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/sailsync/sailsync/internal/tenanttest"
	"github.com/sailsync/sailsync/internal/value"
)

// The attacks on output: names, file names and values that try to drive a terminal or to
// put a workflow command into a CI log.

// hostileTenantNames may be anything a tenant returns.
var hostileTenantNames = []string{
	"T x\n::error file=x::INJECTED by a newline",
	"T %0A::error::INJECTED percent-encoded",
	"T esc\x1b[31mred\x1b]8;;https://evil.example\x07link",
	"T bell\x07",
	"T bidi\u202eevil\u2066",
	"T tick`code` ```fence",
	"T pipe|cell|",
	"T <script>alert(1)</script>",
	"T legacy ##[error]INJECTED anywhere",
	"T c1\u009b31m",
	"T cr\rINJECTED overwrite",
}

// hostileRepoNames are names a repository may declare (validate refuses control characters).
var hostileRepoNames = []string{
	"::warning::INJECTED at the start",
	"R %0A::error::INJECTED",
	"R tick`code` ```fence",
	"R pipe|cell|",
	"R <script>alert(1)</script>",
	"R legacy ##[error]INJECTED",
}

// hostileFileName is a repository file name with a newline, a workflow command, ESC, BEL and a
// bidi override.
const hostileFileName = "src\n::error file=x::INJECTED\x1b[2J\x07\u202eevil.yaml"

// injectedLine matches a line that a hostile value started: what follows a newline in the corpus.
var injectedLine = regexp.MustCompile(`^\s*(::[a-z-]+( [^:]*)?::INJECTED|INJECTED)`)

// assertSafeOutput holds one output of a command to §4: no raw control character but the line
// break, no bidi or C1 control, no legacy `##[` command, no line begun by a hostile value.
func assertSafeOutput(t *testing.T, what, out string) {
	t.Helper()
	for i := 0; i < len(out); {
		r, n := utf8.DecodeRuneInString(out[i:])
		bidi := r == 0x061c || r == 0x200e || r == 0x200f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
		if r != '\n' && (unicode.IsControl(r) || bidi || r == 0x2028 || r == 0x2029 || r == utf8.RuneError && n == 1) {
			t.Errorf("%s: raw %U: %q", what, r, out[max(0, i-40):min(len(out), i+40)])
		}
		i += n
	}
	if strings.Contains(out, "##[") {
		t.Errorf("%s: a legacy workflow command `##[`", what)
	}
	for _, line := range strings.Split(out, "\n") {
		if injectedLine.MatchString(line) {
			t.Errorf("%s: a line begun by a hostile value: %q", what, line)
		}
	}
}

// hostileRepo is the Acme example plus a file with a hostile name declaring sources with hostile
// names.
func hostileRepo(t *testing.T) string {
	t.Helper()
	dir := tenanttest.CopyDir(t, "examples/acme")
	var b strings.Builder
	for _, n := range hostileRepoNames {
		b.WriteString("---\nkind: Source\nname: " + strconv.Quote(n) +
			"\nowner: {type: IDENTITY, id: 2c91808568c529c60168cca6f90c1313, name: Amelia Ortiz}\nconnector: active-directory\n")
	}
	if err := os.WriteFile(filepath.Join(dir, "sources", hostileFileName), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestHostileNamesInEveryOutput runs plan, drift and apply in every output format (and the step
// summary) against a tenant holding sources with hostile names and a hostile field value, with a
// repository whose file name and source names are hostile.
func TestHostileNamesInEveryOutput(t *testing.T) {
	t.Parallel()
	emu := applyTenant(t)
	for _, n := range hostileTenantNames {
		obj := value.FromPlain(map[string]any{
			"name": n, "description": n, "connector": "active-directory",
			"owner": map[string]any{"type": "IDENTITY", "id": "2c91808568c529c60168cca6f90c1313", "name": n},
		})
		if _, err := emu.AddSource(obj.(*value.Object)); err != nil {
			t.Fatal(err)
		}
	}
	if err := emu.UpdateSource("Corporate Directory", func(o *value.Object) { o.Set("description", strings.Join(hostileTenantNames, " ")) }); err != nil {
		t.Fatal(err)
	}
	dir := hostileRepo(t)
	summary := filepath.Join(t.TempDir(), "summary.md")
	setEnv(t, "GITHUB_STEP_SUMMARY", summary)
	runs := [][]string{}
	for _, o := range []string{"text", "json", "markdown", "github"} {
		runs = append(runs, []string{"plan", dir, "-o", o}, []string{"drift", dir, "-o", o})
	}
	for _, o := range []string{"text", "json", "markdown", "github"} {
		runs = append(runs, []string{"apply", dir, "--auto-approve", "-o", o})
	}
	for _, args := range runs {
		stdout, stderr, code := runCLI(t, "", args...)
		what := strings.Join(args[:1], " ") + " " + strings.Join(args[2:4], " ")
		if code == 1 && args[0] != "apply" {
			t.Errorf("%s: exit 1: %s", what, stderr)
		}
		assertSafeOutput(t, what+" stdout", stdout)
		assertSafeOutput(t, what+" stderr", stderr)
		if args[0] == "plan" && args[3] == "text" && !strings.Contains(stdout, `+ create Source "R pipe|cell|"`) {
			t.Errorf("%s: the hostile repository's sources are not in the plan:\n%s", what, stdout)
		}
		if args[0] == "apply" && args[4] == "text" && (code != 0 || !strings.Contains(stdout, `done      Source "R legacy ##\x5berror]INJECTED" (create)`)) {
			t.Errorf("%s: exit %d, the report does not list the hostile sources as done:\n%s", what, code, stdout)
		}
	}
	got, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(got), "sailsync apply") {
		t.Fatalf("the step summary has no apply report:\n%s", got)
	}
	assertSafeOutput(t, "step summary", string(got))
}

// TestHostileFileNameInValidate: a repository file with a hostile name holding an invalid object
// is reported by validate in every format, and by plan (text, json, github and its step
// summary), without a raw character or an injected line.
func TestHostileFileNameInValidate(t *testing.T) {
	t.Parallel()
	cleanEnv(t)
	setSecrets(t)
	dir := t.TempDir()
	bad := "kind: Source\nname: \"##[error]INJECTED\"\nowner: {type: IDENTITY, id: x}\nconnector: x\ndeleteThreshold: 250\ndescripton: x\n"
	if err := os.WriteFile(filepath.Join(dir, hostileFileName), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, o := range []string{"text", "json", "github"} {
		stdout, stderr, code := validateOutput(t, dir, o)
		if code != 1 || stdout == "" {
			t.Errorf("validate -o %s: exit %d, stdout %q", o, code, stdout)
		}
		assertSafeOutput(t, "validate "+o+" stdout", stdout)
		assertSafeOutput(t, "validate "+o+" stderr", stderr)
	}
	summary := filepath.Join(t.TempDir(), "summary.md")
	setEnv(t, "GITHUB_STEP_SUMMARY", summary)
	for _, o := range []string{"text", "json", "markdown", "github"} {
		stdout, stderr, code := runCLI(t, "", "plan", dir, "--emulator", "-o", o)
		if code != 1 {
			t.Errorf("plan -o %s: exit %d", o, code)
		}
		assertSafeOutput(t, "plan "+o+" stdout", stdout)
		assertSafeOutput(t, "plan "+o+" stderr", stderr)
	}
	got, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	assertSafeOutput(t, "step summary", string(got))
}
