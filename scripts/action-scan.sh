#!/usr/bin/env bash
# The scan step of the GitHub Action (action.yml), kept in a script so that
# it runs the same way on a laptop: crates/cli/tests/action.rs runs it
# against the embedded lab on loopback.
#
# Inputs, from the environment:
#   TRESPASS_CONFIG     the config file in the user's repository (required)
#   TRESPASS_FAIL_ON    severity that fails the job (default: high)
#   TRESPASS_BASELINE   an earlier JSON report; with it only new findings
#                       fail the job (optional)
#   TRESPASS_OUTPUT     folder for the reports (default: trespass-reports)
#   TRESPASS_BIN        the trespass binary (default: trespass on PATH)
#   GITHUB_STEP_SUMMARY file the Markdown report is appended to (optional)
#   GITHUB_OUTPUT       file the step's outputs are appended to (optional)
#
# Writes trespass-report.{json,sarif,xml,md} into the output folder and
# exits with trespass's exit code (0 clean, 1 findings, 2 input, 3 target).
set -uo pipefail

config="${TRESPASS_CONFIG:?set TRESPASS_CONFIG to the trespass config file}"
fail_on="${TRESPASS_FAIL_ON:-high}"
output="${TRESPASS_OUTPUT:-trespass-reports}"
bin="${TRESPASS_BIN:-trespass}"

args=(scan --config "$config" --fail-on "$fail_on" --no-history
      --format json --format sarif --format junit --format markdown --output "$output")
if [[ -n "${TRESPASS_BASELINE:-}" ]]; then
    args+=(--baseline "$TRESPASS_BASELINE" --fail-on-new)
fi

"$bin" "${args[@]}"
code=$?

if [[ -n "${GITHUB_STEP_SUMMARY:-}" && -f "$output/trespass-report.md" ]]; then
    cat "$output/trespass-report.md" >> "$GITHUB_STEP_SUMMARY"
fi
if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
    {
        echo "exit-code=$code"
        echo "sarif=$output/trespass-report.sarif"
        echo "report=$output/trespass-report.json"
    } >> "$GITHUB_OUTPUT"
fi
exit "$code"
