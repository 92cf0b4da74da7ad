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

// envRefProblem says what is wrong with an ${env:…} reference at field of o, or "". An
// environment value is a secret: sailsync never compares or prints it, so it may stand only
// where the tenant stores it encrypted, else it would be sent and kept in plain text (and
// exported into a YAML file). The run's own credentials are never sent anywhere.
func envRefProblem(o *Object, field string, r Ref) string {
	if strings.HasPrefix(r.Name, "SAIL_") {
		return fmt.Sprintf("%s names sailsync's own credentials or tenant (SAIL_*), which are never sent to the tenant", r)
	}
	if o.Kind == KindSource {
		if key, ok := strings.CutPrefix(field, "connectorAttributes."); ok && !strings.Contains(key, ".") {
			if IsSecretAttribute(key, o.Fields.Object("connectorAttributes")) {
				return ""
			}
		}
	}
	return fmt.Sprintf("%s is only allowed where the tenant stores the value encrypted (a secret connectorAttributes key such as password, or one listed in connectorAttributes.encrypted): here it would be stored in plain text. Write the value itself, or a per-environment ${var:NAME}", r)
}
