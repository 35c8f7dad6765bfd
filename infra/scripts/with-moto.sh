#!/usr/bin/env bash
# Run a command with a private moto_server (AWS stand-in) on a free 127.0.0.1 port.
#
#   infra/scripts/with-moto.sh cargo nextest run --workspace
#
# Exports STATX_MOTO_URL=http://127.0.0.1:<port>, AWS_ENDPOINT_URL (the same URL, so an SDK
# client built from the default config can only reach moto), dummy credentials and
# AWS_REGION=us-east-1. The server is always stopped afterwards, and the command's exit code
# is this script's exit code. moto_server comes from $MOTO_SERVER, else .venv/bin/moto_server
# (`make venv`), else PATH. Its log is printed if it fails to start, and is kept in
# $STATX_MOTO_LOG (default: a temp file) when the command fails.
set -euo pipefail

if [[ $# -eq 0 ]]; then
  echo "usage: $0 <command> [args...]" >&2
  exit 64
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
moto="${MOTO_SERVER:-}"
if [[ -z "$moto" ]]; then
  if [[ -x "$root/.venv/bin/moto_server" ]]; then
    moto="$root/.venv/bin/moto_server"
  else
    moto="$(command -v moto_server || true)"
  fi
fi
if [[ -z "$moto" || ! -x "$moto" ]]; then
  echo "with-moto: moto_server not found (run 'make venv' or set MOTO_SERVER)" >&2
  exit 127
fi
# The venv's python answers the port and readiness questions (no curl needed).
py="$(dirname "$moto")/python3"
[[ -x "$py" ]] || py="$(command -v python3)"

log="${STATX_MOTO_LOG:-$(mktemp "${TMPDIR:-/tmp}/statx-moto.XXXXXX")}"
pid=""
child=""

stop_moto() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  pid=""
}

on_exit() {
  local rc=$?
  stop_moto
  if [[ $rc -eq 0 && -z "${STATX_MOTO_LOG:-}" ]]; then
    rm -f "$log"
  elif [[ -s "$log" ]]; then
    echo "with-moto: moto_server log kept at $log" >&2
  fi
  exit "$rc"
}
# On INT/TERM: pass the signal to the command (if running), then the EXIT trap stops moto.
forward() {
  if [[ -n "$child" ]]; then
    kill "-$1" "$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
  exit "$2"
}
trap on_exit EXIT
trap 'forward INT 130' INT
trap 'forward TERM 143' TERM

free_port() {
  "$py" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

answers() {
  "$py" -c 'import sys, urllib.request
urllib.request.urlopen(sys.argv[1] + "/moto-api/", timeout=1).read()' "$1" 2>/dev/null
}

# Between picking the port and moto binding it another process could take it: retry.
url=""
for attempt in 1 2 3; do
  port="$(free_port)"
  "$moto" -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do # up to ~30 s; moto is usually ready in ~1 s
    if ! kill -0 "$pid" 2>/dev/null; then
      break
    fi
    if answers "http://127.0.0.1:$port"; then
      url="http://127.0.0.1:$port"
      break
    fi
    sleep 0.1
  done
  [[ -n "$url" ]] && break
  echo "with-moto: moto_server did not come up on port $port (attempt $attempt)" >&2
  stop_moto
done
if [[ -z "$url" ]]; then
  echo "with-moto: giving up; moto_server log:" >&2
  tail -n 50 "$log" >&2 || true
  exit 1
fi

export STATX_MOTO_URL="$url"
export AWS_ENDPOINT_URL="$url"
export AWS_ACCESS_KEY_ID=testing
export AWS_SECRET_ACCESS_KEY=testing
export AWS_REGION=us-east-1
export AWS_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true
unset AWS_SESSION_TOKEN AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SECURITY_TOKEN
echo "with-moto: moto_server pid $pid at $url" >&2

# Run the command in the background and wait for it, so a signal to this script is handled
# at once (bash delays traps until a foreground command ends). fd 3 keeps our stdin for it.
exec 3<&0
"$@" <&3 3<&- &
child=$!
set +e
wait "$child"
rc=$?
set -e
child=""
exit "$rc"
