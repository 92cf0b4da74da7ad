package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/emulator"
)

// TestEmulatorCommand starts `sailsync emulator` by hand (on a free port), points the
// environment at it from the lines it prints, exports the tenant and validates the export, then
// stops it through its context.
func TestEmulatorCommand(t *testing.T) {
	cleanEnv(t)
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		err := runEmulator(ctx, &emulatorOptions{Addr: "127.0.0.1:0", stdout: pw, stderr: &stderr})
		pw.CloseWithError(io.EOF)
		done <- err
	}()

	// The five lines are printed once the listener is up; reading them is the synchronisation.
	env := map[string]string{}
	var printed []string
	sc := bufio.NewScanner(pr)
	for len(printed) < 5 && sc.Scan() {
		line := sc.Text()
		printed = append(printed, line)
		if rest, ok := strings.CutPrefix(line, "export "); ok {
			k, v, _ := strings.Cut(rest, "=")
			env[k] = v
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if len(printed) < 5 {
		cancel()
		t.Fatalf("emulator printed %q, then: %v", printed, <-done)
	}
	if !strings.HasPrefix(env["SAIL_BASE_URL"], "http://127.0.0.1:") || strings.HasSuffix(env["SAIL_BASE_URL"], ":0") {
		t.Errorf("SAIL_BASE_URL %q is not the listening address", env["SAIL_BASE_URL"])
	}
	if env["SAIL_CLIENT_ID"] != emulator.DefaultClientID || env["SAIL_CLIENT_SECRET"] != emulator.DefaultClientSecret {
		t.Errorf("printed credentials %q / %q", env["SAIL_CLIENT_ID"], env["SAIL_CLIENT_SECRET"])
	}
	if !strings.Contains(printed[0], "Acme example tenant") || !strings.Contains(printed[4], "Ctrl-C") {
		t.Errorf("header or footer missing: %q", printed)
	}
	for k, v := range env {
		t.Setenv(k, v)
	}

	dir := t.TempDir()
	stdout, errOut, code := runCLI(t, "", "export", dir, fastRate)
	if code != exitOK || !strings.Contains(stdout, "wrote") {
		t.Fatalf("export against the emulator command: exit %d\nstdout: %s\nstderr: %s", code, stdout, errOut)
	}
	if _, errOut, code := runCLI(t, "", "validate", dir); code != exitOK || !strings.Contains(errOut, "valid: 0 connectors, 3 sources, 1 entitlement schema") {
		t.Errorf("validate of the export: exit %d: %s", code, errOut)
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("runEmulator after cancel: %v", err)
	}
	if !strings.Contains(stderr.String(), "emulator stopped") {
		t.Errorf("stderr: %q", stderr.String())
	}
	// Stopped means stopped: the address no longer accepts connections.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := client.Get(env["SAIL_BASE_URL"] + "/v3/sources"); err == nil {
		resp.Body.Close()
		t.Errorf("the emulator still answers after stopping: %s", resp.Status)
	}
}

// TestEmulatorCommandErrors: bad flags are errors before anything listens.
func TestEmulatorCommandErrors(t *testing.T) {
	cleanEnv(t)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"missing seed", []string{"emulator", "--addr", "127.0.0.1:0", "--seed", "does/not/exist"}, "--seed"},
		{"seed is a file", []string{"emulator", "--addr", "127.0.0.1:0", "--seed", "main.go"}, "not a directory"},
		{"negative rate limit", []string{"emulator", "--addr", "127.0.0.1:0", "--rate-limit", "-1"}, "--rate-limit"},
		{"bad address", []string{"emulator", "--addr", "127.0.0.1:99999"}, "emulator"},
		{"arguments", []string{"emulator", "extra"}, "unknown command"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runCLI(t, "", tc.args...)
			if code != exitFailure || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want 1 mentioning %q", code, stderr, tc.want)
			}
		})
	}
}
