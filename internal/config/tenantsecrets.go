package config

import (
	"encoding/base64"
	"regexp"
	"slices"
	"strings"

	"github.com/sailsync/sailsync/internal/value"
)

// passwordSuffixes are the endings of password-like connectorAttributes names: a key is
// password-like when its name, lower-cased with everything but letters and digits removed, ends
// with one of these ("password", "bindPassword", "client_secret", "apiToken", "private_key", …).
// Ending rather than containing keeps "tokenUrl" or "passwordPolicyName" plain.
var passwordSuffixes = []string{
	"password", "passwd", "secret", "token", "apikey", "privatekey", "secretkey",
	"passphrase", "credential", "credentials",
}

// PasswordLike reports whether connectorAttributes key name reads like a password. The tenant
// does not decide by name (it returns userDeltaToken in plain text), so the name alone makes a
// literal value a validate warning and allows an ${env:…} reference, never a secret on export.
func PasswordLike(name string) bool {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	norm := b.String()
	for _, s := range passwordSuffixes {
		if strings.HasSuffix(norm, s) {
			return true
		}
	}
	return false
}

// EncryptedNames returns the keys connectorAttributes' `encrypted` key names, the keys the
// tenant stores encrypted: a comma-separated string ("password,privateKey") or a list of
// strings, both seen. attrs may be nil.
func EncryptedNames(attrs *value.Object) []string {
	if attrs == nil {
		return nil
	}
	v, _ := attrs.Get("encrypted")
	return value.StringList(v)
}

// ListedEncrypted reports whether attrs' `encrypted` key names key name.
func ListedEncrypted(name string, attrs *value.Object) bool {
	return slices.Contains(EncryptedNames(attrs), name)
}

// cipherText matches the shapes of the tenant's cipher text: a key version, then "ENC-" (the
// emulator's, after the tenant's "2:ENC-…"), "ACP:" (the AES cipher provider's marker of
// SailPoint's IdentityIQ lineage, "1:ACP:…") or nothing, then base64 (standard or URL-safe,
// padded or not). The API does not document the format, so each is taken for cipher text.
var cipherText = regexp.MustCompile(`^[0-9]{1,3}:(ENC-|ACP:)?([A-Za-z0-9+/_-]{16,}={0,2})$`)

// IsCipherText reports whether s is a value the tenant returns encrypted (see cipherText): its
// payload must decode as base64, and without a marker be 32 characters at least (an AES-GCM
// nonce and tag make 28 bytes), so that a plain "3:AdministratorsGroup" is not taken for one.
func IsCipherText(s string) bool {
	m := cipherText.FindStringSubmatch(s)
	if m == nil || m[1] == "" && len(m[2]) < 32 {
		return false
	}
	p := strings.TrimRight(m[2], "=")
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		if _, err := enc.DecodeString(p); err == nil {
			return true
		}
	}
	return false
}

// TenantEncrypts reports whether the tenant stores connectorAttributes key name of the live
// source attributes live encrypted: its value is cipher text, or live's `encrypted` list names
// it. A value the tenant returns in plain text is not a secret, whatever its name (a delta
// aggregation's userDeltaToken). live may be nil.
func TenantEncrypts(name string, live *value.Object) bool {
	if live == nil {
		return false
	}
	if ListedEncrypted(name, live) {
		return true
	}
	return IsCipherText(live.String(name))
}
