package config

import (
	"reflect"
	"testing"

	"github.com/sailsync/sailsync/value"
)

func TestIsSecretAttribute(t *testing.T) {
	attrs := value.NewObject()
	attrs.Set("encrypted", "pin, otp")
	for name, want := range map[string]bool{
		"password": true, "bindPassword": true, "client_secret": true, "apiToken": true,
		"private_key": true, "pin": true, "otp": true,
		"tokenUrl": false, "passwordPolicyName": false, "host": false, "user": false,
	} {
		if got := IsSecretAttribute(name, attrs); got != want {
			t.Errorf("IsSecretAttribute(%q) = %v, want %v", name, got, want)
		}
	}
	if IsSecretAttribute("pin", nil) {
		t.Error("pin is secret without being listed in encrypted")
	}
}

func TestListValue(t *testing.T) {
	cases := []struct {
		in   any
		want []string
	}{
		{"a.jar, b.jar,,", []string{"a.jar", "b.jar"}},
		{[]any{" a ", 3, "b"}, []string{"a", "b"}},
		{nil, nil},
		{"", nil},
	}
	for _, c := range cases {
		if got := value.StringList(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("value.StringList(%#v) = %#v, want %#v", c.in, got, c.want)
		}
	}
}
