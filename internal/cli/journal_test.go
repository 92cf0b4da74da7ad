package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sailsync/sailsync/internal/config"
	isync "github.com/sailsync/sailsync/sync"
)

// TestJournal: what one apply records, a later run reads back for its own tenant only; a line a
// crash cut short at the end is tolerated, damage elsewhere is an error at file:line, and a link
// or an oversized file in the journal's place (a pull request can plant either) is refused.
func TestJournal(t *testing.T) {
	t.Parallel()
	const tenant = "https://acme.api.identitynow.com"
	now := func() time.Time { return time.Date(2026, 12, 8, 1, 2, 3, 0, time.UTC) }
	write := func(t *testing.T, path string, entries ...isync.Created) {
		j, err := openJournal(path, tenant, now)
		if err != nil {
			t.Fatal(err)
		}
		defer j.close()
		for _, e := range entries {
			if err := j.record(e); err != nil {
				t.Fatal(err)
			}
		}
	}
	acme := isync.Created{Kind: config.KindConnector, Name: "Acme HR", ID: "acme-hr-7"}
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, path string)
		want  map[string]string
		err   string
	}{
		{"none", func(*testing.T, string) {}, map[string]string{}, ""},
		{"round trip", func(t *testing.T, p string) {
			write(t, p, acme, isync.Created{Kind: config.KindSource, Name: "HR", ID: "2c91"})
		}, map[string]string{"Acme HR": "acme-hr-7"}, ""},
		{"the latest entry wins, across runs", func(t *testing.T, p string) {
			write(t, p, acme)
			write(t, p, isync.Created{Kind: config.KindConnector, Name: "Acme HR", ID: "acme-hr-8"})
		}, map[string]string{"Acme HR": "acme-hr-8"}, ""},
		{"another tenant's entries", func(t *testing.T, p string) {
			j, err := openJournal(p, "https://other.api.identitynow.com", now)
			if err != nil {
				t.Fatal(err)
			}
			defer j.close()
			if err := j.record(acme); err != nil {
				t.Fatal(err)
			}
		}, map[string]string{}, ""},
		{"a torn last line", func(t *testing.T, p string) {
			write(t, p, acme)
			appendFile(t, p, `{"tenant":"https://acme.api.identitynow.com","kind":"Conn`)
		}, map[string]string{"Acme HR": "acme-hr-7"}, ""},
		{"a damaged line", func(t *testing.T, p string) {
			appendFile(t, p, "not json\n")
			write(t, p, acme)
		}, nil, "journal:1: not a journal entry"},
		{"a link in its place", func(t *testing.T, p string) {
			target := filepath.Join(t.TempDir(), "elsewhere")
			write(t, target, acme)
			if err := os.Symlink(target, p); err != nil {
				t.Fatal(err)
			}
		}, nil, "journal"},
		{"a directory in its place", func(t *testing.T, p string) {
			if err := os.Mkdir(p, 0o755); err != nil {
				t.Fatal(err)
			}
		}, nil, "not a regular file"},
		{"oversized", func(t *testing.T, p string) {
			appendFile(t, p, strings.Repeat(" ", MaxJournalSize+1))
		}, nil, "larger than 4 MiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "journal")
			tc.setup(t, path)
			got, err := readJournal(path, tenant)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("got %v, want %v", got, tc.want)
				}
			}
		})
	}
	t.Run("never opened for writing through a link", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		target := filepath.Join(dir, "target")
		if err := os.WriteFile(target, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		link := filepath.Join(dir, config.JournalFile)
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
		if _, err := openJournal(link, tenant, now); err == nil {
			t.Fatal("the journal was opened through a link")
		}
		if b, _ := os.ReadFile(target); len(b) != 0 {
			t.Errorf("written through the link: %q", b)
		}
	})
	t.Run("each entry is a line with its time", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "journal")
		write(t, path, acme)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		want := `{"tenant":"https://acme.api.identitynow.com","kind":"Connector","name":"Acme HR","id":"acme-hr-7","time":"2026-12-08T01:02:03Z"}` + "\n"
		if string(b) != want {
			t.Errorf("journal:\n%s\nwant:\n%s", b, want)
		}
	})
}

func appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}
