//! What a run leaves behind: the results JSON (`json`: the one definition of its types, written and
//! read back), the summary text an operator reads after each run (`summary`), and the HTML timeline
//! next to the JSON (`html`).
//!
//! Adding a report field: a field on [`RunReport`] (or the type it belongs to) in `json.rs`, filled
//! in [`RunReport::new`]; the summary and the HTML page show it if they should.

pub mod html;
mod json;
mod summary;

pub use json::*;
pub use summary::{summary, SummaryOpts};
