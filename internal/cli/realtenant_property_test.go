package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/value"
)

// realTenantSources is the size of the property test's tenants: over 200 sources, 20 or more of
// every connector family.
const realTenantSources = 205

// TestRealTenantProperty: for tenants generated from a real tenant's
// shapes (emulator.RealisticTenant, a seed per case so that a failure reproduces, under each way
// the tenant may return secrets and stamp its own writes), export writes a repository that
// validate accepts (exit 0, warnings allowed), whose plan is "No changes" with the deploy's
// secrets unset (the pull-request job) and set (the deploy job); after a platform tick, which
// rewrites every source's runtime state, drift exits 0; after one admin change of a description
// through the API (PUT or PATCH), drift exits 2 and names that field of that source only.
func TestRealTenantProperty(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		seed   uint64
		opts   emulator.Options
		method string
	}{
		{"seed 1", 1, emulator.Options{}, http.MethodPut},
		{"seed 2, acp, tick stamps modified", 2, emulator.Options{CipherFormat: emulator.CipherACP, TickStampsModified: true}, http.MethodPatch},
		{"seed 3, bare, listed only", 3, emulator.Options{CipherFormat: emulator.CipherBare, EncryptListedOnly: true}, http.MethodPut},
		{"seed 4, listed only, tick stamps modified", 4, emulator.Options{EncryptListedOnly: true, TickStampsModified: true}, http.MethodPatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cleanEnv(t)
			opts := tc.opts
			opts.Seed = emulator.RealisticTenant(realTenantSources, tc.seed)
			emu, base := startTenantWith(t, opts)
			if n := len(emu.Sources()); n != realTenantSources {
				t.Fatalf("the tenant holds %d sources, want %d", n, realTenantSources)
			}

			dir := t.TempDir()
			stdout, stderr, code := runCLI(t, "", "export", dir)
			if code != exitOK {
				t.Fatalf("export: exit %d\nstderr: %s", code, stderr)
			}
			// Runtime state is the platform's: none of it is written or asked for.
			if strings.Contains(strings.ToUpper(stdout), "DELTATOKEN") {
				t.Errorf("export asks for a delta token from the environment:\n%s", stdout)
			}
			files := exportedFiles(t, dir)
			if len(files) < realTenantSources {
				t.Fatalf("export wrote %d files for %d sources", len(files), realTenantSources)
			}
			var runtime []string
			for _, f := range files {
				b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f)))
				if err != nil {
					t.Fatal(err)
				}
				for _, k := range []string{"DeltaToken:", "cloudCacheUpdate:", "hasFullAggregationCompleted:", "sourceConnected:", "recommendationStatus:", "processing:"} {
					if bytes.Contains(b, []byte(k)) {
						runtime = append(runtime, f+" "+strings.TrimSuffix(k, ":"))
					}
				}
			}
			if len(runtime) > 0 {
				t.Errorf("export writes runtime state, %d times: %s", len(runtime), firstLines(strings.Join(runtime, "\n"), 10))
			}

			if stdout, stderr, code := runCLI(t, "", "validate", dir); code != exitOK {
				t.Errorf("validate: exit %d, want 0 (warnings allowed)\nstdout: %s\nstderr: %s", code, stdout, stderr)
			}
			// The pull-request job plans without the deploy's secrets; the deploy job with them.
			if stdout, stderr, code := runCLI(t, "", "plan", dir); code != exitOK || !strings.Contains(stdout, "No changes") {
				t.Errorf("plan without secrets: exit %d, want 0 and No changes\nstdout: %s\nstderr: %s", code, firstLines(stdout, 60), stderr)
			}
			setExportedEnv(t, stdout)
			if stdout, stderr, code := runCLI(t, "", "plan", dir); code != exitOK || !strings.Contains(stdout, "No changes") {
				t.Errorf("plan with secrets: exit %d, want 0 and No changes\nstdout: %s\nstderr: %s", code, firstLines(stdout, 60), stderr)
			}

			// A platform tick through the emulator's debug endpoint rewrites runtime state only.
			before := emu.Sources()
			if got := postTick(t, base); got != realTenantSources {
				t.Fatalf("the tick rewrote %d sources, want %d", got, realTenantSources)
			}
			if moved := runtimeMoved(before, emu.Sources()); moved == 0 {
				t.Fatal("the tick rewrote no runtime state: the drift check below would prove nothing")
			}
			if stdout, stderr, code := runCLI(t, "", "drift", dir); code != exitOK || !strings.Contains(stdout, "No changes") {
				t.Errorf("drift after a platform tick: exit %d, want 0\nstdout: %s\nstderr: %s", code, firstLines(stdout, 60), stderr)
			}

			// One admin change of one source's description, through the API.
			rng := rand.New(rand.NewPCG(tc.seed, 22))
			target := before[rng.IntN(len(before))]
			adminSetDescription(t, base, emu, tc.method, target.String("id"), "changed by an admin, seed case "+tc.name)
			stdout, stderr, code = runCLI(t, "", "drift", dir, "-o", "json")
			var p diff.Plan
			if err := json.Unmarshal([]byte(stdout), &p); err != nil || code != exitChanges {
				t.Fatalf("drift after an admin change: exit %d (want 2), %v\nstdout: %s\nstderr: %s", code, err, firstLines(stdout, 60), stderr)
			}
			var changed []string
			for _, c := range p.Changes {
				if c.Action == diff.ActionNoChange || c.Action == diff.ActionUnmanaged {
					continue
				}
				for _, f := range c.Fields {
					changed = append(changed, string(c.Kind)+" "+c.Name+" "+string(c.Action)+" "+f.Path)
				}
				if len(c.Fields) == 0 {
					changed = append(changed, string(c.Kind)+" "+c.Name+" "+string(c.Action))
				}
			}
			if want := "Source " + target.String("name") + " update description"; len(changed) != 1 || changed[0] != want {
				t.Errorf("drift after an admin change names %q, want only %q", changed, want)
			}
		})
	}
}

