package ghcmd

import "testing"

// The cases of the two escapers this package replaced (cmd_validate.go, diff/render_github.go).
func TestEscape(t *testing.T) {
	for _, tc := range []struct {
		fn       func(string) string
		name     string
		in, want string
	}{
		{Data, "Data", "50% done\r\nnext", "50%25 done%0D%0Anext"},
		{Data, "Data", "a%b\nc\r", "a%25b%0Ac%0D"},
		{Data, "Data", "a:b,c", "a:b,c"},
		{Property, "Property", "a:b,c%\n", "a%3Ab%2Cc%25%0A"},
		{Property, "Property", "a:b,c", "a%3Ab%2Cc"},
	} {
		if got := tc.fn(tc.in); got != tc.want {
			t.Errorf("%s(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}
