package config

import (
	"fmt"
	"strings"
)

// The git reading of --changed-since: sailsync runs the git binary (gitRun, in gitbase.go; no
// git library), in the repository directory, and reads only what the scope needs.

// gitChangedFiles returns the files under dir (relative to it, slash-separated) whose content
// differs between the commit ref and the work tree: committed, staged or not, deleted, and new
// files git does not ignore.
func gitChangedFiles(dir, ref string) ([]string, error) {
	if _, err := gitRun(dir, nil, "rev-parse", "--verify", "--quiet", "--end-of-options", ref+"^{commit}"); err != nil {
		return nil, fmt.Errorf("--changed-since %s: not a commit of the git repository at %s%s", ref, dir, shallowHint(dir))
	}
	diff, err := gitRun(dir, nil, "diff", "--name-only", "--no-renames", "--relative", "-z", ref, "--", ".")
	if err != nil {
		return nil, fmt.Errorf("--changed-since %s: %w", ref, err)
	}
	untracked, err := gitRun(dir, nil, "ls-files", "--others", "--exclude-standard", "-z", "--", ".")
	if err != nil {
		return nil, fmt.Errorf("--changed-since %s: %w", ref, err)
	}
	seen := map[string]bool{}
	var out []string
	for _, b := range [][]byte{diff, untracked} {
		for _, p := range strings.Split(string(b), "\x00") {
			if p != "" && !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out, nil
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
