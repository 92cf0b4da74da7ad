// Command bench measures sailsync against the API's physical limit and against the naive
// one-GET-per-object strategy. It starts the emulator in-process, over real HTTP on
// loopback, and runs these scenarios:
//
//	plan-fetch  sync.Fetch of a repository declaring N of a tenant's 2N sources, each with one
//	            entitlement schema, plus 10 custom connectors (half not RELEASED)
//	naive       the same read with one GET per source, per schema list and per connector
//	apply       sync.Apply of N source updates and N entitlement schema uploads
//	cpu         `sailsync plan` (load, validate, fetch, diff, render) in a child process
//	            against a tenant without latency or limit, for each -cpu-n
//	pr-plan     the plan-fetch repository in git, one commit changing one description: a full
//	            plan and `plan --changed-since HEAD~1` (load, scope, fetch, diff) against the
//	            same tenant
//	transforms  a plain kind (config.API): the reads and the apply of 100 of a tenant's 600
//	            custom transforms (behind 30 internal ones), 40 of them changed, and 20 new
//
// The emulator's and the client's rate limits are the same (-rate requests per -window), scaled
// up from the tenant's 100 per 10 s so that a run stays short; wall / floor is what counts.
// Each scenario runs -runs times and the table shows medians.
//
//	go run ./bench                     # the table
//	go run ./bench -json               # the same as JSON
//	go run ./bench -scenarios cpu -cpu-n 1000,10000
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sailsync/sailsync/internal/config"
)

func main() {
	// The emulated tenant lives in this process and stands in for a remote server, yet shares
	// the machine's cores with the sailsync child the cpu scenario measures: its collector,
	// marking a tenant of 20,000 sources every few pages, was a quarter of its CPU. Memory is
	// plentiful here, so it collects less. A GOGC set by the caller wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

type options struct {
	n         int
	cpuN      []int
	runs      int
	scenarios []string
	json      bool
	sailsync  string
	serve     int
	profile   string
	settings
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := &options{}
	var cpuN, scenarios string
	fs.IntVar(&o.n, "n", 1000, "declared sources N of plan-fetch, naive and apply (the tenant has 2N)")
	fs.StringVar(&cpuN, "cpu-n", "1000,10000", "comma-separated N of the cpu scenario; the scaling ratio is last / first")
	fs.IntVar(&o.runs, "runs", 3, "runs of each scenario; the table shows medians")
	fs.StringVar(&scenarios, "scenarios", "plan-fetch,naive,apply,pr-plan,transforms,export,cpu", "comma-separated scenarios to run")
	fs.BoolVar(&o.json, "json", false, "print JSON instead of the table")
	fs.StringVar(&o.sailsync, "sailsync", "", "sailsync binary for the cpu scenario (default: go build the module into a temporary directory)")
	fs.IntVar(&o.serve, "serve", 0, "instead of measuring: write the cpu scenario's repository for N, serve its tenant (no latency, no limit), print the environment and wait for Ctrl-C; for profiling `sailsync plan` by hand")
	fs.StringVar(&o.profile, "serve-cpuprofile", "", "with -serve: write the tenant's CPU profile to this file when it stops")
	fs.IntVar(&o.rate, "rate", 1000, "requests per window, for the emulator and the client alike (the tenant's is 100 per 10 s)")
	fs.DurationVar(&o.window, "window", 10*time.Second, "the emulator's rate window")
	fs.DurationVar(&o.latency, "latency", 50*time.Millisecond, "latency the emulator adds to every request")
	fs.IntVar(&o.parallelism, "parallelism", 8, "requests in flight (sailsync's default)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	for _, s := range strings.Split(cpuN, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-cpu-n %q: want positive integers separated by commas", cpuN)
		}
		o.cpuN = append(o.cpuN, n)
	}
	known := []string{"plan-fetch", "naive", "apply", "pr-plan", "transforms", "export", "cpu"}
	for _, s := range strings.Split(scenarios, ",") {
		s = strings.TrimSpace(s)
		if !slices.Contains(known, s) {
			return nil, fmt.Errorf("-scenarios: unknown scenario %q (known: %s)", s, strings.Join(known, ", "))
		}
		o.scenarios = append(o.scenarios, s)
	}
	switch {
	case o.n < 1, o.runs < 1, o.rate < 1, o.window <= 0, o.latency < 0, o.parallelism < 1:
		return nil, fmt.Errorf("-n, -runs, -rate, -parallelism must be positive, -window positive, -latency not negative")
	}
	return o, nil
}

func (o *options) has(s string) bool { return slices.Contains(o.scenarios, s) }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 2
	}
	if o.serve > 0 {
		if err := serve(ctx, o.serve, o.profile, stdout); err != nil {
			fmt.Fprintln(stderr, "bench:", err)
			return 1
		}
		return 0
	}
	res, err := measure(ctx, o, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			fmt.Fprintln(stderr, "bench:", err)
			return 1
		}
		return 0
	}
	printTable(stdout, res)
	return 0
}

