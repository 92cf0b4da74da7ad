package diff

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/value"
)

// TestFormFields: a policy's fields compared as a list in order by name: the fewest moves (one
// per field taken out of its place, never a delete plus an add), the changed keys of a field,
// and the fields added and removed.
func TestFormFields(t *testing.T) {
	field := func(name, typ string) *value.Object {
		o := value.NewObject()
		o.Set("name", name)
		o.Set("type", typ)
		return o
	}
	list := func(spec string) []*value.Object {
		var out []*value.Object
		for _, n := range strings.Split(spec, ",") {
			name, typ, _ := strings.Cut(n, ":")
			if typ == "" {
				typ = "string"
			}
			out = append(out, field(name, typ))
		}
		return out
	}
	p := &config.ProvisioningPolicy{}
	for _, tt := range []struct {
		name, desired, live string
		want                []string
	}{
		{"same", "a,b,c", "a,b,c", nil},
		{"last to first", "c,a,b", "a,b,c", []string{`fields: moved "c" from 3 to 1`}},
		{"first to last", "b,c,a", "a,b,c", []string{`fields: moved "a" from 1 to 3`}},
		{"two swapped", "b,a", "a,b", []string{`fields: moved "a" from 1 to 2`}},
		{"reversed", "c,b,a", "a,b,c", []string{`fields: moved "c" from 3 to 1`, `fields: moved "a" from 1 to 3`}},
		{"a changed key", "a,b:int", "a,b", []string{`fields[b].type: string → int`}},
		{"added and removed", "a,d", "a,b", []string{`fields: added "d" at 2`, `fields: removed "b"`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, f := range formFields(p, list(tt.desired), list(tt.live)) {
				s := f.Path + ": " + f.Summary
				if f.Summary == "" {
					s = f.Path + ": " + fmt.Sprint(f.Before) + " → " + fmt.Sprint(f.After)
				}
				got = append(got, s)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}
