package sync

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	gosync "sync"
	"time"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/isc"
	"github.com/sailsync/sailsync/internal/value"
)

// Levels is the dependency order of an apply, from config's kind table: connectors exist before the sources that use
// them, and sources exist before their files and schemas are uploaded. An object waits only for
// the objects it depends on, never for a whole level.
var Levels = config.Levels()

// Status is the outcome of one object in an apply.
type Status string

// The outcomes of an apply.
const (
	StatusDone      Status = "done"
	StatusFailed    Status = "failed"
	StatusSkipped   Status = "skipped"
	StatusStale     Status = "stale"
	StatusCancelled Status = "cancelled"
)

// Result is what happened to one planned object.
type Result struct {
	Kind   config.Kind `json:"kind"`
	Name   string      `json:"name"`
	Source string      `json:"source,omitempty"`
	Action diff.Action `json:"action"`
	Status Status      `json:"status"`
	// Message explains a failure, a skip (which dependency) or a stale object.
	Message string `json:"message,omitempty"`
	// ScriptName is the scriptName the tenant gave a connector this apply created.
	ScriptName string `json:"script_name,omitempty"`
	// Note is advice on a done object, e.g. to pin a new connector's scriptName.
	Note string `json:"note,omitempty"`
	// Verify is the source's connection test after its create or update (ApplyOptions.Verify).
	Verify     *Verification `json:"verify,omitempty"`
	HTTPStatus int           `json:"http_status,omitempty"`
	DetailCode string        `json:"detail_code,omitempty"`
	TrackingID string        `json:"tracking_id,omitempty"`
}

// Report is the outcome of an apply, one Result per planned change in plan order.
type Report struct {
	Results []Result `json:"results"`
}

// OK reports whether everything planned was done and every connection test passed.
func (r *Report) OK() bool {
	for _, res := range r.Results {
		if res.Status != StatusDone || res.Verify != nil && !res.Verify.Passed() {
			return false
		}
	}
	return true
}

// VerifyFailed counts the connection tests that did not pass.
func (r *Report) VerifyFailed() int {
	n := 0
	for _, res := range r.Results {
		if res.Verify != nil && !res.Verify.Passed() {
			n++
		}
	}
	return n
}

// Count returns how many results have status s.
func (r *Report) Count(s Status) int {
	n := 0
	for _, res := range r.Results {
		if res.Status == s {
			n++
		}
	}
	return n
}

// ApplyOptions tune Apply.
type ApplyOptions struct {
	// Parallelism bounds concurrent objects; 0 means DefaultParallelism.
	Parallelism int
	// Dir is the repository root that connector-file uploads are read from (Upload.Path).
	// Everything else an apply sends is in the plan.
	Dir string
	// Env looks up ${env:…} references; nil means os.LookupEnv.
	Env func(name string) (string, bool)
	// Progress, when set, is called as each object finishes.
	Progress func(Result)
	// Deletes is the consent to the plan's deletes: a deletion (a source's accounts with it)
	// needs its own, and a plan with deletes is refused without it.
	Deletes DeleteConsent
	// TaskWait bounds how long a source deletion's task is followed; 0 means DefaultTaskWait.
	TaskWait time.Duration
	// Created, when set, is called the moment the tenant answers a create, before anything else
	// is sent for that object: a connector an interrupted apply created unreleased is found by
	// no documented read, so the caller keeps this record (the CLI's journal).
	Created func(Created)
	// Verify runs the tenant's connection test of every source the apply created or updated,
	// once every write is done, and reports it on the source's Result; a failed test fails the
	// apply, and nothing is rolled back.
	Verify bool
}

// Created identifies an object an apply created, as the tenant named it.
type Created struct {
	Kind config.Kind `json:"kind"`
	Name string      `json:"name"`
	// ID is the tenant's identifier: a connector's scriptName, another object's id.
	ID string `json:"id"`
}

// ErrViolations is returned when a plan with violations is applied: nothing is sent.
var ErrViolations = errors.New("the plan has immutable-field violations: nothing was sent")

