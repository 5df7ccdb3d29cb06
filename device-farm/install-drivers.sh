#!/usr/bin/env bash
# Installs the Appium drivers a device host needs, from npm, into APPIUM_HOME
# (default: <repo>/.appium, git-ignored). Idempotent: a driver already installed at its pinned
# version is skipped, so a run with nothing to do takes well under a second.
#
#   device-farm/install-drivers.sh                         # chromium + uiautomator2 (Linux hosts)
#   APPIUM_DRIVERS="chromium xcuitest" device-farm/install-drivers.sh   # macOS host with iPhones
#
# xcuitest installs anywhere but only runs on macOS with Xcode (see device-farm/README.md).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export APPIUM_HOME="${APPIUM_HOME:-$repo/.appium}"
appium="$repo/node_modules/.bin/appium"
[ -x "$appium" ] || { echo "install-drivers: $appium missing; run npm ci first" >&2; exit 1; }

# driver name -> pinned npm package (bump deliberately; peer dependency appium ^3)
declare -A pins=(
  [chromium]=appium-chromium-driver@3.1.1
  [uiautomator2]=appium-uiautomator2-driver@8.7.0
  [xcuitest]=appium-xcuitest-driver@12.13.1
)
wanted="${APPIUM_DRIVERS:-chromium uiautomator2}"

# concurrent runs (parallel test files, two agents) wait for each other where flock exists (Linux)
mkdir -p "$APPIUM_HOME"
if command -v flock >/dev/null 2>&1; then exec 9>"$APPIUM_HOME/.install-drivers.lock"; flock 9; fi

installed_json="$("$appium" driver list --installed --json 2>/dev/null || echo '{}')"
installed_version() {
  node -e 'const j = JSON.parse(process.argv[1] || "{}"); process.stdout.write(j[process.argv[2]]?.version ?? "")' \
    "$installed_json" "$1"
}

for name in $wanted; do
  spec="${pins[$name]:-}"
  [ -n "$spec" ] || { echo "install-drivers: unknown driver \"$name\" (known: ${!pins[*]})" >&2; exit 1; }
  want="${spec##*@}"
  have="$(installed_version "$name")"
  if [ "$have" = "$want" ]; then
    echo "appium driver $name@$have already installed in $APPIUM_HOME"
    continue
  fi
  if [ -n "$have" ]; then
    echo "appium driver $name@$have installed, $want pinned: reinstalling"
    "$appium" driver uninstall "$name" >/dev/null
  fi
  echo "installing appium driver $name ($spec) into $APPIUM_HOME"
  "$appium" driver install --source=npm "$spec"
done
