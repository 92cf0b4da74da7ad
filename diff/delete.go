package diff

import (
	"fmt"
	"sort"

	"github.com/sailsync/sailsync/config"
	"github.com/sailsync/sailsync/value"
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
		if users := c.connectorUsers(ch.LiveID); len(users) > 0 {
			ch.Action, ch.Op = ActionViolation, nil
			pos := o.PosOf("name")
			v := Violation{Kind: o.Kind, Name: o.Name, Path: "absent", File: pos.File, Line: pos.Line, Col: pos.Col,
				Live: fmt.Sprintf("used by source %q", users[0]), Desired: true, Rule: ruleConnectorInUse}
			return planned{change: ch, violations: []Violation{v}}
		}
	}
	return planned{change: ch}
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
// tombstone deletes, sorted. Only the sources the plan read are known: the tenant refuses the
// delete of a connector other sources use, and apply reports that.
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
