#!/usr/bin/env bash
# Extension tests in a real VS Code, offline (npm registry + Debian apt only), Node 20:
#   1. the Mocha suite (test/integration) inside code-server's real Node extension host, and
#   2. a UI check in Debian's Chromium through playwright-core against the installed VSIX,
# then one closing line `N passed, N failed`. Machines that can download VS Code can also run the same
# suite with @vscode/test-electron: `node out/test/integration/runTest.js` after `node scripts/build-tests.mjs`.
# code-server (~280 MB) lives in test/vscode-host/, installed here, never by the project's `npm ci`.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd); cd "$ROOT"
PORT=${PORT:-$((18100 + RANDOM % 800))}
V=$ROOT/.vsci
HOST=$ROOT/test/vscode-host
export XDG_CONFIG_HOME=$V/xdg/config XDG_DATA_HOME=$V/xdg/data XDG_CACHE_HOME=$V/xdg/cache TMPDIR=$V/tmp
mkdir -p "$TMPDIR" "$V/shots"
t() { echo "[test:vscode $(date +%T)] $*"; }
die() { echo "[test:vscode] $*"; echo "0 passed, 1 failed"; exit 1; }
T0=$(date +%s)

t "1/6 Debian packages (chromium, libkrb5-dev, ripgrep)"
if ! { command -v chromium >/dev/null && dpkg -s libkrb5-dev >/dev/null 2>&1 && command -v rg >/dev/null; }; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium libkrb5-dev ripgrep >/dev/null) || die "apt-get install failed"
fi

t "2/6 code-server 4.100.3 + playwright-core (test/vscode-host)"
if [ ! -e "$HOST/node_modules/code-server/lib/vscode/node_modules.asar" ] || [ ! -d "$HOST/node_modules/playwright-core" ]; then
  # @vscode/ripgrep's postinstall downloads rg from GitHub: seed its cache with Debian's rg.
  mkdir -p "$TMPDIR/vscode-ripgrep-cache-1.15.11"
  tar czf "$TMPDIR/vscode-ripgrep-cache-1.15.11/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C /usr/bin rg
  # unsafe_perm: code-server's postinstall refuses root without it; yes: node-pty runs `npx node-gyp`;
  # npm 11 skips dependency install scripts unless allowed, and code-server's postinstall runs a nested
  # `npm install` (native modules) that only this setting reaches.
  (cd "$HOST" && npm_config_unsafe_perm=true npm_config_yes=true npm_config_dangerously_allow_all_scripts=true \
    npm ci --no-audit --no-fund --loglevel=error) > "$V/host-install.log" 2>&1 || { tail -30 "$V/host-install.log"; die "code-server install failed"; }
fi
CS=$HOST/node_modules/.bin/code-server

t "3/6 build, test bundle, VSIX"
[ -d node_modules/esbuild ] || npm ci --no-audit --no-fund >/dev/null || die "npm ci failed"
node scripts/build.mjs && node scripts/build-tests.mjs || die "build failed"
node scripts/package-vsix.mjs "$V/loopwise.vsix" > "$V/vsce.log" 2>&1 || { cat "$V/vsce.log"; die "vsce package failed"; }
ls -l "$V/loopwise.vsix" | awk '{printf "  VSIX %.0f KB\n", $5/1024}'

