#!/usr/bin/env bash
# CI: the simulator against real processes (`sentinel-sim diff`): master_kill, pause_master and
# split_brain with real redis-sentinel 7.0, and master_kill with our Sentinel. Every diff is played
# (so one CI run shows all of them); fails if any of them says DISAGREE or cannot be played.
# Two groups run side by side (each real run lives in namespaces of its own, and its processes
# mostly sleep): split_brain (3 x 100 s) beside master_kill (2 + 1 x 60 s) then pause_master
# (3 x 70 s); a fresh-clone CI run here took 8.7 minutes of wall time (simulator seeds included).
# pause_master's and split_brain's +sdown depend on where the fault falls in each Sentinel's 1 s
# PING period (3.0-4.0 s over simulator seeds); the diff's tolerance includes the sampling error of
# a median of 3 real runs, estimated from the simulator's spread (README, "Tolerances").
# Usage: .ci/diff.sh PLAIN_SENTINEL_SIM SIM_SENTINEL_SIM
set -uo pipefail
cd "$(dirname "$0")/.."
plain=${1:?the plain build of sentinel-sim}
simbin=${2:?the simulator build of sentinel-sim}
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
# play NAME ARGS...: one diff, its output in $logs/NAME.log, its verdict in $logs/NAME.rc.
play() {
    local name=$1; shift
    { echo "--- diff $*"; $SUDO "$plain" diff --sim-bin "$simbin" --seeds 50 "$@"; } >"$logs/$name.log" 2>&1
    echo $? >"$logs/$name.rc"
}
play split_brain scenarios/split_brain.toml --runs 3 --sentinel redis &
group_a=$!
play master_kill scenarios/master_kill.toml --runs 2 --sentinel redis
play master_kill_ours scenarios/master_kill.toml --runs 1 --sentinel ours
play pause_master scenarios/pause_master.toml --runs 3 --sentinel redis
wait "$group_a"
failed=()
for name in master_kill master_kill_ours pause_master split_brain; do
    echo; cat "$logs/$name.log"
    [ "$(cat "$logs/$name.rc" 2>/dev/null)" = 0 ] || failed+=("$name")
done
if [ ${#failed[@]} -gt 0 ]; then
    echo; echo "diff: DISAGREE or error in:"; printf '  %s\n' "${failed[@]}"
    exit 1
fi
echo; echo "diff: the simulator and the real runs agree on every scenario"
