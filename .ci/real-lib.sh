# Shared by the real-mode scripts (sourced): the binary, a scratch directory, the processes
# started (stopped by PID, with the directory, on exit), redis-cli and bounded waits.
# A script may define `on_timeout` to show its logs when a wait times out.
set -euo pipefail
BIN=$(readlink -f "${1:-target/debug/sentinel-sim-sentinel}")
WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
cli() { redis-cli -p "$1" "${@:2}" 2>/dev/null; }
wait_for() { # seconds, description, command...
    local secs=$1 what=$2; shift 2
    for _ in $(seq 1 $((secs * 10))); do if "$@" >/dev/null 2>&1; then return 0; fi; sleep 0.1; done
    echo "TIMEOUT after ${secs}s: $what"
    if declare -F on_timeout >/dev/null; then on_timeout; fi
    exit 1
}
