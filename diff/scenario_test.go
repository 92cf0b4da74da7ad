package diff

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/value"
)

// declare builds a declared object from JSON (key order kept), giving every key the position a
// YAML file written in block style would give it: `kind:` on line 1, one line per key, nested keys
// indented by two, the value after "key: ".
func declare(t testing.TB, kind config.Kind, file, jsonText string) config.Object {
	t.Helper()
	v, err := value.Decode([]byte(jsonText))
	if err != nil {
		t.Fatalf("declare %s: %v", file, err)
	}
	fields, ok := v.(*value.Object)
	if !ok {
		t.Fatalf("declare %s: not an object", file)
	}
	o := config.Object{
		Kind:      kind,
		Name:      fields.String("name"),
		Doc:       config.Pos{File: file, Line: 1, Col: 1},
		Fields:    fields,
		Positions: map[string]config.Pos{},
	}
	line := 1
	var walk func(prefix string, indent int, obj *value.Object)
	walk = func(prefix string, indent int, obj *value.Object) {
		for _, k := range obj.Keys() {
			line++
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			o.Positions[p] = config.Pos{File: file, Line: line, Col: indent + len(k) + 3}
			e, _ := obj.Get(k)
			if sub, ok := e.(*value.Object); ok {
				walk(p, indent+2, sub)
			}
		}
	}
	walk("", 0, fields)
	return o
}

func liveObject(t testing.TB, jsonText string) *value.Object {
	t.Helper()
	var o value.Object
	if err := o.UnmarshalJSON([]byte(jsonText)); err != nil {
		t.Fatalf("live object: %v", err)
	}
	return &o
}

const (
	owner   = `{"type": "IDENTITY", "id": "2c91808568c529c60168cca6f90c1313", "name": "Amelia Ortiz"}`
	cluster = `{"type": "CLUSTER", "id": "2c9180866166b5b0016167c32ef31a66", "name": "Acme Primary VA Cluster"}`
)

func envFrom(m map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := m[name]
		return v, ok
	}
}

// acmeRepo mirrors examples/acme (see acme-scenario.md). With violation, it also declares
// "Contractor Feed" with authoritative flipped, an immutable-field violation.
func acmeRepo(t testing.TB, violation bool) *config.Repo {
	t.Helper()
	repo := &config.Repo{Dir: "examples/acme", Hash: "5f1d3c0a9e7b2d4c6a8f0e1b3d5c7a9e2f4b6d8c0e1a3b5d7f9c2e4a6b8d0f1c"}
	repo.Add(&config.Connector{
		Object: declare(t, config.KindConnector, "connectors/acme-hr.yaml", `{
			"name": "Acme HR", "className": "sailpoint.connector.OpenConnectorAdapter", "type": "Acme HR",
			"directConnect": true, "status": "DEVELOPMENT"}`),
	})
	repo.Add(
		&config.Source{Object: declare(t, config.KindSource, "sources/corporate-directory.yaml", `{
			"name": "Corporate Directory",
			"description": "Acme's Active Directory forest (corp.acme.example): employees and contractors.",
			"owner": `+owner+`, "cluster": `+cluster+`,
			"connector": "active-directory", "connectorClass": "sailpoint.connector.ADLDAPConnector",
			"type": "Active Directory - Direct", "authoritative": false, "deleteThreshold": 10,
			"features": ["PROVISIONING", "SYNC_PROVISIONING", "AUTHENTICATE", "GROUPS_HAVE_MEMBERS", "MANAGER_LOOKUP", "SEARCH", "UNLOCK", "ENABLE", "PASSWORD"],
			"connectorAttributes": {
				"host": "dc01.corp.acme.example", "port": 636, "useSSL": true,
				"user": "CN=svc-sailpoint,OU=Service Accounts,DC=corp,DC=acme,DC=example",
				"password": "${env:AD_BIND_PASSWORD}", "healthCheckTimeout": 30,
				"searchDNs": [{"searchDN": "OU=People,DC=corp,DC=acme,DC=example", "iterateSearchFilter": "(objectclass=person)"}]}}`)},
		&config.Source{
			Object: declare(t, config.KindSource, "sources/hr-database.yaml", `{
			"name": "HR Database",
			"description": "Oracle HR database (HRPROD): the authoritative source of employees.",
			"owner": `+owner+`, "cluster": `+cluster+`,
			"connector": "jdbc", "connectorClass": "sailpoint.connector.JDBCConnector", "type": "JDBC",
			"authoritative": true, "deleteThreshold": 10, "features": ["DISCOVER_SCHEMA", "NO_RANDOM_ACCESS"],
			"connectorAttributes": {
				"url": "jdbc:oracle:thin:@hrdb.acme.example:1521/HRPROD", "user": "sailpoint_ro",
				"password": "${env:HR_DB_PASSWORD}", "driverClass": "oracle.jdbc.OracleDriver",
				"getObjectSQL": "SELECT * FROM hr.employees WHERE emp_id = '$(identity)'"}}`),
			ConnectorFiles: []config.File{{Rel: "drivers/ojdbc8.jar", Path: "/repo/sources/drivers/ojdbc8.jar",
				Pos: config.Pos{File: "sources/hr-database.yaml", Line: 21, Col: 5}}},
		},
		&config.Source{Object: declare(t, config.KindSource, "sources/acme-hr-cloud.yaml", `{
			"name": "Acme HR Cloud",
			"description": "Acme HR SaaS (hr.acme.example) via the custom Acme HR connector.",
			"owner": `+owner+`, "cluster": `+cluster+`,
			"connector": "${connector:Acme HR}", "connectorClass": "sailpoint.connector.OpenConnectorAdapter",
			"type": "Acme HR", "authoritative": false,
			"connectorAttributes": {"baseUrl": "https://hr.acme.example/api/v2", "apiToken": "${env:ACME_HR_TOKEN}", "pageSize": 500}}`)},
	)
	if violation {
		repo.Add(&config.Source{Object: declare(t, config.KindSource, "sources/contractor-feed.yaml", `{
			"name": "Contractor Feed",
			"description": "Contractors from the staffing agency's nightly CSV.",
			"owner": `+owner+`,
			"connector": "delimited-file", "connectorClass": "sailpoint.connector.DelimitedFileConnector",
			"type": "DelimitedFile", "authoritative": true}`)})
	}
	group := declare(t, config.KindEntitlementSchema, "schemas/corporate-directory-group.yaml", `{"name": "group"}`)
	role := declare(t, config.KindEntitlementSchema, "schemas/acme-hr-role.yaml", `{"name": "role"}`)
	group.Owner, role.Owner = "Corporate Directory", "Acme HR Cloud"
	repo.Add(
		&config.EntitlementSchema{Object: group, Source: "Corporate Directory", Template: &config.File{Rel: "group.csv"},
			Attributes: []string{"id", "name", "displayName", "description", "memberOf", "managedBy"}},
		&config.EntitlementSchema{Object: role, Source: "Acme HR Cloud", Attributes: []string{"id", "name", "description"}},
	)
	return repo
}

