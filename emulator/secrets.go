package emulator

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"

	"github.com/sailsync/sailsync/value"
)

// CipherPrefix starts every cipher text the emulator returns, like the tenant's "2:ENC-…" values.
const CipherPrefix = "2:ENC-"

// passwordLike are the endings of the connectorAttributes keys the tenant stores encrypted, as
// the tenant states them: its own statement, not the client's, so that a test against the
// emulator catches a client that guesses the rule wrong.
var passwordLike = []string{
	"password", "passwd", "secret", "token", "apikey", "privatekey", "secretkey",
	"passphrase", "credential", "credentials",
}

// IsSecretAttribute reports whether the emulator stores connectorAttributes key name encrypted,
// given the names listed in connectorAttributes.encrypted: a listed name, or one whose letters
// and digits, lower-cased, end in a password-like word ("bindPassword", "client_secret").
func IsSecretAttribute(name string, encrypted []string) bool {
	for _, n := range encrypted {
		if n == name {
			return true
		}
	}
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	for _, s := range passwordLike {
		if strings.HasSuffix(b.String(), s) {
			return true
		}
	}
	return false
}

// encryptedNames reads connectorAttributes.encrypted.
func encryptedNames(attrs *value.Object) []string {
	v, _ := attrs.Get("encrypted")
	return value.StringList(v)
}

// The key is fixed so that cipher texts written into a seed directory decrypt in every run. It
// protects nothing real: the point is that the value is opaque to the client, as on a tenant.
var cipherKey = sha256.Sum256([]byte("sailsync emulator: tenant encryption key, version 1"))

func newGCM() cipher.AEAD {
	block, err := aes.NewCipher(cipherKey[:])
	if err != nil {
		panic("emulator: AES key: " + err.Error()) // a 32-byte key cannot be rejected
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		panic("emulator: GCM: " + err.Error())
	}
	return gcm
}

// encrypt returns a fresh cipher text for plain: a random nonce each time, so re-encrypting the
// same value yields a different text, as the tenant's does.
func encrypt(plain string) string {
	gcm := newGCM()
	nonce := make([]byte, gcm.NonceSize())
	_, _ = rand.Read(nonce)
	sealed := gcm.Seal(nonce, nonce, []byte(plain), nil)
	return CipherPrefix + base64.StdEncoding.EncodeToString(sealed)
}

// decrypt reverses encrypt; ok is false for anything this tenant did not encrypt.
func decrypt(text string) (string, bool) {
	rest, found := strings.CutPrefix(text, CipherPrefix)
	if !found {
		return "", false
	}
	raw, err := base64.StdEncoding.DecodeString(rest)
	if err != nil {
		return "", false
	}
	gcm := newGCM()
	if len(raw) < gcm.NonceSize() {
		return "", false
	}
	plain, err := gcm.Open(nil, raw[:gcm.NonceSize()], raw[gcm.NonceSize():], nil)
	if err != nil {
		return "", false
	}
	return string(plain), true
}

// protectSecrets encrypts the secret values of attrs in place. A value equal to the stored one
// (the cipher text the client read back) is kept; another cipher text of this tenant is kept as
// is (copied from elsewhere); anything else is plain text and gets encrypted.
func protectSecrets(attrs, stored *value.Object) {
	if attrs == nil {
		return
	}
	enc := encryptedNames(attrs)
	for _, k := range attrs.Keys() {
		if k == "encrypted" || !IsSecretAttribute(k, enc) {
			continue
		}
		v, _ := attrs.Get(k)
		s, ok := v.(string)
		if !ok || s == "" {
			continue
		}
		if old, ok := stored.Get(k); ok && old == s {
			continue
		}
		if _, ok := decrypt(s); ok {
			continue
		}
		attrs.Set(k, encrypt(s))
	}
}
