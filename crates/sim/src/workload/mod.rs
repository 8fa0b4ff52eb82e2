//! Client workloads and the lost-write analysis (issue 3: the split-brain story with numbers).
//!
//! - [`client`]: a client that writes unique keys (`SET w:<client>:<n> <n>`) at a steady rate,
//!   Sentinel-aware or sticky, and records every operation;
//! - [`history`]: the shared record of operations and their outcomes (ok / fail by kind / unknown);
//! - [`analysis`]: acknowledged and lost writes by time window, errors by kind, from the history and
//!   what survived on the final master (pure);
//! - [`availability`]: per client, the windows without an acknowledged write and figures over them
//!   (pure);
//! - [`activity`]: per client, its operations as runs of the same node and outcome, for the HTML
//!   lanes (pure).
//!
//! How a runner uses it: spawn [`run_client`] for each client on its own host with a shared
//! [`History`]; at the end take [`History::snapshot`], read [`keys_to_check`] from the final master
//! with [`read_surviving`], and call [`analyze`] with [`Windows::from_trace`] and the clients' stops.

pub mod activity;
pub mod analysis;
pub mod availability;
pub mod client;
pub mod history;

pub use analysis::{analyze, describe, Window, Windows};
pub use client::{read_surviving, run_client, ClientConfig, ClientEnv};
pub use history::{keys_to_check, ErrorKind, History, Op, Outcome};
