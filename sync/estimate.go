package sync

import (
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
		// Each kind's count is its handler's (kind_*.go); a kind not in the table counts 1.
		n += handlerOf(c.Kind).calls(c)
	}
	if n > 0 {
		n++
	}
	return n
}
