package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/tenanttest"
)

// TestPinRefusals: pin writes a scriptName only for a declared connector that the tenant holds
// under that scriptName and name, into a block mapping of a regular file; otherwise it says why,
// leaves the file as it was and writes nothing to the tenant.
func TestPinRefusals(t *testing.T) {
	t.Parallel()
	cleanEnv(t)
	emu, _ := startTenant(t)
	const decl = "kind: Connector\nname: JDBC\nclassName: sailpoint.connector.JDBCConnector\n"
	for _, tc := range []struct {
		name, file, connector, scriptName string
		code                              int
		want                              string
	}{
		{"pinned", decl, "JDBC", "jdbc", exitOK, "Pinned Connector \"JDBC\" to scriptName \"jdbc\""},
		{"already pinned to it", decl + "scriptName: jdbc\n", "JDBC", "jdbc", exitOK, "already pins"},
		{"pinned to another", decl + "scriptName: jdbc-old\n", "JDBC", "jdbc", exitFailure, "already pins Connector \"JDBC\" to scriptName \"jdbc-old\""},
		{"not declared", decl, "Workday", "jdbc", exitFailure, "declares no Connector \"Workday\""},
		{"another connector's scriptName", decl, "JDBC", "delimited-file", exitFailure, "is called \"Delimited File\", not \"JDBC\""},
		{"no such scriptName", decl, "JDBC", "no-such", exitFailure, "has no connector with scriptName \"no-such\""},
		{"a flow mapping", "{kind: Connector, name: JDBC, className: sailpoint.connector.JDBCConnector}\n", "JDBC", "jdbc", exitFailure, "not a block mapping"},
		{"no flags", decl, "", "", exitFailure, "needs --connector NAME and --script-name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeIdentityRepo(t, tc.file)
			emu.ResetLog()
			args := []string{"pin", dir}
			if tc.connector != "" {
				args = append(args, "--connector", tc.connector, "--script-name", tc.scriptName)
			}
			stdout, stderr, code := runCLI(t, "", args...)
			if code != tc.code || !strings.Contains(stdout+stderr, tc.want) {
				t.Fatalf("exit %d, want %d with %q\nstdout: %s\nstderr: %s", code, tc.code, tc.want, stdout, stderr)
			}
			got, err := os.ReadFile(filepath.Join(dir, "repo.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			want := tc.file
			if tc.name == "pinned" {
				want = "kind: Connector\nscriptName: jdbc\n" + strings.TrimPrefix(decl, "kind: Connector\n")
			}
			if string(got) != want {
				t.Errorf("repo.yaml:\n%s\nwant:\n%s", got, want)
			}
			if w := tenanttest.Writes(emu); len(w) != 0 {
				t.Errorf("pin wrote to the tenant: %v", w)
			}
		})
	}
}
