package sync_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/sailsync/sailsync/diff"
	"github.com/sailsync/sailsync/internal/contract"
	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/isc"
	"github.com/sailsync/sailsync/internal/tenanttest"
	isync "github.com/sailsync/sailsync/sync"
)

// TestApplyFromThePlanAlone: the plan is apply's contract. A plan is computed, written as JSON
// and read back, the repository is deleted, and the apply still creates the connector, the
// source that names it (with its secret from the environment) and the schema from its template,
// under a scriptName rule no guess can follow.
func TestApplyFromThePlanAlone(t *testing.T) {
	t.Parallel()
	emu, err := emulator.New(emulator.Options{ScriptNameRule: emulator.ScriptNameSuffix})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(contract.Middleware(t, emu))
	defer srv.Close()
	c, err := isc.New(isc.Config{BaseURL: srv.URL, ClientID: emu.ClientID(), ClientSecret: emu.ClientSecret(), RatePer10s: 1e6})
	if err != nil {
		t.Fatal(err)
	}
	dir := tenanttest.WriteDir(t, map[string]string{
		"repo.yaml": "kind: Connector\nname: Plan Only\nclassName: sailpoint.connector.OpenConnectorAdapter\n" +
			"sourceConfig: form.xml\nconnectorMetadata: {pageSize: 12345678901234567890, ui: {platform: ccg}}\n" +
			"---\nkind: Source\nname: From The Plan\nowner: " + owner + "\nconnector: ${connector:Plan Only}\n" +
			"connectorAttributes:\n  password: ${env:PLAN_ONLY_PASSWORD}\n" +
			"---\nkind: EntitlementSchema\nsource: From The Plan\nname: group\ntemplate: group.csv\n",
		"group.csv": "id,name,memberOf\n",
		"form.xml":  "<Form name=\"Plan Only\"/>\n",
	})
	repo := load(t, dir)
	live, err := isync.Fetch(context.Background(), c, repo, isync.FetchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	env := func(name string) (string, bool) {
		if name == "PLAN_ONLY_PASSWORD" {
			return "from-the-environment", true
		}
		return "", false
	}
	p, err := diff.Compute(repo, live, diff.Options{Env: env, Tenant: c.Tenant()})
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	var saved diff.Plan
	if err := json.Unmarshal(data, &saved); err != nil {
		t.Fatal(err)
	}
	rep, err := isync.Apply(context.Background(), c, nil, &saved, isync.ApplyOptions{Env: env})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("apply from the plan alone: %+v", rep.Results)
	}
	var script string
	for _, o := range emu.Connectors() {
		if o.String("name") == "Plan Only" {
			script = o.String("scriptName")
		}
	}
	src, ok := emu.SourceByName("From The Plan")
	if !ok || script == "" || src.String("connector") != script {
		t.Fatalf("source %v on connector %q, want the scriptName the tenant chose", src, script)
	}
	if got, ok := emu.Secret("From The Plan", "password"); !ok || got != "from-the-environment" {
		t.Errorf("secret %q, %v: want the environment's value", got, ok)
	}
	schemas := emu.Schemas("From The Plan")
	if len(schemas) != 1 || len(schemas[0].String("name")) == 0 {
		t.Fatalf("schemas %v", schemas)
	}
	attrs, _ := schemas[0].Get("attributes")
	if list, _ := attrs.([]any); len(list) != 3 {
		t.Errorf("schema attributes %v, want the template's three", attrs)
	}
	// The bundle, from the plan alone: the file's content, metadata numbers and objects exact.
	con, _ := emu.Connector(script)
	if md, _ := con.Object("connectorMetadata").MarshalJSON(); con.String("sourceConfigXml") != "<Form name=\"Plan Only\"/>\n" ||
		string(md) != `{"pageSize":12345678901234567890,"ui":{"platform":"ccg"}}` {
		t.Errorf("bundle: sourceConfigXml %q, connectorMetadata %s", con.String("sourceConfigXml"), md)
	}
	if bytes.Contains(data, []byte("from-the-environment")) {
		t.Error("the plan holds the secret")
	}
}
