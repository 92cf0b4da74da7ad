package isc

import "testing"

func TestScriptName(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"Custom JDBC":              "custom-jdbc",
		"  Acme -- HR  (v2) ":      "acme-hr-v2",
		"ACME_Web.Services":        "acme-web-services",
		"Café Connector":           "caf-connector",
		"123":                      "123",
		"---":                      "",
		"already-a-script-name-42": "already-a-script-name-42",
	}
	for in, want := range tests {
		if got := ScriptName(in); got != want {
			t.Errorf("ScriptName(%q) = %q, want %q", in, got, want)
		}
	}
}
