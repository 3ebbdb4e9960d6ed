#!/usr/bin/env bash
# The run step of action.yml (a composite GitHub Action): scans INPUT_PATH with the action's own
# Loopwise build, writes SARIF to INPUT_SARIF_FILE and annotations to the log, and sets the outputs
# `findings` and `exit-code`. It fails only on a usage or configuration error (exit 2): findings
# fail the job in a later step, after the SARIF upload, when `fail-on-findings` is true.
set -uo pipefail
action_dir="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}"
cli="$action_dir/dist/cli.js"
if [[ ! -f "$cli" ]]; then
  echo "::group::Build Loopwise"
  (cd "$action_dir" && npm ci --no-audit --no-fund && node scripts/build.mjs) || { echo "::error title=Loopwise::could not build the action"; exit 2; }
  echo "::endgroup::"
fi
sarif="${INPUT_SARIF_FILE:-loopwise.sarif}"
# INPUT_ARGS holds extra CLI options (`--select LW1 --ignore LW301`), INPUT_PATH space-separated paths.
read -r -a extra <<< "${INPUT_ARGS:-}"
read -r -a paths <<< "${INPUT_PATH:-.}"
node "$cli" scan --format sarif "${extra[@]}" "${paths[@]}" > "$sarif"
code=$?
if [[ $code -eq 2 ]]; then
  echo "::error title=Loopwise::loopwise scan failed (exit 2); see the message above"
  echo "exit-code=2" >> "${GITHUB_OUTPUT:-/dev/null}"
  exit 2
fi
# The same findings as annotations on the pull request's diff.
node "$cli" scan --format github --exit-zero "${extra[@]}" "${paths[@]}"
findings=$(node -e 'const s=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));console.log(s.runs.reduce((n,r)=>n+r.results.length,0))' "$sarif")
echo "Loopwise: $findings finding(s); SARIF written to $sarif"
{ echo "findings=$findings"; echo "exit-code=$code"; echo "sarif-file=$sarif"; } >> "${GITHUB_OUTPUT:-/dev/null}"
exit 0