// acmeLive mirrors examples/acme-tenant.
func acmeLive(t testing.TB) *Live {
	t.Helper()
	corp := liveObject(t, `{
		"id": "2c9180835d191a86015d28455b4a2329", "name": "Corporate Directory", "description": "Corporate directory",
		"owner": `+owner+`, "cluster": `+cluster+`,
		"accountCorrelationConfig": {"type": "ACCOUNT_CORRELATION_CONFIG", "id": "2c9180855d191c59015d28583727245a", "name": "Corporate Directory Account Correlation"},
		"schemas": [{"type": "CONNECTOR_SCHEMA", "id": "2c9180835d191a86015d28455b4b232a", "name": "account"},
		            {"type": "CONNECTOR_SCHEMA", "id": "2c9180835d191a86015d28455b4b232b", "name": "group"}],
		"passwordPolicies": [{"type": "PASSWORD_POLICY", "id": "2c9180855d191c59015d28583727245b", "name": "Corporate Password Policy"}],
		"features": ["PROVISIONING", "SYNC_PROVISIONING", "AUTHENTICATE", "GROUPS_HAVE_MEMBERS", "MANAGER_LOOKUP", "SEARCH", "UNLOCK", "ENABLE", "PASSWORD"],
		"type": "Active Directory - Direct", "connector": "active-directory", "connectorClass": "sailpoint.connector.ADLDAPConnector",
		"connectorAttributes": {
			"host": "dc01.corp.acme.example", "port": 636, "useSSL": true,
			"user": "CN=svc-sailpoint,OU=Service Accounts,DC=corp,DC=acme,DC=example",
			"password": "2:ENC:9aX3kLq0Zr7yUe1WbT5nQ==", "healthCheckTimeout": 30,
			"searchDNs": [{"searchDN": "OU=People,DC=corp,DC=acme,DC=example", "iterateSearchFilter": "(objectclass=person)"}],
			"cloudExternalId": "2329", "healthy": true, "since": "2024-03-02T10:11:12.345Z", "cloudDisplayName": "Corporate Directory"},
		"deleteThreshold": 25, "authoritative": false,
		"managementWorkgroup": {"type": "GOVERNANCE_GROUP", "id": "2c91808568c529c60168cca6f90c2222", "name": "Directory Admins"},
		"healthy": true, "status": "SOURCE_STATE_HEALTHY", "since": "2024-03-02T10:11:12.345Z",
		"connectorId": "active-directory", "connectorName": "Active Directory", "connectionType": "direct",
		"connectorImplementationId": "active-directory",
		"created": "2023-01-12T09:00:00.000Z", "modified": "2024-03-01T16:20:00.000Z"}`)
	hr := liveObject(t, `{
		"id": "2c9180835d191a86015d28455b4a3001", "name": "HR Database",
		"description": "Oracle HR database (HRPROD): the authoritative source of employees.",
		"owner": `+owner+`, "cluster": `+cluster+`,
		"features": ["NO_RANDOM_ACCESS", "DISCOVER_SCHEMA"],
		"type": "JDBC", "connector": "jdbc", "connectorClass": "sailpoint.connector.JDBCConnector",
		"connectorAttributes": {"url": "jdbc:oracle:thin:@hrdb.acme.example:1521/HRPROD", "user": "sailpoint_ro",
			"password": "2:ENC:Hq8mVb2Lx0PzRt6=", "driverClass": "oracle.jdbc.OracleDriver",
			"getObjectSQL": "SELECT * FROM hr.employees WHERE emp_id = '$(identity)'", "cloudExternalId": "3001"},
		"deleteThreshold": 10, "authoritative": true, "healthy": true, "status": "SOURCE_STATE_HEALTHY",
		"created": "2023-01-12T09:05:00.000Z", "modified": "2024-02-11T08:00:00.000Z"}`)
	contractors := liveObject(t, `{
		"id": "2c9180835d191a86015d28455b4a4002", "name": "Contractor Feed",
		"description": "Contractors (CSV)", "owner": `+owner+`,
		"type": "DelimitedFile", "connector": "delimited-file", "connectorClass": "sailpoint.connector.DelimitedFileConnector",
		"connectorAttributes": {"cloudExternalId": "4002"}, "authoritative": false,
		"created": "2023-06-01T12:00:00.000Z", "modified": "2024-01-05T12:00:00.000Z"}`)
	legacy := liveObject(t, `{
		"id": "2c9180835d191a86015d28455b4a5003", "name": "Legacy Mainframe", "description": "RACF extract",
		"owner": `+owner+`, "type": "DelimitedFile", "connector": "delimited-file",
		"connectorClass": "sailpoint.connector.DelimitedFileConnector", "authoritative": false,
		"created": "2021-04-01T12:00:00.000Z", "modified": "2022-09-09T12:00:00.000Z"}`)
	return liveOf(liveState{
		Sources: map[string]*value.Object{
			"Corporate Directory": corp, "HR Database": hr, "Contractor Feed": contractors, "Legacy Mainframe": legacy,
		},
		AllSourcesListed: true,
		Schemas: map[string]map[string]*value.Object{
			"Corporate Directory": {
				"account": liveObject(t, `{"id": "2c9180835d191a86015d28455b4b232a", "name": "account", "nativeObjectType": "User",
					"attributes": [{"name": "sAMAccountName", "type": "STRING"}]}`),
				"group": liveObject(t, `{"id": "2c9180835d191a86015d28455b4b232b", "name": "group", "nativeObjectType": "group",
					"identityAttribute": "id", "attributes": [{"name": "id", "type": "STRING"}, {"name": "name", "type": "STRING"},
					{"name": "description", "type": "STRING"}], "modified": "2024-02-02T02:02:02.000Z"}`),
			},
			"HR Database": {},
		},
		Connectors: map[string]*value.Object{
			"active-directory": liveObject(t, `{"name": "Active Directory", "type": "Active Directory - Direct", "scriptName": "active-directory", "className": "sailpoint.connector.ADLDAPConnector", "status": "RELEASED"}`),
			"jdbc":             liveObject(t, `{"name": "JDBC", "type": "JDBC", "scriptName": "jdbc", "className": "sailpoint.connector.JDBCConnector", "status": "RELEASED"}`),
			"delimited-file":   liveObject(t, `{"name": "Delimited File", "type": "DelimitedFile", "scriptName": "delimited-file", "className": "sailpoint.connector.DelimitedFileConnector", "status": "RELEASED"}`),
			"payroll-bridge":   liveObject(t, `{"name": "Payroll Bridge", "type": "Payroll Bridge", "scriptName": "payroll-bridge", "className": "sailpoint.connector.OpenConnectorAdapter", "status": "DEVELOPMENT", "directConnect": true}`),
		},
	})
}

// changeByKey finds a change by its Key.
func changeByKey(t testing.TB, p *Plan, key string) Change {
	t.Helper()
	for _, c := range p.Changes {
		if c.Key() == key {
			return c
		}
	}
	var keys []string
	for _, c := range p.Changes {
		keys = append(keys, c.Key())
	}
	t.Fatalf("no change %s in plan; have %s", key, strings.Join(keys, ", "))
	return Change{}
}

func fieldPaths(c Change) string {
	var ps []string
	for _, f := range c.Fields {
		ps = append(ps, f.Path)
	}
	return strings.Join(ps, ",")
}

func describe(p *Plan) string {
	var b strings.Builder
	for _, c := range p.Changes {
		fmt.Fprintf(&b, "%s %s [%s]\n", c.Action, c.Key(), fieldPaths(c))
	}
	return b.String()
}
