package diff

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/sailsync/sailsync/ghcmd"
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
			ghcmd.Property(v.File), v.Line, v.Col, ghcmd.Property("Immutable field"), ghcmd.Data(msg))
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
			fmt.Fprintf(bw, "::notice file=%s,line=%d,title=%s::%s\n", ghcmd.Property(c.File), c.Line, ghcmd.Property(title), ghcmd.Data(msg))
		} else {
			fmt.Fprintf(bw, "::notice title=%s::%s\n", ghcmd.Property(title), ghcmd.Data(msg))
		}
	}
	if p.Tenant != "" {
		fmt.Fprintf(bw, "Tenant: %s\n", ghcmd.Data(p.Tenant))
	}
	if !p.HasChanges() {
		fmt.Fprintln(bw, noChanges)
	} else {
		fmt.Fprintln(bw, summaryLine(p, p.Drift))
	}
	return bw.Flush()
}
