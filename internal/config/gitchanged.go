package config

import (
	"fmt"
	"strings"
)

// The git reading of --changed-since: sailsync runs the git binary (gitRun, in gitbase.go; no
// git library), in the repository directory, and reads only what the scope needs.

// changedFile is one file whose content differs between the commit compared with and the
// work tree.
type changedFile struct {
	rel string // relative to the directory, slash-separated
	// wasLink is set when the commit had a symbolic link at rel: its blob is the link's text,
	// not the content the loader read through it.
	wasLink bool
}

// gitChangedFiles returns the files under dir whose content differs between the commit ref
// and the work tree: committed, staged or not, deleted, and new files git does not ignore. A
// rename is its two paths (--no-renames): the old one is deleted, the new one added.
func gitChangedFiles(dir, ref string) ([]changedFile, error) {
	if _, err := gitRun(dir, nil, "rev-parse", "--verify", "--quiet", "--end-of-options", ref+"^{commit}"); err != nil {
		return nil, fmt.Errorf("--changed-since %s: not a commit of the git repository at %s%s", ref, dir, shallowHint(dir))
	}
	diff, err := gitRun(dir, nil, "diff", "--raw", "--no-renames", "--relative", "-z", ref, "--", ".")
	if err != nil {
		return nil, fmt.Errorf("--changed-since %s: %w", ref, err)
	}
	untracked, err := gitRun(dir, nil, "ls-files", "--others", "--exclude-standard", "-z", "--", ".")
	if err != nil {
		return nil, fmt.Errorf("--changed-since %s: %w", ref, err)
	}
	seen := map[string]bool{}
	var out []changedFile
	add := func(f changedFile) {
		if f.rel != "" && !seen[f.rel] {
			seen[f.rel] = true
			out = append(out, f)
		}
	}
	// --raw -z: ":<old mode> <new mode> <old id> <new id> <status>" NUL "<path>" NUL, per file.
	fields := strings.Split(string(diff), "\x00")
	for i := 0; i+1 < len(fields); i += 2 {
		head, rel := fields[i], fields[i+1]
		if !strings.HasPrefix(head, ":") {
			return nil, fmt.Errorf("--changed-since %s: git diff --raw printed %q", ref, head)
		}
		add(changedFile{rel: rel, wasLink: strings.HasPrefix(head, ":120000 ")})
	}
	for _, p := range strings.Split(string(untracked), "\x00") {
		add(changedFile{rel: p})
	}
	return out, nil
}

// gitIgnoredFiles returns what git ignores under dir: files, and directories (ending in "/")
// it ignores whole, or holding a repository of their own. The loader reads such files all the
// same, and git's diff never shows them.
func gitIgnoredFiles(dir string) ([]string, error) {
	out, err := gitRun(dir, nil, "ls-files", "--others", "--ignored", "--exclude-standard", "--directory", "-z", "--", ".")
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, p := range strings.Split(string(out), "\x00") {
		if p != "" {
			paths = append(paths, p)
		}
	}
	return paths, nil
}

// gitHasFiles reports whether git knows any file under dir, in its index or in the commit
// ref: a directory it ignores or was never given has none.
func gitHasFiles(dir, ref string) (bool, error) {
	tracked, err := gitRun(dir, nil, "ls-files", "--cached", "-z", "--", ".")
	if err != nil || len(tracked) > 0 {
		return len(tracked) > 0, err
	}
	atRef, err := gitRun(dir, nil, "ls-tree", "-z", "--name-only", "--end-of-options", ref, "--", ".")
	return len(atRef) > 0, err
}

// gitShow returns the content of the file rel (relative to dir) at commit ref, and false when
// the commit has no such file.
func gitShow(dir, ref, rel string) ([]byte, bool) {
	b, err := gitRun(dir, nil, "show", ref+":./"+rel)
	if err != nil {
		return nil, false
	}
	return b, true
}