// firstLines keeps a failure's output readable: a plan of 200 sources is long.
func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines[n] = "…"
	}
	return strings.Join(lines, "\n")
}

// postTick plays a platform tick through the emulator's debug endpoint and returns how many
// sources it rewrote.
func postTick(t *testing.T, base string) int {
	t.Helper()
	resp, err := http.Post(base+emulator.DebugTickPath, "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Sources int `json:"sources"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: %d, %v", emulator.DebugTickPath, resp.StatusCode, err)
	}
	return body.Sources
}

// runtimeMoved counts the sources whose runtime state differs between two reads.
func runtimeMoved(before, after []*value.Object) int {
	n := 0
	for i := range before {
		b, a := before[i].Object("connectorAttributes"), after[i].Object("connectorAttributes")
		for _, k := range []string{"since", "cloudCacheUpdate", "userDeltaToken"} {
			bv, _ := b.Get(k)
			av, _ := a.Get(k)
			if bv != av {
				n++
				break
			}
		}
	}
	return n
}

// adminSetDescription changes one source's description as an admin's script would: a full PUT
// of the source as GET returned it, or a JSON Patch of the one field.
func adminSetDescription(t *testing.T, base string, emu *emulator.Emulator, method, id, description string) {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {emu.ClientID()}, "client_secret": {emu.ClientSecret()}}
	resp, err := http.PostForm(base+"/oauth/token", form)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || tok.AccessToken == "" {
		t.Fatalf("token: %d, %v", resp.StatusCode, err)
	}
	call := func(method, ctype string, body []byte) []byte {
		t.Helper()
		req, err := http.NewRequest(method, base+"/v3/sources/"+id, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s /v3/sources/%s: %d %s", method, id, resp.StatusCode, b)
		}
		return b
	}
	switch method {
	case http.MethodPut:
		v, err := value.Decode(call(http.MethodGet, "", nil))
		src, ok := v.(*value.Object)
		if err != nil || !ok {
			t.Fatalf("GET the source: %v", err)
		}
		src.Set("description", description)
		b, err := src.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		call(http.MethodPut, "application/json", b)
	case http.MethodPatch:
		b, err := json.Marshal([]map[string]string{{"op": "replace", "path": "/description", "value": description}})
		if err != nil {
			t.Fatal(err)
		}
		call(http.MethodPatch, "application/json-patch+json", b)
	}
	if s, _ := emu.SourceByName(sourceNameOf(t, emu, id)); s.String("description") != description {
		t.Fatalf("the tenant did not take the admin's description: %q", s.String("description"))
	}
}

func sourceNameOf(t *testing.T, emu *emulator.Emulator, id string) string {
	t.Helper()
	for _, s := range emu.Sources() {
		if s.String("id") == id {
			return s.String("name")
		}
	}
	t.Fatalf("no source %s", id)
	return ""
}
