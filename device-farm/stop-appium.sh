#!/usr/bin/env bash
# Stops the Appium server start-appium.sh started on APPIUM_PORT (default 4723): SIGTERM, then
# SIGKILL after 10 s. Appium ends its sessions (and their chromedriver/browser processes) on SIGTERM.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export APPIUM_HOME="${APPIUM_HOME:-$repo/.appium}"
port="${APPIUM_PORT:-4723}"
pidfile="$APPIUM_HOME/run/appium-$port.pid"
if [ ! -f "$pidfile" ]; then echo "no appium started by start-appium.sh on port $port"; exit 0; fi
pid="$(cat "$pidfile")"
if kill -0 "$pid" 2>/dev/null; then
  kill -TERM "$pid"
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  if kill -0 "$pid" 2>/dev/null; then echo "appium (pid $pid) ignored SIGTERM; killing"; kill -KILL "$pid"; fi
  echo "appium on port $port stopped (pid $pid)"
else
  echo "appium on port $port was not running (stale pid $pid)"
fi
rm -f "$pidfile"
