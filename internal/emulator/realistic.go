package emulator

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing/fstest"
	"time"

	"github.com/sailsync/sailsync/internal/value"
)

// RealisticSources is the size of RealisticTenant's default tenant (sailsync emulator
// --realistic): the 41 sources of the proof-of-concept tenant whose Config Hub backup its
// shapes come from.
const RealisticSources = 41

// RealisticTenant returns a seed (Options.Seed) of a tenant holding what a real one does and the
// published document does not describe, generated deterministically from seed so that a failure
// reproduces: sources of every connector family (Active Directory, LDAP, JDBC, Workday,
// ServiceNow, Delimited File, a custom connector, and the SaaS connectors Microsoft Entra, NERM
// and Identity Fusion NG, whose type and connector are the connector spec's UUID and whose
// connectorClass is ""), features outside the published enum (AI_AGENT_AGGREGATION,
// MACHINE_IDENTITY_AGGREGATION), the tenant's nulls (deleteThreshold, managementWorkgroup,
// accountCorrelationRule, managerCorrelationMapping, passwordPolicies, beforeProvisioningRule),
// entitlement schemas without attributes or identity attribute, attributes with schema: null or
// a CONNECTOR_SCHEMA reference, the platform's runtime state in connectorAttributes (Tick
// rewrites it) and secrets given in plain text, which the tenant stores and returns as cipher
// text. About 30 custom transforms come with every 41 sources, as in that tenant.
func RealisticTenant(sources int, seed uint64) fs.FS {
	g := &realGen{rng: rand.New(rand.NewPCG(seed, seed^0x5a11_5ec0)), files: fstest.MapFS{},
		epoch: time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)}
	g.directory()
	for i := 1; i <= sources; i++ {
		g.source(i)
	}
	g.transforms(sources * 30 / RealisticSources)
	return g.files
}

// realGen builds one realistic tenant's files.
type realGen struct {
	rng   *rand.Rand
	files fstest.MapFS
	epoch time.Time
	// The lookup collections the sources refer to, as {type, id, name} references.
	owners, clusters, workgroups, policies, rules []*value.Object
	sourceNames                                   []string
	externalID                                    int
}

// obj builds an object from key, value pairs in order.
func obj(kv ...any) *value.Object {
	o := value.NewObjectSize(len(kv) / 2)
	for i := 0; i+1 < len(kv); i += 2 {
		o.Set(kv[i].(string), kv[i+1])
	}
	return o
}

func num(n int64) json.Number { return json.Number(strconv.FormatInt(n, 10)) }

// id is a tenant id (32 hex digits) drawn from the generator.
func (g *realGen) id() string { return fmt.Sprintf("%016x%016x", g.rng.Uint64(), g.rng.Uint64()) }

// uuid is a version 4 UUID drawn from the generator.
func (g *realGen) uuid() string {
	h := g.id()
	return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:32]
}

// stamp is a time up to days before the generator's epoch, as the tenant formats it.
func (g *realGen) stamp(days int) string {
	return g.epoch.Add(-time.Duration(g.rng.Int64N(int64(days)*24*int64(time.Hour)) + 1)).Format(timeLayout)
}

func (g *realGen) chance(p float64) bool { return g.rng.Float64() < p }

func pick[T any](g *realGen, list []T) T { return list[g.rng.IntN(len(list))] }

func (g *realGen) write(path string, v any) {
	raw, err := value.Marshal(v)
	var b bytes.Buffer
	if err == nil {
		err = json.Indent(&b, raw, "", "  ")
	}
	if err != nil {
		panic("emulator: realistic tenant: " + err.Error()) // the generator's values always marshal
	}
	b.WriteByte('\n')
	g.files[path] = &fstest.MapFile{Data: b.Bytes(), Mode: 0o644}
}

// ref is a reference to o as a source holds it.
func ref(typ string, o *value.Object) *value.Object {
	return obj("type", typ, "id", o.String("id"), "name", o.String("name"))
}

