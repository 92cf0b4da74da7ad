package isc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/sailsync/sailsync/internal/value"
)

// pageSize is the documented maximum page of the list endpoints.
const pageSize = 250

// MaxListed is the most objects sailsync reads from one listing (and from the full source
// listing of a plan or drift): far above any real tenant (thousands of sources), low enough
// that a tenant or proxy that pages forever, or claims billions, is stopped with an error
// while memory stays bounded (by MaxListed objects, never by the claimed total).
const MaxListed = 100_000

// ErrTooManyObjects is in the error of a listing stopped at MaxListed.
var ErrTooManyObjects = errors.New("the listing does not end")

// CheckListed returns an error wrapping ErrTooManyObjects when a listing that is not finished
// would go past MaxListed: total is what the tenant reports (-1: nothing), next the offset of
// the page to request next.
func CheckListed(what string, total, next int) error {
	if total > MaxListed {
		return fmt.Errorf("%s: the tenant reports %d objects, more than the %d sailsync reads: %w", what, total, MaxListed, ErrTooManyObjects)
	}
	if next >= MaxListed {
		return fmt.Errorf("%s: still full pages after %d objects (the most sailsync reads): %w", what, MaxListed, ErrTooManyObjects)
	}
	return nil
}

// maxListRestarts bounds how often a listing starts over because the collection changed while
// it was being paged.
const maxListRestarts = 3

// Upload is a file sent as a multipart part. Open is called once per attempt, so a retried
// upload sends the whole file again; the body is streamed, never held in memory.
type Upload struct {
	Name string // file name sent to the tenant (its base name)
	Open func() (io.ReadCloser, error)
}

// CreateSourceOptions are the query options of POST /v3/sources.
type CreateSourceOptions struct {
	// ProvisionAsCsv creates a delimited-file source that provisions through CSV
	// (provisionAsCsv=true).
	ProvisionAsCsv bool
}

// ListSources returns every source matching filter (the tenant's filter syntax, e.g.
// `name in ("a","b")`; "" for all), paging through the results.
func (c *Client) ListSources(ctx context.Context, filter string) ([]*value.Object, error) {
	q := url.Values{}
	if filter != "" {
		q.Set("filters", filter)
	}
	objs, err := c.list(ctx, "/v3/sources", "/v3/sources", q)
	if err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	return objs, nil
}

// GetSource returns one source.
func (c *Client) GetSource(ctx context.Context, id string) (*value.Object, error) {
	if id == "" {
		return nil, errors.New("get source: empty id")
	}
	obj, err := c.object(ctx, &request{method: http.MethodGet, path: "/v3/sources/" + url.PathEscape(id), tmpl: "/v3/sources/{id}"})
	if err != nil {
		return nil, fmt.Errorf("get source %s: %w", id, err)
	}
	return obj, nil
}

// CreateSource creates a source (POST /v3/sources). The request is never repeated blindly: after
// an ambiguous failure (server error, connection lost, no or malformed answer) the source is
// looked up by name, and the create is retried only if it does not exist; an existing one is
// returned.
func (c *Client) CreateSource(ctx context.Context, body *value.Object, opts CreateSourceOptions) (*value.Object, error) {
	var query url.Values
	if opts.ProvisionAsCsv {
		query = url.Values{"provisionAsCsv": {"true"}}
	}
	obj, err := c.createByName(ctx, "/v3/sources", query, body, c.ListSources)
	if err != nil {
		return nil, fmt.Errorf("create source %q: %w", body.String("name"), err)
	}
	return obj, nil
}

// createByName POSTs body to the collection at path; after an ambiguous failure it looks the
// object up by its name with list (a `name eq` filter) before any retry (see create).
func (c *Client) createByName(ctx context.Context, path string, query url.Values, body *value.Object,
	list func(ctx context.Context, filter string) ([]*value.Object, error)) (*value.Object, error) {
	name := body.String("name")
	if name == "" {
		return nil, errors.New("no name")
	}
	data, err := body.MarshalJSON()
	if err != nil {
		return nil, err
	}
	req := &request{method: http.MethodPost, path: path, tmpl: path, query: query, body: data, create: true}
	lookup := func(ctx context.Context) (*value.Object, error) {
		found, err := list(ctx, "name eq "+QuoteFilter(name))
		if err != nil {
			return nil, err
		}
		for _, o := range found {
			if o.String("name") == name {
				return o, nil
			}
		}
		return nil, nil
	}
	return c.create(ctx, req, lookup)
}

