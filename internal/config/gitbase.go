package config

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// The one place sailsync reads git: the git binary, which is on every machine with a clone,
// rather than a git library. A revision's tree is copied out with ls-tree and cat-file into a
// temporary directory and loaded there by Load, so that the base of a three-way plan goes
// through the same loader as the repository itself.

// LoadRevision loads the config repository at dir as it was at the git revision ref: ref's
// tree of the directory, materialised in a temporary directory that is removed before it
// returns. commit is the full commit id ref names. Problems of the repository at ref come back
// as Problems, their files relative to the repository root as for Load.
func LoadRevision(dir, ref string) (repo *Repo, commit string, err error) {
	tmp, commit, err := materializeRevision(dir, ref)
	if tmp != "" {
		defer os.RemoveAll(tmp)
	}
	if err != nil {
		return nil, "", err
	}
	repo, err = Load(tmp)
	if err != nil {
		return nil, commit, err
	}
	repo.Dir = dir + "@" + ref
	return repo, commit, nil
}

// gitRun runs git in dir and returns its output; a failure carries what git said.
func gitRun(dir string, stdin io.Reader, args ...string) ([]byte, error) {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Stdin = stdin
	// Always English, never a pager or a prompt: the messages are quoted in ours.
	cmd.Env = append(os.Environ(), "LC_ALL=C", "GIT_PAGER=cat", "GIT_TERMINAL_PROMPT=0")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("git %s: %s", args[0], msg)
	}
	return stdout.Bytes(), nil
}

// shallowHint is what to add to "no such revision" in a shallow clone (CI checks out one commit
// by default, without the history or tags a base names): how to fetch the rest.
func shallowHint(dir string) string {
	out, err := gitRun(dir, nil, "rev-parse", "--is-shallow-repository")
	if err != nil || strings.TrimSpace(string(out)) != "true" {
		return ""
	}
	return ": the clone is shallow (only the last commits, no tags); fetch the whole history: " +
		"git fetch --unshallow --tags, or in GitHub Actions actions/checkout with fetch-depth: 0 (GitLab: GIT_DEPTH: 0)"
}

// materializeRevision writes the tree of dir at ref into a new temporary directory and returns
// it (to be removed by the caller, also on error when not "") and ref's commit id.
func materializeRevision(dir, ref string) (tmp, commit string, err error) {
	if _, err := exec.LookPath("git"); err != nil {
		return "", "", fmt.Errorf("--base %s: reading the base needs the git command: %w", ref, err)
	}
	if ref == "" || strings.HasPrefix(ref, "-") {
		return "", "", fmt.Errorf("--base %q: not a git revision", ref)
	}
	top, err := gitRun(dir, nil, "rev-parse", "--show-toplevel")
	if err != nil {
		return "", "", fmt.Errorf("--base %s: %s is not in a git work tree (the base is read from git): %w", ref, dir, err)
	}
	prefix, err := gitRun(dir, nil, "rev-parse", "--show-prefix")
	if err != nil {
		return "", "", fmt.Errorf("--base %s: %w", ref, err)
	}
	id, err := gitRun(dir, nil, "rev-parse", "--verify", "--quiet", ref+"^{commit}")
	if err != nil {
		return "", "", fmt.Errorf("--base %s: no such revision in the git repository at %s%s", ref, strings.TrimSpace(string(top)), shallowHint(dir))
	}
	commit = strings.TrimSpace(string(id))
	gitTop := strings.TrimSpace(string(top))
	sub := strings.TrimSuffix(strings.TrimSpace(string(prefix)), "/") // "" at the top, else "a/b"
	// commit:path names the directory's tree; everything after the colon is the path, so the
	// object's type is asked for separately.
	treeID, err := gitRun(gitTop, nil, "rev-parse", "--verify", "--quiet", commit+":"+sub)
	if err == nil {
		var kind []byte
		kind, err = gitRun(gitTop, nil, "cat-file", "-t", strings.TrimSpace(string(treeID)))
		if err == nil && strings.TrimSpace(string(kind)) != "tree" {
			err = errors.New("not a directory")
		}
	}
	if err != nil {
		return "", "", fmt.Errorf("--base %s: %s did not exist at %s", ref, dir, ref)
	}
	tmp, err = os.MkdirTemp("", "sailsync-base-")
	if err != nil {
		return "", "", fmt.Errorf("--base %s: %w", ref, err)
	}
	if err := writeTree(gitTop, strings.TrimSpace(string(treeID)), len(commit)/2, tmp); err != nil {
		return tmp, "", fmt.Errorf("--base %s: %w", ref, err)
	}
	return tmp, commit, nil
}

