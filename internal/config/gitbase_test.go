package config

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// craftRepo is a git repository in which a test writes objects by hand, as the author of a
// pull request can: trees git's own commands would refuse to write or to check out.
type craftRepo struct {
	t   *testing.T
	top string
}

func newCraftRepo(t *testing.T) *craftRepo {
	t.Helper()
	r := &craftRepo{t: t, top: t.TempDir()}
	r.git(nil, "init", "-q", "-b", "main")
	return r
}

// git runs git in the repository and returns its trimmed output.
func (r *craftRepo) git(stdin []byte, args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", append([]string{"-C", r.top}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null",
		"GIT_AUTHOR_NAME=Attacker", "GIT_AUTHOR_EMAIL=a@example.com", "GIT_COMMITTER_NAME=Attacker", "GIT_COMMITTER_EMAIL=a@example.com")
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// blob writes a blob and returns its id.
func (r *craftRepo) blob(data string) string {
	return r.git([]byte(data), "hash-object", "-w", "--stdin")
}

// entry is one entry of a crafted tree.
type entry struct{ mode, name, oid string }

// tree writes a tree object of exactly these entries, in this order, unchecked (--literally):
// names with a slash, "..", duplicates.
func (r *craftRepo) tree(entries ...entry) string {
	var raw bytes.Buffer
	for _, e := range entries {
		id, err := hex.DecodeString(e.oid)
		if err != nil {
			r.t.Fatal(err)
		}
		raw.WriteString(e.mode + " " + e.name + "\x00")
		raw.Write(id)
	}
	return r.git(raw.Bytes(), "hash-object", "-t", "tree", "-w", "--stdin", "--literally")
}

// commit writes a commit of tree and returns its id.
func (r *craftRepo) commit(tree string) string {
	return r.git(nil, "commit-tree", tree, "-m", "crafted")
}

// TestLoadRevisionCraftedTree: the author of a pull request controls the commits of the
// repository, also the base a plan is given with --base; a crafted tree that git would never
// check out (a link and a directory of the same name, a name holding a slash, "..", an empty
// name) is refused, and no file of it is written outside the temporary directory, nor through a
// link; one that names an object many times (a million files, a gigabyte from one 2 MiB blob)
// is refused quickly instead of filling the runner. A link inside the revision to a file of it
// still loads, as in a working tree.
func TestLoadRevisionCraftedTree(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	r := newCraftRepo(t)
	settings := r.blob("{}\n")
	pwned := r.blob(validSource)
	pwnedTree := r.tree(entry{"100644", "pwned.yaml", pwned})
	upTwo := r.tree(entry{"40000", "..", r.tree(entry{"40000", "..", pwnedTree})})

	for _, tt := range []struct {
		name    string
		entries func(link string) []entry // link: a symbolic link's blob to a directory outside
		want    string
	}{
		{"a link and a directory both called s", func(link string) []entry {
			return []entry{{"100644", "sailsync.yaml", settings}, {"120000", "s", link}, {"40000", "s", pwnedTree}}
		}, `two tree entries are called "s"`},
		{"a name holding a slash below a link of its first part", func(link string) []entry {
			return []entry{{"100644", "sailsync.yaml", settings}, {"120000", "s", link}, {"100644", "s/pwned.yaml", pwned}}
		}, `a tree entry "s/pwned.yaml" holds a slash`},
		{"a directory called .. twice below the top", func(string) []entry {
			return []entry{{"100644", "sailsync.yaml", settings}, {"40000", "a", upTwo}}
		}, `a tree entry ".." is called ..`},
		{"an empty name", func(string) []entry {
			return []entry{{"100644", "sailsync.yaml", settings}, {"100644", "", pwned}}
		}, "has an empty name"},
		{"a mode git does not write", func(string) []entry {
			return []entry{{"100644", "sailsync.yaml", settings}, {"140000", "x.yaml", pwned}}
		}, `mode "140000" is not one git writes`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			outside := t.TempDir()
			commit := r.commit(r.tree(tt.entries(r.blob(outside))...))
			_, _, err := LoadRevision(r.top, commit)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadRevision: %v, want %q", err, tt.want)
			}
			if got, _ := os.ReadDir(outside); len(got) > 0 {
				t.Errorf("the crafted revision wrote %s outside its temporary directory", got[0].Name())
			}
		})
	}

	// One object named many times: the revision would write far more than it stores.
	fan := func(n int, mode, oid string) []entry {
		out := make([]entry, n)
		for i := range out {
			out[i] = entry{mode, fmt.Sprintf("e%04d.yaml", i), oid}
		}
		return out
	}
	big := r.blob(strings.Repeat("# padding\n", 2<<20/10))
	for _, tt := range []struct {
		name string
		tree string
		want string
	}{
		{"a thousand directories of a thousand files", r.tree(fan(1000, "40000", r.tree(fan(1000, "100644", pwned)...))...), "more than 200000 files and directories"},
		{"a 2 MiB file under 600 names", r.tree(fan(600, "100644", big)...), "its files hold more than 1024 MiB"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, _, err := LoadRevision(r.top, r.commit(tt.tree))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadRevision: %v, want %q", err, tt.want)
			}
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}

	// A link to a file of the revision is loaded through, as the loader does in a work tree.
	inside := r.commit(r.tree(
		entry{"100644", "sailsync.yaml", settings},
		entry{"40000", "shared", r.tree(entry{"100644", "hr.txt", pwned})},
		entry{"40000", "sources", r.tree(entry{"120000", "hr.yaml", r.blob("../shared/hr.txt")})},
	))
	repo, _, err := LoadRevision(r.top, inside)
	if err != nil || len(repo.Sources()) != 1 || repo.Sources()[0].Doc.File != "sources/hr.yaml" {
		t.Fatalf("a link inside the revision: %v, %+v", err, repo)
	}
}
