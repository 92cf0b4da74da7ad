package config

import (
	"fmt"
	"strings"
)

// checkLiteralSecrets reports literal connectorAttributes values that should be secrets. A key
// the source's own `encrypted` list names is stored encrypted by the tenant: a literal there
// would sit in Git in plain text and, since the tenant only returns cipher text, never compare
// (an error). A merely password-like name is a warning: the tenant decides what it encrypts, and
// returns some such keys in plain text. It also runs checkTenantAttributes, the other check of
// declared connectorAttributes keys.
func (l *loader) checkLiteralSecrets(repo *Repo) {
	l.checkTenantAttributes(repo)
	for _, s := range repo.Sources() {
		attrs := s.Fields.Object("connectorAttributes")
		for _, k := range attrs.Keys() {
			v, _ := attrs.Get(k)
			str, ok := v.(string)
			if !ok || k == "encrypted" || strings.TrimSpace(str) == "" || strings.Contains(str, "${") {
				continue
			}
			field := "connectorAttributes." + k
			switch {
			case ListedEncrypted(k, attrs):
				l.add(Problem{Pos: s.PosOf(field), Field: field, Message: fmt.Sprintf(
					"%s: connectorAttributes.encrypted names this attribute, so the tenant stores it encrypted: write it as ${env:NAME} and set NAME in the environment, not as a value in Git", field)})
			case PasswordLike(k) && !IsTenantAttribute(k):
				l.warn(Problem{Pos: s.PosOf(field), Field: field, Message: fmt.Sprintf(
					"%s: the name reads like a password, and this value sits in Git in plain text: if it is a secret, write it as ${env:NAME} and set NAME in the environment (a value the tenant returns in plain text is compared like any other)", field)})
			}
		}
	}
}

// envRefProblem says what is wrong with an ${env:…} reference at field of o, or "". An
// environment value is a secret: sailsync never compares or prints it, so it may stand only
// where the tenant stores it encrypted, else it would be sent and kept in plain text (and
// exported into a YAML file). Offline, that is a key the source's `encrypted` list names or a
// password-like one (the tenant's cipher text is known only to a plan). The run's own
// credentials are never sent anywhere.
func envRefProblem(o *Object, field string, r Ref) string {
	if strings.HasPrefix(r.Name, "SAIL_") {
		return fmt.Sprintf("%s names sailsync's own credentials or tenant (SAIL_*), which are never sent to the tenant", r)
	}
	if o.Kind == KindSource {
		if key, ok := strings.CutPrefix(field, "connectorAttributes."); ok && !strings.Contains(key, ".") {
			if ListedEncrypted(key, o.Fields.Object("connectorAttributes")) || PasswordLike(key) {
				return ""
			}
		}
	}
	return fmt.Sprintf("%s is only allowed where the tenant stores the value encrypted (a connectorAttributes key listed in connectorAttributes.encrypted, or a password-like one such as password or apiToken): here it would be stored in plain text. Write the value itself, or a per-environment ${var:NAME}", r)
}
