package sync

import (
	"github.com/sailsync/sailsync/config"
	"github.com/sailsync/sailsync/diff"
)

// EstimateCalls is the number of requests Apply makes for p when every request succeeds the
// first time (retries come on top). Apply makes exactly these calls:
//
//	change                          requests
//	Connector create                1  POST /v3/connectors, + 1 per bundle request (bundle.go)
//	Connector update (bundle)       1  GET /v3/connectors/{scriptName} (fresh) + 1 per bundle request
//	Source create                   1  POST /v3/sources
//	Source update                   2  GET /v3/sources/{id} (fresh, fingerprint check) + PUT
//	EntitlementSchema create        1  POST …/schemas/entitlements upload
//	EntitlementSchema update        2  GET /v3/sources/{id}/schemas (fresh, fingerprint check) + upload
//	ConnectorFile create            1  POST …/upload-connector-file
//	EntitlementSchema delete        1  DELETE /v3/sources/{id}/schemas/{schemaId}
//	Source delete                   2  DELETE /v3/sources/{id} (202, a task) + GET /beta/task-status/{id}
//	                                   (one poll when the task has ended; a longer task polls more)
//	Connector delete                1  DELETE /v3/connectors/{scriptName}
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
		n += bundleCalls(c)
		switch c.Action {
		case diff.ActionCreate:
			n++
		case diff.ActionUpdate:
			switch c.Kind {
			case config.KindSource, config.KindEntitlementSchema:
				n += 2
			case config.KindConnector:
				// Its fresh GET and requests are the bundle's, counted above.
			default:
				// Connector files have no update; a plan never holds one.
				n++
			}
		case diff.ActionDelete:
			n++
			if c.Kind == config.KindSource {
				n++
			}
		}
	}
	if n > 0 {
		n++
	}
	return n
}
