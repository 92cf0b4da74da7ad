package config

import (
	"fmt"
	"strings"
)

// checkLiteralSecrets reports connectorAttributes the tenant stores encrypted whose declared
// value is a literal string instead of an ${env:…} reference. Such a value would sit in Git in
// plain text, and since the tenant only returns cipher text it could never be compared: every
// plan would show the literal beside the cipher text.
func (l *loader) checkLiteralSecrets(repo *Repo) {
	for _, s := range repo.Sources {
		attrs := s.Fields.Object("connectorAttributes")
		for _, k := range attrs.Keys() {
			v, _ := attrs.Get(k)
			str, ok := v.(string)
			if !ok || strings.TrimSpace(str) == "" || !IsSecretAttribute(k, attrs) || strings.Contains(str, "${") {
				continue
			}
			field := "connectorAttributes." + k
			l.add(Problem{Pos: s.PosOf(field), Field: field, Message: fmt.Sprintf(
				"%s: the tenant stores this attribute encrypted: write it as ${env:NAME} and set NAME in the environment, not as a value in Git", field)})
		}
	}
}