// directory writes the connectors and the objects sources refer to.
func (g *realGen) directory() {
	var ids []any
	for _, n := range []string{"Amelia Ortiz", "Ben Okafor", "Chloé Martin", "Dmitri Volkov", "Esther Nakamura", "Farid Haddad"} {
		o := obj("id", g.id(), "name", n, "alias", strings.ToLower(strings.ReplaceAll(n, " ", ".")),
			"emailAddress", strings.ToLower(strings.ReplaceAll(n, " ", "."))+"@example.com", "identityStatus", "ACTIVE",
			"processingState", nil, "isManager", g.chance(0.5), "created", g.stamp(900), "modified", g.stamp(300))
		g.owners = append(g.owners, o)
		ids = append(ids, o)
	}
	g.write("identities/identities.json", ids)
	var cl []any
	for _, n := range []string{"Primary VA Cluster", "DMZ VA Cluster"} {
		o := obj("id", g.id(), "name", n, "pod", "stg01-useast1", "org", "example", "type", "idn", "description", n,
			"clientType", "CCG", "ccgVersion", "v01", "operational", true, "status", "NORMAL")
		g.clusters = append(g.clusters, o)
		cl = append(cl, o)
	}
	g.write("managed-clusters/clusters.json", cl)
	var wg []any
	for _, n := range []string{"Identity Operations", "Application Owners", "Security Office"} {
		o := obj("id", g.id(), "name", n, "description", n+".", "owner", ref("IDENTITY", g.owners[0]),
			"memberCount", num(3), "connectionCount", num(1), "created", g.stamp(900), "modified", g.stamp(300))
		g.workgroups = append(g.workgroups, o)
		wg = append(wg, o)
	}
	g.write("workgroups/workgroups.json", wg)
	var pp []any
	for i, n := range []string{"Default Password Policy", "Privileged Accounts Policy"} {
		o := obj("id", g.id(), "name", n, "description", n+".", "defaultPolicy", i == 0, "minLength", num(12),
			"maxLength", num(64), "dateCreated", g.stamp(900), "lastUpdated", g.stamp(300))
		g.policies = append(g.policies, o)
		pp = append(pp, o)
	}
	g.write("password-policies/policies.json", pp)
	var rl []any
	for _, r := range [][2]string{{"Email Correlation", "Correlation"}, {"Manager Lookup", "ManagerCorrelation"}, {"Before Provisioning Defaults", "BeforeProvisioning"}} {
		o := obj("id", g.id(), "name", r[0], "type", r[1], "description", r[0]+".",
			"sourceCode", obj("version", "1.0", "script", "return null;"), "created", g.stamp(900))
		g.rules = append(g.rules, o)
		rl = append(rl, o)
	}
	g.write("connector-rules/rules.json", rl)
	for _, f := range realFamilies {
		if f.builtIn == nil {
			continue
		}
		b := f.builtIn
		xml := "<?xml version='1.0' encoding='UTF-8'?>\n<!DOCTYPE Application PUBLIC \"sailpoint.dtd\" \"sailpoint.dtd\">\n" +
			"<Application connector=\"" + f.class + "\" name=\"" + xmlEscape(f.typ) + "\" type=\"" + xmlEscape(f.typ) + "\"/>\n"
		c := obj("name", f.connectorName, "type", f.typ, "className", f.class, "scriptName", f.connector,
			"applicationXml", xml, "s3Location", b.s3, "uploadedFiles", []any{}, "fileUpload", b.fileUpload,
			"directConnect", true, "features", strList(f.features), "connectorMetadata", obj(), "status", "RELEASED")
		g.write("connectors/"+f.connector+".json", c)
	}
}

