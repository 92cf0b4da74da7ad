package isc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/sailsync/sailsync/internal/value"
)

// TaskRef is the task reference DELETE /v3/sources/{id} answers with (202): the tenant removes
// the source, its accounts and entitlements in the background.
type TaskRef struct {
	// Type is TASK_RESULT in the published document.
	Type string
	// ID is the task result's id, followed with GetTaskStatus where the tenant allows.
	ID string
}

// DeleteSource asks the tenant to delete a source (DELETE /v3/sources/{id}) and returns the
// task it accepted. A 404 is returned as an *APIError (IsNotFound): the caller decides whether
// a source already gone is a success.
func (c *Client) DeleteSource(ctx context.Context, id string) (TaskRef, error) {
	if id == "" {
		return TaskRef{}, errors.New("delete source: empty id")
	}
	obj, err := c.object(ctx, &request{method: http.MethodDelete, path: "/v3/sources/" + url.PathEscape(id), tmpl: "/v3/sources/{id}"})
	if err != nil {
		return TaskRef{}, fmt.Errorf("delete source %s: %w", id, err)
	}
	return TaskRef{Type: obj.String("type"), ID: obj.String("id")}, nil
}

// DeleteConnector deletes a custom connector (DELETE /v3/connectors/{scriptName}, 204).
func (c *Client) DeleteConnector(ctx context.Context, scriptName string) error {
	if scriptName == "" {
		return errors.New("delete connector: empty scriptName")
	}
	err := c.do(ctx, &request{method: http.MethodDelete, path: "/v3/connectors/" + url.PathEscape(scriptName), tmpl: "/v3/connectors/{scriptName}"})
	if err != nil {
		return fmt.Errorf("delete connector %s: %w", scriptName, err)
	}
	return nil
}

// DeleteSchema deletes a schema of a source (DELETE /v3/sources/{sourceId}/schemas/{schemaId}, 204).
func (c *Client) DeleteSchema(ctx context.Context, sourceID, schemaID string) error {
	if sourceID == "" || schemaID == "" {
		return errors.New("delete schema: empty id")
	}
	err := c.do(ctx, &request{method: http.MethodDelete,
		path: "/v3/sources/" + url.PathEscape(sourceID) + "/schemas/" + url.PathEscape(schemaID),
		tmpl: "/v3/sources/{sourceId}/schemas/{schemaId}"})
	if err != nil {
		return fmt.Errorf("delete schema %s of source %s: %w", schemaID, sourceID, err)
	}
	return nil
}

// GetTaskStatus reads a task's status (GET /beta/task-status/{id}); the API has it under beta
// only. The answer's `completed` is set once the task has ended, with `completionStatus`.
func (c *Client) GetTaskStatus(ctx context.Context, id string) (*value.Object, error) {
	if id == "" {
		return nil, errors.New("get task status: empty id")
	}
	obj, err := c.object(ctx, &request{method: http.MethodGet, path: "/beta/task-status/" + url.PathEscape(id), tmpl: "/beta/task-status/{id}"})
	if err != nil {
		return nil, fmt.Errorf("get task status %s: %w", id, err)
	}
	return obj, nil
}
