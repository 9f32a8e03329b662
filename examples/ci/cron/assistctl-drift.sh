#!/usr/bin/env bash
# Nightly drift check for cron. Exits with assistctl's own codes: 0 in sync, 2 drift, 1 error.
#
# Silent when in sync, so cron mails (MAILTO) only when there is something to read: the
# drift report on stdout, or the error on stderr. Set ASSISTCTL_DRIFT_WEBHOOK to also post
# the report to a chat webhook (Slack-compatible JSON: {"text": "..."}).
#
# Run it from the checkout that holds the manifests (see crontab in this folder):
#   ASSISTCTL_MANIFESTS   manifest paths, default "assistants"
#   ASSISTCTL_API_KEY, ASSISTCTL_BASE_URL, ASSISTCTL_PROVIDER   as for any assistctl command
set -uo pipefail

manifests="${ASSISTCTL_MANIFESTS:-assistants}"
report="$(mktemp)"
trap 'rm -f "$report"' EXIT

# Word splitting of $manifests is wanted: it may name several paths.
# shellcheck disable=SC2086
assistctl -q drift --format text --out "$report" $manifests
code=$?

if [ "$code" -eq 2 ]; then
    cat "$report"
    if [ -n "${ASSISTCTL_DRIFT_WEBHOOK:-}" ]; then
        python3 -c 'import json, sys; print(json.dumps({"text": "```\n" + sys.stdin.read() + "```"}))' \
            < "$report" \
            | curl -fsS -X POST -H 'Content-Type: application/json' --data-binary @- \
                "$ASSISTCTL_DRIFT_WEBHOOK" > /dev/null \
            || echo "assistctl-drift: could not post the report to ASSISTCTL_DRIFT_WEBHOOK" >&2
    fi
elif [ "$code" -ne 0 ]; then
    echo "assistctl-drift: the drift check failed (exit $code); the error is above." >&2
fi
exit "$code"
