package main

import "math"

// The fewest requests the API allows for a scenario, computed from the scenario alone (never
// from a client's counter). The API facts used: list pages hold at most 250 objects and report
// the collection's size in X-Total-Count (count=true), so a listing of T objects is ceil(T/250)
// pages; a `name in (…)` filter reads up to 50 sources per call (sailsync's bound, which keeps
// the query string far below proxies' URL limits); GET /v3/connectors lists RELEASED connectors
// only, so each declared connector that is not RELEASED needs its own GET; schemas are read per
// source (GET /v3/sources/{id}/schemas, one call per source); PUT replaces the whole source and
// the API has no ETags, so a safe update reads the object right before writing it.
const (
	pageSize       = 250
	namesPerFilter = 50
)

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// minimumFetch is the fewest requests that read what a plan needs (the lookups of references
// given by name come on top: minimumLookups): one token, the declared
// sources by whichever of the full listing and name-filtered lists is fewer calls (as if the
// tenant's size were known in advance: the strictest reading of "minimum"), the declared
// connectors by whichever of one listing plus a GET per unlisted (not RELEASED) connector and
// a GET per connector is fewer, and one schema list per declared source. (A RELEASED connector
// that declares a bundle needs its GET too, the listing having no bundle; the bench's connectors
// declare none.)
func minimumFetch(declared, tenantSources, declaredConnectors, releasedConnectors, declaredReleased int) int {
	calls := 1 // POST /oauth/token
	if declared > 0 {
		calls += min(max(1, ceilDiv(tenantSources, pageSize)), ceilDiv(declared, namesPerFilter))
	}
	if declaredConnectors > 0 {
		listing := max(1, ceilDiv(releasedConnectors, pageSize)) + declaredConnectors - declaredReleased
		calls += min(declaredConnectors, listing)
	}
	return calls + declared
}

// minimumScope is the fewest requests that read what a plan scoped to scopeSources sources
// needs, withSchemas of them with entitlement schemas in the scope, in a tenant of
// tenantSources. A scope holds the changed objects and what they depend on: a source naming
// one of the tenant's connectors (not a declared Connector) depends on nothing declared, and a
// changed source whose schema documents did not change leaves its schemas out. So: the token,
// the cheaper of the listing and filtered lists, and one schema list per source with schemas
// in the scope.
func minimumScope(scopeSources, withSchemas, tenantSources int) int {
	calls := 1
	if scopeSources > 0 {
		calls += min(max(1, ceilDiv(tenantSources, pageSize)), ceilDiv(scopeSources, namesPerFilter))
	}
	return calls + withSchemas
}

// minimumLookups is the fewest requests that find the references a plan's repository gives by
// name: GET /beta/identities filters name by eq and sw only (no in), so each owner name costs a
// request unless listing every identity is fewer pages; GET /v3/managed-clusters is a listing
// (a tenant has a handful of clusters: one page); GET /beta/workgroups takes `name in (…)`, 50
// names a call like the sources.
func minimumLookups(ownerNames, tenantIdentities, clusterNames, tenantClusters, workgroupNames int) int {
	calls := 0
	if ownerNames > 0 {
		calls += min(ownerNames, max(1, ceilDiv(tenantIdentities, pageSize)))
	}
	if clusterNames > 0 {
		calls += min(clusterNames, max(1, ceilDiv(tenantClusters, pageSize)))
	}
	return calls + ceilDiv(workgroupNames, namesPerFilter)
}

// minimumApply is the fewest requests that apply sourceUpdates source updates and
// schemaCreates entitlement schema uploads of new schemas: one token, for each update a read
// of the current object (no ETags: a PUT built from an older read would silently undo a change
// made meanwhile) and the PUT, for each new schema one upload.
func minimumApply(sourceUpdates, schemaCreates int) int {
	return 1 + 2*sourceUpdates + schemaCreates
}

// floorSeconds is the least wall time `calls` requests can take: limited by the rate
// (requests per second) or, with `parallelism` requests in flight, by the latency of each.
func floorSeconds(calls int, ratePerSecond float64, parallelism int, latencySeconds float64) float64 {
	byRate := 0.0
	if ratePerSecond > 0 && !math.IsInf(ratePerSecond, 1) {
		byRate = float64(calls) / ratePerSecond
	}
	byLatency := float64(ceilDiv(calls, parallelism)) * latencySeconds
	return max(byRate, byLatency)
}
