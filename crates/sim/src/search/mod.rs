//! Looking for failures over many runs: `sweep` (many seeds of many scenarios on every core, with
//! aggregates), `fuzz` (proptest-generated clusters and fault sequences, shrunk to a scenario file)
//! and `bench` (speed and memory).

pub mod bench;
pub mod fuzz;
pub mod sweep;
