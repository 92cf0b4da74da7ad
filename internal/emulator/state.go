package emulator

import (
	"fmt"

	"github.com/sailsync/sailsync/internal/value"
)

// The accessors below let tests read and change the tenant directly. They return copies and are
// safe for concurrent use with requests being served.

// SourceByName returns a copy of the source named name.
func (e *Emulator) SourceByName(name string) (*value.Object, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.sourceByName(name)
	if s == nil {
		return nil, false
	}
	return s.Clone(), true
}

// Sources returns copies of every source, in list order.
func (e *Emulator) Sources() []*value.Object {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]*value.Object, len(e.srcs().list))
	for i, s := range e.srcs().list {
		out[i] = s.Clone()
	}
	return out
}

// UpdateSource changes a source "behind Git's back", as an admin in the UI would: mutate gets a
// copy, which then replaces the stored source with modified bumped and secrets encrypted. Unlike
// PUT it may change immutable fields (an identity profile making a source authoritative).
func (e *Emulator) UpdateSource(name string, mutate func(*value.Object)) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.sourceByName(name)
	if s == nil {
		return fmt.Errorf("source %q: %w", name, errNotFound)
	}
	c := s.Clone()
	mutate(c)
	if c.String("id") != s.String("id") {
		return fmt.Errorf("source %q: the id cannot be changed", name)
	}
	if n := c.String("name"); n != name && e.sourceByName(n) != nil {
		return fmt.Errorf("source %q: a source named %q already exists", name, n)
	}
	e.protectSecrets(c.Object("connectorAttributes"), s.Object("connectorAttributes"))
	c.Set("modified", e.stamp())
	e.store(s, c)
	return nil
}

// AddSource creates a source as POST /v3/sources would (server fields filled in, secrets
// encrypted) and returns a copy. A 32-hex id in obj is kept when unused. Unlike POST, the
// connector need not exist in the tenant, so that tests can fill an empty tenant directly.
func (e *Emulator) AddSource(obj *value.Object) (*value.Object, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s, aerr := e.create(obj.Clone(), createOptions{anyConnector: true})
	if aerr != nil {
		return nil, fmt.Errorf("add source %q: %w", obj.String("name"), aerr)
	}
	return s, nil
}

// Connector returns a copy of the connector with that scriptName, whatever its status.
func (e *Emulator) Connector(scriptName string) (*value.Object, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.connectorByScriptName(scriptName)
	if c == nil {
		return nil, false
	}
	return c.Clone(), true
}

// Connectors returns copies of every connector, whatever its status.
func (e *Emulator) Connectors() []*value.Object {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]*value.Object, len(e.conns().list))
	for i, c := range e.conns().list {
		out[i] = c.Clone()
	}
	return out
}

// Schemas returns copies of the schemas of the source named sourceName (nil when there is no
// such source).
func (e *Emulator) Schemas(sourceName string) []*value.Object {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.sourceByName(sourceName)
	if s == nil {
		return nil
	}
	var out []*value.Object
	for _, sc := range e.schs().bySource[s.String("id")] {
		out = append(out, sc.Clone())
	}
	return out
}

// Secret returns the decrypted value of a secret connectorAttributes entry, to prove that a
// round trip kept or replaced it. ok is false when the source or attribute does not exist or
// the value is not one of this tenant's cipher texts.
func (e *Emulator) Secret(sourceName, attr string) (plain string, ok bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.sourceByName(sourceName)
	if s == nil {
		return "", false
	}
	return decrypt(s.Object("connectorAttributes").String(attr))
}

// IssuedTokens returns every access token the emulator has issued, so that tests can check
// that none reaches an output.
func (e *Emulator) IssuedTokens() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]string, 0, len(e.tokens))
	for t := range e.tokens {
		out = append(out, t)
	}
	return out
}

// UpdateSchema changes a stored schema of the source named sourceName in place, as an admin's
// edit would (stamping modified), for tests of drift in schemas.
func (e *Emulator) UpdateSchema(sourceName, schemaName string, mutate func(*value.Object)) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.sourceByName(sourceName)
	if s == nil {
		return fmt.Errorf("update schema: no source %q", sourceName)
	}
	for _, sc := range e.schs().bySource[s.String("id")] {
		if sc.String("name") == schemaName {
			mutate(sc)
			sc.Set("modified", e.stamp())
			return nil
		}
	}
	return fmt.Errorf("update schema: source %q has no schema %q", sourceName, schemaName)
}
