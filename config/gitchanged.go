package config

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// The git reading of --changed-since, kept in this one file: sailsync runs the git binary (no
// git library), in the repository directory, and reads only what the scope needs.

// gitRun runs git with args in dir and returns its standard output.
func gitRun(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			msg := strings.TrimSpace(stderr.String())
			if i := strings.IndexByte(msg, '\n'); i >= 0 {
				msg = msg[:i]
			}
			return nil, fmt.Errorf("git %s: %s", args[0], msg)
		}
		return nil, fmt.Errorf("git %s: %w", args[0], err)
	}
	return stdout.Bytes(), nil
}

// gitChangedFiles returns the files under dir (relative to it, slash-separated) whose content
// differs between the commit ref and the work tree: committed, staged or not, deleted, and new
// files git does not ignore.
func gitChangedFiles(dir, ref string) ([]string, error) {
	if _, err := gitRun(dir, "rev-parse", "--verify", "--quiet", "--end-of-options", ref+"^{commit}"); err != nil {
		return nil, fmt.Errorf("--changed-since %s: not a commit of the git repository at %s", ref, dir)
	}
	diff, err := gitRun(dir, "diff", "--name-only", "--no-renames", "--relative", "-z", ref, "--", ".")
	if err != nil {
		return nil, fmt.Errorf("--changed-since %s: %w", ref, err)
	}
	untracked, err := gitRun(dir, "ls-files", "--others", "--exclude-standard", "-z", "--", ".")
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
	b, err := gitRun(dir, "show", ref+":./"+rel)
	if err != nil {
		return nil, false
	}
	return b, true
}
