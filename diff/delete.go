package diff

import (
	"fmt"
	"sort"
	"strings"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/value"
)

// ActionDelete deletes an object a tombstone names (`absent: true`) and the tenant has.
const ActionDelete Action = "delete"

// ruleConnectorInUse is the rule of a violation for a connector tombstone whose connector a live
// source still uses, other than a source the same plan deletes.
const ruleConnectorInUse = "DELETE /v3/connectors/{scriptName} cannot remove a connector a source still uses: delete the source first (a tombstone) or keep the connector"

// tombstone plans a tombstone: no change when the tenant does not have the object, else a
// delete that waits for the deletes of what depends on it (reverse dependency order): a source
// for its schemas' deletes, a connector for the deletes of the sources that use it.
func (c *computer) tombstone(o *config.Object, source string) planned {
	ch := Change{Kind: o.Kind, Name: o.Name, Source: source, File: o.Doc.File, Line: o.Doc.Line, Fields: []Field{}}
	if o.Reason != "" {
		ch.Note = "reason: " + o.Reason
	}
	var live *value.Object
	switch o.Kind {
	case config.KindConnector:
		if lv := c.live.Connectors[o.Name]; lv != nil {
			live, ch.LiveID = lv, lv.String("scriptName")
		}
	case config.KindSource:
		if lv := c.live.Sources[o.Name]; lv != nil {
			live, ch.LiveID = lv, lv.String("id")
		}
	case config.KindEntitlementSchema:
		if c.live.Sources[source] != nil {
			if lv := c.live.Schemas[source][o.Name]; lv != nil {
				live, ch.LiveID = lv, lv.String("id")
			}
		}
	default:
		if lv := c.live.Objects[o.Kind][o.Name]; lv != nil {
			live, ch.LiveID = lv, lv.String("id")
		}
	}
	if live == nil {
		ch.Action = ActionNoChange
		return planned{change: ch}
	}
	ch.Action = ActionDelete
	ch.Op = &Operation{Deps: c.deleteDeps(o, ch.LiveID)}
	if o.Kind == config.KindConnector {
		refuse := func(live, rule string) planned {
			ch.Action, ch.Op = ActionViolation, nil
			pos := o.PosOf("name")
			v := Violation{Kind: o.Kind, Name: o.Name, Path: "absent", File: pos.File, Line: pos.Line, Col: pos.Col,
				Live: live, Desired: true, Rule: rule}
			return planned{change: ch, violations: []Violation{v}}
		}
		if !IsCustomConnector(live) {
			return refuse(fmt.Sprintf("the tenant's own connector (className %q, type %q)", live.String("className"), live.String("type")), ruleConnectorBuiltIn)
		}
		if !c.live.AllSourcesListed {
			// Fetch reads every source when the repository has a Connector tombstone; a listing
			// that changed while it was read leaves the connector's users unknown.
			return refuse("the sources that use it are not known (the tenant's source listing was not read whole)", ruleConnectorUsersUnknown)
		}
		if users := c.connectorUsers(ch.LiveID); len(users) > 0 {
			return refuse(usedBy(users), ruleConnectorInUse)
		}
	}
	return planned{change: ch}
}

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

// deleteDeps are the keys of the deletes that must be done before o's: the tombstoned schemas of
// a source, the tombstoned sources that use a connector (scriptName sn).
func (c *computer) deleteDeps(o *config.Object, sn string) []string {
	var keys []string
	switch o.Kind {
	case config.KindSource:
		for _, es := range c.repo.Schemas {
			if es.Absent && es.Source == o.Name && c.live.Schemas[o.Name][es.Name] != nil {
				keys = append(keys, Change{Kind: config.KindEntitlementSchema, Source: es.Source, Name: es.Name}.Key())
			}
		}
	case config.KindConnector:
		for _, s := range c.repo.Sources {
			if lv := c.live.Sources[s.Name]; s.Absent && lv != nil && lv.String("connector") == sn {
				keys = append(keys, Change{Kind: config.KindSource, Name: s.Name}.Key())
			}
		}
	}
	return keys
}

// connectorUsers names the live sources that use the connector with scriptName sn and that no
// tombstone deletes, sorted. Fetch reads every source of the tenant for a repository with a
// Connector tombstone, so these are all of them, not only the declared ones.
func (c *computer) connectorUsers(sn string) []string {
	absent := map[string]bool{}
	for _, s := range c.repo.Sources {
		if s.Absent {
			absent[s.Name] = true
		}
	}
	var out []string
	for name, lv := range c.live.Sources {
		if lv != nil && lv.String("connector") == sn && !absent[name] {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}
