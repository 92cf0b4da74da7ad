package sync

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/value"
)

// ReadMode chooses how Fetch reads the declared sources' schemas.
type ReadMode string

// The read modes. The zero value reads per object.
const (
	// ReadPerObject reads each source's schemas with GET /v3/sources/{id}/schemas.
	ReadPerObject ReadMode = ""
	// ReadAuto uses the configuration export when the per-source reads would cost more requests
	// than the export job (ExportCalls).
	ReadAuto ReadMode = "auto"
	// ReadExport always reads the schemas from one configuration export job.
	ReadExport ReadMode = "export"
)

// ParseReadMode reads --read's value.
func ParseReadMode(s string) (ReadMode, error) {
	switch s {
	case "auto":
		return ReadAuto, nil
	case "per-object":
		return ReadPerObject, nil
	case "export":
		return ReadExport, nil
	}
	return "", fmt.Errorf("--read must be auto, per-object or export, not %q", s)
}

// ExportCalls is what a configuration export is expected to cost: its start, two status polls
// and the download. Auto mode exports when more per-source schema reads than this are needed.
const ExportCalls = 4

// Default bounds of the export job's wait: the first status poll after DefaultExportPoll, each
// next one after twice the wait (at most 5 s), given up after DefaultExportWait.
const (
	DefaultExportPoll = 500 * time.Millisecond
	DefaultExportWait = 3 * time.Minute
)

// exportRead is the outcome of the export job: each exported source's schemas by source id,
// and why the job gave nothing (then every source is read per object).
type exportRead struct {
	schemas map[string]map[string]*value.Object
	failed  string
	calls   int
}

// readExport runs one export job of the named sources and takes their embedded schemas. A
// failure of the job (no scope, no endpoint, FAILED, too slow, an unreadable answer) is not an
// error: it is recorded, and the sources are read per object instead.
func (f *fetcher) readExport(ctx context.Context, names []string) {
	out := &exportRead{}
	defer func() {
		f.mu.Lock()
		f.export = out
		f.mu.Unlock()
	}()
	fail := func(err error) { out.failed = err.Error() }
	id, err := f.c.StartSourceExport(ctx, names)
	out.calls++
	if err != nil {
		fail(err)
		return
	}
	poll, waited := f.exportPoll, time.Duration(0)
	for {
		if waited >= f.exportWait {
			fail(fmt.Errorf("export job %s: not complete after %s", id, f.exportWait))
			return
		}
		t := time.NewTimer(poll)
		select {
		case <-ctx.Done():
			t.Stop()
			fail(ctx.Err())
			return
		case <-t.C:
		}
		waited += poll
		poll = min(2*poll, 5*time.Second)
		job, err := f.c.GetExportJob(ctx, id)
		out.calls++
		if err != nil {
			fail(err)
			return
		}
		status := job.String("status")
		if status == "COMPLETE" {
			break
		}
		if status != "NOT_STARTED" && status != "IN_PROGRESS" {
			fail(fmt.Errorf("export job %s ended %s", id, status))
			return
		}
	}
	res, err := f.c.DownloadExport(ctx, id)
	out.calls++
	if err != nil {
		fail(err)
		return
	}
	objs, _ := res.Get("objects")
	list, ok := objs.([]any)
	if !ok {
		fail(errors.New("export: the download has no objects list"))
		return
	}
	out.schemas = map[string]map[string]*value.Object{}
	for _, item := range list {
		co, _ := item.(*value.Object)
		if co == nil {
			continue
		}
		self, _ := co.Get("self")
		so, _ := self.(*value.Object)
		obj, _ := co.Get("object")
		src, _ := obj.(*value.Object)
		if so == nil || src == nil || so.String("type") != "SOURCE" || so.String("id") == "" {
			continue
		}
		if m, ok := embeddedSchemas(src); ok {
			out.schemas[so.String("id")] = m
		}
	}
}

// embeddedSchemas takes an exported source's schemas when each has what the per-object read
// gives (id, name, attributes): a source without them, or with one lacking them, is read per
// object. Only the schemas are taken: the exported source is not the v3 source.
func embeddedSchemas(src *value.Object) (map[string]*value.Object, bool) {
	v, ok := src.Get("schemas")
	list, isList := v.([]any)
	if !ok || !isList {
		return nil, false
	}
	m := make(map[string]*value.Object, len(list))
	for _, item := range list {
		s, _ := item.(*value.Object)
		if s == nil || s.String("id") == "" || s.String("name") == "" {
			return nil, false
		}
		if a, _ := s.Get("attributes"); a == nil {
			return nil, false
		} else if _, ok := a.([]any); !ok {
			return nil, false
		}
		m[s.String("name")] = s
	}
	return m, true
}

// exportFallback fills the schemas of the declared sources the export did not give, per object,
// and notes what was read how. Every declared source with schemas that the tenant has is read
// by one route or the other before the diff.
func (f *fetcher) exportFallback(ctx context.Context, par int) error {
	x := f.export
	if x == nil {
		return nil
	}
	var fallback []*value.Object
	exported := 0
	for name := range f.withSchemas {
		src := f.live.Get(config.KindSource, "", name)
		if src == nil {
			continue
		}
		if m, ok := x.schemas[src.String("id")]; ok {
			f.live.SetListedOwner(config.KindEntitlementSchema, name)
			for sn, o := range m {
				f.live.Put(config.KindEntitlementSchema, name, sn, o)
			}
			exported++
			continue
		}
		fallback = append(fallback, src)
	}
	sort.Slice(fallback, func(i, j int) bool { return fallback[i].String("name") < fallback[j].String("name") })
	switch {
	case x.failed != "":
		f.live.Notes = append(f.live.Notes, fmt.Sprintf("Read: the configuration export gave nothing (%s): the schemas of %s were read one source at a time.", x.failed, sourcesWord(len(fallback))))
	case len(fallback) > 0:
		f.live.Notes = append(f.live.Notes, fmt.Sprintf("Read: the schemas of %s from one configuration export (%d requests); %s it did not give whole were read one at a time.", sourcesWord(exported), x.calls, sourcesWord(len(fallback))))
	default:
		f.live.Notes = append(f.live.Notes, fmt.Sprintf("Read: the schemas of %s from one configuration export (%d requests).", sourcesWord(exported), x.calls))
	}
	f.live.ExportFallbacks = len(fallback)
	if len(fallback) == 0 {
		return nil
	}
	f.pool = newPool(ctx, par)
	f.perObject = true
	for _, src := range fallback {
		f.askSchemas(src)
	}
	if err := f.pool.wait(); err != nil {
		return err
	}
	for _, src := range fallback {
		if !f.live.ListedOwners[config.KindEntitlementSchema][src.String("name")] {
			return fmt.Errorf("source %q: its schemas were read by neither the export nor GET", src.String("name"))
		}
	}
	return nil
}

// useExport decides the read of this fetch: n per-source schema reads against the export.
func useExport(mode ReadMode, n int) bool {
	return mode == ReadExport && n > 0 || mode == ReadAuto && n > ExportCalls
}

// sourcesWord is "1 source" or "n sources".
func sourcesWord(n int) string {
	if n == 1 {
		return "1 source"
	}
	return fmt.Sprintf("%d sources", n)
}
