package sync

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/isc"
	"github.com/sailsync/sailsync/internal/value"
)

func init() {
	register(config.KindProvisioningPolicy, policyKind{})
	registerReader(config.KindProvisioningPolicy, kindReader{start: func(*fetcher) {}, finish: func(ctx context.Context, f *fetcher, par int) error { return f.policies(ctx, par) }})
	registerExporter(config.KindProvisioningPolicy, func() exporter { return &policyExport{bySource: map[string][]*value.Object{}} })
}

// policyKind applies ProvisioningPolicy changes: a POST, a PUT …/{usageType} after a fresh read,
// a DELETE …/{usageType}, each under its source's id.
type policyKind struct{}

func (policyKind) known(*applier, diff.Change) {}

func (policyKind) apply(a *applier, ch diff.Change, _ *Result) error {
	what := fmt.Sprintf("provisioning policy %s of source %q", ch.Name, ch.Source)
	id, err := a.sourceID(ch.Source)
	if err != nil {
		return err
	}
	body, err := a.resolveObject(ch.Op.Body)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if ch.Action == diff.ActionCreate {
		if _, err := a.c.CreatePolicy(a.reqCtx, id, body); err != nil {
			return fmt.Errorf("%s: create: %w", what, err)
		}
		return nil
	}
	fresh, err := a.c.GetPolicy(a.reqCtx, id, ch.LiveID)
	if err != nil {
		return fmt.Errorf("%s: fresh read: %w", what, err)
	}
	if ch.Fingerprint == nil || diff.FingerprintOf(fresh).Hash != ch.Fingerprint.Hash {
		return &staleError{what: what}
	}
	if a.stop.Err() != nil {
		return errInterrupted
	}
	if _, err := a.c.PutPolicy(a.reqCtx, id, ch.LiveID, body); err != nil {
		return fmt.Errorf("%s: update: %w", what, err)
	}
	return nil
}

func (policyKind) remove(a *applier, ch diff.Change) (string, error) {
	id, err := a.sourceID(ch.Source)
	if err == nil {
		err = a.c.DeletePolicy(a.reqCtx, id, ch.LiveID)
	}
	return a.deleteDone(ch, err)
}

// calls: the POST; a fresh GET and the PUT; the DELETE.
func (policyKind) calls(ch diff.Change) int { return perAction(ch, 1, 2, 1) }

// policies reads, once the sources are found, the provisioning policies of each declared source
// the tenant has that declares some (drift: of every declared source, to report the others as
// unmanaged), and looks up by name the transforms their fields reference that the repository
// does not declare, so that plan tells a missing one from one the tenant has.
func (f *fetcher) policies(ctx context.Context, par int) error {
	withPolicies := map[string]bool{}
	refs := map[string]bool{}
	for _, p := range f.repo.Policies() {
		withPolicies[p.Source] = true
		for _, n := range p.TransformNames() {
			refs[n] = true
		}
	}
	for _, t := range f.repo.ObjectsOf(config.KindTransform) {
		delete(refs, t.Name)
	}
	var ask []*value.Object
	for _, s := range f.repo.Sources() {
		if s.Absent || !withPolicies[s.Name] && !f.all {
			continue
		}
		if o := f.live.Get(config.KindSource, "", s.Name); o != nil {
			ask = append(ask, o)
		}
	}
	if len(ask) == 0 && len(refs) == 0 {
		return nil
	}
	f.pool = newPool(ctx, par)
	for _, o := range ask {
		name, id := o.String("name"), o.String("id")
		f.submit(func(ctx context.Context) error {
			objs, err := f.c.ListPolicies(ctx, id)
			if err != nil {
				return fmt.Errorf("source %q: list provisioning policies: %w", name, err)
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			f.live.SetListedOwner(config.KindProvisioningPolicy, name)
			for _, p := range objs {
				f.live.Put(config.KindProvisioningPolicy, name, p.String("usageType"), p)
			}
			return nil
		})
	}
	for n := range refs {
		f.submit(func(ctx context.Context) error {
			objs, err := f.c.ListIn(ctx, "/v3/transforms", "name eq "+isc.QuoteFilter(n))
			if err != nil {
				return fmt.Errorf("transform %q: %w", n, err)
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			for _, t := range objs {
				if t.String("name") == n {
					f.live.Put(config.KindTransform, "", n, t)
				}
			}
			return nil
		})
	}
	return f.pool.wait()
}

// policyExport exports the provisioning policies of each exported source.
type policyExport struct {
	bySource map[string][]*value.Object // by source name
}

func (*policyExport) prepare(context.Context, *exportRun) error { return nil }

func (e *policyExport) readSource(x *exportRun, s *value.Object) {
	x.readOwned(s, "provisioning policies", x.c.ListPolicies, e.bySource)
}

func (*policyExport) renderAll(*exportRun) error { return nil }

// renderSource writes each policy of the source as the tenant stores it, one file each.
func (e *policyExport) renderSource(x *exportRun, s *value.Object) error {
	source := s.String("name")
	for _, p := range e.bySource[source] {
		body, ok := escapeRefs(p).(*value.Object)
		if !ok {
			return fmt.Errorf("provisioning policy of source %q is not an object", source)
		}
		doc := value.NewObject()
		doc.Set("kind", string(config.KindProvisioningPolicy))
		doc.Set("source", source)
		for k, v := range body.All() {
			doc.Set(k, v)
		}
		name := slug(source) + "-" + strings.ToLower(p.String("usageType")) + ".yaml"
		f, err := yamlFile(path.Join("provisioning-policies", name), doc)
		if err != nil {
			return err
		}
		x.add(f)
	}
	return nil
}
