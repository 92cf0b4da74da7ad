package sync_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/sailsync/sailsync/internal/config"
	"github.com/sailsync/sailsync/internal/contract"
	"github.com/sailsync/sailsync/internal/emulator"
	"github.com/sailsync/sailsync/internal/isc"
	"github.com/sailsync/sailsync/internal/tenanttest"
	isync "github.com/sailsync/sailsync/sync"
)

// TestLookupsAtTheMinimum: references given by name are looked up once per name however many
// sources give it, with the fewest requests each endpoint's documented filters allow (a
// `name eq` per identity (a tenant has thousands), one listing of clusters, `name in` per 50 governance groups, one listing of
// password policies and one of connector rules); the count is what EstimateLookups predicts and
// what the plan records, every request passes the contract check, and each name finds the
// tenant's object (a name matching several objects keeps them all, for diff to refuse).
func TestLookupsAtTheMinimum(t *testing.T) {
	t.Parallel()
	seed := fstest.MapFS{
		"identities/i.json":        {Data: []byte(`[{"id":"i1","name":"Amelia Ortiz"},{"id":"i2","name":"Ben Okafor"},{"id":"i3","name":"Twin"},{"id":"i4","name":"Twin"}]`)},
		"managed-clusters/c.json":  {Data: []byte(`[{"id":"c1","name":"Primary","clientType":"CCG","ccgVersion":"v01"}]`)},
		"workgroups/w.json":        {Data: []byte(`[{"id":"w1","name":"Admins"},{"id":"w2","name":"Auditors"}]`)},
		"password-policies/p.json": {Data: []byte(`[{"id":"p1","name":"Default"},{"id":"p2","name":"Strict"}]`)},
		"connector-rules/r.json":   {Data: []byte(`[{"id":"r1","name":"Build Map","type":"BuildMap","sourceCode":{"version":"1.0","script":"x"},"created":"2024-01-01T00:00:00Z"}]`)},
	}
	emu, err := emulator.New(emulator.Options{Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(contract.Middleware(t, emu))
	defer srv.Close()
	c, err := isc.New(isc.Config{BaseURL: srv.URL, ClientID: emu.ClientID(), ClientSecret: emu.ClientSecret(), RatePer10s: 1e6})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i, o := range []string{"Amelia Ortiz", "Ben Okafor", "Amelia Ortiz", "Twin"} {
		fmt.Fprintf(&b, "---\nkind: Source\nname: S%d\nowner: {type: IDENTITY, name: %s}\nconnector: jdbc\n", i, o)
		fmt.Fprintf(&b, "cluster: {type: CLUSTER, name: Primary}\nmanagementWorkgroup: {type: GOVERNANCE_GROUP, name: %s}\n", []string{"Admins", "Auditors"}[i%2])
		b.WriteString("passwordPolicies: [{type: PASSWORD_POLICY, name: Default}, {type: PASSWORD_POLICY, name: Strict}]\n")
		b.WriteString("beforeProvisioningRule: {type: RULE, name: Build Map}\naccountCorrelationRule: {type: RULE, name: Missing Rule}\n")
	}
	repo := load(t, tenanttest.WriteDir(t, map[string]string{"s.yaml": b.String()}))
	emu.ResetLog()
	live, err := isync.Fetch(context.Background(), c, repo, isync.FetchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var lookups []string
	for _, e := range emu.Log() {
		if !strings.Contains(e.Path, "/sources") && !strings.Contains(e.Path, "/oauth") && !strings.Contains(e.Path, "/connectors") {
			lookups = append(lookups, e.Path+"?"+e.Query)
		}
	}
	// 3 identities, 1 cluster listing, 1 workgroup filter, 1 policy listing, 1 rule listing.
	if len(lookups) != 7 || live.Lookups != 7 || isync.EstimateLookups(repo) != 7 {
		t.Errorf("%d lookups (recorded %d, estimated %d), want 7:\n%s", len(lookups), live.Lookups, isync.EstimateLookups(repo), strings.Join(lookups, "\n"))
	}
	ids := func(typ, name string) []string {
		var out []string
		for _, o := range live.Named[config.NamedRef{Type: typ, Name: name}] {
			out = append(out, o.String("id"))
		}
		return out
	}
	for _, c := range []struct {
		typ, name string
		want      string
	}{
		{config.RefIdentity, "Amelia Ortiz", "i1"}, {config.RefIdentity, "Ben Okafor", "i2"}, {config.RefIdentity, "Twin", "i3 i4"},
		{config.RefCluster, "Primary", "c1"}, {config.RefGovernanceGroup, "Auditors", "w2"}, {config.RefPasswordPolicy, "Strict", "p2"},
		{config.RefRule, "Build Map", "r1"}, {config.RefRule, "Missing Rule", ""},
	} {
		if got := strings.Join(ids(c.typ, c.name), " "); got != c.want {
			t.Errorf("%s %q: %q, want %q", c.typ, c.name, got, c.want)
		}
	}
}
