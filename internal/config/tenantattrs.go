package config

import "strings"

// TenantAttribute is a connectorAttributes key, or a pattern of keys, that the tenant writes
// itself rather than an admin: a row of a kind's TenantAttributes.
type TenantAttribute struct {
	// Key is the key's name, matched exactly, or "*Suffix": every key ending in Suffix, case
	// ignored ("*DeltaToken": userDeltaToken, groupsDeltaToken, deltatoken).
	Key string
	// Family names the connectors that write the key, for documentation and messages: the
	// patterns match under every connector, as a family's identifier differs between tenants
	// (scriptName, type, a renamed type) and no other connector declares such a key.
	Family string
	// Runtime tells whether the platform rewrites the key on every aggregation or health check
	// (false: set once, when the source is created).
	Runtime bool
	// Doc says what the tenant keeps in it.
	Doc string
}

// Matches reports whether connectorAttributes key k is one of the row's.
func (a TenantAttribute) Matches(k string) bool {
	if suffix, ok := strings.CutPrefix(a.Key, "*"); ok {
		return len(k) >= len(suffix) && strings.EqualFold(k[len(k)-len(suffix):], suffix)
	}
	return k == a.Key
}

// TenantAttribute returns the row of the kind's TenantAttributes that connectorAttributes key k
// matches, and false when the tenant does not write k.
func (s KindSpec) TenantAttribute(k string) (TenantAttribute, bool) {
	for _, a := range s.TenantAttributes {
		if a.Matches(k) {
			return a, true
		}
	}
	return TenantAttribute{}, false
}

// IsTenantAttribute reports whether the tenant writes connectorAttributes key k of a Source
// itself (see KindSpec.TenantAttributes).
func IsTenantAttribute(k string) bool {
	_, ok := row(KindSource).TenantAttribute(k)
	return ok
}

// IsRuntimeAttribute reports whether connectorAttributes key k of a Source is runtime state the
// platform rewrites on every aggregation or health check.
func IsRuntimeAttribute(k string) bool {
	a, ok := row(KindSource).TenantAttribute(k)
	return ok && a.Runtime
}

// checkTenantAttributes warns at every connectorAttributes key a Source declares that the
// tenant writes itself: allowed (the user's choice is compared and sent), but the platform
// rewrites it, so the plan shows the tenant's value against the declared one again and again.
func (l *loader) checkTenantAttributes(repo *Repo) {
	src := row(KindSource)
	for _, s := range repo.Sources() {
		attrs := s.Fields.Object("connectorAttributes")
		for _, k := range attrs.Keys() {
			a, ok := src.TenantAttribute(k)
			if !ok {
				continue
			}
			field := "connectorAttributes." + k
			what := "set by the tenant when the source is created"
			if a.Runtime {
				what = "runtime state the platform rewrites on every aggregation or health check"
			}
			l.warn(Problem{Pos: s.PosOf(field), Field: field, Message: field + ": " + what + " (" + a.Doc + ", " + a.Family +
				"), not configuration: declared, it is compared and sent, and the next aggregation changes it again; leave it out to keep the tenant's value"})
		}
	}
}