t "4/6 fresh user data, install the VSIX, start code-server on :$PORT"
# The test workspaces live outside this git work tree: .vsci/ is git-ignored, and the CLI (which the
# panel test runs for comparison) respects .gitignore like Ruff, so it would see no files there.
WS=${LOOPWISE_VSCI_WS:-/tmp/loopwise-vsci-$(printf %s "$ROOT" | md5sum | cut -c1-8)}
rm -rf "$V/ud" "$V/exts" "$WS" && mkdir -p "$V/ud/User" "$V/exts" "$WS"
cp -r test/integration/workspace "$WS/ws-int" && cp -r test/integration/workspace "$WS/ws-ui"
# A multi-root workspace for the UI check: the fixture project and a clean one.
mkdir -p "$WS/ws-multi/clean/app" && cp -r test/integration/workspace "$WS/ws-multi/shop"
printf 'import asyncio\n\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/ok")\nasync def ok():\n    await asyncio.sleep(0.1)\n    return {"ok": True}\n' > "$WS/ws-multi/clean/app/clean.py"
echo '{"folders":[{"path":"shop"},{"path":"clean"}]}' > "$WS/ws-multi/multi.code-workspace"
echo '{"workbench.startupEditor":"none","telemetry.telemetryLevel":"off","extensions.autoUpdate":false,"extensions.autoCheckUpdates":false,"security.workspace.trust.enabled":false,"workbench.tips.enabled":false,"chat.disableAIFeatures":true,"git.enabled":false,"git.openRepositoryInParentFolders":"never"}' > "$V/ud/User/settings.json"
"$CS" --user-data-dir "$V/ud" --extensions-dir "$V/exts" --install-extension "$V/loopwise.vsix" > "$V/install-ext.log" 2>&1 || { cat "$V/install-ext.log"; die "VSIX install failed"; }
# The extension host inherits this environment: the suite writes its timings there; MOCHA_GREP filters tests.
LOOPWISE_TIMINGS=$V/timings.json LOOPWISE_PROFILE=$V/ext-host-typing.cpuprofile setsid "$CS" --bind-addr 127.0.0.1:$PORT --auth none --disable-telemetry --disable-update-check --disable-workspace-trust \
  --user-data-dir "$V/ud" --extensions-dir "$V/exts" > "$V/code-server.log" 2>&1 &
CSPID=$!
trap 'kill -- -$CSPID 2>/dev/null' EXIT   # the server and its extension-host / watcher children
for _ in $(seq 1 300); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.1; done
curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" || { tail -20 "$V/code-server.log"; die "code-server did not start"; }

t "5/6 Mocha suite in the real extension host"
INT_RC=0; UI_RC=0; : > "$V/integration.log"; : > "$V/ui.log"
if [ "${ONLY:-}" != ui ]; then
NODE_PATH=$HOST/node_modules node test/e2e/run-ext-tests.js "$PORT" "$ROOT" "$ROOT/out/test/integration/index.js" "$WS/ws-int" 2>&1 | tee "$V/integration.log"
INT_RC=${PIPESTATUS[0]}
fi

t "6/6 UI check in Chromium (screenshots in .vsci/shots)"
if [ "${ONLY:-}" != integration ]; then
NODE_PATH=$HOST/node_modules SHOTS=$V/shots MULTI_ROOT=$WS/ws-multi/multi.code-workspace node test/e2e/ui.js "$PORT" "$WS/ws-ui" 2>&1 | tee "$V/ui.log"
UI_RC=${PIPESTATUS[0]}
fi
if [ -n "${LOOPWISE_SCREENSHOTS:-}" ]; then mkdir -p "$LOOPWISE_SCREENSHOTS" && cp "$V"/shots/[0-9]-*.png "$LOOPWISE_SCREENSHOTS"/; fi

count() { grep -Eo '^(UI: )?[0-9]+ passed, [0-9]+ failed' "$1" | tail -1 | grep -Eo '[0-9]+ passed, [0-9]+ failed'; }
P=0; F=0
for log in "$V/integration.log" "$V/ui.log"; do
  [ -s "$log" ] || continue
  c=$(count "$log"); if [ -z "$c" ]; then F=$((F + 1)); continue; fi
  P=$((P + $(echo "$c" | awk '{print $1}'))); F=$((F + $(echo "$c" | awk '{print $3}')))
done
[ "$INT_RC" -ne 0 ] && [ "$F" -eq 0 ] && F=1
[ "$UI_RC" -ne 0 ] && [ "$F" -eq 0 ] && F=1
t "done in $(( $(date +%s) - T0 )) s"
echo "$P passed, $F failed"
[ "$F" -eq 0 ]
[ "$F" -eq 0 ]
