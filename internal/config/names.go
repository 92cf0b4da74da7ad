package config

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// NameKey is the form in which a tenant may compare two object names: Unicode NFC (so that a
// precomposed "é" and "e" + combining accent are one), lower case, without zero-width
// characters (U+200B–U+200D, U+FEFF) and without leading or trailing space. Two declared names
// with the same key may be one object to the tenant, so validate refuses them.
func NameKey(name string) string {
	name = strings.Map(func(r rune) rune {
		if r >= 0x200b && r <= 0x200d || r == 0xfeff {
			return -1
		}
		return r
	}, name)
	return strings.ToLower(norm.NFC.String(strings.TrimFunc(name, unicode.IsSpace)))
}

// nameControl returns the first character a name may not hold: a control character (C0, DEL,
// C1) or a bidirectional formatting character, which would drive a terminal or reorder what a
// reviewer reads wherever the name is shown.
func nameControl(name string) (rune, bool) {
	for _, r := range name {
		if unicode.IsControl(r) || r == 0x061c || r == 0x200e || r == 0x200f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 {
			return r, true
		}
	}
	return 0, false
}
