package diff

import (
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/tenanttest"
)

// TestConfirm: a saved plan equal to the recomputation applies as it is; a write (a delete too)
// the recomputation holds but the saved plan does not is not sent; keys reordered by an editor are
// still the same change; anything else is refused naming the entry.
func TestConfirm(t *testing.T) {
	t.Parallel()
	fresh, err := Compute(acmeRepo(t, false), acmeLive(t), Options{Env: tenanttest.Env, Tenant: "https://acme.api.identitynow.com"})
	if err != nil {
		t.Fatal(err)
	}
	saved := *fresh
	got, err := Confirm(&saved, fresh)
	if err != nil || len(got.Changes) != len(fresh.Changes) {
		t.Fatalf("an unchanged plan: %v, %d changes of %d", err, len(got.Changes), len(fresh.Changes))
	}

	// The reviewer saw no update of Corporate Directory: it is not sent.
	saved.Changes = nil
	for _, c := range fresh.Changes {
		if c.Key() != "Source/Corporate Directory" {
			saved.Changes = append(saved.Changes, c)
		}
	}
	got, err = Confirm(&saved, fresh)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range got.Changes {
		if c.Key() == "Source/Corporate Directory" {
			t.Error("a write the saved plan does not hold would be sent")
		}
	}
	if got.Summary.Update != fresh.Summary.Update-1 {
		t.Errorf("summary %+v", got.Summary)
	}

	// Deletes are writes like the others: one the saved plan holds, identical, is sent; one the
	// recomputation implies but the reviewer did not see is not; one it does not imply is refused.
	del := Change{Kind: "Transform", Name: "Old", Action: ActionDelete, LiveID: "t-1", Fields: []Field{}, Op: &Operation{}}
	withDelete := *fresh
	withDelete.Changes = append(append([]Change(nil), fresh.Changes...), del)
	withDelete.Summary = summarize(&withDelete)
	if got, err := Confirm(&withDelete, &withDelete); err != nil || got.Summary.Delete != 1 {
		t.Errorf("a reviewed delete: %v, summary %+v", err, got.Summary)
	}
	if got, err := Confirm(fresh, &withDelete); err != nil || got.Summary.Delete != 0 {
		t.Errorf("a delete the saved plan does not hold: %v, summary %+v; want it not sent", err, got.Summary)
	}
	if _, err := Confirm(&withDelete, fresh); err == nil || !strings.Contains(err.Error(), "delete Transform/Old") {
		t.Errorf("a delete the recomputation does not imply: %v, want it refused naming the entry", err)
	}

	for name, edit := range map[string]func(p *Plan){
		"tenant":    func(p *Plan) { p.Tenant = "https://other.api.identitynow.com" },
		"repo hash": func(p *Plan) { p.RepoHash = "0" },
		"violation": func(p *Plan) { p.Violations = []Violation{{Name: "x"}} },
		"live id": func(p *Plan) {
			p.Changes[len(p.Changes)-1].LiveID = "forged"
		},
	} {
		p := *fresh
		p.Changes = append([]Change(nil), fresh.Changes...)
		edit(&p)
		if _, err := Confirm(&p, fresh); err == nil {
			t.Errorf("%s: accepted", name)
		} else if name == "live id" && !strings.Contains(err.Error(), "changes[") {
			t.Errorf("%s: the error does not name the entry: %v", name, err)
		}
	}
}
