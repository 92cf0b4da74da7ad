package main

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
)

// results is everything a bench run measured; the table and -json show the same.
type results struct {
	Settings          settingsJSON `json:"settings"`
	PlanFetch         *row         `json:"plan_fetch,omitempty"`
	Naive             *row         `json:"naive,omitempty"`
	NaiveOverSailsync *ratios      `json:"naive_over_sailsync,omitempty"`
	Apply             *row         `json:"apply,omitempty"`
	// PRFull and PRScoped are the pr-plan scenario's full plan and --changed-since plan;
	// FullOverScoped their ratios.
	PRFull         *row    `json:"pr_plan_full,omitempty"`
	PRScoped       *row    `json:"pr_plan_scoped,omitempty"`
	FullOverScoped *ratios `json:"pr_full_over_scoped,omitempty"`
	// TransformFetch and TransformApply are the transforms scenario's reads and apply (a plain
	// kind, config.API).
	TransformFetch *row `json:"transforms_fetch,omitempty"`
	TransformApply *row `json:"transforms_apply,omitempty"`
	// ExportPerObject and ExportJob are the export scenario's plan reads, per object and
	// through one configuration export job; PerObjectOverExport their ratios.
	ExportPerObject     *row        `json:"export_per_object,omitempty"`
	ExportJob           *row        `json:"export_job,omitempty"`
	PerObjectOverExport *ratios     `json:"per_object_over_export,omitempty"`
	CPU                 []cpuResult `json:"cpu,omitempty"`
	CPUScaling          *scaling    `json:"cpu_scaling,omitempty"`
}

type settingsJSON struct {
	N             int     `json:"n"`
	Runs          int     `json:"runs"`
	Rate          int     `json:"rate"`
	Window        string  `json:"window"`
	RatePerSecond float64 `json:"rate_per_second"`
	Latency       string  `json:"latency"`
	Parallelism   int     `json:"parallelism"`
}

// row is the medians of one timed scenario.
type row struct {
	Scenario string `json:"scenario"`
	N        int    `json:"n"`
	// Calls is the median of the requests the tenant received, token included.
	Calls int `json:"calls"`
	// Minimum is the fewest requests the API allows for the scenario (see minimum.go).
	Minimum int `json:"minimum"`
	// Limited is the median count of 429 answers.
	Limited int `json:"limited_429"`
	// Wall is the median wall time in seconds; Walls holds every run's.
	Wall  float64   `json:"wall_s"`
	Walls []float64 `json:"walls_s"`
	// Floor is max(calls / rate, ceil(calls / parallelism) × latency) in seconds.
	Floor     float64 `json:"floor_s"`
	WallFloor float64 `json:"wall_over_floor"`
	// PlanEstimate is sync.EstimateCalls of the applied plan (apply only).
	PlanEstimate int `json:"plan_estimate,omitempty"`
}

type ratios struct {
	Calls float64 `json:"calls"`
	Wall  float64 `json:"wall"`
}

type cpuResult struct {
	N int `json:"n"`
	// Medians over the runs.
	Wall      float64   `json:"wall_s"`
	Walls     []float64 `json:"walls_s"`
	CPU       float64   `json:"cpu_s"`
	PeakRSSMB float64   `json:"peak_rss_mb"`
	TenantCPU float64   `json:"tenant_cpu_s"`
	Calls     int       `json:"calls"`
	OutputKB  float64   `json:"output_kb"`
}

