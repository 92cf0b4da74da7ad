// Command sailsync keeps a SailPoint Identity Security Cloud tenant's sources, custom connectors
// and entitlement schemas as version-controlled YAML: validate, plan, drift, apply, export.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"syscall"

	"github.com/sailsync/sailsync/diff"
	"github.com/spf13/cobra"
)

// exitCode carries a command's exit status other than 0 and 1 (plan's 2 for "changes") or a
// failure already reported to the user, so that main does not print it again.
type exitCode struct {
	code int
	err  error
}

func (e *exitCode) Error() string {
	if e.err != nil {
		return e.err.Error()
	}
	return fmt.Sprintf("exit status %d", e.code)
}

func (e *exitCode) Unwrap() error { return e.err }

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "sailsync",
		Short:         "Keep an ISC tenant's sources, connectors and entitlement schemas as YAML in Git",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       versionString(),
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.AddCommand(
		newVersionCmd(),
		newValidateCmd(),
		newSchemaCmd(),
		newEmulatorCmd(),
		newExportCmd(),
		newPlanCmd(),
		newDriftCmd(),
		newApplyCmd(),
	)
	return root
}

// gcFloor is the heap below which sailsync trades memory for less garbage collection.
const gcFloor = 300 << 20

// tuneGC makes the collector run less while the heap is small. A plan of 10,000 sources holds
// 80-150 MB live and allocates ~1 GB; with the default GOGC=100 a fifth of its CPU time was
// collection (measured: 4.0 s CPU, 360-380 MB peak RSS). With GOGC=200 under a limit of
// gcFloor the heap may grow to 3x live but never past 300 MiB, and after each cycle the limit is
// raised to twice the live heap when that is more, so a larger repository is collected about as
// under the default (the limit also covers the runtime's non-heap memory, ~40 MB here, so
// somewhat more often; room for it pushed the peak back to 365-415 MB). Measured at 10,000:
// 3.6 s CPU, 315 MB; after the allocation cuts of the second performance pass, 2.8-3.1 s CPU and
// 215-230 MB. GOGC=300 saved another ~8 % CPU there but let the peak reach 377 MB, too close to
// the 400 MB budget. GOGC or GOMEMLIMIT set by the user win.
func tuneGC() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
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
func startProfile() (stop func()) {
	path := os.Getenv("SAILSYNC_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sailsync: cpu profile:", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "sailsync: cpu profile:", err)
		_ = f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}
}

func main() {
	tuneGC()
	stopProfile := startProfile()
	// SIGTERM (what containers and CI runners send to stop a job) stops as cleanly as Ctrl-C: an
	// apply finishes the requests in flight, the emulator shuts its server down.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := newRootCmd().ExecuteContext(ctx)
	stopProfile()
	if err == nil {
		return
	}
	var ec *exitCode
	if errors.As(err, &ec) {
		if ec.err != nil {
			fmt.Fprintln(os.Stderr, "sailsync:", diff.TextEscape(ec.err.Error()))
		}
		os.Exit(ec.code)
	}
	fmt.Fprintln(os.Stderr, "sailsync:", diff.TextEscape(err.Error()))
	os.Exit(1)
}
