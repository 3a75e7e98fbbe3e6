#!/usr/bin/env bash
# Runs the real-editor end-to-end tests (test/e2e/**/*.e2e.test.ts) in code-server + chromium.
#
#   bash scripts/e2e/run.sh                 # setup (cached) + all e2e tests
#   bash scripts/e2e/run.sh test/e2e/smoke.e2e.test.ts   # only these files
#   COSTLENS_E2E=0 bash scripts/e2e/run.sh  # no setup; the tests report themselves as skipped
#
# Expects `npm run build` to have run (dist/). Environment:
#   COSTLENS_E2E_TIMEOUT  global limit in seconds for the test run (default 900)
#   COSTLENS_E2E_KEEP=1   keep each editor's temp folders (user data, logs) for debugging
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo_root"
log() { printf '[e2e-run] %s\n' "$*"; }

if [ "${COSTLENS_E2E:-1}" = 0 ]; then
  log "COSTLENS_E2E=0: skipping setup; the e2e tests will report themselves as skipped"
else
  bash scripts/e2e/setup.sh
  [ -f dist/extension.js ] || { log "ERROR: dist/extension.js is missing: run \`npm run build\` first"; exit 1; }
fi

# Node 20's test runner does not expand globs (Node 21+ does), so the files are listed here.
if [ "$#" -gt 0 ]; then
  files=("$@")
else
  mapfile -t files < <(find test/e2e -name '*.e2e.test.ts' -type f | sort)
fi
[ "${#files[@]}" -gt 0 ] || { log "ERROR: no test/e2e/**/*.e2e.test.ts files found"; exit 1; }

# Every process the tests start inherits this marker; leftovers of THIS run (only) are ended below,
# even when the run is interrupted or times out. Other runs on the same machine are not touched.
run_id="run-$$-$(date +%s%N)"
run_tmp="${TMPDIR:-/tmp}/costlens-e2e-$run_id" # the harness's temp folders (makeTempDir) for this run
run_pids() {
  local p
  for p in /proc/[0-9]*; do
    grep -q '^State:.*zombie' "$p/status" 2>/dev/null && continue # already dead, waiting to be reaped
    if grep -qzx "COSTLENS_E2E_RUN_ID=$run_id" "$p/environ" 2>/dev/null; then echo "${p#/proc/}"; fi
  done
}
sweep() {
  local leftovers
  mapfile -t leftovers < <(run_pids)
  if [ "${#leftovers[@]}" -gt 0 ]; then
    log "ending ${#leftovers[@]} leftover process(es) of this run:"
    ps -o pid=,args= -p "$(IFS=,; echo "${leftovers[*]}")" 2>/dev/null | cut -c1-160 | sed 's/^/[e2e-run]   /' || true
    kill -TERM "${leftovers[@]}" 2>/dev/null || true # lets the harness's exit hook end code-server's group
    sleep 2
    mapfile -t leftovers < <(run_pids)
    [ "${#leftovers[@]}" -eq 0 ] || kill -KILL "${leftovers[@]}" 2>/dev/null || true
  fi
  rm -rf "$run_tmp"
}
trap sweep EXIT

rm -rf test-results/e2e
timeout_s="${COSTLENS_E2E_TIMEOUT:-900}"
log "running ${#files[@]} file(s) with a ${timeout_s}s limit: ${files[*]}"
start=$(date +%s)
status=0
COSTLENS_E2E_RUN_ID="$run_id" timeout --kill-after=30 "$timeout_s" \
  node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}" </dev/null || status=$?
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
  log "ERROR: the e2e tests did not finish within ${timeout_s}s (COSTLENS_E2E_TIMEOUT) and were stopped"
fi
log "e2e tests took $(($(date +%s) - start))s (exit $status)"

if compgen -G 'test-results/e2e/*.png' >/dev/null; then
  log "screenshots in $repo_root/test-results/e2e/:"
  for f in test-results/e2e/*.png; do log "  $f"; done
else
  log "no screenshots were taken"
fi
exit "$status"
