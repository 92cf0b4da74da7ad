package diff

import (
	"fmt"
	"sort"
	"strings"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/value"
)

func init() {
	registerPlanner(config.KindConnector, kindPlanner{
		plan: func(c *computer, out []planned) ([]planned, error) {
			for _, con := range c.repo.Connectors() {
				pl, err := c.connector(con)
				if err != nil {
					return nil, err
				}
				out = append(out, pl)
			}
			return out, nil
		},
		live: func(c *computer, o *config.Object, _ string) *value.Object {
			return c.live.Get(config.KindConnector, "", o.Name)
		},
		refuseDelete: refuseConnectorDelete,
		unmanaged:    unmanagedConnectors,
	})
}

func (c *computer) connectorByName(name string) *config.Connector {
	for _, con := range c.repo.Connectors() {
		if con.Name == name {
			return con
		}
	}
	return nil
}

func (c *computer) connector(con *config.Connector) (planned, error) {
	if con.Absent {
		return c.tombstone(&con.Object, ""), nil
	}
	desired, leaves, err := c.resolve(&con.Object)
	if err != nil {
		return planned{}, err
	}
	ch := Change{Kind: config.KindConnector, Name: con.Name, File: con.Doc.File, Line: con.Doc.Line}
	lv := c.live.Get(config.KindConnector, "", con.Name)
	bl := lv
	if b := c.live.Bundles[con.Name]; b != nil && lv != nil {
		bl = b // the bundle as the documented endpoints confirmed it; lv stays the fingerprinted detail
	}
	bundleFields, bundleReqs := c.bundle(con, bl)
	if lv == nil {
		ch.Action = ActionCreate
		ch.Fields = append(createFields(desired), bundleFields...)
		body := con.Fields.Clone()
		// The tenant chooses the scriptName: the create body has no such field.
		body.Delete("scriptName")
		ch.Op = &Operation{Body: body, Secrets: leafPaths(leaves), Pin: con.PinnedScriptName, Bundle: bundleReqs}
		return planned{change: ch, needs: needsOf(&con.Object, leaves)}, nil
	}
	ch.LiveID = lv.String("scriptName")
	fp := FingerprintOf(lv)
	ch.Fingerprint = &fp
	// Secrets of an existing connector are not compared: with no update endpoint nothing could
	// be sent for them.
	ch.Fields = c.compare(c.connectorCmp, desired, lv)
	sortFields(ch.Fields, desired)
	var ign []Ignored
	ch.Fields, ign = ignoreFields(c.repo.Settings.Ignore, config.KindConnector, con.Name, "", ch.Fields)
	var vs []Violation
	for i := range ch.Fields {
		f := &ch.Fields[i]
		f.Immutable = true
		pos := con.PosOf(f.Path)
		top, _, _ := strings.Cut(f.Path, ".")
		vs = append(vs, Violation{Kind: config.KindConnector, Name: con.Name, Path: f.Path, File: pos.File, Line: pos.Line,
			Col: pos.Col, Live: f.Before, Desired: f.After, Rule: ruleConnectorField(top)})
	}
	// The bundle is what the tenant lets change: its parts are updates, with requests of their own.
	ch.Fields = append(ch.Fields, bundleFields...)
	switch {
	case len(vs) > 0:
		ch.Action = ActionViolation
		return planned{change: ch, violations: vs, ignored: ign}, nil
	case len(bundleReqs) > 0:
		ch.Action = ActionUpdate
		ch.Op = &Operation{Bundle: bundleReqs}
	default:
		ch.Action = ActionNoChange
	}
	return planned{change: ch, ignored: ign}, nil
}

// ruleConnectorInUse is the rule of a violation for a connector tombstone whose connector a live
// source still uses, other than a source the same plan deletes.
const ruleConnectorInUse = "DELETE /v3/connectors/{scriptName} cannot remove a connector a source still uses: delete the source first (a tombstone) or keep the connector"

// ruleConnectorBuiltIn is the rule of a violation for a Connector tombstone of a connector that
// is not a custom one (JDBC, Active Directory, … are the tenant's own).
const ruleConnectorBuiltIn = "DELETE /v3/connectors/{scriptName} (deleteCustomConnector) deletes custom connectors only: a connector SailPoint provides is never deleted; remove the tombstone"

// ruleConnectorUsersUnknown is the rule of a violation for a Connector tombstone whose users
// could not be read.
const ruleConnectorUsersUnknown = "a connector is deleted only when no source of the tenant uses it: run plan again"

// IsCustomConnector reports whether the tenant's connector (a ConnectorDetail, or a listing's
// entry) is a custom one, which DELETE /v3/connectors/{scriptName} may remove. The API has no
// field that says so; a connector counts as custom when any of what the tenant returns marks it:
// the open connector class, a type the tenant gave as "custom <name>", or a storage path under
// custom-connector/. A connector with none of these is the tenant's own, also when the tenant
// omits the fields: a delete is refused rather than guessed.
func IsCustomConnector(o *value.Object) bool {
	if o == nil {
		return false
	}
	typ := strings.ToLower(strings.TrimSpace(o.String("type")))
	return o.String("className") == openConnectorClass ||
		strings.HasPrefix(typ, "custom ") ||
		strings.HasPrefix(strings.TrimLeft(o.String("s3Location"), "/"), "custom-connector/")
}

