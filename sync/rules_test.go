package sync_test

import (
	"slices"
	"testing"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/emulator"
)

// TestClientAgreesWithTenantOnSecrets holds the client's statement of which connectorAttributes
// the tenant encrypts against the emulator's own statement of it: if either is edited alone, a
// secret would be compared as plain text or a plain value hidden.
func TestClientAgreesWithTenantOnSecrets(t *testing.T) {
	t.Parallel()
	for _, name := range []string{
		"password", "bindPassword", "client_secret", "apiToken", "api_key", "apiKey", "private_key",
		"privateKey", "secretKey", "passphrase", "credential", "credentials", "passwd", "oauthToken",
		"tokenUrl", "passwordPolicyName", "host", "user", "port", "secretary", "tokens", "keystore",
		"", "PASSWORD", "db.password", "pass_word", "userDeltaToken", "groupsDeltaToken", "deltaToken",
	} {
		// The tenant encrypts a password-like name but not its own runtime state.
		if c, e := config.PasswordLike(name) && !config.IsRuntimeAttribute(name), emulator.IsSecretAttribute(name, nil); c != e {
			t.Errorf("%q: client says secret=%v, tenant says %v", name, c, e)
		}
	}
}

// TestClientAgreesWithTenantOnSourceFields holds config's kind table (the client) to the
// emulator's own statement of which source fields are immutable and which the tenant manages,
// so that editing either alone fails: a wrong immutable list lets apply send a 400 or blocks a
// legal change, a wrong server list exports, compares or sends fields the tenant owns.
func TestClientAgreesWithTenantOnSourceFields(t *testing.T) {
	t.Parallel()
	src, ok := config.KindInfo(config.KindSource)
	if !ok {
		t.Fatal("Source is not in the kind table")
	}
	if c, e := sorted(src.Immutable), sorted(emulator.ImmutableSourceFields()); !slices.Equal(c, e) {
		t.Errorf("immutable source fields: client %v, tenant %v", c, e)
	}

	// The tenant assigns id and keeps its server fields across a PUT; the client forbids and drops
	// the former and leaves the latter out of exports (TenantKept). The client alone also lists
	// the API reference's misspelling, which a real tenant may send but the emulator does not.
	const clientOnly = "connectorImplementstionId"
	client := sorted(slices.DeleteFunc(src.NotExported(), func(f string) bool { return f == clientOnly }))
	tenant := sorted(append(emulator.ServerSourceFields(), "id"))
	if !slices.Equal(client, tenant) {
		t.Errorf("fields the tenant manages on a source: client %v, tenant %v", client, tenant)
	}
	if !slices.Contains(src.ServerManaged, clientOnly) {
		t.Errorf("%s is no longer server-managed in the kind table: drop it from this test too", clientOnly)
	}
}

func sorted(l []string) []string {
	l = slices.Clone(l)
	slices.Sort(l)
	return l
}

// TestClientAgreesWithTenantOnRuntimeState holds config's table of runtime connectorAttributes
// keys to the emulator's statement of what its platform rewrites: a key the client took for
// configuration would be exported and drifted on every aggregation.
func TestClientAgreesWithTenantOnRuntimeState(t *testing.T) {
	t.Parallel()
	for _, k := range emulator.RuntimeAttributes() {
		if !config.IsRuntimeAttribute(k) {
			t.Errorf("the tenant rewrites %s, the client takes it for configuration", k)
		}
	}
}
