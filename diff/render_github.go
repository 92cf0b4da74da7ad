package diff

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// RenderGitHub writes GitHub Actions workflow commands: an ::error annotation on the YAML
// position of every violation and a ::notice per object to change, then the summary line. The
// command writes the markdown rendering to $GITHUB_STEP_SUMMARY itself.
func RenderGitHub(w io.Writer, p *Plan) error {
	bw := bufio.NewWriter(w)
	for _, v := range p.Violations {
		msg := fmt.Sprintf("%s %s: live %s, desired %s. %s", objectLabel(v.Kind, v.Name, ""), v.Path,
			formatValue(v.Live), formatValue(v.Desired), v.Rule)
		fmt.Fprintf(bw, "::error file=%s,line=%d,col=%d,title=%s::%s\n",
			ghProperty(v.File), v.Line, v.Col, ghProperty("Immutable field"), ghData(msg))
	}
	for _, c := range p.Changes {
		if c.Action == ActionNoChange || c.Action == ActionViolation {
			continue
		}
		msg := string(c.Action) + " " + objectLabel(c.Kind, c.Name, c.Source)
		// For an update the changed fields are the news; for a create every declared field would be.
		if c.Action == ActionUpdate && len(c.Fields) > 0 {
			paths := make([]string, len(c.Fields))
			for i, f := range c.Fields {
				paths[i] = f.Path
			}
			msg += ": " + strings.Join(paths, ", ")
		}
		if c.Note != "" {
			msg += " (" + c.Note + ")"
		}
		title := "sailsync " + string(c.Action)
		if c.File != "" {
			fmt.Fprintf(bw, "::notice file=%s,line=%d,title=%s::%s\n", ghProperty(c.File), c.Line, ghProperty(title), ghData(msg))
		} else {
			fmt.Fprintf(bw, "::notice title=%s::%s\n", ghProperty(title), ghData(msg))
		}
	}
	if !hasChanges(p) {
		fmt.Fprintln(bw, noChanges)
	} else {
		fmt.Fprintln(bw, summaryLine(p, p.Drift))
	}
	return bw.Flush()
}

// ghData escapes a workflow command's message as the runner expects.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// ghProperty escapes a workflow command's property value (file, title): as data, plus ':' and ','.
func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// GitHubData escapes a workflow command's message; the CLI's own annotations use it too.
func GitHubData(s string) string { return ghData(s) }

// GitHubProperty escapes a workflow command's property value (file, title).
func GitHubProperty(s string) string { return ghProperty(s) }
