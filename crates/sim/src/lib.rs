//! sentinel-sim: scenarios, the run's trace, invariants, expectations and reports.

pub mod bench;
pub mod check;
pub mod duration;
pub mod fuzz;
pub mod html;
pub mod plan;
pub mod report;
pub mod run;
pub mod scenario;
pub mod spec;
pub mod sweep;
pub mod trace;
pub mod workload;
#[cfg(madsim)]
pub mod world;