type scaling struct {
	FromN     int     `json:"from_n"`
	ToN       int     `json:"to_n"`
	WallRatio float64 `json:"wall_ratio"`
	CPURatio  float64 `json:"cpu_ratio"`
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func medianInt(xs []int) int {
	f := make([]float64, len(xs))
	for i, x := range xs {
		f[i] = float64(x)
	}
	return int(median(f) + 0.5)
}

func (o *options) row(name string, ms []measurement, minimum int) *row {
	var calls, limited []int
	var walls []float64
	for _, m := range ms {
		calls = append(calls, m.Calls)
		limited = append(limited, m.Limited)
		walls = append(walls, m.Wall)
	}
	r := &row{Scenario: name, N: o.n, Calls: medianInt(calls), Minimum: minimum, Limited: medianInt(limited), Wall: median(walls), Walls: walls}
	r.Floor = floorSeconds(r.Calls, o.ratePerSecond(), o.parallelism, o.latency.Seconds())
	if r.Floor > 0 {
		r.WallFloor = r.Wall / r.Floor
	}
	return r
}

func cpuRow(n int, ms []cpuMeasurement) cpuResult {
	var wall, cpu, rss, tenant, out []float64
	var calls []int
	for _, m := range ms {
		wall = append(wall, m.Wall)
		cpu = append(cpu, m.CPU)
		rss = append(rss, m.PeakRSSMB)
		tenant = append(tenant, m.TenantCPU)
		calls = append(calls, m.Calls)
		out = append(out, float64(m.Output)/1024)
	}
	return cpuResult{N: n, Wall: median(wall), Walls: wall, CPU: median(cpu), PeakRSSMB: median(rss), TenantCPU: median(tenant), Calls: medianInt(calls), OutputKB: median(out)}
}

func printTable(w io.Writer, res *results) {
	s := res.Settings
	fmt.Fprintf(w, "sailsync bench: N=%d, %d runs (medians), rate %d per %s on both sides (%.0f/s), latency %s, parallelism %d\n\n",
		s.N, s.Runs, s.Rate, s.Window, s.RatePerSecond, s.Latency, s.Parallelism)
	if res.PlanFetch != nil || res.Naive != nil || res.Apply != nil || res.PRFull != nil || res.TransformFetch != nil || res.ExportJob != nil {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "scenario\tN\tcalls\tminimum\tcalls/min\t429s\twall s\tfloor s\twall/floor\t")
		for _, r := range []*row{res.PlanFetch, res.Naive, res.Apply, res.PRFull, res.PRScoped, res.TransformFetch, res.TransformApply, res.ExportPerObject, res.ExportJob} {
			if r == nil {
				continue
			}
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.3f\t%d\t%.2f\t%.2f\t%.3f\t\n", r.Scenario, r.N, r.Calls, r.Minimum,
				float64(r.Calls)/float64(r.Minimum), r.Limited, r.Wall, r.Floor, r.WallFloor)
		}
		_ = tw.Flush()
		if r := res.NaiveOverSailsync; r != nil {
			fmt.Fprintf(w, "\nnaive / sailsync: %.2f× the calls, %.2f× the wall time\n", r.Calls, r.Wall)
		}
		if r := res.Apply; r != nil {
			fmt.Fprintf(w, "apply: plan estimate %d requests, the apply made %d\n", r.PlanEstimate, r.Calls)
		}
		if r := res.TransformApply; r != nil {
			fmt.Fprintf(w, "transforms apply: plan estimate %d requests, the apply made %d\n", r.PlanEstimate, r.Calls)
		}
		if r := res.PerObjectOverExport; r != nil {
			fmt.Fprintf(w, "export: a plan read per object makes %.0f× the calls of one read through the configuration export and takes %.2f× as long (the job completes at status read %d); the plans are identical\n", r.Calls, r.Wall, exportPolls)
		}
		if r := res.FullOverScoped; r != nil {
			fmt.Fprintf(w, "pr-plan: the full plan makes %.0f× the calls of plan --changed-since and takes %.1f× as long\n", r.Calls, r.Wall)
		}
		fmt.Fprintln(w)
	}
	if len(res.CPU) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "cpu: sailsync plan\tN\twall s\tCPU s\tpeak RSS MB\ttenant CPU s\tcalls\tplan text KB\t")
		for _, c := range res.CPU {
			fmt.Fprintf(tw, "\t%d\t%.2f\t%.2f\t%.0f\t%.2f\t%d\t%.0f\t\n", c.N, c.Wall, c.CPU, c.PeakRSSMB, c.TenantCPU, c.Calls, c.OutputKB)
		}
		_ = tw.Flush()
		if sc := res.CPUScaling; sc != nil {
			fmt.Fprintf(w, "\nscaling t(%d) / t(%d): wall %.2f, CPU %.2f\n", sc.ToN, sc.FromN, sc.WallRatio, sc.CPURatio)
		}
	}
}
