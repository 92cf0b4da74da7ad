package value

import "strings"

// StringList reads an attribute the tenant keeps as a comma-separated string or as a list of
// strings (connector_files, encrypted): the trimmed, non-empty entries in order.
func StringList(v any) []string {
	var raw []string
	switch t := v.(type) {
	case string:
		raw = strings.Split(t, ",")
	case []any:
		for _, e := range t {
			if s, ok := e.(string); ok {
				raw = append(raw, s)
			}
		}
	}
	var out []string
	for _, s := range raw {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
