package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/config"
	isync "github.com/sailsync/sailsync/sync"
)

// jsonFormat is for programs: one document on stdout per command, errors included.
var jsonFormat = Format{
	Name: "json",
	// A value is a JSON string in the document: encoded, then made safe to print.
	Escape: func(s string) string {
		b, _ := json.Marshal(s) // a string always encodes
		return string(diff.JSONEscape(b))
	},
	Plan: func(w io.Writer, p *diff.Plan, _ diff.TextOptions, _ Summary) error {
		return diff.RenderJSON(w, p)
	},
	Apply: func(w io.Writer, a Applied, _ Summary) error {
		return WriteJSON(w, ApplyJSON{Plan: a.Plan, Report: a.Report, Totals: totalsOf(a.Report), Error: a.Error})
	},
	Failure: func(w io.Writer, f Failure, _ Summary) error {
		doc := FailureJSON{FormatVersion: diff.FormatVersion, Error: f.Err.Error(), Problems: f.Problems}
		if doc.Problems == nil {
			doc.Problems = []Problem{}
		}
		return WriteJSON(w, doc)
	},
	Validation: func(stdout, _ io.Writer, v Validation) error {
		if v.Err != nil {
			return WriteJSON(stdout, ValidateJSON{FormatVersion: diff.FormatVersion, Dir: v.Dir, Error: v.Err.Error(), Problems: []Problem{}})
		}
		rep := ValidateJSON{FormatVersion: diff.FormatVersion, Valid: len(v.Problems) == 0, Dir: v.Dir, Problems: v.Problems, Warnings: v.Warnings}
		if rep.Problems == nil {
			rep.Problems = []Problem{}
		}
		if v.Repo != nil {
			rep.Hash = v.Repo.Hash
			rep.Objects = countsOf(v.Repo)
		}
		return WriteJSON(stdout, rep)
	},
	CarriesErrors: true,
}

// ApplyJSON is the document of `apply --output json`.
type ApplyJSON struct {
	Plan   *diff.Plan    `json:"plan"`
	Report *isync.Report `json:"report,omitempty"`
	// Totals count the report's results by status, as the text report's last line does.
	Totals *ApplyTotals `json:"totals,omitempty"`
	Error  string       `json:"error,omitempty"`
}

// ApplyTotals are the results of an apply by status, and the connection tests that failed.
type ApplyTotals struct {
	Total        int `json:"total"`
	Done         int `json:"done"`
	Failed       int `json:"failed"`
	Skipped      int `json:"skipped"`
	Stale        int `json:"stale"`
	Cancelled    int `json:"cancelled"`
	VerifyFailed int `json:"verify_failed,omitempty"`
}

func totalsOf(rep *isync.Report) *ApplyTotals {
	if rep == nil {
		return nil
	}
	return &ApplyTotals{Total: len(rep.Results), Done: rep.Count(isync.StatusDone), Failed: rep.Count(isync.StatusFailed),
		Skipped: rep.Count(isync.StatusSkipped), Stale: rep.Count(isync.StatusStale), Cancelled: rep.Count(isync.StatusCancelled),
		VerifyFailed: rep.VerifyFailed()}
}

// FailureJSON is the document of a plan, drift or apply that failed before it had a plan: the
// error, and the validation problems when that is what failed.
type FailureJSON struct {
	FormatVersion int       `json:"format_version"`
	Error         string    `json:"error"`
	Problems      []Problem `json:"problems"`
}

// ValidateJSON is the document of `validate --output json`.
type ValidateJSON struct {
	// FormatVersion is the plan's (diff.FormatVersion): one version for every JSON sailsync writes.
	FormatVersion int          `json:"format_version"`
	Valid         bool         `json:"valid"`
	Dir           string       `json:"dir"`
	Error         string       `json:"error,omitempty"`
	Hash          string       `json:"hash,omitempty"`
	Objects       ObjectCounts `json:"objects,omitempty"`
	Problems      []Problem    `json:"problems"`
	// Warnings are what the tenant accepts but the user should hear about (config.Repo.Warnings):
	// never a failure; left out when there is none.
	Warnings []Problem `json:"warnings,omitempty"`
}

// ObjectCounts are the declared objects per kind in ValidateJSON, keyed by countKey
// ("sources"). Derived from the kind table, so a new kind needs no field here; written in the
// table's order, which a plain map would lose.
type ObjectCounts map[string]int

// countsOf counts repo's objects of every declared kind.
func countsOf(repo *config.Repo) ObjectCounts {
	c := ObjectCounts{}
	for _, k := range config.UserKinds() {
		c[countKey(k)] = repo.CountOf(k)
	}
	return c
}

// MarshalJSON writes the counts in the table's order.
func (c ObjectCounts) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for _, k := range config.UserKinds() {
		n, ok := c[countKey(k)]
		if !ok {
			continue
		}
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%q:%d", countKey(k), n)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// countKey is a kind's key in ObjectCounts: lower camel case, plural (EntitlementSchema →
// entitlementSchemas).
func countKey(k config.Kind) string {
	s := string(k)
	return PluralOf(strings.ToLower(s[:1]) + s[1:])
}

// WriteJSON writes v as indented JSON made safe to print (diff.JSONEscape).
func WriteJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(diff.JSONEscape(buf.Bytes()))
	return err
}