// PutSource replaces a source with body (PUT /v3/sources/{id}: the whole object).
func (c *Client) PutSource(ctx context.Context, id string, body *value.Object) (*value.Object, error) {
	if id == "" {
		return nil, errors.New("put source: empty id")
	}
	data, err := body.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("put source %s: %w", id, err)
	}
	obj, err := c.object(ctx, &request{method: http.MethodPut, path: "/v3/sources/" + url.PathEscape(id), tmpl: "/v3/sources/{id}", body: data})
	if err != nil {
		return nil, fmt.Errorf("put source %s: %w", id, err)
	}
	return obj, nil
}

// ListSchemas returns the schemas of a source (GET /v3/sources/{id}/schemas; not paged).
func (c *Client) ListSchemas(ctx context.Context, sourceID string) ([]*value.Object, error) {
	if sourceID == "" {
		return nil, errors.New("list schemas: empty source id")
	}
	var out []*value.Object
	req := &request{
		method: http.MethodGet, path: "/v3/sources/" + url.PathEscape(sourceID) + "/schemas", tmpl: "/v3/sources/{id}/schemas",
		decode: func(_ http.Header, b []byte) error {
			objs, err := value.DecodeObjects(b)
			out = objs
			return err
		},
	}
	if err := c.do(ctx, req); err != nil {
		return nil, fmt.Errorf("list schemas of source %s: %w", sourceID, err)
	}
	return out, nil
}

// UploadEntitlementSchema uploads an entitlement schema template (CSV) for a source, creating or
// replacing the schema called schemaName, and returns the Schema.
func (c *Client) UploadEntitlementSchema(ctx context.Context, sourceID, schemaName string, f Upload) (*value.Object, error) {
	if sourceID == "" || f.Open == nil {
		return nil, errors.New("upload entitlement schema: empty source id or no file")
	}
	req := &request{
		method: http.MethodPost,
		path:   "/v3/sources/" + url.PathEscape(sourceID) + "/schemas/entitlements",
		tmpl:   "/v3/sources/{id}/schemas/entitlements",
		upload: &upload{field: "file", f: f},
	}
	if schemaName != "" {
		req.query = url.Values{"schemaName": {schemaName}}
	}
	obj, err := c.object(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("upload entitlement schema %q of source %s: %w", schemaName, sourceID, err)
	}
	return obj, nil
}

// UploadConnectorFile uploads a supplemental connector file (e.g. a JDBC driver) to a source and
// returns the Source. Uploading the same file again replaces it, so retries are safe.
func (c *Client) UploadConnectorFile(ctx context.Context, sourceID string, f Upload) (*value.Object, error) {
	if sourceID == "" || f.Open == nil {
		return nil, errors.New("upload connector file: empty source id or no file")
	}
	req := &request{
		method: http.MethodPost,
		path:   "/v3/sources/" + url.PathEscape(sourceID) + "/upload-connector-file",
		tmpl:   "/v3/sources/{id}/upload-connector-file",
		upload: &upload{field: "file", f: f},
	}
	obj, err := c.object(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("upload connector file %s to source %s: %w", filepath.Base(f.Name), sourceID, err)
	}
	return obj, nil
}

// ListConnectors returns the tenant's connectors (GET /v3/connectors lists RELEASED ones only).
func (c *Client) ListConnectors(ctx context.Context) ([]*value.Object, error) {
	objs, err := c.list(ctx, "/v3/connectors", "/v3/connectors", url.Values{})
	if err != nil {
		return nil, fmt.Errorf("list connectors: %w", err)
	}
	return objs, nil
}

