package config

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/sailsync/sailsync/internal/tenanttest"
	"github.com/sailsync/sailsync/internal/value"
)

func TestPasswordLike(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]bool{
		"password": true, "bindPassword": true, "client_secret": true, "apiToken": true,
		"private_key": true, "userDeltaToken": true,
		"tokenUrl": false, "passwordPolicyName": false, "host": false, "user": false, "pin": false,
	} {
		if got := PasswordLike(name); got != want {
			t.Errorf("PasswordLike(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestIsCipherText: every plausible shape of the tenant's cipher text is one (the emulator's
// 2:ENC-, IdentityIQ's 1:ACP:, a bare version), and plain values that resemble one are not.
func TestIsCipherText(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"2:ENC-PNXcigXahryljQ2XQjo9cQI/JFDPIGPGoDIqWfy9ZboSa0fVYleDALYbT6fD5A==": true,
		"1:ACP:W5ueRv0mVh2bNq3sHxYq7kS9l0cQ+ZlJxg7A1J4u5hM=":                     true,
		"2:zD9vSZHUeNhwEkRzAkBbwrzobAUwKzjxyuA5qY7qGxr0I9RLwVuZMNUC3A==":         true,
		"2:ENC-zD9vSZHUeNhwEkRzAkBbwrzobAUwKzjxyu_A5qY7qGx-r0I9RLw":              true, // URL-safe, unpadded
		"hunter2":                        false,
		"2:ENC-short":                    false,
		"10:30":                          false,
		"3:AdministratorsGroup":          false, // no marker, too short for cipher text
		"2:ENC-not base64 at all, no no": false,
		"ENC-PNXcigXahryljQ2XQjo9cQI/JFDPIGPGoDIq":                     false, // no version
		"https://graph.microsoft.com/v1.0/users/delta?$deltatoken=abc": false,
		"M2Y5ZjQ0YjUtYjcxMS00ZTg0LWI1YjEtNzQ4ZTc2MWFjOGQ3":             false, // a plain delta token
		"": false,
	} {
		if got := IsCipherText(s); got != want {
			t.Errorf("IsCipherText(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestTenantEncrypts: the tenant decides what is secret, by its cipher text or its `encrypted`
// list in either shape; a plain value under a password-like name is not a secret.
func TestTenantEncrypts(t *testing.T) {
	t.Parallel()
	cipher := "2:ENC-PNXcigXahryljQ2XQjo9cQI/JFDPIGPGoDIqWfy9ZboSa0fVYleDALYbT6fD5A=="
	for _, tt := range []struct {
		name      string
		encrypted any
		key       string
		val       any
		want      bool
	}{
		{"cipher text", nil, "password", cipher, true},
		{"cipher text under a plain name", nil, "pin", cipher, true},
		{"plain delta token", nil, "userDeltaToken", "M2Y5ZjQ0YjUtYjcxMS00ZTg0", false},
		{"plain password", nil, "password", "hunter2", false},
		{"listed, comma string", "password, pin", "pin", "1234", true},
		{"listed, array", []any{"password", "pin"}, "pin", "1234", true},
		{"not listed, array", []any{"password"}, "pin", "1234", false},
		{"listed, absent", "pin", "pin", nil, true},
		{"a number", nil, "port", json.Number("389"), false},
	} {
		attrs := value.NewObject()
		if tt.encrypted != nil {
			attrs.Set("encrypted", tt.encrypted)
		}
		if tt.val != nil {
			attrs.Set(tt.key, tt.val)
		}
		if got := TenantEncrypts(tt.key, attrs); got != tt.want {
			t.Errorf("%s: TenantEncrypts(%q) = %v, want %v", tt.name, tt.key, got, tt.want)
		}
	}
	if TenantEncrypts("password", nil) {
		t.Error("no live attributes: secret")
	}
}

// TestTenantAttributes: the table's keys and patterns, the runtime ones told from the ids.
func TestTenantAttributes(t *testing.T) {
	t.Parallel()
	for k, want := range map[string]string{ // "runtime", "tenant" (set once) or "" (configuration)
		"cloudCacheUpdate": "runtime", "since": "runtime", "healthy": "runtime", "status": "runtime",
		"processing": "runtime", "hasFullAggregationCompleted": "runtime", "sourceConnected": "runtime",
		"recommendationStatus": "runtime", "userDeltaToken": "runtime", "groupsDeltaToken": "runtime",
		"directoryRolesDeltaToken": "runtime", "deltaToken": "runtime", "usersdeltatoken": "runtime",
		"cloudExternalId": "tenant", "cloudDisplayName": "tenant", "cloudOriginalApplicationType": "tenant",
		"Status": "", "deltaTokenUrl": "", "apiToken": "", "host": "", "healthCheckTimeout": "", "encrypted": "",
	} {
		got := ""
		if IsTenantAttribute(k) {
			got = "tenant"
		}
		if IsRuntimeAttribute(k) {
			got = "runtime"
		}
		if got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
}

// TestSecretAndRuntimeWarnings: what validate says of connectorAttributes, each at file:line:col:
// a declared runtime key is a warning, a literal under a password-like name a warning, a literal
// under a key the source's own `encrypted` list names an error, ${env:…} allowed under either.
func TestSecretAndRuntimeWarnings(t *testing.T) {
	t.Parallel()
	const head = "kind: Source\nname: Entra\nowner: {type: IDENTITY, id: x}\nconnector: azure-active-directory\nconnectorAttributes:\n"
	for _, tt := range []struct {
		name     string
		attrs    string
		problems []string
		warnings []string
	}{
		{"configuration only", "  host: graph.microsoft.com\n  tokenUrl: https://login.example/token\n", nil, nil},
		{"runtime keys declared", "  userDeltaToken: abc\n  cloudCacheUpdate: 1733400000000\n  cloudExternalId: \"100001\"\n", nil, []string{
			"s.yaml:6:19: connectorAttributes.userDeltaToken: runtime state the platform rewrites on every aggregation or health check (a delta aggregation's cursor",
			"s.yaml:7:21: connectorAttributes.cloudCacheUpdate: runtime state the platform rewrites",
			"s.yaml:8:20: connectorAttributes.cloudExternalId: set by the tenant when the source is created",
		}},
		{"a runtime key as an env reference (an old export)", "  userDeltaToken: ${env:ENTRA_USERDELTATOKEN}\n", nil, []string{
			"s.yaml:6:19: connectorAttributes.userDeltaToken: runtime state the platform rewrites",
		}},
		{"literal password", "  password: hunter2\n", nil, []string{
			"s.yaml:6:13: connectorAttributes.password: the name reads like a password, and this value sits in Git in plain text",
		}},
		{"password from the environment", "  password: ${env:ENTRA_PASSWORD}\n", nil, nil},
		{"listed literal, comma string", "  encrypted: pin,password\n  pin: \"1234\"\n", []string{
			"s.yaml:7:8: connectorAttributes.pin: connectorAttributes.encrypted names this attribute, so the tenant stores it encrypted",
		}, nil},
		{"listed literal, array", "  encrypted: [pin]\n  pin: \"1234\"\n", []string{
			"s.yaml:7:8: connectorAttributes.pin: connectorAttributes.encrypted names this attribute",
		}, nil},
		{"listed from the environment", "  encrypted: [pin]\n  pin: ${env:ENTRA_PIN}\n", nil, nil},
		{"env under a plain name", "  host: ${env:ENTRA_HOST}\n", []string{
			"s.yaml:6:9: connectorAttributes.host: ${env:ENTRA_HOST} is only allowed where the tenant stores the value encrypted",
		}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := Load(tenanttest.WriteDir(t, map[string]string{"s.yaml": head + tt.attrs}))
			var ps Problems
			if err != nil && !errors.As(err, &ps) {
				t.Fatalf("Load: %v", err)
			}
			if err == nil {
				ps = nil
			}
			matchProblems(t, "problem", ps, tt.problems)
			if r != nil {
				matchProblems(t, "warning", r.Warnings, tt.warnings)
			} else if len(tt.warnings) > 0 {
				t.Errorf("no repository, want warnings %v", tt.warnings)
			}
		})
	}
}

// matchProblems holds ps to want, each starting with its line.
func matchProblems(t *testing.T, what string, ps Problems, want []string) {
	t.Helper()
	if len(ps) != len(want) {
		t.Errorf("%d %ss, want %d:\n%s", len(ps), what, len(want), problemLines(ps))
		return
	}
	for i, w := range want {
		if !strings.HasPrefix(ps[i].String(), w) {
			t.Errorf("%s %d:\n%s\nwant it to start with\n%s", what, i, ps[i], w)
		}
	}
}

func TestListValue(t *testing.T) {
	t.Parallel()
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
