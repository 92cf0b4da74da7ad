package sync

import (
	"errors"
	"fmt"
	"time"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/isc"
)

// Deletes run in reverse dependency order: schemas before their source, sources before the
// connector they used. Each waits only for the deletes its operation names (diff's reverse
// dependencies), and they are started after the creates and updates, which get the request
// slots first.

// DefaultTaskWait bounds how long apply follows a source deletion's task before it reports the
// deletion as accepted and still running.
const DefaultTaskWait = 60 * time.Second

// rank orders an apply's changes: creates and updates by level, then deletes by level reversed.
// A change may wait only for changes of a lower rank, so that no dependency can deadlock.
func rank(ch diff.Change) int {
	n := len(Levels)
	if ch.Action == diff.ActionDelete {
		return n + (n - 1 - config.Level(ch.Kind))
	}
	return config.Level(ch.Kind)
}

// deleteObject carries out a delete through the kind's handler and returns a note for the
// report. An object the tenant no longer has (404) is done: what the tombstone asks for holds.
func (a *applier) deleteObject(ch diff.Change) (string, error) {
	if ch.LiveID == "" {
		return "", fmt.Errorf("%s: the plan has no id to delete: run plan again", deleteWhat(ch))
	}
	return handlerOf(ch.Kind).remove(a, ch)
}

// deleteDone turns a delete request's outcome into deleteObject's: an object the tenant no
// longer has (404) is done, any other error names the object.
func (a *applier) deleteDone(ch diff.Change, err error) (string, error) {
	if isc.IsNotFound(err) {
		return "the tenant no longer has it", nil
	}
	if err != nil {
		return "", fmt.Errorf("%s: delete: %w", deleteWhat(ch), err)
	}
	return "", nil
}

// deleteWhat names the object of a delete in messages.
func deleteWhat(ch diff.Change) string {
	if ch.Source != "" {
		return fmt.Sprintf("%s %q of source %q", ch.Kind, ch.Name, ch.Source)
	}
	return fmt.Sprintf("%s %q", ch.Kind, ch.Name)
}

// followTask reports a source deletion the tenant accepted (202): it polls the task at
// GET /beta/task-status/{id} until it ends or TaskWait passes. A task the tenant does not let
// us read (404, 403) is reported as accepted: the API does not promise that the id answers
// there. A task that ends in ERROR or TERMINATED is a failure.
func (a *applier) followTask(ref isc.TaskRef) (string, error) {
	accepted := "the tenant accepted the deletion"
	if ref.ID == "" {
		return accepted + " (no task id to follow)", nil
	}
	accepted += " (task " + ref.ID + ")"
	wait := a.opts.TaskWait
	if wait <= 0 {
		wait = DefaultTaskWait
	}
	deadline := time.Now().Add(wait)
	pause := 500 * time.Millisecond
	for {
		st, err := a.c.GetTaskStatus(a.reqCtx, ref.ID)
		var apiErr *isc.APIError
		switch {
		case isAPIStatus(err, &apiErr, 404, 403):
			return accepted + "; its task cannot be read, so it runs on unobserved", nil
		case err != nil:
			return accepted + "; following its task failed: " + err.Error(), nil
		}
		if done, _ := st.Get("completed"); done != nil {
			switch status := st.String("completionStatus"); status {
			case "ERROR", "TERMINATED":
				return "", fmt.Errorf("source deletion task %s ended %s", ref.ID, status)
			default:
				return accepted + " and completed it", nil
			}
		}
		if time.Now().Add(pause).After(deadline) || a.stop.Err() != nil {
			return accepted + "; still running after " + wait.String(), nil
		}
		select {
		case <-time.After(pause):
		case <-a.stop.Done():
		}
		pause = min(2*pause, 5*time.Second)
	}
}

// isAPIStatus reports whether err is an *isc.APIError with one of the statuses.
func isAPIStatus(err error, target **isc.APIError, statuses ...int) bool {
	if err == nil || !errors.As(err, target) {
		return false
	}
	for _, s := range statuses {
		if (*target).Status == s {
			return true
		}
	}
	return false
}

// PlanDeletes counts the deletes of a plan.
func PlanDeletes(p *diff.Plan) int {
	n := 0
	for _, c := range p.Changes {
		if c.Action == diff.ActionDelete {
			n++
		}
	}
	return n
}

// DeleteConsent is how the deletes of a plan were agreed to. The zero value agrees to none, so
// an apply that was not told otherwise deletes nothing.
type DeleteConsent int

// The consents to a plan's deletes.
const (
	// DeletesNotAgreed: a plan with deletes is refused before any write.
	DeletesNotAgreed DeleteConsent = iota
	// DeletesAllowed: the command line allowed them before the plan was shown (--allow-delete).
	DeletesAllowed
	// DeletesConfirmed: a person read the list of deletes and confirmed it.
	DeletesConfirmed
)

// ErrDeletesNotAllowed is returned when a plan with deletes is applied without consent to them:
// nothing is sent.
var ErrDeletesNotAllowed = errors.New("the plan deletes objects, and deletes were not allowed: nothing was sent")

// checkDeletes refuses a plan with deletes unless they were agreed to.
func checkDeletes(p *diff.Plan, consent DeleteConsent) error {
	if n := PlanDeletes(p); n > 0 && consent != DeletesAllowed && consent != DeletesConfirmed {
		return fmt.Errorf("%w (%d to delete; pass --allow-delete)", ErrDeletesNotAllowed, n)
	}
	return nil
}
