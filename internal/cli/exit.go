package cli

import (
	"errors"
	"fmt"
)

// The process exit statuses of sailsync. plan and drift use exitChanges so that a CI job can
// tell "the tenant differs" from "sailsync failed".
const (
	// exitOK: done; for plan and drift, nothing to change.
	exitOK = 0
	// exitFailure: an error, an invalid repository, a violation, or an apply that did not finish.
	exitFailure = 1
	// exitChanges: plan has changes to apply; drift found the tenant drifted.
	exitChanges = 2
)

// exitError carries a command's exit status and the message main prints for it. A nil err means
// the command has already reported the failure to the user, so main prints nothing more.
type exitError struct {
	code int
	err  error
}

// exitWith returns the error that makes main exit with code, printing err when it is not nil.
func exitWith(code int, err error) error { return &exitError{code: code, err: err} }

// Error is the wrapped error's message.
func (e *exitError) Error() string {
	if e.err != nil {
		return e.err.Error()
	}
	return fmt.Sprintf("exit status %d", e.code)
}

// Unwrap returns the wrapped error.
func (e *exitError) Unwrap() error { return e.err }

// exitStatus maps a command's error to the process exit status and the message to print after
// "sailsync: " on stderr ("" for none). main and the tests' runCLI both use it.
func exitStatus(err error) (code int, msg string) {
	if err == nil {
		return exitOK, ""
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			msg = ee.err.Error()
		}
		return ee.code, msg
	}
	return exitFailure, err.Error()
}
