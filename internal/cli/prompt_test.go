package cli

import (
	"strings"
	"testing"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/config"
	isync "github.com/sailsync/sailsync/sync"
)

// TestConfirmDeletes: the consent to a plan's deletes is the value confirmDeletes returns, from
// --allow-delete or the answer at the prompt, and the run's options are left as given.
func TestConfirmDeletes(t *testing.T) {
	deletes := &diff.Plan{Tenant: "acme", Changes: []diff.Change{
		{Kind: config.KindSource, Name: "Legacy\x1b[2J Mainframe", Action: diff.ActionDelete},
		{Kind: config.KindSource, Name: "HR", Action: diff.ActionUpdate},
	}}
	none := &diff.Plan{Tenant: "acme", Changes: []diff.Change{{Kind: config.KindSource, Name: "HR", Action: diff.ActionUpdate}}}
	for _, tc := range []struct {
		name       string
		plan       *diff.Plan
		allow, tty bool
		answer     string
		want       isync.DeleteConsent
		wantErr    string
		wantPrompt bool
	}{
		{name: "no deletes", plan: none, want: isync.DeletesNotAgreed},
		{name: "--allow-delete", plan: deletes, allow: true, want: isync.DeletesAllowed},
		{name: "--allow-delete at a terminal", plan: deletes, allow: true, tty: true, want: isync.DeletesAllowed},
		{name: "typed delete", plan: deletes, tty: true, answer: "delete\n", want: isync.DeletesConfirmed, wantPrompt: true},
		{name: "typed yes", plan: deletes, tty: true, answer: "yes\n", wantErr: "deletes not confirmed: nothing was sent", wantPrompt: true},
		{name: "no answer", plan: deletes, tty: true, wantErr: "deletes not confirmed", wantPrompt: true},
		{name: "no terminal", plan: deletes, wantErr: "the plan deletes 1 object and there is no terminal to ask on; pass --allow-delete"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr strings.Builder
			opts := &applyOptions{AllowDelete: tc.allow, interactive: tc.tty, stdin: strings.NewReader(tc.answer), stderr: &stderr}
			got, err := opts.confirmDeletes(tc.plan)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("consent %d, want %d", got, tc.want)
			}
			if opts.AllowDelete != tc.allow {
				t.Errorf("confirmDeletes changed --allow-delete to %v", opts.AllowDelete)
			}
			prompt := stderr.String()
			if asked := strings.Contains(prompt, "The plan DELETES 1 object from tenant acme"); asked != tc.wantPrompt {
				t.Errorf("prompt shown %v, want %v: %q", asked, tc.wantPrompt, prompt)
			}
			if tc.wantPrompt && (!strings.Contains(prompt, `- Source "Legacy\x1b[2J Mainframe"`) || strings.Contains(prompt, "HR")) {
				t.Errorf("the prompt does not list exactly the delete, the name quoted: %q", prompt)
			}
		})
	}
}
