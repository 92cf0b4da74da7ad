package sync

import (
	"github.com/sailsync/sailsync/config"
	"github.com/sailsync/sailsync/diff"
)

// EstimateCalls is the number of requests Apply makes for p when every request succeeds the
// first time (retries come on top). Apply makes exactly these calls:
//
//	change                          requests
//	Connector create                1  POST /v3/connectors
//	Source create                   1  POST /v3/sources
//	Source update                   2  GET /v3/sources/{id} (fresh, fingerprint check) + PUT
//	EntitlementSchema create        1  POST …/schemas/entitlements upload
//	EntitlementSchema update        2  GET /v3/sources/{id}/schemas (fresh, fingerprint check) + upload
//	ConnectorFile create            1  POST …/upload-connector-file
//	no-change, unmanaged            0
//	token                           1  POST /oauth/token, once, when any request above is made
//
// A plan with any violation is not applied at all: 0.
func EstimateCalls(p *diff.Plan) int {
	if p == nil || len(p.Violations) > 0 {
		return 0
	}
	n := 0
	for _, c := range p.Changes {
		switch c.Action {
		case diff.ActionCreate:
			n++
		case diff.ActionUpdate:
			switch c.Kind {
			case config.KindSource, config.KindEntitlementSchema:
				n += 2
			default:
				// Connectors and connector files have no update; a plan never holds one.
				n++
			}
		}
	}
	if n > 0 {
		n++
	}
	return n
}
