package isc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/sailsync/sailsync/internal/value"
)

// The requests of a plain collection (config.API): objects listed and created at path, read,
// replaced and deleted at path/{id}. One set of methods serves every such kind, so that a new
// one needs no endpoint code.

// ListIn returns every object of the collection at path that filter selects ("" for all),
// paging through them.
func (c *Client) ListIn(ctx context.Context, path, filter string) ([]*value.Object, error) {
	q := url.Values{}
	if filter != "" {
		q.Set("filters", filter)
	}
	objs, err := c.list(ctx, path, path, q)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", path, err)
	}
	return objs, nil
}

// ListInPage returns the page at offset of the collection at path, with the collection's size,
// so that a caller can choose between the other pages and lookups by name.
func (c *Client) ListInPage(ctx context.Context, path string, offset int) (*Page, error) {
	if offset < 0 {
		return nil, fmt.Errorf("list %s: negative offset %d", path, offset)
	}
	p, err := c.page(ctx, path, path, nil, offset, nil)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", path, err)
	}
	return p, nil
}

// GetIn returns the object id of the collection at path.
func (c *Client) GetIn(ctx context.Context, path, id string) (*value.Object, error) {
	if id == "" {
		return nil, fmt.Errorf("get %s: empty id", path)
	}
	obj, err := c.object(ctx, &request{method: http.MethodGet, path: path + "/" + url.PathEscape(id), tmpl: path + "/{id}"})
	if err != nil {
		return nil, fmt.Errorf("get %s/%s: %w", path, id, err)
	}
	return obj, nil
}

// CreateIn creates an object in the collection at path (POST). Like CreateSource it is never
// repeated blindly: after an ambiguous failure the object is looked up by name first.
func (c *Client) CreateIn(ctx context.Context, path string, body *value.Object) (*value.Object, error) {
	list := func(ctx context.Context, filter string) ([]*value.Object, error) { return c.ListIn(ctx, path, filter) }
	obj, err := c.createByName(ctx, path, nil, body, list)
	if err != nil {
		return nil, fmt.Errorf("create %q in %s: %w", body.String("name"), path, err)
	}
	return obj, nil
}

// PutIn replaces the object id of the collection at path with body (a full-object PUT).
func (c *Client) PutIn(ctx context.Context, path, id string, body *value.Object) (*value.Object, error) {
	if id == "" {
		return nil, fmt.Errorf("put %s: empty id", path)
	}
	data, err := body.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("put %s/%s: %w", path, id, err)
	}
	obj, err := c.object(ctx, &request{method: http.MethodPut, path: path + "/" + url.PathEscape(id), tmpl: path + "/{id}", body: data})
	if err != nil {
		return nil, fmt.Errorf("put %s/%s: %w", path, id, err)
	}
	return obj, nil
}

// DeleteIn deletes the object id of the collection at path. A 404 is returned as an *APIError
// (IsNotFound): the caller decides whether an object already gone is a success.
func (c *Client) DeleteIn(ctx context.Context, path, id string) error {
	if id == "" {
		return errors.New("delete " + path + ": empty id")
	}
	if err := c.do(ctx, &request{method: http.MethodDelete, path: path + "/" + url.PathEscape(id), tmpl: path + "/{id}"}); err != nil {
		return fmt.Errorf("delete %s/%s: %w", path, id, err)
	}
	return nil
}
