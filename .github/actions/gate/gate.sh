#!/usr/bin/env bash
# The step of the edgeproof gate action (action.yml): install the CLI, run the gate, post the
# Markdown summary to $GITHUB_STEP_SUMMARY, set the outputs, exit with the verdict.
# Also runs outside Actions (the test does): GITHUB_STEP_SUMMARY / GITHUB_OUTPUT / RUNNER_TEMP optional.
set -uo pipefail

for name in URL TOKEN MODEL VERSION; do
  var="INPUT_$name"
  if [ -z "${!var:-}" ]; then echo "::error::edgeproof gate: input ${name,,} is required"; exit 4; fi
done
if { [ -n "${INPUT_POLICY:-}" ] && [ -n "${INPUT_POLICY_NAME:-}" ]; } || { [ -z "${INPUT_POLICY:-}" ] && [ -z "${INPUT_POLICY_NAME:-}" ]; }; then
  echo "::error::edgeproof gate: give exactly one of policy-name (a stored policy) or policy (a file)"
  exit 4
fi
[ -n "${GITHUB_ACTIONS:-}" ] && echo "::add-mask::$INPUT_TOKEN"

work="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/edgeproof-gate-$$"
mkdir -p "$work/cli"
echo "::group::install the edgeproof CLI (${INPUT_CLI:-@edgeproof/cli})"
if ! npm install --prefix "$work/cli" --no-audit --no-fund --loglevel=error "${INPUT_CLI:-@edgeproof/cli}"; then
  echo "::endgroup::"
  echo "::error::edgeproof gate: could not install ${INPUT_CLI:-@edgeproof/cli}"
  exit 4
fi
edgeproof="$work/cli/node_modules/.bin/edgeproof"
echo "edgeproof $("$edgeproof" --version)"
echo "::endgroup::"

junit="${INPUT_JUNIT:-edgeproof-junit.xml}"
markdown="${INPUT_MARKDOWN:-edgeproof-summary.md}"
args=(gate --model "$INPUT_MODEL" --version "$INPUT_VERSION" --wait --timeout "${INPUT_TIMEOUT:-30m}" --junit "$junit" --markdown "$markdown")
[ -n "${INPUT_FILE:-}" ] && args+=(--file "$INPUT_FILE")
[ -n "${INPUT_POLICY_NAME:-}" ] && args+=(--policy-name "$INPUT_POLICY_NAME")
[ -n "${INPUT_POLICY:-}" ] && args+=(--policy "$INPUT_POLICY")
[ -n "${INPUT_BASELINE:-}" ] && args+=(--baseline "$INPUT_BASELINE")

EDGEPROOF_URL="$INPUT_URL" EDGEPROOF_TOKEN="$INPUT_TOKEN" "$edgeproof" "${args[@]}" 2> >(tee "$work/stderr.log" >&2)
code=$?
wait  # for tee

case $code in
  0) verdict=pass ;; 1) verdict=fail ;; 2) verdict=inconclusive ;; 3) verdict=timeout ;; *) verdict=error ;;
esac
gate_id=$(grep -oE '(started|reusing) gate [0-9a-f-]{36}' "$work/stderr.log" | head -n1 | awk '{print $3}')

if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  if [ -f "$markdown" ]; then
    cat "$markdown" >> "$GITHUB_STEP_SUMMARY"
  else
    printf '### edgeproof gate: %s\n\n```\n%s\n```\n' "$verdict" "$(tail -n 20 "$work/stderr.log")" >> "$GITHUB_STEP_SUMMARY"
  fi
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  {
    echo "verdict=$verdict"
    echo "exit-code=$code"
    echo "gate-id=$gate_id"
    echo "junit=$junit"
    echo "markdown=$markdown"
  } >> "$GITHUB_OUTPUT"
fi
rm -rf "$work"

if [ "$code" -eq 2 ] && [ "${INPUT_FAIL_ON_INCONCLUSIVE:-true}" = "false" ]; then
  echo "::warning::edgeproof gate: inconclusive (fail-on-inconclusive is false)"
  exit 0
fi
exit "$code"