// GetConnector returns a connector by scriptName, whatever its status. A missing connector is an
// *APIError with Status 404 (see IsNotFound).
func (c *Client) GetConnector(ctx context.Context, scriptName string) (*value.Object, error) {
	if scriptName == "" {
		return nil, errors.New("get connector: empty scriptName")
	}
	obj, err := c.object(ctx, &request{method: http.MethodGet, path: "/v3/connectors/" + url.PathEscape(scriptName), tmpl: "/v3/connectors/{scriptName}"})
	if err != nil {
		return nil, fmt.Errorf("get connector %s: %w", scriptName, err)
	}
	return obj, nil
}

// CreateConnector creates a custom connector (POST /v3/connectors). After an ambiguous failure
// it looks for a connector of that name before retrying: in the listing (RELEASED ones), then
// by pin (the scriptName the repository pins, may be "") and by the common guess at the
// tenant's rule, each checked by the name the tenant returns.
func (c *Client) CreateConnector(ctx context.Context, body *value.Object, pin string) (*value.Object, error) {
	name := body.String("name")
	if name == "" {
		return nil, errors.New("create connector: no name")
	}
	data, err := body.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("create connector %q: %w", name, err)
	}
	req := &request{method: http.MethodPost, path: "/v3/connectors", tmpl: "/v3/connectors", body: data, create: true}
	lookup := func(ctx context.Context) (*value.Object, error) {
		listed, err := c.ListConnectors(ctx)
		if err != nil {
			return nil, err
		}
		if o := MatchName(name, listed); o != nil {
			return o, nil
		}
		for _, sn := range []string{pin, ScriptName(name)} {
			if sn == "" {
				continue
			}
			obj, err := c.GetConnector(ctx, sn)
			if IsNotFound(err) {
				continue
			}
			if err != nil {
				return nil, err
			}
			if SameName(obj.String("name"), name) {
				return obj, nil
			}
		}
		return nil, nil
	}
	obj, err := c.create(ctx, req, lookup)
	if err != nil {
		return nil, fmt.Errorf("create connector %q: %w", name, err)
	}
	return obj, nil
}

// object runs req and decodes a single JSON object from the answer.
func (c *Client) object(ctx context.Context, req *request) (*value.Object, error) {
	var out *value.Object
	req.decode = func(_ http.Header, b []byte) error {
		o, err := decodeObject(b)
		out = o
		return err
	}
	if err := c.do(ctx, req); err != nil {
		return nil, err
	}
	return out, nil
}

func decodeObject(b []byte) (*value.Object, error) {
	v, err := value.Decode(b)
	if err != nil {
		return nil, err
	}
	o, ok := v.(*value.Object)
	if !ok {
		return nil, errors.New("isc: JSON value is not an object")
	}
	return o, nil
}

// create runs a create request; after an ambiguous failure it asks lookup whether the object
// exists (created by the attempt that failed) and repeats the request only if it does not.
func (c *Client) create(ctx context.Context, req *request, lookup func(context.Context) (*value.Object, error)) (*value.Object, error) {
	ambiguous := false
	for n := 0; ; n++ {
		obj, err := c.object(ctx, req)
		if err == nil {
			return obj, nil
		}
		var amb *errAmbiguous
		if !errors.As(err, &amb) {
			var ae *APIError
			if ambiguous && errors.As(err, &ae) && ae.Status == http.StatusBadRequest {
				// The earlier attempt may have landed after our lookup (a slow tenant), and this
				// one was refused as a duplicate.
				if found, lerr := lookup(ctx); lerr == nil && found != nil {
					c.logf("isc: %s %s: refused as a duplicate; the earlier attempt had created it", req.method, req.tmpl)
					return found, nil
				}
			}
			return nil, err
		}
		ambiguous = true
		if cerr := ctx.Err(); cerr != nil {
			return nil, fmt.Errorf("%w (outcome unknown; cancelled before it could be checked)", amb.err)
		}
		if interrupted(ctx) {
			return nil, fmt.Errorf("%w (outcome unknown, not looked up: %w; the next plan shows whether it exists)", withRequest(req, amb.err), ErrInterrupted)
		}
		c.logf("isc: %s %s outcome unknown (%s); looking the object up before any retry", req.method, req.tmpl, c.redact(amb.err.Error()))
		found, lerr := lookup(ctx)
		if lerr != nil {
			return nil, fmt.Errorf("%w; outcome unknown and the lookup failed: %v", amb.err, lerr)
		}
		if found != nil {
			c.logf("isc: %s %s had succeeded; using the object found", req.method, req.tmpl)
			return found, nil
		}
		if n >= c.maxRetries {
			return nil, fmt.Errorf("giving up after %d attempts: %w", n+1, withRequest(req, amb.err))
		}
		if interrupted(ctx) {
			return nil, notRetried(req, amb.err)
		}
		wait := c.backoff(c.backoffBase, n)
		c.count(func(s *Stats) { s.Retries++ })
		c.logf("isc: retrying %s %s in %s: not created by the failed attempt", req.method, req.tmpl, wait)
		if err := c.waitInterruptible(ctx, wait); err != nil {
			if interrupted(ctx) {
				return nil, notRetried(req, amb.err)
			}
			return nil, fmt.Errorf("%s %s: %w", req.method, req.tmpl, err)
		}
	}
}

