//! Redis' glob matcher lives in the core (`sentinel_core::util::string_match`), shared by
//! PSUBSCRIBE here and SENTINEL RESET / CONFIG GET there.

pub use sentinel_core::util::string_match;
