package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/sailsync/sailsync/internal/config"
	isync "github.com/sailsync/sailsync/sync"
)

// The apply journal: one JSON line per object an apply created, written and fsync'd the moment
// the tenant answers. A connector created unreleased under an opaque scriptName rule is found by
// no documented read until a source uses it, so an apply interrupted between the two would
// leave it for nobody to find; later plans read its scriptName here (checked by a GET).

// EnvJournal names the journal file instead of the repository's .sailsync-journal: a CI job
// keeps it where its cache or artifact carries it to the next job of the same environment.
const EnvJournal = "SAILSYNC_JOURNAL"

// journalPath is the journal of the repository at dir.
func (d *deps) journalPath(dir string) string {
	if p := d.getenv(EnvJournal); p != "" {
		return p
	}
	return filepath.Join(dir, config.JournalFile)
}

// MaxJournalSize bounds the journal a run reads: a line is about 200 bytes, so 4 MiB holds some
// 20,000 creates, while a planted file cannot exhaust memory.
const MaxJournalSize = 4 << 20

// journalEntry is one line of the journal.
type journalEntry struct {
	// Tenant is the tenant's base URL (isc.Client.Tenant): one journal serves the environments
	// one checkout deploys to, and an entry counts only for its own tenant.
	Tenant string `json:"tenant"`
	isync.Created
	Time string `json:"time"`
}

// journal appends entries to the journal file.
type journal struct {
	f      *os.File
	path   string
	tenant string
	now    func() time.Time
}

// openJournal opens the journal at path for appending, creating it. It refuses anything but a regular
// file, and never follows a link: the repository (a pull request) may hold a link in its place.
func openJournal(path, tenant string, now func() time.Time) (*journal, error) {
	// The job may name a journal in a directory its cache did not restore.
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("the apply journal %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, fmt.Errorf("the apply journal %s: %w (it records what apply creates, so that a re-run finds it)", path, err)
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		_ = f.Close()
		return nil, fmt.Errorf("the apply journal %s is not a regular file: refused", path)
	}
	return &journal{f: f, path: path, tenant: tenant, now: now}, nil
}

// record appends one entry and syncs it to disk before returning.
func (j *journal) record(c isync.Created) error {
	b, err := json.Marshal(journalEntry{Tenant: j.tenant, Created: c, Time: j.now().UTC().Format(time.RFC3339)})
	if err != nil {
		return err
	}
	if _, err := j.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("the apply journal %s: %w", j.path, err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("the apply journal %s: %w", j.path, err)
	}
	return nil
}

func (j *journal) close() error { return j.f.Close() }

// readJournal returns the scriptNames the journal at path records for tenant's connectors, by
// connector name (the latest entry wins). No journal is an empty map.
func readJournal(path, tenant string) (map[string]string, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("the apply journal %s: %w", path, err)
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return nil, fmt.Errorf("the apply journal %s is not a regular file: refused", path)
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxJournalSize+1))
	if err != nil {
		return nil, fmt.Errorf("the apply journal %s: %w", path, err)
	}
	if len(b) > MaxJournalSize {
		return nil, fmt.Errorf("the apply journal %s is larger than %d MiB: refused", path, MaxJournalSize>>20)
	}
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, MaxJournalSize)
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var e journalEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			// A line cut short by a crash mid-write is the last one; anything else is damage.
			if line == bytes.Count(b, []byte("\n"))+1 {
				break
			}
			return nil, fmt.Errorf("%s:%d: not a journal entry: %w", path, line, err)
		}
		if e.Tenant == tenant && e.Kind == config.KindConnector && e.Name != "" && e.ID != "" {
			out[e.Name] = e.ID
		}
	}
	return out, nil
}
