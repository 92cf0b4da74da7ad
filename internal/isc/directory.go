package isc

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/sailsync/sailsync/internal/value"
)

// The directory endpoints: the objects sources refer to (owner, cluster, governance group,
// password policies, rules), read to find a reference given by name. Each reads what the
// official document allows on it: filters where it documents them, else the whole listing.

// ListIdentities returns the identities matching filter (GET /beta/identities, which filters
// name and alias by eq or sw, not in). defaultFilter=NONE: the tenant's default,
// CORRELATED_ONLY, would hide an owner without accounts.
func (c *Client) ListIdentities(ctx context.Context, filter string) ([]*value.Object, error) {
	q := url.Values{"defaultFilter": {"NONE"}}
	if filter != "" {
		q.Set("filters", filter)
	}
	objs, err := c.list(ctx, "/beta/identities", "/beta/identities", q)
	if err != nil {
		return nil, fmt.Errorf("list identities: %w", err)
	}
	return objs, nil
}

// ListManagedClusters returns the managed clusters matching filter ("" for all; GET
// /v3/managed-clusters filters name by eq only).
func (c *Client) ListManagedClusters(ctx context.Context, filter string) ([]*value.Object, error) {
	q := url.Values{}
	if filter != "" {
		q.Set("filters", filter)
	}
	objs, err := c.list(ctx, "/v3/managed-clusters", "/v3/managed-clusters", q)
	if err != nil {
		return nil, fmt.Errorf("list managed clusters: %w", err)
	}
	return objs, nil
}

// ListWorkgroups returns the governance groups matching filter (GET /beta/workgroups, which
// filters name by eq, sw and in).
func (c *Client) ListWorkgroups(ctx context.Context, filter string) ([]*value.Object, error) {
	q := url.Values{}
	if filter != "" {
		q.Set("filters", filter)
	}
	objs, err := c.list(ctx, "/beta/workgroups", "/beta/workgroups", q)
	if err != nil {
		return nil, fmt.Errorf("list governance groups: %w", err)
	}
	return objs, nil
}

// ListPasswordPolicies returns every password policy (GET /v3/password-policies takes no
// filters).
func (c *Client) ListPasswordPolicies(ctx context.Context) ([]*value.Object, error) {
	objs, err := c.list(ctx, "/v3/password-policies", "/v3/password-policies", url.Values{})
	if err != nil {
		return nil, fmt.Errorf("list password policies: %w", err)
	}
	return objs, nil
}

// ListConnectorRules returns every connector rule (GET /beta/connector-rules takes no
// parameters at all: one request, not paged).
func (c *Client) ListConnectorRules(ctx context.Context) ([]*value.Object, error) {
	var out []*value.Object
	req := &request{method: http.MethodGet, path: "/beta/connector-rules", tmpl: "/beta/connector-rules",
		decode: func(_ http.Header, b []byte) error {
			objs, err := value.DecodeObjects(b)
			out = objs
			return err
		}}
	if err := c.do(ctx, req); err != nil {
		return nil, fmt.Errorf("list connector rules: %w", err)
	}
	return out, nil
}
