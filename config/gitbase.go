package config

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
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
		return "", "", fmt.Errorf("--base %s: no such revision in the git repository at %s", ref, strings.TrimSpace(string(top)))
	}
	commit = strings.TrimSpace(string(id))
	sub := strings.TrimSpace(string(prefix)) // "" at the top, else "a/b/"
	args := []string{"ls-tree", "-r", "-z", "--full-tree", commit}
	if sub != "" {
		args = append(args, "--", sub)
	}
	listing, err := gitRun(strings.TrimSpace(string(top)), nil, args...)
	if err != nil {
		return "", "", fmt.Errorf("--base %s: %w", ref, err)
	}
	type entry struct{ mode, oid, rel string }
	var entries []entry
	for _, rec := range bytes.Split(listing, []byte{0}) {
		meta, name, ok := strings.Cut(string(rec), "\t")
		if !ok {
			continue
		}
		f := strings.Fields(meta) // mode type oid
		if len(f) != 3 || f[1] != "blob" || !strings.HasPrefix(name, sub) {
			continue // submodules (commits) are not part of the repository's content
		}
		entries = append(entries, entry{mode: f[0], oid: f[2], rel: strings.TrimPrefix(name, sub)})
	}
	if len(entries) == 0 && sub != "" {
		return "", "", fmt.Errorf("--base %s: %s did not exist at %s", ref, dir, ref)
	}
	tmp, err = os.MkdirTemp("", "sailsync-base-")
	if err != nil {
		return "", "", fmt.Errorf("--base %s: %w", ref, err)
	}
	var ids bytes.Buffer
	for _, e := range entries {
		ids.WriteString(e.oid + "\n")
	}
	blobs, err := gitRun(strings.TrimSpace(string(top)), &ids, "cat-file", "--batch")
	if err != nil {
		return tmp, "", fmt.Errorf("--base %s: %w", ref, err)
	}
	r := bufio.NewReader(bytes.NewReader(blobs))
	for _, e := range entries {
		data, err := nextBlob(r, e.oid)
		if err != nil {
			return tmp, "", fmt.Errorf("--base %s: %s: %w", ref, e.rel, err)
		}
		if err := writeEntry(tmp, e.rel, e.mode, data); err != nil {
			return tmp, "", fmt.Errorf("--base %s: %w", ref, err)
		}
	}
	return tmp, commit, nil
}

// nextBlob reads one object of `git cat-file --batch` output: "<oid> blob <size>\n<data>\n".
func nextBlob(r *bufio.Reader, oid string) ([]byte, error) {
	head, err := r.ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("reading git cat-file: %w", err)
	}
	f := strings.Fields(head)
	if len(f) != 3 || f[0] != oid || f[1] != "blob" {
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

// writeEntry writes one tree entry under root: a symbolic link (mode 120000, the loader then
// checks where it leads) or a file. rel comes from git, slash-separated and never with "..".
func writeEntry(root, rel, mode string, data []byte) error {
	clean := path.Clean(rel)
	if clean == ".." || strings.HasPrefix(clean, "../") || path.IsAbs(clean) {
		return errors.New(rel + ": a path outside the tree")
	}
	p := filepath.Join(root, filepath.FromSlash(clean))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	if mode == "120000" {
		return os.Symlink(string(data), p)
	}
	return os.WriteFile(p, data, 0o644)
}
