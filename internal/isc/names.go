package isc

import (
	"strings"

	"github.com/sailsync/sailsync/internal/value"
)

// ScriptName is the common guess at the scriptName a tenant derives from a connector's name:
// lower-case, each run of characters other than ASCII letters and digits becomes "-", and
// leading and trailing "-" are trimmed. The real rule is undocumented (some tenants add a
// suffix), so a guess is only ever tried last and checked by the name the tenant returns.
func ScriptName(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	return b.String()
}

// SameName reports whether a tenant may take a and b for the same object name. The API does
// not say how names compare; a tenant that compares case-insensitively refuses "acme hr" beside
// "Acme HR", so sailsync treats them as one.
func SameName(a, b string) bool { return a != "" && strings.EqualFold(a, b) }

// MatchName returns the object of objs whose "name" is name, or else the only one that
// SameName matches; nil when none or several do.
func MatchName(name string, objs []*value.Object) *value.Object {
	var fold *value.Object
	folds := 0
	for _, o := range objs {
		n := o.String("name")
		if n == name {
			return o
		}
		if SameName(n, name) {
			fold = o
			folds++
		}
	}
	if folds == 1 {
		return fold
	}
	return nil
}
