#!/usr/bin/env bash
# The shell part of the sailsync GitHub Action (action.yml at the repository root), kept in a
# file so that a Go test (action_test.go) runs it against the emulator with a fake gh.
#
# It runs one sailsync command with --output github (annotations in the log, the report in the
# step summary), keeps ONE pull-request comment up to date (found again by a hidden marker), with
# drift keeps ONE issue open while drift persists and closes it when in sync, and fails the step
# on errors and violations (exit 1) and on a crash, not on "there are changes" (exit 2 with
# sailsync's result file saying 2).
#
# Inputs come as SAILSYNC_* variables (see action.yml); gh reads GH_TOKEN.
set -uo pipefail

cmd=${SAILSYNC_COMMAND:-plan}
dir=${SAILSYNC_DIRECTORY:-.}
envname=${SAILSYNC_ENVIRONMENT:-}
bin=${SAILSYNC_BIN:-sailsync}
repo=${GITHUB_REPOSITORY:-}
pr=${SAILSYNC_PR:-}

case "$cmd" in
plan | drift | apply) ;;
*)
	echo "::error title=sailsync::command must be plan, drift or apply, not ${cmd//[$'\r\n%']/_}"
	exit 1
	;;
esac

# One marker per command, environment and directory: a repository with two tenants or two config
# directories gets one comment for each, never one per push. Only [A-Za-z0-9._/-] go into it, so
# it can be quoted into a jq string as it is.
key="$cmd ${envname:-default} $dir"
marker="<!-- sailsync-action: ${key//[^A-Za-z0-9._\/ -]/_} -->"

tmp=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/sailsync.XXXXXX")
report="$tmp/report.md"
body="$tmp/body.md"
: >"$report"

output() { # name value: a step output, when the runner asked for them
	if [ -n "${GITHUB_OUTPUT:-}" ]; then
		printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT" || echo "::warning title=sailsync::cannot write GITHUB_OUTPUT"
	fi
}

summary() { # file: append to the real step summary; a summary that cannot be written is a warning
	if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
		cat "$1" >>"$GITHUB_STEP_SUMMARY" 2>/dev/null || echo "::warning title=sailsync::cannot write the step summary (GITHUB_STEP_SUMMARY)"
	fi
}

# base-ref: a plan runs only when the pull request changed something under the directory.
if [ -n "${SAILSYNC_BASE_REF:-}" ] && [ "$cmd" = plan ]; then
	base=""
	for ref in "origin/$SAILSYNC_BASE_REF" "$SAILSYNC_BASE_REF"; do
		if git rev-parse --verify -q "$ref^{commit}" >/dev/null 2>&1; then
			base=$ref
			break
		fi
	done
	if [ -z "$base" ]; then
		echo "::warning title=sailsync::base ref $SAILSYNC_BASE_REF not found (check out with fetch-depth: 0); planning anyway"
	elif git diff --quiet "$base...HEAD" -- "$dir"; then
		printf '%s\n### sailsync %s\n\nNothing under `%s` changed since `%s`: no plan needed.\n' "$marker" "$cmd" "$dir" "$SAILSYNC_BASE_REF" >"$body"
		summary "$body"
		output exit-code 0
		output changes false
		output skipped true
		exit 0
	fi
fi

