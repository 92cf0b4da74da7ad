package sync_test

import (
	"testing"

	"github.com/sailsync/sailsync/config"
	"github.com/sailsync/sailsync/emulator"
)

// TestClientAgreesWithTenantOnSecrets holds the client's statement of which connectorAttributes
// the tenant encrypts against the emulator's own statement of it: if either is edited alone, a
// secret would be compared as plain text or a plain value hidden.
func TestClientAgreesWithTenantOnSecrets(t *testing.T) {
	for _, name := range []string{
		"password", "bindPassword", "client_secret", "apiToken", "api_key", "apiKey", "private_key",
		"privateKey", "secretKey", "passphrase", "credential", "credentials", "passwd", "oauthToken",
		"tokenUrl", "passwordPolicyName", "host", "user", "port", "secretary", "tokens", "keystore",
		"", "PASSWORD", "db.password", "pass_word",
	} {
		if c, e := config.IsSecretAttribute(name, nil), emulator.IsSecretAttribute(name, nil); c != e {
			t.Errorf("%q: client says secret=%v, tenant says %v", name, c, e)
		}
	}
}
