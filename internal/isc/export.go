package isc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/sailsync/sailsync/internal/value"
)

// The configuration export (/beta/sp-config/export): one job that reads every requested SOURCE
// with its schemas embedded, in three requests and the status polls, instead of one schema read
// per source. Starting the job is a POST, but it changes no configuration: the job is the
// tenant's record of a read.

// StartSourceExport starts an export job of the sources named (all of them when names is nil)
// and returns the job's id.
func (c *Client) StartSourceExport(ctx context.Context, names []string) (string, error) {
	body := map[string]any{"includeTypes": []string{"SOURCE"}, "description": "sailsync plan"}
	if names != nil {
		body["objectOptions"] = map[string]any{"SOURCE": map[string]any{"includedNames": names}}
	}
	data, err := json.Marshal(body)
	if err != nil {
		return "", err
	}
	obj, err := c.object(ctx, &request{method: http.MethodPost, path: "/beta/sp-config/export", tmpl: "/beta/sp-config/export", body: data})
	if err != nil {
		return "", fmt.Errorf("start export: %w", err)
	}
	id := obj.String("jobId")
	if id == "" {
		return "", errors.New("start export: the answer names no jobId")
	}
	return id, nil
}

// GetExportJob reads an export job's status (SpConfigExportJobStatus: status NOT_STARTED,
// IN_PROGRESS, COMPLETE, CANCELLED or FAILED).
func (c *Client) GetExportJob(ctx context.Context, id string) (*value.Object, error) {
	obj, err := c.object(ctx, &request{method: http.MethodGet, path: "/beta/sp-config/export/" + url.PathEscape(id), tmpl: "/beta/sp-config/export/{id}"})
	if err != nil {
		return nil, fmt.Errorf("export job %s: %w", id, err)
	}
	return obj, nil
}

// DownloadExport reads a completed export job's result (SpConfigExportResults: objects, each
// {version, self: {type, id, name}, object}).
func (c *Client) DownloadExport(ctx context.Context, id string) (*value.Object, error) {
	obj, err := c.object(ctx, &request{method: http.MethodGet, path: "/beta/sp-config/export/" + url.PathEscape(id) + "/download", tmpl: "/beta/sp-config/export/{id}/download"})
	if err != nil {
		return nil, fmt.Errorf("export job %s: download: %w", id, err)
	}
	return obj, nil
}
