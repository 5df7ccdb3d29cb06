#!/usr/bin/env bash
# Starts this host's Appium server in the background (pid and log under $APPIUM_HOME/run/) and waits
# until it answers /status. Binds 127.0.0.1 unless APPIUM_ADDRESS says otherwise.
#
#   device-farm/start-appium.sh                  # 127.0.0.1:4723
#   APPIUM_PORT=4724 device-farm/start-appium.sh # a second server on the same host
#   APPIUM_FOREGROUND=1 device-farm/start-appium.sh   # for systemd / supervisors: exec in the foreground
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export APPIUM_HOME="${APPIUM_HOME:-$repo/.appium}"
address="${APPIUM_ADDRESS:-127.0.0.1}"
port="${APPIUM_PORT:-4723}"
config="${APPIUM_CONFIG:-$repo/device-farm/appium.config.yaml}"
appium="$repo/node_modules/.bin/appium"
args=(--config "$config" --address "$address" --port "$port")

if [ "${APPIUM_FOREGROUND:-0}" = "1" ]; then exec "$appium" "${args[@]}"; fi

rundir="$APPIUM_HOME/run"
pidfile="$rundir/appium-$port.pid"
log="$rundir/appium-$port.log"
mkdir -p "$rundir"
if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
  echo "appium already running on $address:$port (pid $(cat "$pidfile"))"
  exit 0
fi
nohup "$appium" "${args[@]}" >>"$log" 2>&1 &
echo $! >"$pidfile"
for _ in $(seq 1 120); do
  if curl -fsS "http://$address:$port/status" >/dev/null 2>&1 || { [ "$address" = "0.0.0.0" ] && curl -fsS "http://127.0.0.1:$port/status" >/dev/null 2>&1; }; then
    echo "appium listening on http://$address:$port (pid $(cat "$pidfile"), log $log)"
    exit 0
  fi
  kill -0 "$(cat "$pidfile")" 2>/dev/null || { echo "appium exited; last log lines:" >&2; tail -n 20 "$log" >&2; rm -f "$pidfile"; exit 1; }
  sleep 0.25
done
echo "appium did not answer /status within 30 s; see $log" >&2
exit 1
