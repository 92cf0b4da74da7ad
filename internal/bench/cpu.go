package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	gosync "sync"
	"syscall"
	"time"

	"github.com/sailsync/sailsync/internal/emulator"
)

// cpuMeasurement is one `sailsync plan` run in a child process.
type cpuMeasurement struct {
	Wall      float64 // seconds, start to exit
	CPU       float64 // seconds of user + system time of the child
	PeakRSSMB float64 // the child's maximum resident set (getrusage ru_maxrss)
	TenantCPU float64 // seconds of CPU the emulator (this process) spent meanwhile
	Calls     int
	Output    int // bytes of plan text
}

// buildSailsync compiles the CLI into dir and returns the binary's path. The module root is
// found with `go env GOMOD`, so the bench can be started from any directory of the module.
func buildSailsync(ctx context.Context, dir string) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside the sailsync module: run the bench from the repository")
	}
	bin := filepath.Join(dir, "sailsync")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	cmd.Dir = filepath.Dir(gomod)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build: %w\n%s", err, stderr.String())
	}
	return bin, nil
}

// cpuTenant is the cpu scenario's tenant for one N, reused by every run (plan only reads).
type cpuTenant struct {
	t    *tenant
	repo string
}

func newCPUTenant(n int, work string) (*cpuTenant, error) {
	repo := filepath.Join(work, fmt.Sprintf("repo-%d", n))
	if err := writeRepo(repo, n); err != nil {
		return nil, err
	}
	// No latency, no rate limit: what is left is sailsync's own work (and the emulator's).
	t, err := newTenant(2*n, emulator.Options{})
	if err != nil {
		return nil, err
	}
	return &cpuTenant{t: t, repo: repo}, nil
}

type countingWriter struct{ n int }

// Write counts p and drops it.
func (w *countingWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

// runCPU runs `sailsync plan REPO` in a child process against the tenant: load, validate,
// fetch, diff and render, all of it. The child's CPU time and peak RSS come from the OS
// (wait4's rusage) once it has exited, so they hold sailsync's cost alone; the emulator runs
// in this process and its CPU is reported apart.
func runCPU(ctx context.Context, bin string, ct *cpuTenant, parallelism int) (cpuMeasurement, error) {
	ct.t.emu.ResetLog()
	cmd := exec.CommandContext(ctx, bin, "plan", ct.repo, "--rate-limit", "100000000", "--parallelism", fmt.Sprint(parallelism))
	cmd.Env = append(os.Environ(),
		"SAIL_BASE_URL="+ct.t.srv.URL,
		"SAIL_CLIENT_ID="+ct.t.emu.ClientID(),
		"SAIL_CLIENT_SECRET="+ct.t.emu.ClientSecret(),
		"NO_COLOR=1", "SAILSYNC_DEBUG=",
	)
	out := &countingWriter{}
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = out, &stderr
	var before, after syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return cpuMeasurement{}, fmt.Errorf("sailsync plan: %w", err)
	}
	hwm := watchHighWater(cmd.Process.Pid)
	err := cmd.Wait()
	wall := time.Since(start)
	peakKB := hwm()
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	var exit *exec.ExitError
	// Exit 2 is "the plan has changes", which this scenario has.
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 2) {
		return cpuMeasurement{}, fmt.Errorf("sailsync plan: %w\n%s", err, tail(stderr.String(), 2000))
	}
	if err == nil {
		return cpuMeasurement{}, errors.New("sailsync plan exited 0: the scenario's plan should have changes")
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return cpuMeasurement{}, errors.New("no rusage for the child process on this platform")
	}
	return cpuMeasurement{
		Wall:      wall.Seconds(),
		CPU:       tv(ru.Utime) + tv(ru.Stime),
		PeakRSSMB: float64(peakRSS(peakKB, ru.Maxrss)) / 1024,
		TenantCPU: tv(after.Utime) + tv(after.Stime) - tv(before.Utime) - tv(before.Stime),
		Calls:     len(ct.t.emu.Log()),
		Output:    out.n,
	}, nil
}

// watchHighWater polls the child's VmHWM (its resident high-water mark) until the returned
// function is called, which returns the last value read in KiB (0 where /proc is missing).
//
// wait4's ru_maxrss cannot be used alone: Go starts children with CLONE_VM, and exec records
// the high-water mark of the memory the child shared with this process until then, so a
// child's ru_maxrss is at least this process's size (the in-process tenant of 20,000 sources,
// 100-250 MB) whatever the child used. VmHWM belongs to the child's own address space. It is
// monotonic, so polling misses only growth in the child's last few milliseconds, while it
// prints and exits.
func watchHighWater(pid int) func() int64 {
	var (
		mu   gosync.Mutex
		peak int64
		done = make(chan struct{})
		over = make(chan struct{})
	)
	read := func() {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			return
		}
		for _, line := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				var kb int64
				if _, err := fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kb); err == nil {
					mu.Lock()
					peak = max(peak, kb)
					mu.Unlock()
				}
			}
		}
	}
	go func() {
		defer close(over)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				read()
			}
		}
	}()
	return func() int64 {
		close(done)
		<-over
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}

// peakRSS is the child's peak in KiB: VmHWM when it was read, else ru_maxrss (KiB on Linux),
// which may be this process's size instead (see watchHighWater).
func peakRSS(hwmKB, maxrssKB int64) int64 {
	if hwmKB > 0 {
		return hwmKB
	}
	return maxrssKB
}

func tv(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
