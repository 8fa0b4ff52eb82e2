#!/usr/bin/env bash
# Redis's own Sentinel test suite (tests/sentinel of Redis 7.0.15), run exactly as upstream runs
# it (`./runtest-sentinel`), with our Sentinel in place of `src/redis-sentinel` and the real
# `redis-server` 7.0.15 as the data nodes.
#
# The Redis source is fetched at run time from Debian's source package (the pristine upstream
# tarball, `redis_7.0.15.orig.tar.gz`) into target/upstream-sentinel/; nothing of it is committed.
#
#   bash .ci/upstream-sentinel.sh [path/to/sentinel-binary] [extra runtest-sentinel args...]
#
# Needs root (or sudo) for apt when redis-server / tclsh / the source are missing. Fails unless
# every case passes; REQUIRED_PASS overrides the number of cases that must pass (default: all 152).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bin=${1:-target/release/sentinel-sim-sentinel}
shift || true
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
work=$root/target/upstream-sentinel
version=7.0.15
expected_cases=152
required=${REQUIRED_PASS:-$expected_cases}

SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
apt_src_list=/etc/apt/sources.list.d/sentinel-sim-deb-src.sources
cleanup() { [ -e "$apt_src_list" ] && $SUDO rm -f "$apt_src_list"; true; }
trap cleanup EXIT

need_pkgs=()
command -v redis-server >/dev/null 2>&1 || need_pkgs+=(redis-server)
command -v tclsh8.6 >/dev/null 2>&1 || need_pkgs+=(tcl)
if [ ${#need_pkgs[@]} -gt 0 ]; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi
redis-server --version | grep -q "v=$version" || {
    echo "upstream-sentinel: redis-server is not $version: $(redis-server --version)" >&2
    exit 1
}
[ -x "$bin" ] || { echo "upstream-sentinel: no Sentinel binary at $bin (cargo build --release -p sentinel)" >&2; exit 1; }

# The source: Debian's source package of the installed redis, fetched with apt-get source.
mkdir -p "$work"
tarball=$work/redis_$version.orig.tar.gz
if [ ! -s "$tarball" ]; then
    # deb-src entries for the suites already configured (deb822 files and one-line lists).
    {
        for f in /etc/apt/sources.list.d/*.sources; do
            [ -e "$f" ] && [ "$f" != "$apt_src_list" ] && sed 's/^Types: deb$/Types: deb-src/' "$f" && echo
        done
        true
    } > /tmp/sentinel-sim-src.$$
    oneline=$(grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | sed 's/^deb /deb-src /' || true)
    if [ -n "$oneline" ]; then
        # One-line entries go into a .list next to the deb822 file.
        echo "$oneline" | $SUDO tee /etc/apt/sources.list.d/sentinel-sim-deb-src.list >/dev/null
        trap 'cleanup; $SUDO rm -f /etc/apt/sources.list.d/sentinel-sim-deb-src.list' EXIT
    fi
    $SUDO cp /tmp/sentinel-sim-src.$$ "$apt_src_list"; rm -f /tmp/sentinel-sim-src.$$
    $SUDO apt-get update -qq
    (cd "$work" && apt-get source --download-only -qq redis >/dev/null 2>&1 || $SUDO apt-get source --download-only -qq redis)
    [ -s "$tarball" ] || { echo "upstream-sentinel: apt-get source did not give redis_$version.orig.tar.gz" >&2; exit 1; }
fi
tree=$work/redis-$version
rm -rf "$tree"
tar -xzf "$tarball" -C "$work"
# Only what a command line needs is linked: the real data node and our Sentinel.
mkdir -p "$tree/src"
ln -sf "$(command -v redis-server)" "$tree/src/redis-server"
ln -sf "$bin" "$tree/src/redis-sentinel"

echo "upstream-sentinel: Redis $version tests/sentinel with $bin"
log=$work/runtest-sentinel.log
start=$(date +%s)
set +e
(cd "$tree" && ./runtest-sentinel "$@") 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
secs=$(( $(date +%s) - start ))
# Each case starts with "HH:MM:SS> <name>: " and ends with OK or FAILED (output of the instances
# may come in between); a unit that errors skips its remaining cases, which count as not passed.
read -r passed failed <<<"$(python3 - "$log" <<'PY'
import re, sys
text = re.sub(r"\x1b\[[0-9;]*m", "", open(sys.argv[1], errors="replace").read())
cases = re.split(r"(?m)^(?=\d\d:\d\d:\d\d> )", text)[1:]
ok = sum(1 for c in cases if "FAILED" not in c.split("Testing unit:")[0] and re.search(r"(?m)OK$", c.split("Testing unit:")[0]))
print(ok, len(cases) - ok)
PY
)"
echo
echo "upstream-sentinel: $passed of $expected_cases cases passed ($failed started and failed), runtest-sentinel exit $rc, ${secs}s"
sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E 'FAILED|Testing unit|WARNING|Crash report' | grep -B1 -E 'FAILED|WARNING|Crash' || true
if [ "$rc" -ne 0 ] && [ "$required" -ge "$expected_cases" ]; then
    exit 1
fi
[ "$passed" -ge "$required" ]
