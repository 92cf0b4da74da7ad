package cli

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestFormatVersion(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		bi   debug.BuildInfo
		want string
	}{
		{debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "c7e8f94a1b2c3d4e5f60718293a4b5c6d7e8f901"}, {Key: "vcs.modified", Value: "false"}}},
			"sailsync v1.2.3 (commit c7e8f94a1b2c, go1.26.8)"},
		{debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "c7e8f94"}, {Key: "vcs.modified", Value: "true"}}},
			"sailsync (devel) (commit c7e8f94+modified, go1.26.8)"},
		{debug.BuildInfo{GoVersion: "go1.26.8"}, "sailsync (devel) (commit unknown, go1.26.8)"},
	} {
		if got := formatVersion(&tc.bi); got != tc.want {
			t.Errorf("formatVersion = %q, want %q", got, tc.want)
		}
	}
}

// TestVersionCommand: `sailsync version` and `sailsync --version` print the same one line.
func TestVersionCommand(t *testing.T) {
	t.Parallel()
	a, _, code := runCLI(t, "", "version")
	b, _, code2 := runCLI(t, "", "--version")
	if code != exitOK || code2 != 0 || a != b || !strings.HasPrefix(a, "sailsync ") || strings.Count(a, "\n") != 1 {
		t.Errorf("version: %q (exit %d); --version: %q (exit %d)", a, code, b, code2)
	}
}

// TestHelpPlaceholders: the file flags' placeholder is FILE, not the text cobra took from
// backquotes.
func TestHelpPlaceholders(t *testing.T) {
	t.Parallel()
	for cmd, want := range map[string]string{"plan": "--out FILE", "apply": "--plan FILE"} {
		out, _, _ := runCLI(t, "", cmd, "--help")
		if !strings.Contains(out, want+" ") {
			t.Errorf("%s --help does not show %q:\n%s", cmd, want, out)
		}
	}
}

// TestNoColorEmpty: only a non-empty NO_COLOR turns colour off (no-color.org).
func TestNoColorEmpty(t *testing.T) {
	t.Parallel()
	setEnv(t, "NO_COLOR", "")
	if v, ok := envOf(t)["NO_COLOR"]; !ok || v != "" {
		t.Fatal("setup")
	}
	// useColor also needs a terminal, which a test lacks: check the rule on its own.
	if testDeps(t, nil, nil, nil).noColor() {
		t.Error("an empty NO_COLOR disabled colour")
	}
	setEnv(t, "NO_COLOR", "1")
	if !testDeps(t, nil, nil, nil).noColor() {
		t.Error("NO_COLOR=1 left colour on")
	}
}
