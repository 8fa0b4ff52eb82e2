# sentinel-sim everyday commands. Without `just`, the cargo aliases in .cargo/config.toml do the
# same: `cargo sim <scenario>`, `cargo simtest`.

set shell := ["bash", "-euo", "pipefail", "-c"]

sim_flags := "--config \"build.rustflags=['--cfg','madsim']\" --target-dir target/sim"

default:
    @just --list

# Play a scenario: just sim scenarios/split_brain.toml [--seed N] [--check-determinism] [-v]
sim *ARGS:
    cargo sim {{ARGS}}

# Validate a scenario file without playing it
check-scenario FILE:
    cargo sim-cli check {{FILE}}

# All tests: plain build (real tokio) and simulation build
test: test-std sim-test

# Unit and integration tests on plain tokio (no simulator)
test-std:
    cargo test --workspace

# Simulation tests (madsim); SIM_SEEDS=N seeds per scenario (default 10)
sim-test:
    cargo simtest

# Formatting and lints, in both builds
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings
    cargo {{sim_flags}} clippy --workspace --all-targets --release -- -D warnings

# Every bundled scenario over seeds 1..N (default 50), each checked for determinism on seed 1
seeds N="50":
    #!/usr/bin/env bash
    set -euo pipefail
    cargo {{sim_flags}} build --release -p sim --bin sentinel-sim
    bin=target/sim/release/sentinel-sim
    fail=0
    for f in scenarios/*.toml; do
        bad=""
        $bin run "$f" --seed 1 --check-determinism --no-json --color never > /dev/null || bad="$bad 1"
        for seed in $(seq 2 {{N}}); do
            $bin run "$f" --seed "$seed" --no-json --color never > /dev/null || bad="$bad $seed"
        done
        if [ -n "$bad" ]; then echo "FAIL $f seeds:$bad"; fail=1; else echo "ok   $f seeds 1..{{N}}"; fi
    done
    exit $fail

# What CI runs
ci: lint test (seeds "20")