// Apply carries out plan's operations against the tenant, and nothing else: the plan is the
// contract, and the repository (may be nil) is only checked to be the one the plan was made
// from. It returns an error only when nothing was sent (violations, a plan made from other
// content); failures of single objects are in the Report.
//
// Cancelling ctx stops new requests from starting; requests in flight finish so that no write is
// cut in half, and the objects not started are reported as cancelled.
func Apply(ctx context.Context, c *isc.Client, repo *config.Repo, plan *diff.Plan, opts ApplyOptions) (*Report, error) {
	if len(plan.Violations) > 0 {
		return nil, ErrViolations
	}
	if err := checkDeletes(plan, opts.Deletes); err != nil {
		return nil, err
	}
	if repo != nil && plan.RepoHash != repo.Hash {
		return nil, fmt.Errorf("the plan was made from other repository content (plan %.12s, repository %.12s): run plan again", plan.RepoHash, repo.Hash)
	}
	if opts.Env == nil {
		opts.Env = os.LookupEnv
	}
	if opts.Dir == "" && repo != nil {
		opts.Dir = repo.Dir
	}
	par := opts.Parallelism
	if par <= 0 {
		par = DefaultParallelism
	}
	a := &applier{
		c: c, opts: opts,
		// In-flight requests run on a context that the interrupt does not cancel; it only stops
		// their retries (a retry is a new request).
		reqCtx:      isc.WithInterrupt(context.WithoutCancel(ctx), ctx),
		stop:        ctx,
		sem:         make(chan struct{}, par),
		scriptNames: map[string]string{},
		sourceIDs:   map[string]string{},
	}
	for _, ch := range plan.Changes {
		if ch.LiveID != "" {
			handlerOf(ch.Kind).known(a, ch)
		}
	}
	var tasks []*task
	byKey := map[string]*task{}
	for _, ch := range plan.Changes {
		if ch.Action != diff.ActionCreate && ch.Action != diff.ActionUpdate && ch.Action != diff.ActionDelete {
			continue
		}
		if ch.Op == nil {
			return nil, fmt.Errorf("%s %q: the plan has no operation for its %s: run plan again", ch.Kind, ch.Name, ch.Action)
		}
		t := &task{change: ch, done: make(chan struct{})}
		tasks = append(tasks, t)
		byKey[ch.Key()] = t
	}
	// Start the lower levels first so that they get the request slots first.
	launch := append([]*task(nil), tasks...)
	sort.SliceStable(launch, func(i, j int) bool { return rank(launch[i].change) < rank(launch[j].change) })
	for _, t := range tasks {
		for _, key := range t.change.Op.Deps {
			dep, ok := byKey[key]
			if !ok {
				continue
			}
			// Only lower ranks can be waited for, so a wrong edge can never deadlock.
			if rank(dep.change) >= rank(t.change) {
				return nil, fmt.Errorf("%s %q cannot depend on %s %q", t.change.Kind, t.change.Name, dep.change.Kind, dep.change.Name)
			}
			t.deps = append(t.deps, dep)
		}
	}
	var wg gosync.WaitGroup
	for _, t := range launch {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(t.done)
			if err := guard(func() error { t.result = a.run(t); return nil }); err != nil {
				t.result = Result{Kind: t.change.Kind, Name: t.change.Name, Source: t.change.Source, Action: t.change.Action, Status: StatusFailed, Message: err.Error()}
			}
			if opts.Progress != nil {
				opts.Progress(t.result)
			}
		}()
	}
	wg.Wait()
	if opts.Verify {
		a.verify(tasks)
	}
	rep := &Report{}
	for _, t := range tasks {
		rep.Results = append(rep.Results, t.result)
	}
	return rep, nil
}

type task struct {
	change diff.Change
	deps   []*task
	done   chan struct{}
	result Result
}

type applier struct {
	c      *isc.Client
	opts   ApplyOptions
	reqCtx context.Context
	stop   context.Context
	sem    chan struct{}

	mu          gosync.Mutex
	scriptNames map[string]string // connector name → scriptName the tenant returned
	sourceIDs   map[string]string // source name → id
}

func (a *applier) run(t *task) Result {
	ch := t.change
	res := Result{Kind: ch.Kind, Name: ch.Name, Source: ch.Source, Action: ch.Action}
	for _, dep := range t.deps {
		<-dep.done
		if dep.result.Status != StatusDone {
			res.Status = StatusSkipped
			res.Message = fmt.Sprintf("depends on %s %q, which was %s", dep.change.Kind, dep.change.Name, dep.result.Status)
			return res
		}
	}
	select {
	case a.sem <- struct{}{}:
	case <-a.stop.Done():
		res.Status = StatusCancelled
		res.Message = "not started: interrupted"
		return res
	}
	defer func() { <-a.sem }()
	if a.stop.Err() != nil {
		res.Status = StatusCancelled
		res.Message = "not started: interrupted"
		return res
	}
	var err error
	if ch.Action == diff.ActionDelete {
		res.Note, err = a.deleteObject(ch)
	} else {
		err = handlerOf(ch.Kind).apply(a, ch, &res)
	}
	var stale *staleError
	var apiErr *isc.APIError
	switch {
	case err == nil:
		res.Status = StatusDone
	case errors.As(err, &stale):
		res.Status = StatusStale
		res.Message = err.Error()
	case errors.Is(err, errInterrupted), errors.Is(err, isc.ErrInterrupted):
		res.Status = StatusCancelled
		res.Message = err.Error()
	default:
		res.Status = StatusFailed
		res.Message = err.Error()
	}
	if err != nil && errors.As(err, &apiErr) {
		res.HTTPStatus = apiErr.Status
		res.DetailCode = apiErr.DetailCode
		res.TrackingID = apiErr.TrackingID
	}
	return res
}