// treeEntry is one entry of a git tree object: its mode, object id (hex) and path below the
// materialised root (slash-separated, made of names checkTreeName accepted).
type treeEntry struct{ mode, oid, rel string }

// writeTree writes the tree oid and everything below it into root, an empty directory. The
// trees are read level by level with cat-file (one process per level of nesting, one for the
// blobs), so that each entry's own name is checked: a commit is anyone's to craft (a pull
// request's base or head), and git's checkout refuses what ls-tree would print. Every directory
// and file is created exclusively, never through an existing path, so that no entry can write
// through a link another entry made or collide with another spelling of its name.
func writeTree(gitTop, oid string, hashLen int, root string) error {
	level := []treeEntry{{mode: "40000", oid: oid}}
	var files []treeEntry
	entries := 0
	for len(level) > 0 {
		trees, err := readObjects(gitTop, level, "tree")
		if err != nil {
			return err
		}
		var next []treeEntry
		for _, t := range level {
			children, err := parseTree(trees[t.oid], hashLen, t.rel)
			if err != nil {
				return err
			}
			if entries += len(children); entries > maxTreeEntries {
				return fmt.Errorf("more than %d files and directories", maxTreeEntries)
			}
			for _, e := range children {
				switch e.mode {
				case "40000":
					if strings.Count(e.rel, "/") >= maxTreeDepth {
						return fmt.Errorf("%s: nested more than %d directories deep", e.rel, maxTreeDepth)
					}
					if err := os.Mkdir(filepath.Join(root, filepath.FromSlash(e.rel)), 0o755); err != nil {
						return fmt.Errorf("%s: %w", e.rel, err)
					}
					next = append(next, e)
				case "160000":
					// A submodule (a commit) is not part of the repository's content.
				default:
					files = append(files, e)
				}
			}
		}
		level = next
	}
	if len(files) == 0 {
		return nil
	}
	if err := checkBlobSizes(gitTop, files); err != nil {
		return err
	}
	blobs, err := readObjects(gitTop, files, "blob")
	if err != nil {
		return err
	}
	for _, e := range files {
		if err := writeEntry(root, e, blobs[e.oid]); err != nil {
			return err
		}
	}
	return nil
}

// readObjects reads the distinct objects of entries, each of the given kind, with one
// `git cat-file --batch`; an object several entries name (a crafted tree may name one a
// thousand times) is read once.
func readObjects(gitTop string, entries []treeEntry, kind string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(entries))
	var ids bytes.Buffer
	var order []treeEntry
	for _, e := range entries {
		if _, ok := out[e.oid]; !ok {
			out[e.oid] = nil
			order = append(order, e)
			ids.WriteString(e.oid + "\n")
		}
	}
	raw, err := gitRun(gitTop, &ids, "cat-file", "--batch")
	if err != nil {
		return nil, err
	}
	r := bufio.NewReader(bytes.NewReader(raw))
	for _, e := range order {
		data, err := nextObject(r, e.oid, kind)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", shownRel(e.rel), err)
		}
		out[e.oid] = data
	}
	return out, nil
}

// checkBlobSizes refuses a revision whose files would write more than maxRevisionBytes, before
// any is read (`git cat-file --batch-check` tells the sizes): a crafted tree can name one large
// blob under many names.
func checkBlobSizes(gitTop string, files []treeEntry) error {
	var ids bytes.Buffer
	for _, e := range files {
		ids.WriteString(e.oid + "\n")
	}
	out, err := gitRun(gitTop, &ids, "cat-file", "--batch-check")
	if err != nil {
		return err
	}
	var total int64
	for i, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if i >= len(files) || len(f) != 3 || f[0] != files[i].oid || f[1] != "blob" {
			return fmt.Errorf("git cat-file --batch-check answered %q", line)
		}
		n, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("git cat-file: bad size in %q", line)
		}
		if total += n; total > maxRevisionBytes {
			return fmt.Errorf("its files hold more than %d MiB", maxRevisionBytes>>20)
		}
	}
	return nil
}

