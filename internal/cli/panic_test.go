package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// TestPanicExitsOne: a command that panics ends with exit status 1, a bug reported on stderr,
// never 2 (what an uncaught panic exits with, and what CI reads as "changes").
func TestPanicExitsOne(t *testing.T) {
	t.Parallel()
	root := &cobra.Command{Use: "sailsync", SilenceUsage: true, SilenceErrors: true}
	root.AddCommand(&cobra.Command{Use: "plan", RunE: func(cmd *cobra.Command, _ []string) error {
		cmd.Println("partial output")
		var m map[string]int
		m["x"] = 1 //lint:ignore SA5000 the panic is the test
		return nil
	}})
	var out, errOut bytes.Buffer
	code := runCmd(context.Background(), root, []string{"plan"}, &deps{lookupEnv: noEnv, stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, now: time.Now})
	if code != exitFailure {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitFailure, errOut.String())
	}
	if !strings.Contains(errOut.String(), "internal error") || !strings.Contains(errOut.String(), "nil map") {
		t.Errorf("stderr lacks the panic:\n%s", errOut.String())
	}
}

// TestResultFile: the result file is emptied when a run starts, so a stale "2" cannot vouch for
// a run that then crashes, and holds the exit status once it ends.
func TestResultFile(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "result")
	if err := os.WriteFile(p, []byte("2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := startResult(p); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); len(b) != 0 {
		t.Fatalf("after start: %q, want empty", b)
	}
	if err := finishResult(p, exitChanges); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "2\n" {
		t.Fatalf("after finish: %q, want 2", b)
	}
	if err := startResult(filepath.Join(p, "not-a-dir", "x")); err == nil || !strings.Contains(err.Error(), EnvResultFile) {
		t.Errorf("an unwritable result file: %v, want an error naming %s", err, EnvResultFile)
	}
}
