package cli

import (
	"bufio"
	"errors"
	"fmt"
	"strings"

	"github.com/sailsync/sailsync/diff"
	isync "github.com/sailsync/sailsync/sync"
)

// confirmDeletes asks for the separate consent a plan with deletes needs: deleting a source
// removes its accounts in the tenant. --allow-delete gives it; without it a person at a
// terminal must type "delete", and without a terminal the apply is refused before any write.
func (opts *applyOptions) confirmDeletes(plan *diff.Plan) (isync.DeleteConsent, error) {
	n := isync.PlanDeletes(plan)
	if n == 0 {
		return isync.DeletesNotAgreed, nil
	}
	if opts.AllowDelete {
		return isync.DeletesAllowed, nil
	}
	if !opts.interactive {
		return isync.DeletesNotAgreed, fmt.Errorf("refusing to delete without confirmation: the plan deletes %s and there is no terminal to ask on; pass --allow-delete (besides --auto-approve): nothing was sent",
			plural(n, "object"))
	}
	fmt.Fprintf(opts.stderr, "\nThe plan DELETES %s from tenant %s:\n", plural(n, "object"), plan.Tenant)
	for _, c := range plan.Changes {
		if c.Action != diff.ActionDelete {
			continue
		}
		what := fmt.Sprintf("%s %q", c.Kind, c.Name)
		if c.Source != "" {
			what += fmt.Sprintf(" of source %q", c.Source)
		}
		fmt.Fprintf(opts.stderr, "  - %s\n", sanitizeLine(what))
	}
	fmt.Fprint(opts.stderr, "Deleting a source removes its accounts. Only 'delete' is accepted: ")
	if opts.answer() != "delete" {
		return isync.DeletesNotAgreed, errors.New("deletes not confirmed: nothing was sent")
	}
	return isync.DeletesConfirmed, nil
}

// sanitizeLine keeps a name from a repository on one line of a terminal: control characters
// (a newline, an escape sequence) are shown quoted instead of acting.
func sanitizeLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}

// answer reads one line from stdin, trimmed. One reader serves every prompt of an apply, so that
// the second prompt's answer is not lost in the first one's buffer.
func (opts *applyOptions) answer() string {
	if opts.in == nil {
		opts.in = bufio.NewReader(opts.stdin)
	}
	line, _ := opts.in.ReadString('\n')
	return strings.TrimSpace(line)
}
