package isc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/sailsync/sailsync/internal/value"
)

// policiesTmpl is the provisioning policies' collection, for stats and logs.
const policiesTmpl = "/v3/sources/{sourceId}/provisioning-policies"

func policiesPath(sourceID string) string {
	return "/v3/sources/" + url.PathEscape(sourceID) + "/provisioning-policies"
}

// ListPolicies returns the provisioning policies of a source (one request: the listing is not
// paged).
func (c *Client) ListPolicies(ctx context.Context, sourceID string) ([]*value.Object, error) {
	if sourceID == "" {
		return nil, errors.New("list provisioning policies: empty source id")
	}
	var out []*value.Object
	req := &request{method: http.MethodGet, path: policiesPath(sourceID), tmpl: policiesTmpl,
		decode: func(_ http.Header, b []byte) error {
			objs, err := value.DecodeObjects(b)
			out = objs
			return err
		}}
	if err := c.do(ctx, req); err != nil {
		return nil, fmt.Errorf("list provisioning policies of source %s: %w", sourceID, err)
	}
	return out, nil
}

// GetPolicy returns the provisioning policy of usage type usageType of a source.
func (c *Client) GetPolicy(ctx context.Context, sourceID, usageType string) (*value.Object, error) {
	if sourceID == "" || usageType == "" {
		return nil, errors.New("get provisioning policy: empty source id or usage type")
	}
	obj, err := c.object(ctx, &request{method: http.MethodGet, path: policiesPath(sourceID) + "/" + url.PathEscape(usageType), tmpl: policiesTmpl + "/{usageType}"})
	if err != nil {
		return nil, fmt.Errorf("get provisioning policy %s of source %s: %w", usageType, sourceID, err)
	}
	return obj, nil
}

// CreatePolicy creates a provisioning policy of a source (POST). After an ambiguous failure it
// reads the policy of the body's usage type before repeating the request: the tenant holds one
// per usage type and refuses a second.
func (c *Client) CreatePolicy(ctx context.Context, sourceID string, body *value.Object) (*value.Object, error) {
	if sourceID == "" {
		return nil, errors.New("create provisioning policy: empty source id")
	}
	data, err := body.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("create provisioning policy: %w", err)
	}
	u := body.String("usageType")
	req := &request{method: http.MethodPost, path: policiesPath(sourceID), tmpl: policiesTmpl, body: data}
	obj, err := c.create(ctx, req, func(ctx context.Context) (*value.Object, error) {
		o, err := c.GetPolicy(ctx, sourceID, u)
		if IsNotFound(err) {
			return nil, nil
		}
		return o, err
	})
	if err != nil {
		return nil, fmt.Errorf("create provisioning policy %s of source %s: %w", u, sourceID, err)
	}
	return obj, nil
}

// PutPolicy replaces the provisioning policy of usage type usageType of a source with body.
func (c *Client) PutPolicy(ctx context.Context, sourceID, usageType string, body *value.Object) (*value.Object, error) {
	if sourceID == "" || usageType == "" {
		return nil, errors.New("put provisioning policy: empty source id or usage type")
	}
	data, err := body.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("put provisioning policy: %w", err)
	}
	obj, err := c.object(ctx, &request{method: http.MethodPut, path: policiesPath(sourceID) + "/" + url.PathEscape(usageType), tmpl: policiesTmpl + "/{usageType}", body: data})
	if err != nil {
		return nil, fmt.Errorf("put provisioning policy %s of source %s: %w", usageType, sourceID, err)
	}
	return obj, nil
}

// DeletePolicy deletes the provisioning policy of usage type usageType of a source; a 404 is an
// *APIError (IsNotFound).
func (c *Client) DeletePolicy(ctx context.Context, sourceID, usageType string) error {
	if sourceID == "" || usageType == "" {
		return errors.New("delete provisioning policy: empty source id or usage type")
	}
	if err := c.do(ctx, &request{method: http.MethodDelete, path: policiesPath(sourceID) + "/" + url.PathEscape(usageType), tmpl: policiesTmpl + "/{usageType}"}); err != nil {
		return fmt.Errorf("delete provisioning policy %s of source %s: %w", usageType, sourceID, err)
	}
	return nil
}