// usedBy names the sources of a connector in a violation: all of them up to ten.
func usedBy(users []string) string {
	const shown = 10
	q := make([]string, 0, min(len(users), shown))
	for _, u := range users[:min(len(users), shown)] {
		q = append(q, fmt.Sprintf("%q", u))
	}
	s := "used by source " + q[0]
	if len(users) > 1 {
		s = fmt.Sprintf("used by %d sources: %s", len(users), strings.Join(q, ", "))
	}
	if len(users) > shown {
		s += fmt.Sprintf(" and %d more", len(users)-shown)
	}
	return s
}

// connectorUsers names the live sources that use the connector with scriptName sn and that no
// tombstone deletes, sorted. Fetch reads every source of the tenant for a repository with a
// Connector tombstone, so these are all of them, not only the declared ones.
func (c *computer) connectorUsers(sn string) []string {
	absent := map[string]bool{}
	for _, s := range c.repo.Sources() {
		if s.Absent {
			absent[s.Name] = true
		}
	}
	var out []string
	for key, lv := range c.live.Objects[config.KindSource] {
		name := key.Name
		if lv != nil && lv.String("connector") == sn && !absent[name] {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// openConnectorClass is the class custom connectors are built on (the open connector standard);
// the tenant's own connectors have classes of their own.
const openConnectorClass = "sailpoint.connector.OpenConnectorAdapter"

// customConnectors are the tenant's custom connectors as far as the API shows them: listed ones
// built on the open connector class, and those live sources use that the listing (RELEASED
// connectors only) lacks, named by the sources' connectorName, except SaaS connectors. One per
// scriptName, by scriptName.
func (c *computer) customConnectors() []*value.Object {
	byScript := map[string]*value.Object{}
	listed := map[string]bool{}
	for _, con := range c.live.ListedConnectors {
		sn := con.String("scriptName")
		listed[sn] = true
		if con.String("className") == openConnectorClass {
			byScript[sn] = con
		}
	}
	for _, con := range c.live.Objects[config.KindConnector] {
		if con != nil {
			byScript[con.String("scriptName")] = con
		}
	}
	for _, src := range c.live.Objects[config.KindSource] {
		if src == nil {
			continue
		}
		sn := src.String("connector")
		if sn == "" || listed[sn] || byScript[sn] != nil || config.UsesSaaSConnector(src) {
			continue
		}
		o := value.NewObject()
		o.Set("name", src.String("connectorName"))
		o.Set("scriptName", sn)
		if o.String("name") == "" {
			o.Set("name", sn)
		}
		byScript[sn] = o
	}
	names := make([]string, 0, len(byScript))
	for sn := range byScript {
		names = append(names, sn)
	}
	sort.Strings(names)
	out := make([]*value.Object, len(names))
	for i, sn := range names {
		out[i] = byScript[sn]
	}
	return out
}

// declaresConnector reports whether the repository declares the live connector: it is the one
// found for a declared Connector, or has a declared Connector's name.
func (c *computer) declaresConnector(con *value.Object) bool {
	for key, lv := range c.live.Objects[config.KindConnector] {
		name := key.Name
		if lv != nil && lv.String("scriptName") == con.String("scriptName") && c.connectorByName(name) != nil {
			return true
		}
	}
	for _, d := range c.repo.Connectors() {
		if strings.EqualFold(d.Name, con.String("name")) {
			return true
		}
	}
	return false
}

// unmanagedConnectors returns the tenant's custom connectors that the repository does not
// declare, when the connector listing was read, counting them in cov.Connectors.
func unmanagedConnectors(c *computer, cov *Coverage) []unmanagedObject {
	if !c.live.Listed[config.KindConnector] {
		return nil
	}
	var found []unmanagedObject
	for _, con := range c.customConnectors() {
		cov.Connectors.All++
		if c.declaresConnector(con) {
			cov.Connectors.Managed++
			continue
		}
		what := []string{"scriptName " + con.String("scriptName")}
		found = append(found, unmanagedObject{kind: config.KindConnector, name: con.String("name"), id: con.String("scriptName"),
			note: noteOf(what), fp: FingerprintOf(con)})
	}
	return found
}

// refuseConnectorDelete refuses the delete of a connector the tenant provides, or one a live
// source that no tombstone deletes still uses, or one whose users are not known.
func refuseConnectorDelete(c *computer, _ *config.Object, live *value.Object, scriptName string) (string, string, bool) {
	if !IsCustomConnector(live) {
		return fmt.Sprintf("the tenant's own connector (className %q, type %q)", live.String("className"), live.String("type")), ruleConnectorBuiltIn, true
	}
	if !c.live.Listed[config.KindSource] {
		// Fetch reads every source when the repository has a Connector tombstone; a listing
		// that changed while it was read leaves the connector's users unknown.
		return "the sources that use it are not known (the tenant's source listing was not read whole)", ruleConnectorUsersUnknown, true
	}
	if users := c.connectorUsers(scriptName); len(users) > 0 {
		return usedBy(users), ruleConnectorInUse, true
	}
	return "", "", false
}
