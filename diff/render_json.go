package diff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// RenderJSON writes the plan as pure JSON (the same document `plan --out` saves): format_version,
// repo_hash, changes[], violations[], summary, notes and api_calls.
//
// changes[] lists every declared object, those with action "no-change" included, so that a
// machine can tell "checked and equal" from "not declared"; consumers showing changes filter on
// action. Secrets appear only as "(sensitive)" with sensitive: true.
//
// The document passes JSONEscape, so that it is safe to print in a CI log.
func RenderJSON(w io.Writer, p *Plan) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p); err != nil {
		return fmt.Errorf("encode plan: %w", err)
	}
	_, err := w.Write(JSONEscape(buf.Bytes()))
	return err
}
