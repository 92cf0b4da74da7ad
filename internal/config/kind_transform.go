package config

// KindTransform is a custom transform: a plain kind, handled by every layer from its row.
const KindTransform Kind = "Transform"

func init() {
	addKind(KindSpec{
		Kind: KindTransform, Declared: true, Unmanaged: true, Schema: "transform.json",
		Identity: []string{"name"},
		// PUT /v3/transforms/{id} changes attributes only: name and type are refused (400).
		Immutable:     []string{"id", "name", "type"},
		ServerManaged: []string{"id", "internal"},
		// The listing's filters allow `name eq`, `name sw` and `internal eq` only: no `name in`.
		API: &API{Path: "/v3/transforms", Vendor: "internal"},
		Doc: "a custom transform (/v3/transforms), updated by a full-object PUT of its attributes",
	}, nil)
}
