//! Looking for failures over many runs: `sweep` (many seeds of many scenarios on every core, with
//! aggregates), `fuzz` (proptest-generated clusters and fault sequences, shrunk to a scenario file),
//! `bench` (speed and memory) and `mutants` (planted bugs through the sweep and the fuzzer).

pub mod bench;
pub mod explore;
pub mod floor;
pub mod fuzz;
pub mod mutants;
pub mod sweep;
