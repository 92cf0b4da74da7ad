package emulator

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// runtimeAttributes are the connectorAttributes keys the tenant's platform rewrites on every
// aggregation or health check, as the tenant states them (a real tenant's Config Hub backup):
// written by the platform in plain text, never encrypted, whatever their names.
var runtimeAttributes = []string{
	"healthy", "since", "status", "cloudCacheUpdate", "processing", "hasFullAggregationCompleted",
	"sourceConnected", "recommendationStatus",
}

// deltaTokenSuffix ends the delta aggregation cursors (Entra's userDeltaToken, groupsDeltaToken,
// directoryRolesDeltaToken), plain text although their names end in "token".
const deltaTokenSuffix = "DeltaToken"

// RuntimeAttributes returns the connectorAttributes keys the platform rewrites, and a delta
// cursor's name ("userDeltaToken"): exported so that a test holds config's table to them.
func RuntimeAttributes() []string {
	return append(append([]string(nil), runtimeAttributes...), "user"+deltaTokenSuffix)
}

// isRuntimeAttribute reports whether the platform writes connectorAttributes key k.
func isRuntimeAttribute(k string) bool {
	if len(k) >= len(deltaTokenSuffix) && strings.EqualFold(k[len(k)-len(deltaTokenSuffix):], deltaTokenSuffix) {
		return true
	}
	for _, r := range runtimeAttributes {
		if r == k {
			return true
		}
	}
	return false
}

// Aggregate plays an aggregation and health check of the source named name: the platform
// rewrites its runtime state (cloudCacheUpdate in epoch milliseconds, since, healthy, status,
// processing, hasFullAggregationCompleted, sourceConnected, recommendationStatus, and a fresh
// cursor for every delta token it holds), in plain text, and nothing else: `modified` stays, as
// no configuration changed.
func (e *Emulator) Aggregate(name string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.sourceByName(name)
	if s == nil {
		return fmt.Errorf("source %q: %w", name, errNotFound)
	}
	c := s.Clone()
	playAggregation(c, time.Now().UTC(), true)
	e.store(s, c)
	return nil
}

// isDeltaToken reports whether connectorAttributes key k is a delta aggregation's cursor.
func isDeltaToken(k string) bool {
	return len(k) > len(deltaTokenSuffix) && strings.HasSuffix(k, deltaTokenSuffix)
}

// epochMillis is t as cloudCacheUpdate holds it: epoch milliseconds, a JSON number.
func epochMillis(t time.Time) json.Number { return json.Number(strconv.FormatInt(t.UnixMilli(), 10)) }

// newDeltaToken is a fresh delta cursor: long plain text, like Microsoft Graph's.
func newDeltaToken() string {
	b := make([]byte, 96)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