// Page is one page of a listing.
type Page struct {
	Objects []*value.Object
	// Len is the number of objects the page held: len(Objects) unless a keep function left
	// some out. The paging goes by it (a page shorter than PageSize is the last).
	Len int
	// Total is the size of the whole (filtered) collection as the tenant reported it in
	// X-Total-Count, or -1 when it did not.
	Total int
}

// PageSize is the largest page the list endpoints return (and the size ListSourcesPage asks for).
const PageSize = pageSize

// ListSourcesPage returns one page of the sources matching filter ("" for all): up to PageSize
// sources from offset, with the collection's size, so that a caller can request the remaining
// pages at once instead of one after the other. Pages of a live collection can shift between
// requests; a caller that reads several pages compares their Totals (ListSources does that
// and starts over).
func (c *Client) ListSourcesPage(ctx context.Context, filter string, offset int) (*Page, error) {
	return c.ListSourcesPageKeep(ctx, filter, offset, nil)
}

// ListSourcesPageKeep is ListSourcesPage returning only the sources whose name keep accepts
// (all of them when keep is nil); Page.Len still counts every source of the page. A plan
// needs only the declared sources of a tenant that may hold many more, and skipping the
// others while reading the page saves building them.
func (c *Client) ListSourcesPageKeep(ctx context.Context, filter string, offset int, keep func(name string) bool) (*Page, error) {
	if offset < 0 {
		return nil, fmt.Errorf("list sources: negative offset %d", offset)
	}
	q := url.Values{}
	if filter != "" {
		q.Set("filters", filter)
	}
	p, err := c.page(ctx, "/v3/sources", "/v3/sources", q, offset, keep)
	if err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	return p, nil
}

// page requests one page with count=true, keeping the objects whose name keep accepts (all
// of them when keep is nil).
func (c *Client) page(ctx context.Context, path, tmpl string, query url.Values, offset int, keep func(name string) bool) (*Page, error) {
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	q.Set("limit", strconv.Itoa(pageSize))
	q.Set("offset", strconv.Itoa(offset))
	q.Set("count", "true")
	p := &Page{Total: -1}
	req := &request{method: http.MethodGet, path: path, tmpl: tmpl, query: q, decode: func(h http.Header, b []byte) error {
		if keep != nil {
			objs, n, err := value.DecodeObjectsKeep(b, keep)
			if err != nil {
				return err
			}
			p.Objects, p.Len = objs, n
		} else {
			objs, err := value.DecodeObjects(b)
			if err != nil {
				return err
			}
			p.Objects, p.Len = objs, len(objs)
		}
		if n, err := strconv.Atoi(strings.TrimSpace(h.Get("X-Total-Count"))); err == nil && n >= 0 {
			p.Total = n
		}
		return nil
	}}
	if err := c.do(ctx, req); err != nil {
		return nil, err
	}
	return p, nil
}

