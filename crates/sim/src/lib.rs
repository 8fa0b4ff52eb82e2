//! sentinel-sim: scenarios, the run's trace, invariants, expectations and reports.

pub mod checks;
#[cfg(not(madsim))]
pub mod diff;
pub mod duration;
pub mod plan;
#[cfg(not(madsim))]
pub mod real;
pub mod report;
pub mod resp_probe;
pub mod run;
pub mod scenario;
pub mod search;
pub mod spec;
pub mod trace;
pub mod truth;
pub mod workload;
#[cfg(madsim)]
pub mod world;
