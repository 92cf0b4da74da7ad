package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/redact"
)

// The plan file: what `plan --out` writes and `apply --plan` reads back.

// MaxPlanFileSize caps a plan file: a plan carries every operation's body (about 2 KB per
// changed source), so 64 MiB holds some 30,000 changes while a hostile file cannot exhaust
// memory.
const MaxPlanFileSize = 64 << 20

// planFile is the document `plan --out` writes: the plan, and the options it was computed with
// that apply must honour to send exactly what the plan showed.
type planFile struct {
	*diff.Plan
	// RotateSecrets records plan --rotate-secrets: only with it does the plan show the secrets of
	// existing sources as updates, and only then may apply send them.
	RotateSecrets bool `json:"rotate_secrets,omitempty"`
}

// writePlanFile saves the plan for `apply --plan`. The plan holds no secret values (sensitive
// fields are masked when the plan is computed), only fingerprints of the live objects.
func writePlanFile(path string, pf planFile, red *redact.Set) error {
	b, err := json.MarshalIndent(pf, "", "  ")
	if err != nil {
		return fmt.Errorf("plan file: %w", err)
	}
	// A tenant that returns a secret in plain text in some field does not get it into the file,
	// and a hostile name cannot drive the terminal or CI log the file is printed in.
	b = diff.JSONEscape([]byte(red.String(string(b))))
	if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("plan file: %w", err)
	}
	return nil
}

// readPlanFile loads a plan written by writePlanFile.
func readPlanFile(path string) (planFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return planFile{}, fmt.Errorf("plan file: %w", err)
	}
	defer f.Close()
	// Read at most one byte past the cap, so an oversized file is refused without reading it.
	b, err := io.ReadAll(io.LimitReader(f, MaxPlanFileSize+1))
	if err != nil {
		return planFile{}, fmt.Errorf("plan file: %w", err)
	}
	if len(b) > MaxPlanFileSize {
		return planFile{}, fmt.Errorf("plan file %s is larger than %d MiB, more than any plan sailsync writes: refused", path, MaxPlanFileSize>>20)
	}
	pf := planFile{Plan: &diff.Plan{}}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	if err := dec.Decode(&pf); err != nil {
		return planFile{}, fmt.Errorf("plan file %s: %w", path, err)
	}
	if dec.More() {
		return planFile{}, fmt.Errorf("plan file %s: data after the plan", path)
	}
	if pf.FormatVersion != diff.FormatVersion {
		return planFile{}, fmt.Errorf("plan file %s: format_version %d, this sailsync reads %d", path, pf.FormatVersion, diff.FormatVersion)
	}
	if pf.Tenant == "" {
		return planFile{}, fmt.Errorf("plan file %s names no tenant, so it cannot be checked against the one apply talks to: run plan again", path)
	}
	return pf, nil
}