// list pages through a collection with limit/offset until the total the tenant reported is
// reached (or, without a total, until a short page): a collection of exactly k·250 objects
// costs k requests, not k+1. A listing that would go past MaxListed is an error (CheckListed). The tenant pages a live collection, so an object created or
// deleted meanwhile shifts later pages; when the total count changes between pages the listing
// starts over, and objects are de-duplicated by id.
func (c *Client) list(ctx context.Context, path, tmpl string, query url.Values) ([]*value.Object, error) {
	for restart := 0; ; restart++ {
		var all []*value.Object
		seen := map[string]bool{}
		total := -1
		changed := false
		for offset := 0; ; offset += pageSize {
			p, err := c.page(ctx, path, tmpl, query, offset, nil)
			if err != nil {
				return nil, err
			}
			if total < 0 {
				total = p.Total
			} else if p.Total >= 0 && p.Total != total {
				changed = true
				if restart < maxListRestarts {
					break
				}
			}
			fresh := 0
			for _, o := range p.Objects {
				key := o.String("id")
				if key == "" {
					key = o.String("scriptName")
				}
				if key != "" {
					if seen[key] {
						continue
					}
					seen[key] = true
				}
				fresh++
				all = append(all, o)
			}
			if len(p.Objects) < pageSize || (!changed && p.Total >= 0 && offset+len(p.Objects) >= p.Total) {
				return all, nil
			}
			if err := CheckListed("GET "+tmpl, p.Total, max(offset+pageSize, len(all))); err != nil {
				return nil, err
			}
			if fresh == 0 {
				return nil, fmt.Errorf("GET %s: paging does not advance (offset %d returned only objects already seen)", path, offset)
			}
		}
		if changed {
			c.logf("isc: GET %s: the collection changed while paging (total %d); listing again", tmpl, total)
		}
	}
}

// multipartStream returns a reader producing a multipart/form-data body with one file part read
// from rc, and its content type. The body is produced as it is sent.
func multipartStream(field, name string, rc io.ReadCloser) (io.ReadCloser, string) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		defer rc.Close()
		// A panic here would end the process with exit status 2, CI's "changes": the request
		// fails instead.
		defer func() {
			if r := recover(); r != nil {
				pw.CloseWithError(fmt.Errorf("internal error (a bug; please report it): %v\n%s", r, debug.Stack()))
			}
		}()
		h := make(textproto.MIMEHeader)
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"; filename="%s"`, escapeQuotes(field), escapeQuotes(filepath.Base(name))))
		h.Set("Content-Type", partContentType(name))
		part, err := mw.CreatePart(h)
		if err == nil {
			_, err = io.Copy(part, rc)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	return pr, mw.FormDataContentType()
}

func partContentType(name string) string {
	if strings.EqualFold(filepath.Ext(name), ".csv") {
		return "text/csv"
	}
	return "application/octet-stream"
}

var quoteEscaper = strings.NewReplacer("\\", "\\\\", `"`, "\\\"", "\r", "", "\n", "")

func escapeQuotes(s string) string { return quoteEscaper.Replace(s) }

// QuoteFilter quotes a value for the tenant's filter syntax (name eq "…", name in (…)), which
// escapes quotes and backslashes with a backslash.
func QuoteFilter(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// TestSourceConfiguration runs the tenant's detailed test of a source's configuration (POST
// /beta/sources/{sourceId}/connector/test-configuration) and returns its StatusResponse:
// status SUCCESS or FAILURE, elapsedMillis, and details whose shape depends on the connector.
func (c *Client) TestSourceConfiguration(ctx context.Context, sourceID string) (*value.Object, error) {
	if sourceID == "" {
		return nil, errors.New("test source configuration: empty source id")
	}
	obj, err := c.object(ctx, &request{method: http.MethodPost, path: "/beta/sources/" + url.PathEscape(sourceID) + "/connector/test-configuration",
		tmpl: "/beta/sources/{sourceId}/connector/test-configuration"})
	if err != nil {
		return nil, fmt.Errorf("test configuration of source %s: %w", sourceID, err)
	}
	return obj, nil
}
