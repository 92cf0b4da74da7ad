package isc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/sailsync/sailsync/internal/value"
)

// UpdateError is an UpdateDetail with status ERROR: the tenant answered 200 but did not take
// the bundle part (XML it cannot use, say). Message is the tenant's reason.
type UpdateError struct {
	// What names the request: "source-config", "source-template", "translations en".
	What string
	// Status is the UpdateDetail's status (ERROR).
	Status  string
	Message string
}

// Error renders the tenant's message of the failed update.
func (e *UpdateError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = "no message"
	}
	return fmt.Sprintf("%s: the tenant answered status %s: %s", e.What, e.Status, sanitize(msg, 500))
}

// PutConnectorSourceConfig replaces a connector's source config (PUT
// /v3/connectors/{scriptName}/source-config, the XML as multipart field "file"). An UpdateDetail
// with status ERROR is an *UpdateError.
func (c *Client) PutConnectorSourceConfig(ctx context.Context, scriptName string, f Upload) (*value.Object, error) {
	return c.putConnectorFile(ctx, scriptName, "source-config", "/source-config", f)
}

// PutConnectorSourceTemplate replaces a connector's source template, the tenant's applicationXml
// (PUT /v3/connectors/{scriptName}/source-template, multipart field "file"). An UpdateDetail
// with status ERROR is an *UpdateError.
func (c *Client) PutConnectorSourceTemplate(ctx context.Context, scriptName string, f Upload) (*value.Object, error) {
	return c.putConnectorFile(ctx, scriptName, "source-template", "/source-template", f)
}

// PutConnectorTranslations replaces a connector's translations of one locale (PUT
// /v3/connectors/{scriptName}/translations/{locale}, the properties text as multipart field
// "file"). An UpdateDetail with status ERROR is an *UpdateError.
func (c *Client) PutConnectorTranslations(ctx context.Context, scriptName, locale string, f Upload) (*value.Object, error) {
	if locale == "" {
		return nil, errors.New("put connector translations: empty locale")
	}
	return c.putConnectorFile(ctx, scriptName, "translations "+locale, "/translations/"+url.PathEscape(locale), f)
}

// putConnectorFile sends one bundle file and checks the UpdateDetail it gets back.
func (c *Client) putConnectorFile(ctx context.Context, scriptName, what, suffix string, f Upload) (*value.Object, error) {
	if scriptName == "" || f.Open == nil {
		return nil, fmt.Errorf("put connector %s: empty scriptName or no file", what)
	}
	tmpl := "/v3/connectors/{scriptName}" + suffix
	if what != "source-config" && what != "source-template" {
		tmpl = "/v3/connectors/{scriptName}/translations/{locale}"
	}
	req := &request{
		method: http.MethodPut,
		path:   "/v3/connectors/" + url.PathEscape(scriptName) + suffix,
		tmpl:   tmpl,
		upload: &upload{field: "file", f: f},
	}
	detail, err := c.object(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("put connector %s %s: %w", scriptName, what, err)
	}
	if st := detail.String("status"); st == "ERROR" {
		return detail, fmt.Errorf("connector %s: %w", scriptName, &UpdateError{What: what, Status: st, Message: detail.String("message")})
	}
	return detail, nil
}

// PatchOp is one JSON Patch (RFC 6902) operation of PatchConnector.
type PatchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value"`
}

// PatchConnector applies JSON Patch operations to a connector (PATCH
// /v3/connectors/{scriptName}, application/json-patch+json): the document allows
// connectorMetadata, applicationXml, correlationConfigXml and sourceConfigXml. It returns the
// ConnectorDetail.
func (c *Client) PatchConnector(ctx context.Context, scriptName string, ops []PatchOp) (*value.Object, error) {
	if scriptName == "" || len(ops) == 0 {
		return nil, errors.New("patch connector: empty scriptName or no operation")
	}
	list := make([]any, len(ops))
	for i, op := range ops {
		o := value.NewObject()
		o.Set("op", op.Op)
		o.Set("path", op.Path)
		o.Set("value", op.Value)
		list[i] = o
	}
	data, err := value.Marshal(list)
	if err != nil {
		return nil, fmt.Errorf("patch connector %s: %w", scriptName, err)
	}
	req := &request{method: http.MethodPatch, path: "/v3/connectors/" + url.PathEscape(scriptName), tmpl: "/v3/connectors/{scriptName}",
		body: data, contentType: "application/json-patch+json"}
	obj, err := c.object(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("patch connector %s: %w", scriptName, err)
	}
	return obj, nil
}

// GetConnectorSourceConfig reads a connector's source config XML as the documented endpoint
// serves it (GET /v3/connectors/{scriptName}/source-config, application/xml).
func (c *Client) GetConnectorSourceConfig(ctx context.Context, scriptName string) (string, error) {
	return c.getConnectorText(ctx, scriptName, "source-config", "/source-config", "/v3/connectors/{scriptName}/source-config", "application/xml")
}

// GetConnectorSourceTemplate reads a connector's source template XML as the documented endpoint
// serves it (GET /v3/connectors/{scriptName}/source-template, application/xml): whether
// ConnectorDetail's applicationXml shows an uploaded template is not documented.
func (c *Client) GetConnectorSourceTemplate(ctx context.Context, scriptName string) (string, error) {
	return c.getConnectorText(ctx, scriptName, "source-template", "/source-template", "/v3/connectors/{scriptName}/source-template", "application/xml")
}

// GetConnectorTranslations reads a connector's translations of one locale (GET
// /v3/connectors/{scriptName}/translations/{locale}, text/plain).
func (c *Client) GetConnectorTranslations(ctx context.Context, scriptName, locale string) (string, error) {
	if locale == "" {
		return "", errors.New("get connector translations: empty locale")
	}
	return c.getConnectorText(ctx, scriptName, "translations "+locale, "/translations/"+url.PathEscape(locale),
		"/v3/connectors/{scriptName}/translations/{locale}", "text/plain")
}

// getConnectorText reads one bundle part's text. The document gives the answer as a plain
// string; an answer in JSON holding one string is taken as that string.
func (c *Client) getConnectorText(ctx context.Context, scriptName, what, suffix, tmpl, accept string) (string, error) {
	if scriptName == "" {
		return "", fmt.Errorf("get connector %s: empty scriptName", what)
	}
	var text string
	req := &request{method: http.MethodGet, path: "/v3/connectors/" + url.PathEscape(scriptName) + suffix, tmpl: tmpl, accept: accept,
		decode: func(h http.Header, b []byte) error {
			text = string(b)
			if jsonType(h.Get("Content-Type")) {
				if v, err := value.Decode(b); err == nil {
					if s, ok := v.(string); ok {
						text = s
					}
				}
			}
			return nil
		}}
	if err := c.do(ctx, req); err != nil {
		return "", fmt.Errorf("get connector %s %s: %w", scriptName, what, err)
	}
	return text, nil
}
