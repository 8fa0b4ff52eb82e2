# sentinel-sim everyday commands. Without `just`, the cargo aliases in .cargo/config.toml do the
# same: `cargo sim <scenario>`, `cargo simtest`.

set shell := ["bash", "-euo", "pipefail", "-c"]

sim_flags := "--config \"build.rustflags=['--cfg','madsim']\""

default:
    @just --list

# Play a scenario: just sim scenarios/split_brain.toml [--seed N] [--check-determinism] [-v]
sim *ARGS:
    cargo sim {{ARGS}}

# Validate a scenario file without playing it
check-scenario FILE:
    cargo sim-cli check {{FILE}}

# All tests: plain build (real tokio), simulation build, and the simulation build with planted bugs
test: test-std sim-test sim-test-mutants

# Unit and integration tests on plain tokio (no simulator)
test-std:
    cargo test --workspace

# Simulation tests (madsim); SIM_SEEDS=N seeds per scenario (default 10)
sim-test:
    cargo simtest

# The planted-bug test (one mutant caught, the real Sentinel clean), in its own build (target/sim-mutants)
sim-test-mutants:
    cargo simtest-mutants

# Formatting and lints, in the three builds (plain, simulation, simulation with planted bugs)
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings
    cargo {{sim_flags}} clippy --workspace --all-targets --release --target-dir target/sim -- -D warnings
    cargo {{sim_flags}} clippy --workspace --all-targets --release --target-dir target/sim-mutants --features sim/mutants -- -D warnings

# Every bundled scenario over seeds 1..N (default 50) on every core, seeds 1, 51, 101... each
# played twice and compared byte for byte; per-scenario rates and time percentiles, results in
# sim-results/sweep/, a replay command for each failing seed (more: sentinel-sim sweep --help)
seeds N="50":
    cargo sim-cli sweep --seeds 1..{{N}}

# Sweep seeds over scenarios on every core: just sweep [scenarios...] --seeds 1..1000 [--shard K/N]
sweep *ARGS:
    cargo sim-cli sweep {{ARGS}}

# proptest fuzzing of fault sequences; a failure is shrunk and written as a replayable scenario
fuzz *ARGS:
    cargo sim-cli fuzz {{ARGS}}

# What if: every combination of varied settings over seeds, as a table, CSV, JSON and plots:
# just explore scenarios/split_brain.toml --vary down_after=1s,3s,10s --vary min_replicas_to_write=0,1 --seeds 1..20
explore *ARGS:
    cargo sim-cli explore {{ARGS}}

# A scenario skeleton from real config files: just from-config --sentinel s.conf --redis r.conf [-o FILE]
from-config *ARGS:
    cargo sim-cli scenario from-config {{ARGS}}

# Speed: simulated-seconds per wall-second, seeds per second on all cores, peak memory per run
bench *ARGS:
    cargo sim-cli bench {{ARGS}}

# Real mode: our Sentinels against real redis-server 7.0 on loopback (needs redis-server, redis-cli)
real-test:
    cargo build -p sentinel --bin sentinel-sim-sentinel
    bash .ci/real-redis.sh target/debug/sentinel-sim-sentinel
    bash .ci/fd-budget.sh target/debug/sentinel-sim-sentinel

# Redis 7.0.15's own Sentinel test suite against our Sentinel (fetches the Redis source with
# apt-get source at run time; needs root or sudo for apt): just upstream-sentinel [--single FILE]
upstream-sentinel *ARGS:
    cargo build --release -p sentinel --bin sentinel-sim-sentinel
    bash .ci/upstream-sentinel.sh target/release/sentinel-sim-sentinel {{ARGS}}

# A scenario on real processes, each in a network namespace of its own (as root):
# just real scenarios/master_kill.toml [--sentinel redis|ours] [--runs N]
real *ARGS:
    cargo build --release -p sim --bin sentinel-sim
    cargo build --release -p sentinel --bin sentinel-sim-sentinel
    target/release/sentinel-sim real {{ARGS}}

# The simulator (seeds 1..M) against real processes (N runs), side by side, with a verdict; as root:
# just diff scenarios/master_kill.toml [--runs 3] [--seeds 20] [--sentinel redis|ours]
diff *ARGS:
    cargo {{sim_flags}} build --release --target-dir target/sim -p sim --bin sentinel-sim
    cargo build --release -p sim --bin sentinel-sim
    cargo build --release -p sentinel --bin sentinel-sim-sentinel
    target/release/sentinel-sim diff {{ARGS}}

# What CI runs of `diff`: three scenarios with redis-sentinel, master_kill with ours (~9 min, root)
diff-ci:
    cargo {{sim_flags}} build --release --target-dir target/sim -p sim --bin sentinel-sim
    cargo build --release -p sim --bin sentinel-sim
    cargo build --release -p sentinel --bin sentinel-sim-sentinel
    bash .ci/diff.sh target/release/sentinel-sim target/sim/release/sentinel-sim

# Planted bugs through the sweep and the fuzzer, built in target/sim-mutants:
# just mutants [--seeds 1..20] [--fuzz-cases 200] [--mutant NAME ...] [--require-all] [--list]
mutants *ARGS:
    cargo sim-mutants {{ARGS}}

# What CI runs
ci: lint test (seeds "20")
