#!/usr/bin/env bash
# The cache key of the sailsync binary the action builds (action.yml): one binary per commit of
# the action. A ref that is a commit SHA (uses: owner/sailsync@<sha>) is the commit; a tag or a
# branch can move, so for one the key is a hash of every file of the action's checkout (the
# checkout the runner downloads has no .git to ask). Run in the action's directory; writes
# key=… to $GITHUB_OUTPUT (or stdout).
set -euo pipefail

ref=${ACTION_REF:-${GITHUB_ACTION_REF:-}}
if [[ $ref =~ ^[0-9a-f]{40}$ ]]; then
	id=$ref
else
	sum=(sha256sum)
	if ! command -v sha256sum >/dev/null; then
		sum=(shasum -a 256) # macOS
	fi
	# Names and contents both count (a renamed file builds another binary); NUL-separated
	# names survive any character a file name may hold.
	id=$(find . -type f ! -path ./.git ! -path './.git/*' -print0 | LC_ALL=C sort -z | xargs -0 -r "${sum[@]}" | "${sum[@]}")
	id=tree-${id%% *}
fi
key="sailsync-bin-${RUNNER_OS:-$(uname -s)}-${RUNNER_ARCH:-$(uname -m)}-$id"
if [ -n "${GITHUB_OUTPUT:-}" ]; then
	echo "key=$key" >>"$GITHUB_OUTPUT"
else
	echo "key=$key"
fi