# fail MESSAGE: one ::error annotation (the message escaped as workflow-command data), exit 1.
fail() {
	local m=${1//'%'/%25}
	m=${m//$'\r'/%0D}
	echo "::error title=sailsync::${m//$'\n'/%0A}"
	output exit-code 1
	output changes false
	exit 1
}

args=("$cmd" "$dir" --output github)
if [ "$cmd" = apply ]; then
	args+=(--auto-approve)
	if [ "${SAILSYNC_VERIFY:-true}" = true ]; then
		args+=(--verify)
	fi
fi
# environment: the sailsync.yaml environment, as --env (sailsync checks it is declared).
if [ -n "$envname" ]; then
	args+=("--env=$envname")
fi
# flags: split as a shell splits words ('single', "double" quotes and backslashes), with
# nothing expanded or run: xargs only splits, and hands the words over NUL-separated. A quote
# left open is an error, not a guess (xargs has already printed the words before it).
extra=()
if [ -n "${SAILSYNC_FLAGS:-}" ]; then
	if ! printf '%s\n' "$SAILSYNC_FLAGS" | xargs -r printf '%s\0' >"$tmp/flags" 2>"$tmp/flags.err"; then
		fail "flags: $(head -n 1 "$tmp/flags.err"): $SAILSYNC_FLAGS"
	fi
	while IFS= read -r -d '' word; do
		extra+=("$word")
	done <"$tmp/flags"
fi

# The command writes its markdown report to the step summary; point it at a file of ours so the
# same report also becomes the comment or issue, from one run against the tenant.
# SAILSYNC_RESULT_FILE: sailsync writes its exit status there as the last thing it does. A Go
# runtime crash (out of memory, stack overflow) exits 2 like "changes" but writes nothing, so
# a status the file does not confirm is a crash and fails the step.
result="$tmp/result"
# The log (both streams: the runner reads annotations from either) is also kept, so that a
# failure sailsync did not annotate itself (a flag it does not know) still becomes an ::error.
log="$tmp/log"
GITHUB_STEP_SUMMARY="$report" SAILSYNC_RESULT_FILE="$result" "$bin" "${args[@]}" ${extra[@]+"${extra[@]}"} 2>&1 | tee "$log"
code=${PIPESTATUS[0]}
crashed=false
if [ "$code" -eq 0 ] || [ "$code" -eq 2 ]; then
	if [ "$(cat "$result" 2>/dev/null)" != "$code" ]; then
		echo "::error title=sailsync::sailsync $cmd ended with exit status $code without finishing (it crashed: see the log above); failing the step"
		crashed=true
	fi
elif ! grep -q '^::error' "$log"; then
	# sailsync's own error line, else the shell's (a binary that is not there).
	why=$(grep -m 1 '^sailsync: ' "$log" || tail -n 1 "$log")
	why=${why//'%'/%25}
	echo "::error title=sailsync $cmd failed::exit status $code: ${why//$'\r'/%0D}"
fi

title="sailsync $cmd"
if [ -n "$envname" ]; then
	title="$title: $envname"
fi
{
	echo "$marker"
	echo "### $title"
	echo
	if [ "$crashed" = true ]; then
		echo "sailsync $cmd crashed (exit $code without its result): see the job log."
	elif [ -s "$report" ]; then
		cat "$report"
	else
		echo "sailsync $cmd failed (exit $code) before it had a report: see the job log."
	fi
	if [ -n "${GITHUB_RUN_ID:-}" ] && [ -n "$repo" ]; then
		echo
		echo "Full output: [the job's log](${GITHUB_SERVER_URL:-https://github.com}/$repo/actions/runs/$GITHUB_RUN_ID)."
	fi
} >"$body"
summary "$body"

if [ "$crashed" = true ]; then
	code=1
fi
changes=false
if [ "$code" -eq 2 ]; then
	changes=true
fi
output exit-code "$code"
output changes "$changes"
output report "$body"

# The identity of the token: only a comment or issue it wrote is ever edited, so that a pull
# request's author who posts the marker first, or an issue quoting a report, is never taken
# over. GET /user answers for a personal token; the Actions token (and an app's) cannot read it,
# and the Actions token writes as github-actions[bot]. SAILSYNC_TOKEN_LOGIN (the action's input
# token-login) names an app's bot for its installation token.
login=""
if { [ "${SAILSYNC_COMMENT:-true}" = true ] && [ -n "$pr" ]; } || { [ "${SAILSYNC_DRIFT_ISSUE:-false}" = true ] && [ "$cmd" = drift ]; }; then
	login=${SAILSYNC_TOKEN_LOGIN:-}
	if [ -z "$login" ]; then
		login=$(gh api user --jq .login 2>/dev/null) || login=""
	fi
	login=${login:-github-actions[bot]}
	# Only a GitHub login goes into the jq program below.
	if ! [[ $login =~ ^[A-Za-z0-9-]+(\[bot\])?$ ]]; then
		echo "::warning title=sailsync::token-login is not a GitHub login; no comment or issue is written"
		login=""
	fi
fi

# first_match LIST_PATH FIELD: the FIELD (id or number) of the first item the token's identity
# wrote whose body has the marker; the issue list also holds pull requests, which are skipped.
first_match() {
	gh api --paginate "$1" --jq ".[] | select(.user.login == \"$login\" and (has(\"pull_request\") | not) and (.body // \"\" | contains(\"$marker\"))) | .$2" | head -n 1
}

if [ "${SAILSYNC_COMMENT:-true}" = true ] && [ -n "$pr" ] && [ -n "$repo" ] && [ -n "$login" ]; then
	id=$(first_match "repos/$repo/issues/$pr/comments?per_page=100" id) || id=""
	if [ -n "$id" ]; then
		gh api -X PATCH "repos/$repo/issues/comments/$id" -F "body=@$body" >/dev/null ||
			echo "::warning title=sailsync::could not update the pull-request comment"
	else
		gh api -X POST "repos/$repo/issues/$pr/comments" -F "body=@$body" >/dev/null ||
			echo "::warning title=sailsync::could not comment on the pull request"
	fi
fi

if [ "${SAILSYNC_DRIFT_ISSUE:-false}" = true ] && [ "$cmd" = drift ] && [ -n "$repo" ] && [ -n "$login" ] && [ "$code" -ne 1 ]; then
	number=$(first_match "repos/$repo/issues?state=open&per_page=100" number) || number=""
	if [ "$code" -eq 2 ] && [ -n "$number" ]; then
		gh api -X PATCH "repos/$repo/issues/$number" -F "body=@$body" >/dev/null ||
			echo "::warning title=sailsync::could not update drift issue #$number"
	elif [ "$code" -eq 2 ]; then
		gh api -X POST "repos/$repo/issues" -f "title=$title: the tenant has drifted" -F "body=@$body" >/dev/null ||
			echo "::warning title=sailsync::could not open a drift issue"
	elif [ -n "$number" ]; then
		gh api -X POST "repos/$repo/issues/$number/comments" -f "body=In sync again: sailsync drift found no drift." >/dev/null &&
			gh api -X PATCH "repos/$repo/issues/$number" -f state=closed >/dev/null ||
			echo "::warning title=sailsync::could not close drift issue #$number"
	fi
fi

if [ "$code" -ne 0 ] && [ "$code" -ne 2 ]; then
	exit "$code"
fi
exit 0