func measure(ctx context.Context, o *options, stderr io.Writer) (*results, error) {
	res := &results{
		Settings: settingsJSON{
			N: o.n, Runs: o.runs, Rate: o.rate, Window: o.window.String(), RatePerSecond: o.ratePerSecond(),
			Latency: o.latency.String(), Parallelism: o.parallelism,
		},
	}
	work, err := os.MkdirTemp("", "sailsync-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	progress := func(format string, args ...any) { fmt.Fprintf(stderr, format+"\n", args...) }

	if o.has("plan-fetch") || o.has("naive") || o.has("apply") {
		dir := fmt.Sprintf("%s/repo-timed-%d", work, o.n)
		if err := writeRepo(dir, o.n); err != nil {
			return nil, err
		}
		repo, err := config.Load(dir)
		if err != nil {
			return nil, fmt.Errorf("load the scenario's repository: %w", err)
		}
		minFetch := minimumFetch(o.n, 2*o.n, connectorCount, connectorCount/2, connectorCount/2) +
			minimumLookups(min(o.n, ownerCount), identityCount, 1, 1, min(o.n, workgroupCount))
		var fetch, naive, apply []measurement
		var estimate int
		for r := 1; r <= o.runs; r++ {
			if o.has("plan-fetch") {
				m, err := runPlanFetch(ctx, o.settings, o.n, repo)
				if err != nil {
					return nil, fmt.Errorf("plan-fetch: %w", err)
				}
				progress("plan-fetch run %d: %d calls, %d × 429, %.2f s", r, m.Calls, m.Limited, m.Wall)
				fetch = append(fetch, m)
			}
			if o.has("naive") {
				m, err := runNaive(ctx, o.settings, o.n, repo)
				if err != nil {
					return nil, fmt.Errorf("naive: %w", err)
				}
				progress("naive run %d: %d calls, %d × 429, %.2f s", r, m.Calls, m.Limited, m.Wall)
				naive = append(naive, m)
			}
			if o.has("apply") {
				m, est, err := runApply(ctx, o.settings, o.n, repo)
				if err != nil {
					return nil, fmt.Errorf("apply: %w", err)
				}
				progress("apply run %d: %d calls (plan estimate %d), %d × 429, %.2f s", r, m.Calls, est, m.Limited, m.Wall)
				apply = append(apply, m)
				estimate = est
			}
		}
		if len(fetch) > 0 {
			res.PlanFetch = o.row("plan-fetch", fetch, minFetch)
		}
		if len(naive) > 0 {
			res.Naive = o.row("naive", naive, minFetch)
		}
		if res.PlanFetch != nil && res.Naive != nil {
			res.NaiveOverSailsync = &ratios{
				Calls: float64(res.Naive.Calls) / float64(res.PlanFetch.Calls),
				Wall:  res.Naive.Wall / res.PlanFetch.Wall,
			}
		}
		if len(apply) > 0 {
			res.Apply = o.row("apply", apply, minimumApply(o.n, o.n))
			res.Apply.PlanEstimate = estimate
		}
	}

	if o.has("pr-plan") {
		progress("pr-plan: writing the repository in git and seeding the tenant")
		dir, err := prRepo(work, o.n)
		if err != nil {
			return nil, fmt.Errorf("pr-plan: %w", err)
		}
		t, err := newTenant(2*o.n, o.emulatorOptions())
		if err != nil {
			return nil, err
		}
		var full, scoped []measurement
		for r := 1; r <= o.runs; r++ {
			f, sc, err := runPRPlan(ctx, o.settings, t, dir)
			if err != nil {
				t.close()
				return nil, fmt.Errorf("pr-plan: %w", err)
			}
			progress("pr-plan run %d: full %d calls %.2f s, scoped %d calls %.2f s", r, f.Calls, f.Wall, sc.Calls, sc.Wall)
			full, scoped = append(full, f), append(scoped, sc)
		}
		t.close()
		// Both plans also find the owners, cluster and workgroups their sources name: all of them
		// for the full plan, the changed source's one of each for the scoped plan.
		res.PRFull = o.row("pr-plan full", full, minimumFetch(o.n, 2*o.n, connectorCount, connectorCount/2, connectorCount/2)+
			minimumLookups(min(o.n, ownerCount), identityCount, 1, 1, min(o.n, workgroupCount)))
		res.PRScoped = o.row("pr-plan scoped", scoped, minimumScope(1, 0, 2*o.n)+minimumLookups(1, identityCount, 1, 1, 1))
		res.FullOverScoped = &ratios{Calls: float64(res.PRFull.Calls) / float64(res.PRScoped.Calls), Wall: res.PRFull.Wall / res.PRScoped.Wall}
	}

	if o.has("transforms") {
		dir, err := writeTransformsRepo(work)
		if err != nil {
			return nil, fmt.Errorf("transforms: %w", err)
		}
		var fetch, apply []measurement
		var estimate int
		for r := 1; r <= o.runs; r++ {
			f, a, est, err := runTransforms(ctx, o.settings, dir)
			if err != nil {
				return nil, fmt.Errorf("transforms: %w", err)
			}
			progress("transforms run %d: plan reads %d calls %.2f s, apply %d calls (plan estimate %d) %.2f s", r, f.Calls, f.Wall, a.Calls, est, a.Wall)
			fetch, apply, estimate = append(fetch, f), append(apply, a), est
		}
		minFetch, minApply := minimumTransforms(transformTenant/transformEvery+transformNew, transformTenant+transformInternal, transformNew, transformChanged)
		res.TransformFetch = o.row("transforms fetch", fetch, minFetch)
		res.TransformApply = o.row("transforms apply", apply, minApply)
		res.TransformApply.PlanEstimate = estimate
		// N is the transforms declared, not the sources of the other scenarios.
		res.TransformFetch.N = transformTenant/transformEvery + transformNew
		res.TransformApply.N = res.TransformFetch.N
	}

	if o.has("export") {
		dir := fmt.Sprintf("%s/repo-export-%d", work, o.n)
		if err := writeRepo(dir, o.n); err != nil {
			return nil, err
		}
		repo, err := config.Load(dir)
		if err != nil {
			return nil, fmt.Errorf("load the scenario's repository: %w", err)
		}
		var per, exp []measurement
		for r := 1; r <= o.runs; r++ {
			p, e, err := runExportPlans(ctx, o.settings, o.n, repo)
			if err != nil {
				return nil, fmt.Errorf("export: %w", err)
			}
			progress("export run %d: per object %d calls %.2f s, export %d calls %.2f s, plans identical", r, p.Calls, p.Wall, e.Calls, e.Wall)
			per, exp = append(per, p), append(exp, e)
		}
		minFetch := minimumFetch(o.n, 2*o.n, connectorCount, connectorCount/2, connectorCount/2) +
			minimumLookups(min(o.n, ownerCount), identityCount, 1, 1, min(o.n, workgroupCount))
		res.ExportPerObject = o.row("plan per object", per, minFetch)
		// The export replaces the n schema reads with its start, the status reads and the download.
		res.ExportJob = o.row("plan via export", exp, minFetch-o.n+2+exportPolls)
		res.PerObjectOverExport = &ratios{Calls: float64(res.ExportPerObject.Calls) / float64(res.ExportJob.Calls), Wall: res.ExportPerObject.Wall / res.ExportJob.Wall}
	}

	if o.has("cpu") {
		bin := o.sailsync
		if bin == "" {
			progress("building sailsync for the cpu scenario")
			if bin, err = buildSailsync(ctx, work); err != nil {
				return nil, err
			}
		}
		for _, n := range o.cpuN {
			progress("cpu N=%d: writing the repository and seeding the tenant", n)
			ct, err := newCPUTenant(n, work)
			if err != nil {
				return nil, err
			}
			var runs []cpuMeasurement
			for r := 1; r <= o.runs; r++ {
				m, err := runCPU(ctx, bin, ct, o.parallelism)
				if err != nil {
					ct.t.close()
					return nil, fmt.Errorf("cpu N=%d: %w", n, err)
				}
				progress("cpu N=%d run %d: %.2f s wall, %.2f s CPU, %.0f MB peak RSS, %d calls", n, r, m.Wall, m.CPU, m.PeakRSSMB, m.Calls)
				runs = append(runs, m)
			}
			ct.t.close()
			res.CPU = append(res.CPU, cpuRow(n, runs))
		}
		if len(res.CPU) > 1 {
			first, last := res.CPU[0], res.CPU[len(res.CPU)-1]
			res.CPUScaling = &scaling{FromN: first.N, ToN: last.N, WallRatio: last.Wall / first.Wall, CPURatio: last.CPU / first.CPU}
		}
	}
	return res, nil
}

// serve writes the cpu scenario's repository and serves its tenant until ctx is done.
// A profile, when asked for, covers only the serving, not the seeding.
func serve(ctx context.Context, n int, profile string, stdout io.Writer) error {
	work, err := os.MkdirTemp("", "sailsync-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	ct, err := newCPUTenant(n, work)
	if err != nil {
		return err
	}
	defer ct.t.close()
	fmt.Fprintf(stdout, "export SAIL_BASE_URL=%s SAIL_CLIENT_ID=%s SAIL_CLIENT_SECRET=%s\n", ct.t.srv.URL, ct.t.emu.ClientID(), ct.t.emu.ClientSecret())
	fmt.Fprintf(stdout, "# repository: %s\n# sailsync plan %s --rate-limit 100000000\n", ct.repo, ct.repo)
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	<-ctx.Done()
	return nil
}
