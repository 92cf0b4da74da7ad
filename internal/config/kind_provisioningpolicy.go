package config

// KindProvisioningPolicy is a source's provisioning policy: the form of one usage type (the
// create-account form for CREATE), owned by its source and named by its usageType.
const KindProvisioningPolicy Kind = "ProvisioningPolicy"

func init() {
	addKind(KindSpec{
		Kind: KindProvisioningPolicy, Declared: true, Unmanaged: true, Owner: KindSource, Schema: "provisioning-policy.json",
		// One policy per usage type of a source: the usageType is its name within the source.
		Identity: []string{"source", "usageType"},
		// PUT …/provisioning-policies/{usageType} names the policy by it: it cannot change.
		Immutable: []string{"usageType"}, LiveID: "usageType",
		Doc: "a provisioning policy of a declared source (/v3/sources/{id}/provisioning-policies/{usageType})",
	}, &kindLoader{build: buildPolicy,
		bind: func(d Declared, o Object) Declared {
			c := *d.(*ProvisioningPolicy)
			c.Object = o
			return &c
		},
	})
}

// ProvisioningPolicy is a declared provisioning policy of a declared source. Its Object's Name
// is its usageType, which names it within the source; Fields hold the API's fields (name,
// description, usageType, fields) in the order written.
type ProvisioningPolicy struct {
	Object
	// Source is the name of the declared Source this policy belongs to: its Owner.
	Source string
}

// buildPolicy takes a ProvisioningPolicy's `source` out of its fields and names it by its
// usageType, which stays in the fields: the tenant's object carries it too.
func buildPolicy(_ *loader, d *document, obj Object, _ bool) Declared {
	obj.Name = d.value.String("usageType")
	obj.Fields.Delete("source")
	return &ProvisioningPolicy{Object: obj, Source: obj.Owner}
}

// Policies returns the declared provisioning policies, tombstones included, in repository order.
func (r *Repo) Policies() []*ProvisioningPolicy {
	return typedOf[*ProvisioningPolicy](r, KindProvisioningPolicy)
}
