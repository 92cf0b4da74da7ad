package cli

import (
	"io"
	"net/http"
	"os"
	"time"
)

// deps is what a run takes from its process: environment, streams, HTTP client and clock.
// Main builds it from the process; a test builds one per run, so that tests run in parallel
// without sharing the process's environment.
type deps struct {
	// lookupEnv reads every variable sailsync reads (SAIL_*, SAILSYNC_*, NO_COLOR,
	// GITHUB_STEP_SUMMARY) and the repository's ${env:…} references.
	lookupEnv func(name string) (string, bool)
	stdin     io.Reader
	stdout    io.Writer
	stderr    io.Writer
	// httpClient, when set, carries the client's requests; nil is the client's own transport.
	httpClient *http.Client
	// now is the clock that paces apply's progress line on a terminal.
	now func() time.Time
	// rateLimit, when set, is what --rate-limit means when the flag is not given.
	rateLimit string
}

// processDeps is the process's environment, streams and clock.
func processDeps() *deps {
	return &deps{lookupEnv: os.LookupEnv, stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, now: time.Now}
}

// getenv is os.Getenv over the run's environment.
func (d *deps) getenv(name string) string {
	v, _ := d.lookupEnv(name)
	return v
}
