#!/usr/bin/env bash
# The README's test command: build, typecheck, lint, then the tap suite. It ends with the plain
# "N passed, N failed" line that CI reads (tap's own summary is not recognised there), and keeps
# tap's exit code.
set -u
cd "$(dirname "$0")/.." || exit 1

step() {
  if ! "$@"; then
    echo "setup step failed: $*"
    echo "0 passed, 1 failed"
    exit 1
  fi
}
step npm run --silent build
step npm run --silent typecheck
step npm run --silent lint

out=$(mktemp)
trap 'rm -f "$out"' EXIT
npx --no-install tap "$@" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
summary=$(grep -E '^# \{ total: ' "$out" | tail -n 1)
pass=$(sed -n 's/.*pass: \([0-9]*\).*/\1/p' <<<"$summary")
fail=$(sed -n 's/.*fail: \([0-9]*\).*/\1/p' <<<"$summary")
if [ "$rc" -ne 0 ] && [ "${fail:-0}" -eq 0 ]; then
  echo "tap exited $rc with no failing assertion (a timeout, a crash, or a coverage check)"
  fail=1
fi
echo "${pass:-0} passed, ${fail:-0} failed"
exit "$rc"