// maxTreeEntries and maxRevisionBytes bound what a revision may write into the temporary
// directory: far above a config repository (the loader reads at most 50,000 documents), far
// below what would fill a CI runner's disk or memory.
const (
	maxTreeEntries   = 200_000
	maxRevisionBytes = 1 << 30
)

// maxTreeDepth bounds the nesting of a revision's directories: far above any repository, far
// below what would make a path too long for the file system.
const maxTreeDepth = 64

// shownRel names a tree in an error: its path, or the directory itself.
func shownRel(rel string) string {
	if rel == "" {
		return "the directory"
	}
	return rel
}

// parseTree reads a raw tree object: entries of "<mode> <name>\0<hashLen bytes of id>". Each
// name must be one path element, not "", "." or "..", and not repeat another entry's name;
// the modes are those git writes (a tree, a file, a symbolic link, a submodule).
func parseTree(data []byte, hashLen int, dir string) ([]treeEntry, error) {
	var out []treeEntry
	seen := map[string]bool{}
	for len(data) > 0 {
		sp := bytes.IndexByte(data, ' ')
		nul := bytes.IndexByte(data, 0)
		if sp < 0 || nul < sp || len(data) < nul+1+hashLen {
			return nil, fmt.Errorf("%s: a malformed git tree object", shownRel(dir))
		}
		mode, name := string(data[:sp]), string(data[sp+1:nul])
		oid := hex.EncodeToString(data[nul+1 : nul+1+hashLen])
		data = data[nul+1+hashLen:]
		rel := name
		if dir != "" {
			rel = dir + "/" + name
		}
		if why := checkTreeName(name); why != "" {
			return nil, fmt.Errorf("%s: a tree entry %q %s, which git would not check out: the revision was crafted, nothing was written outside its temporary directory", shownRel(dir), name, why)
		}
		if seen[name] {
			return nil, fmt.Errorf("%s: two tree entries are called %q, which git would not check out: the revision was crafted", shownRel(dir), name)
		}
		seen[name] = true
		// A file of any permission bits (old gits wrote 100664 and the like), a directory, a
		// link or a submodule; nothing else names a thing a checkout makes.
		switch {
		case mode == "40000", mode == "120000", mode == "160000":
		case len(mode) == 6 && strings.HasPrefix(mode, "100"):
		default:
			return nil, fmt.Errorf("%s: tree entry mode %q is not one git writes", rel, mode)
		}
		out = append(out, treeEntry{mode: mode, oid: oid, rel: rel})
	}
	return out, nil
}

// checkTreeName says what is wrong with one tree entry's name, "" when nothing is.
func checkTreeName(name string) string {
	switch {
	case name == "":
		return "has an empty name"
	case name == "." || name == "..":
		return "is called " + name
	case strings.ContainsRune(name, '/'):
		return "holds a slash"
	case filepath.Separator != '/' && strings.ContainsRune(name, filepath.Separator):
		return "holds the file system's separator"
	}
	return ""
}

// nextObject reads one object of `git cat-file --batch` output: "<oid> <kind> <size>\n<data>\n".
func nextObject(r *bufio.Reader, oid, kind string) ([]byte, error) {
	head, err := r.ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("reading git cat-file: %w", err)
	}
	f := strings.Fields(head)
	if len(f) != 3 || f[0] != oid || f[1] != kind {
		return nil, fmt.Errorf("git cat-file answered %q for %s", strings.TrimSpace(head), oid)
	}
	n, err := strconv.Atoi(f[2])
	if err != nil || n < 0 {
		return nil, fmt.Errorf("git cat-file: bad size in %q", strings.TrimSpace(head))
	}
	data := make([]byte, n+1) // the data and its newline
	if _, err := io.ReadFull(r, data); err != nil {
		return nil, fmt.Errorf("reading git cat-file: %w", err)
	}
	return data[:n], nil
}

// writeEntry writes one file entry under root: a symbolic link (mode 120000; the loader then
// checks where it leads, as in a working tree) or a file. Both are created exclusively (a link
// is never written through), in a directory writeTree created itself.
func writeEntry(root string, e treeEntry, data []byte) error {
	p := filepath.Join(root, filepath.FromSlash(e.rel))
	if e.mode == "120000" {
		if err := os.Symlink(string(data), p); err != nil {
			return fmt.Errorf("%s: %w", e.rel, err)
		}
		return nil
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("%s: %w", e.rel, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", e.rel, err)
	}
	return f.Close()
}
