// Package cli is sailsync's command line: cobra commands that bind flags to an options struct,
// run the engine (config → diff → sync) and map the result to an exit status.
package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"strings"
	"syscall"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/redact"
	"github.com/spf13/cobra"
)

func newRootCmd(d *deps) *cobra.Command {
	root := &cobra.Command{
		Use:           "sailsync",
		Short:         "Keep an ISC tenant's sources, connectors, entitlement schemas and transforms as YAML in Git",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       versionString(),
		// runCmd writes the suggestions, in lines (cobra's message has them after \n and \t).
		DisableSuggestions:         true,
		SuggestionsMinimumDistance: 2,
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.AddCommand(
		newVersionCmd(),
		newValidateCmd(d),
		newSchemaCmd(),
		newEmulatorCmd(),
		newExportCmd(d),
		newPlanCmd(d),
		newDriftCmd(d),
		newApplyCmd(d),
		newPinCmd(d),
		newShowCmd(d),
	)
	return root
}

// gcFloor is the heap below which sailsync trades memory for less garbage collection.
const gcFloor = 300 << 20

// tuneGC makes the collector run less while the heap is small: a large plan allocates many
// times its live heap, and with the default GOGC much of its CPU went to collection. GOGC=200
// under a memory limit of max(gcFloor, twice the live heap) keeps the peak within the memory
// budget (README "Performance"). GOGC or GOMEMLIMIT set by the user win.
func tuneGC(d *deps) {
	if d.getenv("GOGC") != "" || d.getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetGCPercent(200)
	debug.SetMemoryLimit(gcFloor)
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var rearm func()
	rearm = func() {
		// A finalizer runs after the cycle that found its object unreachable: once per cycle.
		runtime.SetFinalizer(new([32]byte), func(*[32]byte) {
			metrics.Read(sample)
			if sample[0].Value.Kind() == metrics.KindUint64 {
				debug.SetMemoryLimit(max(gcFloor, 2*int64(sample[0].Value.Uint64())))
			}
			rearm()
		})
	}
	rearm()
}

// startProfile writes a CPU profile to $SAILSYNC_CPUPROFILE when it is set. It is how the
// figures of README "Performance" were found: the bench runs sailsync as a child process, where
// `go test -cpuprofile` cannot reach.
func startProfile(d *deps) (stop func()) {
	path := d.getenv("SAILSYNC_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(d.stderr, "sailsync: cpu profile:", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(d.stderr, "sailsync: cpu profile:", err)
		_ = f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}
}

// Main runs sailsync with the process's arguments, streams and signals and returns its exit
// status; package main only exits with it.
func Main() int { return mainWith(processDeps()) }

// mainWith is Main with the process's environment and streams in d; the tests' binary, standing
// in for sailsync, gives it their rate limit.
func mainWith(d *deps) int {
	tuneGC(d)
	stopProfile := startProfile(d)
	// SIGTERM (what containers and CI runners send to stop a job) stops as cleanly as Ctrl-C: an
	// apply finishes the requests in flight, the emulator shuts its server down.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	result := d.getenv(EnvResultFile)
	if err := startResult(result); err != nil {
		fmt.Fprintln(d.stderr, "sailsync:", diff.TextEscape(err.Error()))
		return exitFailure
	}
	code := run(ctx, os.Args[1:], d)
	stopProfile()
	if err := finishResult(result, code); err != nil {
		fmt.Fprintln(d.stderr, "sailsync:", diff.TextEscape(err.Error()))
		code = exitFailure
	}
	return code
}

// EnvResultFile names the file where sailsync writes its exit status as the very last thing it
// does. A Go runtime crash (out of memory, stack overflow) cannot be recovered and exits 2, the
// status of "changes": a CI step takes 2 for changes only when this file says 2 (README "CI").
const EnvResultFile = "SAILSYNC_RESULT_FILE"

// startResult empties the result file, so that a stale result of an earlier run cannot vouch
// for this one.
func startResult(path string) error {
	if path == "" {
		return nil
	}
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		return fmt.Errorf("%s: %w", EnvResultFile, err)
	}
	return nil
}

// finishResult writes the exit status, one line, to the result file.
func finishResult(path string, code int) error {
	if path == "" {
		return nil
	}
	if err := os.WriteFile(path, []byte(fmt.Sprintf("%d\n", code)), 0o644); err != nil {
		return fmt.Errorf("%s: %w", EnvResultFile, err)
	}
	return nil
}

// run executes one sailsync command line and returns its exit status. Everything the command
// writes, the final error line included, passes the run's redactor, which learns each secret
// (client secret, tokens, ${env:…} values) as it becomes known; main and the tests both call it,
// each with its own environment and streams in d.
func run(ctx context.Context, args []string, d *deps) int {
	return runCmd(ctx, newRootCmd(d), args, d)
}

// runCmd is run with the command tree given, so that a test can run one that panics. A panic is
// a bug, never "changes": it exits 1 (an uncaught panic would exit 2) with its stack on stderr.
func runCmd(ctx context.Context, cmd *cobra.Command, args []string, d *deps) (code int) {
	red := redact.New()
	out, errOut := red.Writer(d.stdout), red.Writer(d.stderr)
	defer func() {
		if r := recover(); r != nil {
			_ = out.Flush()
			fmt.Fprintf(errOut, "sailsync: internal error (a bug; please report it): %s\n%s", diff.TextEscape(fmt.Sprint(r)), debug.Stack())
			_ = errOut.Flush()
			code = exitFailure
		}
	}()
	cmd.SetArgs(args)
	cmd.SetIn(d.stdin)
	cmd.SetOut(out)
	cmd.SetErr(errOut)
	err := cmd.ExecuteContext(withRedactor(ctx, red))
	if err != nil && strings.HasPrefix(err.Error(), "unknown command ") {
		err = unknownCommand(cmd, err)
	}
	if err != nil && strings.HasPrefix(err.Error(), "unknown flag: --") {
		err = unknownFlag(cmd, args, err)
	}
	code, msg := exitStatus(err)
	if msg != "" {
		lines := errorLines(err, msg)
		fmt.Fprintln(errOut, "sailsync:", lines[0])
		for _, l := range lines[1:] {
			fmt.Fprintln(errOut, l)
		}
	}
	_ = out.Flush()
	_ = errOut.Flush()
	return code
}

type redactorKey struct{}

func withRedactor(ctx context.Context, red *redact.Set) context.Context {
	return context.WithValue(ctx, redactorKey{}, red)
}

// redactor is the run's redactor; a command run outside run (a unit test) gets a fresh one.
func redactor(ctx context.Context) *redact.Set {
	if red, ok := ctx.Value(redactorKey{}).(*redact.Set); ok {
		return red
	}
	return redact.New()
}
