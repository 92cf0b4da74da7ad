package config

import (
	"errors"
	"strings"
	"testing"
)

// FuzzExpand checks the ${…} expander on any string s with any resolved value val:
//   - Expand never panics, and fails exactly when Refs does (the planner and apply agree on
//     which values are well formed);
//   - the resolver is asked for exactly the references Refs lists, in order, and for nothing
//     else: a resolved value is never scanned again, so a value holding "${env:X}" cannot make
//     apply read another environment variable;
//   - each resolved value lands in the result verbatim, and the text around it is the same
//     whatever the values are (the result with val is the result with a marker, the marker
//     replaced by val);
//   - a string escaped as export writes it ("${" → "$${") expands back to itself, without any
//     lookup.
//
// The seed corpus in testdata/fuzz/FuzzExpand runs in every `go test`.
func FuzzExpand(f *testing.F) {
	for _, seed := range [][2]string{
		{"plain", "x"},
		{"${env:PASSWORD}", "${env:OTHER}"},
		{"jdbc:${env:USER}@${connector:Acme HR}/db", "$${env:X}"},
		{"$${env:LITERAL}", "v"},
		{"$$${env:A}", "}"},
		{"${env:A}${env:B}", "${"},
		{"${", ""},
		{"${env:}", ""},
		{"${env:1BAD}", ""},
		{"${vault:x}", ""},
		{"${connector:${env:A}}", ""},
		{"${connector: }", ""},
		{"a$b{c}${env:_x9}$", "\x00"},
		{"\xff${env:A}\xfe", "\xff"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, s, val string) {
		refs, refsErr := Refs(s)

		var asked []Ref
		got, err := Expand(s, func(r Ref) (string, error) {
			asked = append(asked, r)
			return val, nil
		})
		if (err == nil) != (refsErr == nil) {
			t.Fatalf("Expand(%q) error %v but Refs error %v", s, err, refsErr)
		}
		if err != nil {
			if got != "" {
				t.Fatalf("Expand(%q) failed (%v) and still returned %q", s, err, got)
			}
			return
		}
		if len(asked) != len(refs) {
			t.Fatalf("Expand(%q) with value %q asked for %d references %v, Refs lists %d %v: a value was expanded again", s, val, len(asked), asked, len(refs), refs)
		}
		for i := range refs {
			if asked[i] != refs[i] {
				t.Fatalf("Expand(%q) asked for %v at %d, Refs lists %v", s, asked[i], i, refs[i])
			}
			if refs[i].Scheme != SchemeEnv && refs[i].Scheme != SchemeConnector {
				t.Fatalf("Refs(%q) returned scheme %q", s, refs[i].Scheme)
			}
		}

		// The same expansion with a marker that occurs nowhere else: the text around the values
		// must not depend on the values.
		marker := "\uE000sailsync-marker\uE001"
		if !strings.Contains(s, marker) && !strings.Contains(val, marker) {
			withMarker, err := Expand(s, func(Ref) (string, error) { return marker, nil })
			if err != nil {
				t.Fatalf("Expand(%q) with a marker value: %v", s, err)
			}
			if n := strings.Count(withMarker, marker); n != len(refs) {
				t.Fatalf("Expand(%q): %d markers in %q, want one per reference (%d)", s, n, withMarker, len(refs))
			}
			if want := strings.ReplaceAll(withMarker, marker, val); got != want {
				t.Fatalf("Expand(%q) with value %q = %q, want %q: the value was not inserted verbatim", s, val, got, want)
			}
		}

		// A failing resolver fails the expansion exactly when there is a reference.
		errResolve := errors.New("unresolvable")
		_, err = Expand(s, func(Ref) (string, error) { return "", errResolve })
		if (len(refs) > 0) != errors.Is(err, errResolve) {
			t.Fatalf("Expand(%q) with a failing resolver: %v (references %v)", s, err, refs)
		}

		// Export's escaping round-trips any value, reference-like or not, without a lookup.
		for _, x := range []string{s, val} {
			escaped := strings.ReplaceAll(x, "${", "$${")
			back, err := Expand(escaped, func(r Ref) (string, error) {
				t.Fatalf("escaped %q: %q asked for %v", x, escaped, r)
				return "", nil
			})
			if err != nil || back != x {
				t.Fatalf("escaped %q as %q, expanded back to %q, %v", x, escaped, back, err)
			}
			if refs, err := Refs(escaped); err != nil || len(refs) != 0 {
				t.Fatalf("Refs(%q) of an escaped value = %v, %v; want no references", escaped, refs, err)
			}
		}
	})
}
