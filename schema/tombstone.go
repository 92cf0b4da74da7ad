package schema

import "encoding/json"

// tombstoneFile is the schema of a tombstone: a document with `absent` that asks for the object
// it names to be deleted. Validate checks such a document against it instead of its kind's.
const tombstoneFile = "tombstone.json"

// IsTombstone reports whether doc (a plain JSON value) is a tombstone: a mapping with the key
// `absent`, whatever its value (a value other than true is then the schema's error to report).
func IsTombstone(doc any) bool {
	m, ok := doc.(map[string]any)
	if !ok {
		return false
	}
	_, ok = m["absent"]
	return ok
}

// TombstoneJSON returns the tombstone schema as indented JSON.
func TombstoneJSON() []byte {
	b, _ := files.ReadFile(tombstoneFile)
	return b
}

// tombstoneInline is the tombstone schema without $schema and $id, for the combined schema.
func tombstoneInline() []byte {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(TombstoneJSON(), &m); err != nil {
		return []byte("{}")
	}
	delete(m, "$schema")
	delete(m, "$id")
	b, err := json.Marshal(m)
	if err != nil {
		return []byte("{}")
	}
	return b
}
