package cli

import (
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/tenanttest"
)

// TestPlanReadExport: plan --read export shows the plan a per-object read shows, says how the
// tenant was read, and writes nothing (the job's start is a read); where the export fails, the
// note says so and the plan is still the same; a wrong --read is refused before any request.
func TestPlanReadExport(t *testing.T) {
	t.Parallel()
	cleanEnv(t)
	setSecrets(t)
	for _, tc := range []struct {
		name string
		opts emulator.Options
		note string
	}{
		{"complete", emulator.Options{ExportPolls: 1}, "Note: Read: the schemas of 1 source from one configuration export (3 requests)."},
		{"no scope", emulator.Options{Export: emulator.ExportForbidden}, "Note: Read: the configuration export gave nothing (start export: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			emu, _ := startTenantWith(t, tc.opts)
			want, _, code := runCLI(t, "", "plan", "examples/acme", "--read", "per-object")
			if code != exitChanges {
				t.Fatalf("per-object plan: exit %d\n%s", code, want)
			}
			emu.ResetLog()
			got, stderr, code := runCLI(t, "", "plan", "examples/acme", "--read", "export")
			if code != exitChanges {
				t.Fatalf("plan --read export: exit %d\n%s%s", code, got, stderr)
			}
			if !strings.Contains(got, "Read: ") || !strings.Contains(got, tc.note) {
				t.Errorf("the plan does not say how the tenant was read (%q):\n%s", tc.note, got)
			}
			if w := tenanttest.Writes(emu); len(w) != 0 {
				t.Errorf("plan wrote %v", w)
			}
			// The note is the only difference (with the blank line after the notes).
			i := strings.Index(got, "Note: Read: ")
			j := strings.Index(got[i:], "\n\n")
			if rest := got[:i] + got[i+j+2:]; rest != want {
				t.Errorf("the plan differs from the per-object one:\n%s\nwant:\n%s", rest, want)
			}
		})
	}
	t.Run("a wrong --read", func(t *testing.T) {
		_, stderr, code := runCLI(t, "", "plan", "examples/acme", "--emulator", "--read", "bulk")
		if code != exitFailure || !strings.Contains(stderr, "--read must be auto, per-object or export, not \"bulk\"") {
			t.Errorf("exit %d\n%s", code, stderr)
		}
	})
}
