package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/tenanttest"
)

// identityRepo declares a RELEASED and a DEVELOPMENT custom connector, each used by a source.
// The second name gives different scriptNames under each rule the emulator plays.
const identityRepo = `kind: Connector
name: Acme HR
className: sailpoint.connector.OpenConnectorAdapter
status: RELEASED
---
kind: Connector
name: Payroll  Sync (EU)
className: sailpoint.connector.OpenConnectorAdapter
status: DEVELOPMENT
---
kind: Source
name: HR Cloud
owner: {type: IDENTITY, id: 2c91808568c529c60168cca6f90c1313, name: Amelia Ortiz}
connector: ${connector:Acme HR}
---
kind: Source
name: Payroll EU
owner: {type: IDENTITY, id: 2c91808568c529c60168cca6f90c1313, name: Amelia Ortiz}
connector: ${connector:Payroll  Sync (EU)}
`

func writeIdentityRepo(t *testing.T, text string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "repo.yaml"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestConnectorIdentityUnderEveryRule: whatever rule the tenant derives scriptNames by, and
// whether it compares names case-insensitively, plan → apply → plan is "No changes", a second
// apply sends no write, and the tenant holds exactly one connector of each name.
func TestConnectorIdentityUnderEveryRule(t *testing.T) {
	t.Parallel()
	for _, rule := range emulator.ScriptNameRules {
		for _, fold := range []bool{false, true} {
			name := string(rule)
			if fold {
				name += "/folded-names"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				cleanEnv(t)
				emu, _ := startTenantWith(t, emulator.Options{ScriptNameRule: rule, FoldConnectorNames: fold})
				dir := writeIdentityRepo(t, identityRepo)
				if _, stderr, code := runCLI(t, "", "plan", dir); code != exitChanges {
					t.Fatalf("first plan: exit %d, want 2\n%s", code, stderr)
				}
				stdout, stderr, code := runCLI(t, "", "apply", dir, "--auto-approve")
				if code != exitOK {
					t.Fatalf("apply: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
				}
				payroll := ""
				for _, c := range emu.Connectors() {
					if c.String("name") == "Payroll  Sync (EU)" {
						payroll = c.String("scriptName")
					}
				}
				// The report names the scriptName the tenant chose, and says to pin the one
				// the listing does not show.
				if !strings.Contains(stdout, `scriptName "`+payroll+`"`) || !strings.Contains(stdout, "pin it with `scriptName: "+payroll+"`") {
					t.Errorf("apply report does not give the new scriptName %q and the pin:\n%s", payroll, stdout)
				}
				stdout, stderr, code = runCLI(t, "", "plan", dir)
				if code != exitOK || !strings.Contains(stdout, "No changes") {
					t.Fatalf("plan after apply: exit %d, want 0 and no changes\nstdout: %s\nstderr: %s", code, stdout, stderr)
				}
				emu.ResetLog()
				if stdout, stderr, code := runCLI(t, "", "apply", dir, "--auto-approve"); code != exitOK {
					t.Fatalf("second apply: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
				}
				if w := tenanttest.Writes(emu); len(w) != 0 {
					t.Errorf("second apply wrote %v", w)
				}
				count := map[string]int{}
				for _, c := range emu.Connectors() {
					count[c.String("name")]++
				}
				if count["Acme HR"] != 1 || count["Payroll  Sync (EU)"] != 1 {
					t.Errorf("connectors by name: %v, want one of each", count)
				}
			})
		}
	}
}

// TestConnectorHiddenFromSailsync: a connector in development that no source uses and no pin
// names cannot be found under an opaque scriptName rule by any documented read. The apply
// journal finds it for the checkout that created it; without the journal (a fresh checkout) the
// create's duplicate-name 400 says what happened and gives the pin command, nothing else is sent
// for it, and after that command the repository is in sync.
func TestConnectorHiddenFromSailsync(t *testing.T) {
	t.Parallel()
	cleanEnv(t)
	emu, _ := startTenantWith(t, emulator.Options{ScriptNameRule: emulator.ScriptNameSuffix})
	hidden := "kind: Connector\nname: Payroll  Sync (EU)\nclassName: sailpoint.connector.OpenConnectorAdapter\nstatus: DEVELOPMENT\n"
	dir := writeIdentityRepo(t, hidden)
	if _, stderr, code := runCLI(t, "", "apply", dir, "--auto-approve"); code != exitOK {
		t.Fatalf("first apply: exit %d\n%s", code, stderr)
	}
	emu.ResetLog()
	// The same checkout: its journal names the connector, and a GET confirms it.
	if stdout, stderr, code := runCLI(t, "", "apply", dir, "--auto-approve"); code != exitOK || !strings.Contains(stdout, "No changes") {
		t.Fatalf("apply with the journal: exit %d, want 0 and No changes\n%s%s", code, stdout, stderr)
	}
	if w := tenanttest.Writes(emu); len(w) != 0 {
		t.Errorf("apply with the journal wrote %v", w)
	}
	// A fresh checkout has no journal.
	if err := os.Remove(testJournal(t)); err != nil {
		t.Fatal(err)
	}
	emu.ResetLog()
	stdout, _, code := runCLI(t, "", "apply", dir, "--auto-approve")
	if code != exitFailure {
		t.Fatalf("apply of a connector that exists unseen: exit %d, want 1\n%s", code, stdout)
	}
	for _, want := range []string{
		"pin it with `scriptName: <its scriptName>` at " + filepath.ToSlash(dir) + "/repo.yaml:1",
		"no apply journal records it",
		"`sailsync pin " + dir + " --connector 'Payroll  Sync (EU)' --script-name <its scriptName>`",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("the failure does not say %q:\n%s", want, stdout)
		}
	}
	if w := tenanttest.Writes(emu); len(w) != 1 || w[0] != "POST /v3/connectors" {
		t.Errorf("writes %v, want the one refused create", w)
	}
	sn := ""
	for _, c := range emu.Connectors() {
		if c.String("name") == "Payroll  Sync (EU)" {
			sn = c.String("scriptName")
		}
	}
	// The command the failure gives adopts it.
	if stdout, stderr, code := runCLI(t, "", "pin", dir, "--connector", "Payroll  Sync (EU)", "--script-name", sn); code != exitOK {
		t.Fatalf("pin: exit %d\n%s%s", code, stdout, stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "repo.yaml")); string(b) != "kind: Connector\nscriptName: "+sn+"\n"+strings.TrimPrefix(hidden, "kind: Connector\n") {
		t.Errorf("pin wrote:\n%s", b)
	}
	if stdout, stderr, code := runCLI(t, "", "plan", dir); code != exitOK || !strings.Contains(stdout, "No changes") {
		t.Fatalf("plan with the pin: exit %d\n%s%s", code, stdout, stderr)
	}
}

// TestPlanReportsMissingConnector: a source to be created on a connector the tenant does not
// have is a plan violation at its connector field (exit 1), not a 400 in apply.
func TestPlanReportsMissingConnector(t *testing.T) {
	t.Parallel()
	cleanEnv(t)
	emu, _ := startTenant(t)
	dir := writeIdentityRepo(t, "kind: Source\nname: Orphan\nowner: {type: IDENTITY, id: 2c91808568c529c60168cca6f90c1313}\nconnector: no-such-connector\n")
	stdout, stderr, code := runCLI(t, "", "plan", dir)
	if code != exitFailure {
		t.Fatalf("exit %d, want 1\n%s%s", code, stdout, stderr)
	}
	if want := filepath.ToSlash(dir) + "/repo.yaml:4:12"; !strings.Contains(stdout, want) || !strings.Contains(stdout, "does not have") {
		t.Errorf("plan does not point at %s with the rule:\n%s", want, stdout)
	}
	if w := tenanttest.Writes(emu); len(w) != 0 {
		t.Errorf("plan wrote %v", w)
	}
}

// TestConnectorIdentityWhenSourcesNameItOtherwise: a tenant whose sources carry the connector's
// type, not its name, in connectorName (the API does not promise either) hides a connector in
// development from the name search. Under a rule the common guess follows, plan still finds it;
// under the others the apply report's advice — pin the scriptName it printed — is enough for
// "No changes", and a second apply then sends nothing.
func TestConnectorIdentityWhenSourcesNameItOtherwise(t *testing.T) {
	t.Parallel()
	for _, rule := range emulator.ScriptNameRules {
		t.Run(string(rule), func(t *testing.T) {
			t.Parallel()
			cleanEnv(t)
			emu, _ := startTenantWith(t, emulator.Options{ScriptNameRule: rule, ConnectorNameIsType: true})
			dir := writeIdentityRepo(t, identityRepo)
			stdout, stderr, code := runCLI(t, "", "apply", dir, "--auto-approve")
			if code != exitOK {
				t.Fatalf("apply: exit %d\n%s%s", code, stdout, stderr)
			}
			payroll := ""
			for _, c := range emu.Connectors() {
				if c.String("name") == "Payroll  Sync (EU)" {
					payroll = c.String("scriptName")
				}
			}
			hint := "pin it with `scriptName: " + payroll + "`"
			if !strings.Contains(stdout, hint) {
				t.Fatalf("the apply report does not say %q:\n%s", hint, stdout)
			}
			if _, _, code := runCLI(t, "", "plan", dir); code != exitOK {
				if rule == emulator.ScriptNameSlug {
					t.Fatalf("plan: exit %d, yet the common guess finds the connector under %s", code, rule)
				}
				// The advice followed: the pin finds it.
				pinned := strings.Replace(identityRepo, "name: Payroll  Sync (EU)\n", "name: Payroll  Sync (EU)\nscriptName: "+payroll+"\n", 1)
				if err := os.WriteFile(filepath.Join(dir, "repo.yaml"), []byte(pinned), 0o644); err != nil {
					t.Fatal(err)
				}
				if stdout, stderr, code := runCLI(t, "", "plan", dir); code != exitOK {
					t.Fatalf("plan with the pin: exit %d\n%s%s", code, stdout, stderr)
				}
			}
			emu.ResetLog()
			if stdout, stderr, code := runCLI(t, "", "apply", dir, "--auto-approve"); code != exitOK {
				t.Fatalf("second apply: exit %d\n%s%s", code, stdout, stderr)
			}
			if w := tenanttest.Writes(emu); len(w) != 0 {
				t.Errorf("second apply wrote %v", w)
			}
		})
	}
}
