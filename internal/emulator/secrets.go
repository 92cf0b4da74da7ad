package emulator

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/sailsync/sailsync/internal/value"
)

// CipherPrefix starts every cipher text the emulator returns under CipherENC, its default, like
// the tenant's "2:ENC-…" values.
const CipherPrefix = "2:ENC-"

// CipherFormat is how the emulator writes cipher text. The API does not document the tenant's,
// so the emulator can play each plausible shape; every shape decrypts whatever the option, so a
// seed written under one still works under another.
type CipherFormat string

// The cipher text shapes: a key version, a marker, then base64.
const (
	CipherENC  CipherFormat = "enc"  // "2:ENC-<base64>", the default
	CipherACP  CipherFormat = "acp"  // "1:ACP:<base64>", the AES cipher provider's marker of IdentityIQ
	CipherBare CipherFormat = "bare" // "2:<base64>", a version and nothing else
)

// cipherPrefixes are the formats' prefixes, longest first, so that decrypt strips the right one.
var cipherPrefixes = []struct {
	format CipherFormat
	prefix string
}{{CipherACP, "1:ACP:"}, {CipherENC, CipherPrefix}, {CipherBare, "2:"}}

// CipherFormats returns every format the emulator can write, the default first.
func CipherFormats() []CipherFormat { return []CipherFormat{CipherENC, CipherACP, CipherBare} }

// ParseCipherFormat returns the format called s ("" is the default, CipherENC).
func ParseCipherFormat(s string) (CipherFormat, error) {
	if s == "" {
		return CipherENC, nil
	}
	for _, f := range CipherFormats() {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown cipher format %q: use enc (2:ENC-…), acp (1:ACP:…) or bare (2:…)", s)
}

// prefix is the format's prefix; the zero format is the default.
func (f CipherFormat) prefix() string {
	for _, p := range cipherPrefixes {
		if p.format == f {
			return p.prefix
		}
	}
	return CipherPrefix
}

// CipherPrefix returns the prefix of the cipher texts the emulator writes.
func (e *Emulator) CipherPrefix() string { return e.opts.CipherFormat.prefix() }

// passwordLike are the endings of the connectorAttributes keys the tenant stores encrypted, as
// the tenant states them: its own statement, not the client's, so that a test against the
// emulator catches a client that guesses the rule wrong.
var passwordLike = []string{
	"password", "passwd", "secret", "token", "apikey", "privatekey", "secretkey",
	"passphrase", "credential", "credentials",
}

// IsSecretAttribute reports whether the emulator stores connectorAttributes key name encrypted,
// given the names listed in connectorAttributes.encrypted: a listed name, or one whose letters
// and digits, lower-cased, end in a password-like word ("bindPassword", "client_secret") and that
// is not the platform's own runtime state (userDeltaToken is plain text). Under
// Options.EncryptListedOnly only a listed name is.
func IsSecretAttribute(name string, encrypted []string) bool {
	return listed(name, encrypted) || passwordLikeName(name) && !isRuntimeAttribute(name)
}

// listed reports whether name is one of encrypted.
func listed(name string, encrypted []string) bool {
	for _, n := range encrypted {
		if n == name {
			return true
		}
	}
	return false
}

// passwordLikeName reports whether name's letters and digits, lower-cased, end in a
// password-like word.
func passwordLikeName(name string) bool {
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

// encrypt returns a fresh cipher text for plain in format f: a random nonce each time, so
// re-encrypting the same value yields a different text, as the tenant's does.
func encrypt(f CipherFormat, plain string) string {
	gcm := newGCM()
	nonce := make([]byte, gcm.NonceSize())
	_, _ = rand.Read(nonce)
	sealed := gcm.Seal(nonce, nonce, []byte(plain), nil)
	return f.prefix() + base64.StdEncoding.EncodeToString(sealed)
}

// decrypt reverses encrypt under any format; ok is false for anything this tenant did not
// encrypt.
func decrypt(text string) (string, bool) {
	for _, p := range cipherPrefixes {
		if rest, found := strings.CutPrefix(text, p.prefix); found {
			if plain, ok := open(rest); ok {
				return plain, true
			}
		}
	}
	return "", false
}

// open decrypts the base64 after a cipher text's prefix.
func open(rest string) (string, bool) {
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
// is (copied from elsewhere); anything else is plain text and gets encrypted. The caller holds
// e.mu or owns attrs.
func (e *Emulator) protectSecrets(attrs, stored *value.Object) {
	if attrs == nil {
		return
	}
	enc := encryptedNames(attrs)
	for _, k := range attrs.Keys() {
		secret := IsSecretAttribute(k, enc)
		if e.opts.EncryptListedOnly {
			secret = listed(k, enc)
		}
		if k == "encrypted" || !secret {
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
		attrs.Set(k, encrypt(e.opts.CipherFormat, s))
	}
}
