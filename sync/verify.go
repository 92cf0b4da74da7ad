package sync

import (
	"fmt"
	gosync "sync"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/value"
)

// Verification is a source's connection test (POST /beta/sources/{id}/connector/
// test-configuration: the detailed check of the configuration the apply wrote, rather than
// check-connection's credentials alone).
type Verification struct {
	// Status is the tenant's SUCCESS or FAILURE, or ERROR when the test could not be run.
	Status string `json:"status"`
	// Message is the tenant's explanation of a failure, or the error.
	Message       string `json:"message,omitempty"`
	ElapsedMillis int64  `json:"elapsed_ms,omitempty"`
}

// Passed reports whether the tenant said SUCCESS.
func (v *Verification) Passed() bool { return v.Status == "SUCCESS" }

// verify tests the connection of each source the apply created or updated, up to Parallelism
// at once, after every write. An interrupt stops tests from starting.
func (a *applier) verify(tasks []*task) {
	var wg gosync.WaitGroup
	for _, t := range tasks {
		ch := t.change
		if ch.Kind != config.KindSource || t.result.Status != StatusDone || (ch.Action != diff.ActionCreate && ch.Action != diff.ActionUpdate) {
			continue
		}
		id := ch.LiveID
		if ch.Action == diff.ActionCreate {
			a.mu.Lock()
			id = a.sourceIDs[ch.Name]
			a.mu.Unlock()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case a.sem <- struct{}{}:
			case <-a.stop.Done():
				t.result.Verify = &Verification{Status: "ERROR", Message: "not run: interrupted"}
				return
			}
			defer func() { <-a.sem }()
			t.result.Verify = a.testSource(id)
		}()
	}
	wg.Wait()
}

func (a *applier) testSource(id string) *Verification {
	res, err := a.c.TestSourceConfiguration(a.reqCtx, id)
	if err != nil {
		return &Verification{Status: "ERROR", Message: err.Error()}
	}
	v := &Verification{Status: res.String("status")}
	if n, ok := res.Get("elapsedMillis"); ok {
		fmt.Sscan(fmt.Sprint(n), &v.ElapsedMillis)
	}
	if !v.Passed() {
		if v.Status == "" {
			v.Status = "FAILURE"
		}
		details, _ := res.Get("details")
		v.Message = failureMessage(details)
	}
	return v
}

// failureMessage is what a failed test's details say: the document gives details no schema
// (it "depends on the type of source"), so a message-like key is taken when there is one, and
// the details as JSON otherwise.
func failureMessage(details any) string {
	o, _ := details.(*value.Object)
	if o == nil {
		return "the tenant's connection test failed"
	}
	for _, k := range []string{"message", "error", "errorMessage", "exception"} {
		if s := o.String(k); s != "" {
			return s
		}
	}
	b, err := o.MarshalJSON()
	if err != nil {
		return "the tenant's connection test failed"
	}
	return string(b)
}

// VerifyCalls is what --verify adds to an apply: one connection test per source created or
// updated.
func VerifyCalls(plan *diff.Plan) int {
	n := 0
	for _, c := range plan.Changes {
		if c.Kind == config.KindSource && (c.Action == diff.ActionCreate || c.Action == diff.ActionUpdate) {
			n++
		}
	}
	return n
}
