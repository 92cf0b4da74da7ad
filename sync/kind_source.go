package sync

import (
	"fmt"

	"github.com/sailsync/sailsync/config"
	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/isc"
)

func init() { register(config.KindSource, sourceKind{}) }

// sourceKind applies Source changes: a create, a full-object PUT over a fresh read, a delete
// whose task is followed.
type sourceKind struct{}

// known records the source's id, which its schemas and files are uploaded under.
func (sourceKind) known(a *applier, ch diff.Change) { a.sourceIDs[ch.Name] = ch.LiveID }

func (sourceKind) apply(a *applier, ch diff.Change, _ *Result) error {
	if ch.Action == diff.ActionCreate {
		return a.createSource(ch)
	}
	return a.updateSource(ch)
}

// remove sends the DELETE and follows its task; the task's outcome is the note or the error.
func (sourceKind) remove(a *applier, ch diff.Change) (string, error) {
	ref, err := a.c.DeleteSource(a.reqCtx, ch.LiveID)
	if err != nil {
		return a.deleteDone(ch, err)
	}
	return a.followTask(ref)
}

// calls: POST; a fresh GET and the PUT; the DELETE and one poll of its task.
func (sourceKind) calls(ch diff.Change) int { return perAction(ch, 1, 2, 2) }

func (a *applier) createSource(ch diff.Change) error {
	body, err := a.resolveObject(ch.Op.Body)
	if err != nil {
		return fmt.Errorf("source %q: %w", ch.Name, err)
	}
	opts := isc.CreateSourceOptions{ProvisionAsCsv: body.String("connector") == "delimited-file"}
	created, err := a.c.CreateSource(a.reqCtx, body, opts)
	if err != nil {
		return fmt.Errorf("source %q: create: %w", ch.Name, err)
	}
	a.mu.Lock()
	a.sourceIDs[ch.Name] = created.String("id")
	a.mu.Unlock()
	return nil
}

func (a *applier) updateSource(ch diff.Change) error {
	fresh, err := a.c.GetSource(a.reqCtx, ch.LiveID)
	if err != nil {
		return fmt.Errorf("source %q: fresh read: %w", ch.Name, err)
	}
	if fresh.String("name") != ch.Name || ch.Fingerprint == nil || diff.FingerprintOf(fresh).Hash != ch.Fingerprint.Hash {
		// Another object under that id (a forged or outdated id) is never overwritten.
		return &staleError{what: fmt.Sprintf("source %q", ch.Name)}
	}
	send := make(map[string]bool, len(ch.Op.Secrets))
	for _, p := range ch.Op.Secrets {
		send[p] = true
	}
	body, err := Overlay(fresh, ch.Op.Body, a.resolve, func(path string) bool { return send[path] })
	if err != nil {
		return fmt.Errorf("source %q: %w", ch.Name, err)
	}
	if a.stop.Err() != nil {
		return errInterrupted
	}
	if _, err := a.c.PutSource(a.reqCtx, ch.LiveID, body); err != nil {
		return fmt.Errorf("source %q: update: %w", ch.Name, err)
	}
	return nil
}
