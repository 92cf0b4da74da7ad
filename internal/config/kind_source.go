package config

import "strconv"

func init() {
	addKind(KindSpec{
		Kind: KindSource, Declared: true, Unmanaged: true, Schema: "source.json",
		Identity: []string{"name"},
		// ${connector:NAME} in YAML, the connector's scriptName in the tenant.
		Uses: []Use{{Field: "connector", Kind: KindConnector}},
		// PUT /v3/sources/{id} answers 400 to a change of these.
		Immutable: []string{"id", "type", "authoritative", "connector", "connectorClass", "passwordPolicies"},
		ServerManaged: []string{"id", "created", "modified", "healthy", "status", "since", "connectorId",
			"connectorName", "connectionType", "connectorImplementationId", "connectorImplementstionId"},
		TenantKept: []string{"schemas"},
		// features: the tenant returns them in its own order; passwordPolicies: a membership.
		SetLike:          []string{"features", "passwordPolicies"},
		TenantAttributes: sourceTenantAttributes,
		ByName: []RefField{
			{Field: "owner", Type: RefIdentity},
			{Field: "cluster", Type: RefCluster},
			{Field: "managementWorkgroup", Type: RefGovernanceGroup},
			{Field: "passwordPolicies", Type: RefPasswordPolicy, List: true},
			{Field: "accountCorrelationRule", Type: RefRule},
			{Field: "managerCorrelationRule", Type: RefRule},
			{Field: "beforeProvisioningRule", Type: RefRule},
		},
		Doc: "an ISC source (/v3/sources), updated by a full-object PUT",
	}, &kindLoader{build: buildSource,
		bind: func(d Declared, o Object) Declared {
			c := *d.(*Source)
			c.Object = o
			return &c
		},
		files: func(d Declared) []File { return d.(*Source).ConnectorFiles },
	})
	// A source's connectorFiles are steps of their own in a plan, uploaded once the source exists.
	addKind(KindSpec{
		Kind: KindConnectorFile, Owner: KindSource,
		Identity: []string{"source", "name"},
		Doc:      "one connectorFiles entry of a Source, uploaded after the source exists",
	}, nil)
}

// sourceTenantAttributes are the connectorAttributes keys the tenant writes into a source: those
// of the API reference's example source and of a real tenant's Config Hub backup, where they made
// nearly all of one Entra source's 123 versions.
var sourceTenantAttributes = []TenantAttribute{
	{Key: "healthy", Family: "every connector", Runtime: true, Doc: "the last health check's outcome"},
	{Key: "since", Family: "every connector", Runtime: true, Doc: "when the last health check ran"},
	{Key: "status", Family: "every connector", Runtime: true, Doc: "the source's state, such as SOURCE_STATE_FAILURE_SOURCE"},
	{Key: "cloudCacheUpdate", Family: "every connector", Runtime: true, Doc: "when the cloud cache was last refreshed, epoch milliseconds"},
	{Key: "processing", Family: "every connector", Runtime: true, Doc: "whether an aggregation is running"},
	{Key: "hasFullAggregationCompleted", Family: "every connector", Runtime: true, Doc: "whether a full aggregation has completed"},
	{Key: "sourceConnected", Family: "every connector", Runtime: true, Doc: "whether the last connection test succeeded"},
	{Key: "recommendationStatus", Family: "every connector", Runtime: true, Doc: "the state of the source's access recommendations"},
	{Key: "*DeltaToken", Family: "Microsoft Entra ID delta aggregation (userDeltaToken, groupsDeltaToken, directoryRolesDeltaToken)",
		Runtime: true, Doc: "a delta aggregation's cursor, returned in plain text"},
	{Key: "cloudExternalId", Family: "every connector", Doc: "the legacy V1 id of the source"},
	{Key: "cloudDisplayName", Family: "every connector", Doc: "the source's name when it was created"},
	{Key: "cloudOriginalApplicationType", Family: "every connector", Doc: "the connector type the source was created with"},
}

// Source is a declared ISC source.
type Source struct {
	Object
	// ConnectorFiles are the files to upload with upload-connector-file, in declared order.
	ConnectorFiles []File
}

// Sources returns the declared sources, tombstones included, in repository order.
func (r *Repo) Sources() []*Source { return typedOf[*Source](r, KindSource) }

// Source returns the declared source called name, or nil.
func (r *Repo) Source(name string) *Source {
	for _, d := range r.objects[KindSource] {
		if s := d.(*Source); s.Name == name {
			return s
		}
	}
	return nil
}

// buildSource takes a Source's connectorFiles out of its fields and reads each file.
func buildSource(l *loader, d *document, obj Object, valid bool) Declared {
	s := &Source{Object: obj}
	list, ok := d.value.Get("connectorFiles")
	s.Fields.Delete("connectorFiles")
	if ok {
		items, _ := list.([]any)
		for i, it := range items {
			rel, isString := it.(string)
			if !valid && (!isString || rel == "") {
				continue // the schema error says what is wrong with it
			}
			n, _, _, _ := nodeAt(d.root, []string{"connectorFiles", strconv.Itoa(i)})
			if f, ok := l.file(d.file, rel, posOf(d.file, n), "connectorFiles", MaxConnectorFileSize, "a connector file"); ok {
				s.ConnectorFiles = append(s.ConnectorFiles, f)
			}
		}
	}
	return s
}
