package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/tenanttest"
)

// unmanagedID is the id of "Legacy Mainframe", a source of the example tenant that the example
// repository does not declare: the target of a forged plan.
const unmanagedID = "2c9180875f0e6b7c015f0f2a1c3d5e6f"

// change finds the entry for kind/name in a decoded plan file.
func change(t *testing.T, doc map[string]any, key string) map[string]any {
	t.Helper()
	for _, c := range doc["changes"].([]any) {
		m := c.(map[string]any)
		k := m["kind"].(string) + "/" + m["name"].(string)
		if s, _ := m["source"].(string); s != "" {
			k = m["kind"].(string) + "/" + s + "/" + m["name"].(string)
		}
		if k == key {
			return m
		}
	}
	t.Fatalf("no change %s in the plan file", key)
	return nil
}

// TestApplyPlanFileTampering edits a saved plan as an attacker with a text editor would. Every
// edit is refused before any write, naming what is wrong; the tenant is left as it was.
func TestApplyPlanFileTampering(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		dir    string
		flags  []string
		tamper func(t *testing.T, doc map[string]any)
		want   string
	}{
		{name: "forged live_id", tamper: func(t *testing.T, doc map[string]any) {
			change(t, doc, "Source/Corporate Directory")["live_id"] = unmanagedID
		}, want: "not what the repository and the tenant imply now"},
		{name: "forged fingerprint", tamper: func(t *testing.T, doc map[string]any) {
			change(t, doc, "Source/Corporate Directory")["fingerprint"].(map[string]any)["hash"] = strings.Repeat("0", 64)
		}, want: "not what the repository and the tenant imply now"},
		{name: "forged action", tamper: func(t *testing.T, doc map[string]any) {
			c := change(t, doc, "Source/Acme HR Cloud")
			c["action"], c["live_id"] = "update", unmanagedID
		}, want: "not what the repository and the tenant imply now"},
		{name: "forged body", tamper: func(t *testing.T, doc map[string]any) {
			change(t, doc, "Source/Corporate Directory")["op"].(map[string]any)["body"].(map[string]any)["description"] = "owned"
		}, want: "not what the repository and the tenant imply now"},
		{name: "secret added to an operation", tamper: func(t *testing.T, doc map[string]any) {
			op := change(t, doc, "Source/Corporate Directory")["op"].(map[string]any)
			op["secrets"] = []any{"connectorAttributes.password"}
		}, want: "not what the repository and the tenant imply now"},
		{name: "duplicated entry", tamper: func(t *testing.T, doc map[string]any) {
			doc["changes"] = append(doc["changes"].([]any), change(t, doc, "Source/Acme HR Cloud"))
		}, want: "a second entry for the same object"},
		{name: "change for an undeclared object", tamper: func(t *testing.T, doc map[string]any) {
			ghost := map[string]any{}
			for k, v := range change(t, doc, "Source/Acme HR Cloud") {
				ghost[k] = v
			}
			ghost["name"] = "Ghost"
			doc["changes"] = append(doc["changes"].([]any), ghost)
		}, want: "the repository declares no such object"},
		{name: "rotate_secrets flipped", tamper: func(t *testing.T, doc map[string]any) {
			doc["rotate_secrets"] = true
		}, want: "--rotate-secrets"},
		{name: "rotate_secrets flipped and given", flags: []string{"--rotate-secrets"}, tamper: func(t *testing.T, doc map[string]any) {
			doc["rotate_secrets"] = true
		}, want: "not what the repository and the tenant imply now"},
		{name: "removed violation", dir: "examples/acme-immutable", tamper: func(t *testing.T, doc map[string]any) {
			doc["violations"] = []any{}
			c := change(t, doc, "Source/Corporate Directory")
			c["action"] = "update"
		}, want: "violations"},
		{name: "forged delete", tamper: func(t *testing.T, doc map[string]any) {
			// A transform the repository keeps, turned into a delete of the live object.
			c := change(t, doc, "Transform/Lowercase Email")
			c["action"], c["op"] = "delete", map[string]any{}
		}, flags: []string{"--allow-delete"}, want: "not what the repository and the tenant imply now"},
		{name: "unknown field", tamper: func(t *testing.T, doc map[string]any) {
			doc["apply_anyway"] = true
		}, want: "unknown field"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			emu := applyTenant(t)
			dir := tc.dir
			if dir == "" {
				dir = "examples/acme"
			}
			file := filepath.Join(t.TempDir(), "plan.json")
			if _, stderr, code := runCLI(t, "", "plan", dir, "--out", file); code != 2 && code != 1 {
				t.Fatalf("plan: exit %d: %s", code, stderr)
			}
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			if err := json.Unmarshal(b, &doc); err != nil {
				t.Fatal(err)
			}
			tc.tamper(t, doc)
			if b, err = json.Marshal(doc); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, b, 0o600); err != nil {
				t.Fatal(err)
			}
			emu.ResetLog()
			args := append([]string{"apply", dir, "--plan", file, "--auto-approve"}, tc.flags...)
			stdout, stderr, code := runCLI(t, "", args...)
			if code != 1 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, want 1 with %q\nstdout: %s\nstderr: %s", code, tc.want, stdout, stderr)
			}
			if w := tenanttest.Writes(emu); len(w) != 0 {
				t.Errorf("a tampered plan sent %v", w)
			}
			if got := description(t, emu, "Legacy Mainframe"); got == declaredDescription {
				t.Error("the unmanaged source was overwritten")
			}
		})
	}
}

// TestApplyPlanFileOversized: a plan file above MaxPlanFileSize is refused unread (decoding
// holds several times the file in memory), and nothing reaches the tenant.
func TestApplyPlanFileOversized(t *testing.T) {
	t.Parallel()
	emu := applyTenant(t)
	file := filepath.Join(t.TempDir(), "plan.json")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	// Sparse: the size is what counts, not the bytes written.
	if err := f.Truncate(MaxPlanFileSize + 1); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := runCLI(t, "", "apply", "examples/acme", "--plan", file, "--auto-approve")
	if code != 1 || !strings.Contains(stderr, "larger than 64 MiB") {
		t.Errorf("exit %d, stderr %s", code, stderr)
	}
	if len(emu.Log()) != 0 {
		t.Errorf("requests sent: %v", emu.Log())
	}
}