var errInterrupted = errors.New("interrupted before this object's next request: nothing more was sent for it")

// record reports a create the tenant answered; calls are serialised, so the callback need not be.
func (a *applier) record(kind config.Kind, name, id string) {
	if a.opts.Created == nil || id == "" {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.opts.Created(Created{Kind: kind, Name: name, ID: id})
}

type staleError struct{ what string }

// Error says what changed and what to do.
func (e *staleError) Error() string {
	return e.what + " changed in the tenant since the plan; run plan again"
}

// resolve expands the references of a declared value: connectors to the scriptName the tenant
// returned (or will have), environment variables to their values.
func (a *applier) resolve(r config.Ref) (string, error) {
	switch r.Scheme {
	case config.SchemeConnector:
		a.mu.Lock()
		sn, ok := a.scriptNames[r.Name]
		a.mu.Unlock()
		if ok {
			return sn, nil
		}
		return "", fmt.Errorf("${connector:%s}: the plan found no connector of that name in the tenant and this apply did not create it", r.Name)
	case config.SchemeEnv:
		v, ok := a.opts.Env(r.Name)
		if !ok {
			return "", fmt.Errorf("environment variable %s is not set", r.Name)
		}
		return v, nil
	}
	return "", fmt.Errorf("unknown reference %s", r)
}

func (a *applier) resolveObject(o *value.Object) (*value.Object, error) {
	v, err := config.ExpandValue(o, a.resolve)
	if err != nil {
		return nil, err
	}
	obj, ok := v.(*value.Object)
	if !ok {
		return nil, errors.New("declared fields are not an object")
	}
	return obj, nil
}

// Overlay builds the body of a full-object PUT: the fresh live object with the declared fields
// laid over it. connectorAttributes are merged key by key, so server-added keys and undeclared
// attributes stay; every other undeclared or unknown field is sent back exactly as the tenant
// returned it. A declared secret (an ${env:…} value) is sent only when send(path) says so (the
// plan lists the secrets it sends) or the tenant has no value for it; otherwise the tenant's
// cipher text is sent back, which keeps it.
func Overlay(live, declared *value.Object, resolve func(config.Ref) (string, error), send func(path string) bool) (*value.Object, error) {
	body := live.Clone()
	for _, k := range declared.Keys() {
		dv, _ := declared.Get(k)
		if k == "connectorAttributes" {
			dattrs, ok := dv.(*value.Object)
			if !ok {
				return nil, errors.New("connectorAttributes is not a mapping")
			}
			attrs := body.Object("connectorAttributes")
			if attrs == nil {
				attrs = value.NewObject()
			}
			for _, ak := range dattrs.Keys() {
				av, _ := dattrs.Get(ak)
				// A secret the plan does not send keeps the tenant's value: a declared ${env:…},
				// or a literal over cipher text (the tenant stores it encrypted: never compared).
				if lv, has := attrs.Get(ak); has && !send(k+"."+ak) && (config.IsSecret(av) || isCipher(lv)) {
					continue
				}
				rv, err := config.ExpandValue(av, resolve)
				if err != nil {
					return nil, fmt.Errorf("connectorAttributes.%s: %w", ak, err)
				}
				attrs.Set(ak, rv)
			}
			body.Set(k, attrs)
			continue
		}
		if _, has := body.Get(k); has && !send(k) && config.IsSecret(dv) {
			continue
		}
		rv, err := config.ExpandValue(dv, resolve)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		body.Set(k, rv)
	}
	return body, nil
}

// isCipher reports whether a live value is the tenant's cipher text.
func isCipher(v any) bool {
	s, ok := v.(string)
	return ok && config.IsCipherText(s)
}

func (a *applier) sourceID(name string) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	id, ok := a.sourceIDs[name]
	if !ok || id == "" {
		return "", fmt.Errorf("source %q has no id in the tenant", name)
	}
	return id, nil
}