func strList(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// realFamily is one connector family of the realistic tenant.
type realFamily struct {
	key, label                      string
	typ, connector, class           string // type and connector are a UUID for a SaaS connector, class ""
	connectorName                   string
	features                        []string
	builtIn                         *builtInConnector // nil: a SaaS connector the connector list does not hold
	attrs                           func(g *realGen, host string) *value.Object
	groupSchema                     string // the name of the entitlement schema, "" for none
	emptyGroups, identityAttrIsNull float64
}

// builtInConnector is a connector the tenant's connector list holds.
type builtInConnector struct {
	s3         string
	fileUpload bool
}

// The SaaS connectors' spec ids, which their sources' type, connector and spConnectorSpecId are.
const (
	entraSpecID  = "5e3f1c2a-7b4d-4e8f-9a6b-1c2d3e4f5a6b"
	nermSpecID   = "8d7c6b5a-4f3e-4d2c-9b1a-0f9e8d7c6b5a"
	fusionSpecID = "1a2b3c4d-5e6f-4a1b-9c2d-3e4f5a6b7c8d"
)

// realFamilies are the connector families, each source drawn from them in turn.
var realFamilies = []realFamily{
	{key: "ad", label: "Active Directory", typ: "Active Directory - Direct", connector: "active-directory",
		class: "sailpoint.connector.ADLDAPConnector", connectorName: "Active Directory",
		features: []string{"PROVISIONING", "SYNC_PROVISIONING", "AUTHENTICATE", "GROUPS_HAVE_MEMBERS", "MANAGER_LOOKUP", "SEARCH", "UNLOCK", "ENABLE", "PASSWORD"},
		builtIn:  &builtInConnector{s3: "connector/active-directory"}, groupSchema: "group", emptyGroups: 0.1,
		attrs: func(g *realGen, host string) *value.Object {
			return obj("host", "dc01."+host, "port", num(636), "useSSL", true,
				"user", "CN=svc-sailpoint,OU=Service Accounts,DC="+strings.ReplaceAll(host, ".", ",DC="),
				"password", g.secret(), "healthCheckTimeout", num(30),
				"searchDNs", []any{obj("searchDN", "OU=People,DC="+strings.ReplaceAll(host, ".", ",DC="), "iterateSearchFilter", "(objectclass=person)")},
				"encrypted", "password")
		}},
	{key: "ldap", label: "LDAP", typ: "LDAP - Direct", connector: "ldap", class: "sailpoint.connector.LDAPConnector",
		connectorName: "LDAP", features: []string{"PROVISIONING", "SYNC_PROVISIONING", "SEARCH", "ENABLE", "PASSWORD"},
		builtIn: &builtInConnector{s3: "connector/ldap"}, groupSchema: "group", emptyGroups: 0.3, identityAttrIsNull: 0.3,
		attrs: func(g *realGen, host string) *value.Object {
			return obj("host", "ldap."+host, "port", num(389), "useSSL", false, "authorizationType", "simple",
				"user", "cn=sailpoint,ou=system", "password", g.secret(), "searchDN", "ou=people,dc=example,dc=com")
		}},
	{key: "jdbc", label: "JDBC", typ: "JDBC", connector: "jdbc", class: "sailpoint.connector.JDBCConnector",
		connectorName: "JDBC", features: []string{"NO_RANDOM_ACCESS", "DISCOVER_SCHEMA"},
		builtIn: &builtInConnector{s3: "connector/jdbc", fileUpload: true},
		attrs: func(g *realGen, host string) *value.Object {
			return obj("url", "jdbc:oracle:thin:@db."+host+":1521/PROD", "user", "sailpoint_ro", "password", g.secret(),
				"driverClass", "oracle.jdbc.OracleDriver", "getObjectSQL", "SELECT * FROM hr.employees WHERE emp_id = '$(identity)'",
				"encrypted", "password")
		}},
	{key: "workday", label: "Workday", typ: "Workday", connector: "workday", class: "sailpoint.connector.WorkdayConnector",
		connectorName: "Workday", features: []string{"NO_RANDOM_ACCESS", "SYNC_PROVISIONING"},
		builtIn: &builtInConnector{s3: "connector/workday"},
		attrs: func(g *realGen, host string) *value.Object {
			return obj("url", "https://wd5-services1.myworkday.com/ccx/service/"+strings.Split(host, ".")[0], "user", "ISU_SailPoint",
				"password", g.secret(), "apiVersion", "v40.1", "pageSize", num(100), "encrypted", []any{"password"})
		}},
	{key: "servicenow", label: "ServiceNow", typ: "ServiceNow", connector: "servicenow", class: "sailpoint.connector.ServiceNowConnector",
		connectorName: "ServiceNow", features: []string{"PROVISIONING", "GROUP_PROVISIONING", "ENABLE"},
		builtIn: &builtInConnector{s3: "connector/servicenow"}, groupSchema: "group", emptyGroups: 0.2,
		attrs: func(g *realGen, host string) *value.Object {
			return obj("url", "https://"+strings.Split(host, ".")[0]+".service-now.com", "authType", "OAuth2",
				"clientId", g.id()[:16], "clientSecret", g.secret(), "username", "sailpoint.integration",
				"password", g.secret(), "encrypted", "clientSecret,password")
		}},
	{key: "file", label: "Delimited File", typ: "DelimitedFile", connector: "delimited-file",
		class: "sailpoint.connector.DelimitedFileConnector", connectorName: "Delimited File",
		features: []string{"DIRECT_PERMISSIONS", "NO_RANDOM_ACCESS"}, builtIn: &builtInConnector{s3: "connector/delimited-file", fileUpload: true},
		attrs: func(g *realGen, host string) *value.Object {
			return obj("delimiter", ",", "hasHeader", true, "filetransport", "local", "file", "accounts-"+strings.Split(host, ".")[0]+".csv")
		}},
	{key: "custom", label: "Badge System", typ: "custom Badge System", connector: "badge-system",
		class: "sailpoint.connector.OpenConnectorAdapter", connectorName: "Badge System", features: []string{"PROVISIONING"},
		builtIn: &builtInConnector{s3: "custom-connector/badge-system"},
		attrs: func(g *realGen, host string) *value.Object {
			return obj("baseUrl", "https://badges."+host+"/api", "apiToken", g.secret(), "pageSize", num(200))
		}},
	{key: "entra", label: "Microsoft Entra", typ: entraSpecID, connector: entraSpecID, class: "", connectorName: "Microsoft Entra SaaS",
		features:    []string{"PROVISIONING", "GROUP_PROVISIONING", "AI_AGENT_AGGREGATION", "MACHINE_IDENTITY_AGGREGATION", "ENABLE", "MANAGER_LOOKUP"},
		groupSchema: "group", emptyGroups: 0.2, identityAttrIsNull: 0.5,
		attrs: func(g *realGen, host string) *value.Object {
			a := saasAttrs(g, entraSpecID)
			a.Set("domainName", strings.Split(host, ".")[0]+".onmicrosoft.com")
			a.Set("clientId", g.uuid())
			a.Set("clientSecret", g.secret())
			a.Set("userDeltaToken", g.deltaToken())
			a.Set("groupsDeltaToken", g.deltaToken())
			a.Set("directoryRolesDeltaToken", g.deltaToken())
			return a
		}},
	{key: "nerm", label: "NERM", typ: nermSpecID, connector: nermSpecID, class: "", connectorName: "Non-Employee Risk Management",
		features:    []string{"MACHINE_IDENTITY_AGGREGATION", "PROVISIONING"},
		groupSchema: "profile", emptyGroups: 0.5, identityAttrIsNull: 0.5,
		attrs: func(g *realGen, host string) *value.Object {
			a := saasAttrs(g, nermSpecID)
			a.Set("nermUrl", "https://"+strings.Split(host, ".")[0]+".nonemployee.com/api")
			a.Set("apiToken", g.secret())
			a.Set("sharedKey", g.secret())
			a.Set("encrypted", "apiToken,sharedKey")
			return a
		}},
	{key: "fusion", label: "Identity Fusion", typ: fusionSpecID, connector: fusionSpecID, class: "",
		connectorName: "Identity Fusion NG (tag: latest)",
		features:      []string{"DISCOVER_SCHEMA", "AI_AGENT_AGGREGATION", "MACHINE_IDENTITY_AGGREGATION", "NO_RANDOM_ACCESS"},
		groupSchema:   "group", emptyGroups: 1, identityAttrIsNull: 1,
		attrs: func(g *realGen, _ string) *value.Object { return saasAttrs(g, fusionSpecID) }},
}

// saasAttrs are the connectorAttributes every SaaS connector's source holds.
func saasAttrs(g *realGen, spec string) *value.Object {
	return obj("spConnectorSpecId", spec, "spConnectorInstanceId", g.uuid(), "idnProxyType", "sp-connect",
		"templateApplication", spec+" sp-connect")
}

// secret is a secret in plain text, as an admin types it: the tenant encrypts it on load.
func (g *realGen) secret() string { return "s3cret-" + g.id()[:20] }

// deltaToken is a delta aggregation's cursor: long plain text.
func (g *realGen) deltaToken() string {
	b := make([]byte, 180)
	for i := range b {
		b[i] = byte(g.rng.UintN(256))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

var (
	realPlaces = []string{"EMEA", "Americas", "APAC", "HQ (Paris)", "R&D", "Finance", "Plant-7", "Retail", "Corporate", "Partners"}
	realHosts  = []string{"corp.example.com", "emea.example.com", "labs.example.org", "retail.example.net", "acme.example"}
)

// source writes source i (1-based) and its schemas.
func (g *realGen) source(i int) {
	f := realFamilies[(i-1)%len(realFamilies)]
	name := fmt.Sprintf("%s %s %03d", f.label, pick(g, realPlaces), i)
	g.sourceNames = append(g.sourceNames, name)
	id := g.id()
	host := pick(g, realHosts)
	created := g.stamp(1200)
	modified := g.stamp(200)
	if modified < created {
		created, modified = modified, created
	}
	attrs := f.attrs(g, host)
	g.externalID++
	attrs.Set("cloudExternalId", strconv.Itoa(70000+g.externalID))
	attrs.Set("cloudDisplayName", name)
	healthy := !g.chance(0.15)
	status := "SOURCE_STATE_HEALTHY"
	if !healthy {
		status = "SOURCE_STATE_FAILURE_SOURCE"
	}
	since := g.stamp(3)
	attrs.Set("cloudCacheUpdate", num(g.epoch.Add(-time.Duration(g.rng.Int64N(int64(72*time.Hour)))).UnixMilli()))
	attrs.Set("since", since)
	attrs.Set("healthy", healthy)
	attrs.Set("status", status)
	attrs.Set("processing", false)
	attrs.Set("hasFullAggregationCompleted", healthy || g.chance(0.5))
	attrs.Set("sourceConnected", healthy)
	attrs.Set("recommendationStatus", pick(g, []string{"COMPLETED", "NOT_STARTED"}))

	var schemas []any
	var schemaFiles []any
	accountID, groupID := g.id(), g.id()
	accountAttrs := []any{
		obj("name", "id", "type", "STRING", "schema", nil, "description", "", "isMulti", false, "isEntitlement", false, "isGroup", false),
		obj("name", "displayName", "type", "STRING", "schema", nil, "description", "", "isMulti", false, "isEntitlement", false, "isGroup", false),
		obj("name", "email", "type", "STRING", "description", "", "isMulti", false, "isEntitlement", false, "isGroup", false),
	}
	if f.groupSchema != "" {
		accountAttrs = append(accountAttrs, obj("name", f.groupSchema+"s", "type", "STRING",
			"schema", obj("type", "CONNECTOR_SCHEMA", "id", groupID, "name", f.groupSchema),
			"description", "", "isMulti", true, "isEntitlement", true, "isGroup", true))
	}
	schemas = append(schemas, obj("type", "CONNECTOR_SCHEMA", "id", accountID, "name", "account"))
	schemaFiles = append(schemaFiles, obj("id", accountID, "name", "account", "nativeObjectType", "account",
		"identityAttribute", "id", "displayAttribute", "displayName", "hierarchyAttribute", nil, "includePermissions", false,
		"features", []any{}, "configuration", obj(), "attributes", accountAttrs, "created", created, "modified", modified))
	if f.groupSchema != "" {
		var ident, disp any = "id", "name"
		groupAttrs := []any{
			obj("name", "id", "type", "STRING", "schema", nil, "description", "", "isMulti", false, "isEntitlement", false, "isGroup", false),
			obj("name", "name", "type", "STRING", "description", "", "isMulti", false, "isEntitlement", false, "isGroup", false),
			obj("name", "description", "type", "STRING", "description", "", "isMulti", false, "isEntitlement", false, "isGroup", false),
		}
		if g.chance(f.emptyGroups) {
			groupAttrs = []any{}
			ident, disp = nil, nil
		} else if g.chance(f.identityAttrIsNull) {
			ident, disp = nil, nil
		}
		schemas = append(schemas, obj("type", "CONNECTOR_SCHEMA", "id", groupID, "name", f.groupSchema))
		schemaFiles = append(schemaFiles, obj("id", groupID, "name", f.groupSchema, "nativeObjectType", f.groupSchema,
			"identityAttribute", ident, "displayAttribute", disp, "hierarchyAttribute", nil, "includePermissions", false,
			"features", []any{}, "configuration", obj(), "attributes", groupAttrs, "created", created, "modified", modified))
	}

	var cluster, workgroup, mapping, policies, corrRule, mgrRule, bpRule, threshold any
	if f.builtIn != nil && f.key != "custom" || g.chance(0.2) {
		cluster = ref("CLUSTER", pick(g, g.clusters))
	}
	if g.chance(0.4) {
		workgroup = ref("GOVERNANCE_GROUP", pick(g, g.workgroups))
	}
	if g.chance(0.3) {
		mapping = obj("accountAttributeName", "manager", "identityAttributeName", "manager")
	}
	if (f.key == "ad" || f.key == "ldap") && g.chance(0.6) {
		policies = []any{ref("PASSWORD_POLICY", pick(g, g.policies))}
	}
	if g.chance(0.15) {
		corrRule = ref("RULE", g.rules[0])
	}
	if mapping == nil && g.chance(0.1) {
		mgrRule = ref("RULE", g.rules[1])
	}
	if g.chance(0.1) {
		bpRule = ref("RULE", g.rules[2])
	}
	if g.chance(0.6) {
		threshold = num(int64(pick(g, []int{0, 10, 20, 25, 50})))
	}
	features := strList(f.features)
	connType := "direct"
	if f.key == "file" {
		connType = "file"
	}
	s := obj("id", id, "name", name,
		"description", pick(g, []string{f.label + " (" + host + ")", "", f.label + " source for " + host + ": accounts and groups."}),
		"owner", ref("IDENTITY", pick(g, g.owners)), "cluster", cluster,
		"accountCorrelationConfig", nil, "accountCorrelationRule", corrRule, "managerCorrelationMapping", mapping,
		"managerCorrelationRule", mgrRule, "beforeProvisioningRule", bpRule, "schemas", schemas,
		"passwordPolicies", policies, "features", features, "type", f.typ, "connector", f.connector,
		"connectorClass", f.class, "connectorAttributes", attrs, "deleteThreshold", threshold,
		"authoritative", f.key == "workday" || f.key == "jdbc" && g.chance(0.3), "managementWorkgroup", workgroup,
		"healthy", healthy, "status", status, "since", since, "connectorId", f.connector, "connectorName", f.connectorName,
		"connectionType", connType, "connectorImplementationId", f.connector, "created", created, "modified", modified,
		"credentialProviderEnabled", false, "category", nil)
	g.write(fmt.Sprintf("sources/%04d-%s.json", i, f.key), s)
	g.write("schemas/"+id+"/schemas.json", schemaFiles)
}

// transforms writes n custom transforms reading the sources' accounts, and SailPoint's own.
func (g *realGen) transforms(n int) {
	out := []any{obj("id", g.uuid(), "name", "ToUpper", "type", "upper", "attributes", nil, "internal", true)}
	taken := map[string]bool{}
	for i := 1; i <= n && len(g.sourceNames) > 0; i++ {
		src := pick(g, g.sourceNames)
		in := obj("type", "accountAttribute", "attributes", obj("sourceName", src, "attributeName", pick(g, []string{"email", "displayName", "id"})))
		var typ string
		var attrs *value.Object
		switch g.rng.IntN(6) {
		case 0:
			typ, attrs = "lower", obj("input", in)
		case 1:
			typ, attrs = "dateFormat", obj("inputFormat", "yyyy-MM-dd", "outputFormat", "ISO8601", "input", in)
		case 2:
			typ, attrs = "concat", obj("values", []any{in, " (", obj("type", "static", "attributes", obj("value", "ext")), ")"})
		case 3:
			typ, attrs = "firstValid", obj("values", []any{in, "unknown"}, "ignoreErrors", true)
		case 4:
			typ, attrs = "replaceAll", obj("table", obj("-", " ", "_", " "), "input", in)
		default:
			typ, attrs = "trim", obj("input", in)
		}
		name := fmt.Sprintf("%s %s %03d", strings.ToUpper(typ[:1])+typ[1:], pick(g, realPlaces), i)
		if taken[name] {
			continue
		}
		taken[name] = true
		out = append(out, obj("id", g.uuid(), "name", name, "type", typ, "attributes", attrs, "internal", false))
	}
	g.write("transforms/transforms.json", out)
}
