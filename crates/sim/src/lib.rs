//! sentinel-sim: scenarios, the run's trace, invariants, expectations and reports.

pub mod check;
pub mod duration;
pub mod report;
pub mod scenario;
pub mod trace;
// world modules are added by the lead
