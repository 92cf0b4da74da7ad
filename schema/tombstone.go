package schema

import (
	"bytes"
	"encoding/json"

	"github.com/sailsync/sailsync/internal/value"
)

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

// TombstoneJSON returns the tombstone schema as indented JSON, the enum of its kind filled with
// every kind that has a schema, so that a new kind's tombstones need no line in tombstone.json.
func TombstoneJSON() []byte {
	raw, err := files.ReadFile(tombstoneFile)
	if err != nil {
		return nil
	}
	v, err := value.Decode(raw)
	doc, ok := v.(*value.Object)
	if err != nil || !ok || doc.Object("properties").Object("kind") == nil {
		return raw // the package's tests rule this out
	}
	ks := Kinds()
	enum := make([]any, len(ks))
	for i, k := range ks {
		enum[i] = k
	}
	doc.Object("properties").Object("kind").Set("enum", enum)
	b, err := doc.MarshalJSON()
	if err != nil {
		return raw
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		return raw
	}
	out.WriteByte('\n')
	return out.Bytes()
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
