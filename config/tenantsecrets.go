package config

import (
	"strings"

	"github.com/sailsync/sailsync/value"
)

// secretSuffixes decide which connectorAttributes keys the tenant stores encrypted: a key is
// secret when its name, lower-cased with everything but letters and digits removed, ends with
// one of these ("password", "bindPassword", "client_secret", "apiToken", "private_key", …).
// Ending rather than containing keeps "tokenUrl" or "passwordPolicyName" plain.
var secretSuffixes = []string{
	"password", "passwd", "secret", "token", "apikey", "privatekey", "secretkey",
	"passphrase", "credential", "credentials",
}

// IsSecretAttribute reports whether the tenant stores connectorAttributes key name encrypted
// (returning only cipher text): a password-like name, or a name listed in the attributes'
// `encrypted` key. attrs may be nil.
func IsSecretAttribute(name string, attrs *value.Object) bool {
	if attrs != nil {
		v, _ := attrs.Get("encrypted")
		for _, n := range value.StringList(v) {
			if n == name {
				return true
			}
		}
	}
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	norm := b.String()
	for _, s := range secretSuffixes {
		if strings.HasSuffix(norm, s) {
			return true
		}
	}
	return false
}
