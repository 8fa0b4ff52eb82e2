//! Redis' glob matcher, the workspace's one (`resp::string_match`), shared by PSUBSCRIBE here and
//! SENTINEL RESET / CONFIG GET / ACL channels in the core.

pub use resp::string_match;
