//! Replication history as Redis keeps it: the two replication ids, the offsets, the backlog and the
//! PSYNC decision (`masterTryPartialResynchronization`). Pure, no I/O.

use rand_chacha::ChaCha8Rng;
use rand_core::Rng;
use std::collections::VecDeque;
use std::fmt;

/// Default `repl-backlog-size` (1 MB). A partial resync is possible only inside this window.
pub const BACKLOG_BYTES: usize = 1 << 20;

/// A 40-character lowercase hex replication id (or run id).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReplId(pub [u8; 40]);

impl ReplId {
    /// `0000…`, the "no secondary id" value.
    pub const ZERO: ReplId = ReplId([b'0'; 40]);

    pub fn random(rng: &mut ChaCha8Rng) -> ReplId {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut id = [0u8; 40];
        let mut bits = 0u64;
        for (i, b) in id.iter_mut().enumerate() {
            if i % 16 == 0 {
                bits = rng.next_u64();
            }
            *b = HEX[(bits & 0xf) as usize];
            bits >>= 4;
        }
        ReplId(id)
    }

    /// Parses 40 hex characters (case-insensitive, stored lowercase).
    pub fn parse(s: &[u8]) -> Option<ReplId> {
        if s.len() != 40 || !s.iter().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let mut id = [0u8; 40];
        for (d, s) in id.iter_mut().zip(s) {
            *d = s.to_ascii_lowercase();
        }
        Some(ReplId(id))
    }

    pub fn as_str(&self) -> &str {
        // Always ASCII hex by construction.
        std::str::from_utf8(&self.0).unwrap_or("0000000000000000000000000000000000000000")
    }
}

impl fmt::Display for ReplId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for ReplId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The circular replication backlog: the last `cap` bytes of the replication stream.
#[derive(Clone, Debug)]
pub struct Backlog {
    buf: VecDeque<u8>,
    /// Replication offset of `buf[0]` (Redis' `repl_backlog->offset`).
    first_byte_offset: i64,
    cap: usize,
}

impl Backlog {
    /// A backlog whose next byte will have offset `master_repl_offset + 1`.
    pub fn new(master_repl_offset: i64, cap: usize) -> Backlog {
        Backlog {
            buf: VecDeque::new(),
            first_byte_offset: master_repl_offset + 1,
            cap,
        }
    }
    pub fn feed(&mut self, bytes: &[u8]) {
        if bytes.len() >= self.cap {
            let skip = bytes.len() - self.cap;
            self.first_byte_offset += (self.buf.len() + skip) as i64;
            self.buf.clear();
            self.buf.extend(&bytes[skip..]);
            return;
        }
        let over = (self.buf.len() + bytes.len()).saturating_sub(self.cap);
        if over > 0 {
            self.buf.drain(..over);
            self.first_byte_offset += over as i64;
        }
        self.buf.extend(bytes);
    }
    pub fn first_byte_offset(&self) -> i64 {
        self.first_byte_offset
    }
    pub fn histlen(&self) -> usize {
        self.buf.len()
    }
    pub fn size(&self) -> usize {
        self.cap
    }
    /// The bytes from replication offset `from` to the end, if `from` is inside the window
    /// (`from` may be one past the end: zero bytes).
    pub fn range_from(&self, from: i64) -> Option<Vec<u8>> {
        if from < self.first_byte_offset || from > self.first_byte_offset + self.buf.len() as i64 {
            return None;
        }
        let skip = (from - self.first_byte_offset) as usize;
        Some(self.buf.iter().skip(skip).copied().collect())
    }
}

/// Why a PSYNC could not continue the replica's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FullReason {
    /// `PSYNC ? -1`: the replica has no cached master.
    Requested,
    /// Neither of our ids is the one the replica asked for.
    IdMismatch { asked: String },
    /// The replica asked for our secondary id beyond the point where our history forked.
    SecondIdOffset { requested: i64, max: i64 },
    /// The offset is outside the backlog window (or we have no backlog).
    NoBacklog { requested: i64 },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PsyncDecision {
    /// `+CONTINUE`: send the backlog from `from` (inclusive).
    Continue {
        from: i64,
    },
    Full(FullReason),
}

/// A node's replication history (Redis: `server.replid`, `replid2`, `master_repl_offset`,
/// `second_replid_offset`, `repl_backlog`).
#[derive(Clone, Debug)]
pub struct ReplHistory {
    pub replid: ReplId,
    pub replid2: ReplId,
    /// Total bytes of replication stream produced (master) or processed (replica).
    pub offset: i64,
    /// Last offset (+1) valid for `replid2`, -1 when there is no secondary id.
    pub second_offset: i64,
    pub backlog: Option<Backlog>,
}

impl ReplHistory {
    pub fn new(replid: ReplId) -> ReplHistory {
        ReplHistory {
            replid,
            replid2: ReplId::ZERO,
            offset: 0,
            second_offset: -1,
            backlog: None,
        }
    }

    /// Appends stream bytes: advances the offset and feeds the backlog.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.offset += bytes.len() as i64;
        if let Some(b) = &mut self.backlog {
            b.feed(bytes);
        }
    }

    pub fn create_backlog(&mut self) {
        if self.backlog.is_none() {
            self.backlog = Some(Backlog::new(self.offset, BACKLOG_BYTES));
        }
    }

    /// `shiftReplicationId`: the current history becomes the secondary one, valid up to the
    /// current offset, and a new history starts.
    pub fn shift(&mut self, new_id: ReplId) {
        self.replid2 = self.replid;
        self.second_offset = self.offset + 1;
        self.replid = new_id;
    }

    /// `changeReplicationId` + `clearReplicationId2`.
    pub fn reset_ids(&mut self, new_id: ReplId) {
        self.replid = new_id;
        self.replid2 = ReplId::ZERO;
        self.second_offset = -1;
    }

    /// The decision table of `masterTryPartialResynchronization` for `PSYNC <asked> <offset>`.
    pub fn decide_psync(&self, asked: &[u8], offset: i64) -> PsyncDecision {
        let asked_id = ReplId::parse(asked);
        let is_main = asked_id == Some(self.replid);
        let is_second = asked_id.is_some() && asked_id == Some(self.replid2) && self.replid2 != ReplId::ZERO;
        if !is_main && (!is_second || offset > self.second_offset) {
            if asked == b"?" {
                return PsyncDecision::Full(FullReason::Requested);
            }
            if !is_main && !is_second {
                return PsyncDecision::Full(FullReason::IdMismatch {
                    asked: String::from_utf8_lossy(asked).into_owned(),
                });
            }
            return PsyncDecision::Full(FullReason::SecondIdOffset {
                requested: offset,
                max: self.second_offset,
            });
        }
        match &self.backlog {
            Some(b) if offset >= b.first_byte_offset() && offset <= b.first_byte_offset() + b.histlen() as i64 => {
                PsyncDecision::Continue { from: offset }
            }
            _ => PsyncDecision::Full(FullReason::NoBacklog { requested: offset }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::SeedableRng;

    fn id(c: u8) -> ReplId {
        ReplId([c; 40])
    }

    #[test]
    fn random_ids_are_hex_and_differ() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let a = ReplId::random(&mut rng);
        let b = ReplId::random(&mut rng);
        assert_ne!(a, b);
        assert!(a
            .as_str()
            .bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_eq!(ReplId::parse(a.as_str().as_bytes()), Some(a));
        assert_eq!(ReplId::parse(b"xyz"), None);
    }

    #[test]
    fn backlog_window_and_trim() {
        let mut b = Backlog::new(0, 10);
        b.feed(b"abcdef");
        assert_eq!(b.first_byte_offset(), 1);
        assert_eq!(b.range_from(3).unwrap(), b"cdef");
        assert_eq!(b.range_from(7).unwrap(), b"");
        assert_eq!(b.range_from(8), None);
        b.feed(b"ghijkl");
        assert_eq!(b.histlen(), 10);
        assert_eq!(b.first_byte_offset(), 3);
        assert_eq!(b.range_from(2), None);
        assert_eq!(b.range_from(3).unwrap(), b"cdefghijkl");
        b.feed(b"0123456789ABC");
        assert_eq!(b.first_byte_offset(), 3 + 10 + 3);
        assert_eq!(b.range_from(16).unwrap(), b"3456789ABC");
    }

    /// The PSYNC decision table (spec §12.5).
    #[test]
    fn psync_decision_table() {
        let mut h = ReplHistory::new(id(b'a'));
        // No backlog: even the right id needs a full resync.
        assert_eq!(
            h.decide_psync(id(b'a').as_str().as_bytes(), 1),
            PsyncDecision::Full(FullReason::NoBacklog { requested: 1 })
        );
        h.create_backlog();
        h.feed(&[b'x'; 100]);
        assert_eq!(h.offset, 100);
        // Same id, inside the backlog (including one past the end).
        assert_eq!(
            h.decide_psync(id(b'a').as_str().as_bytes(), 1),
            PsyncDecision::Continue { from: 1 }
        );
        assert_eq!(
            h.decide_psync(id(b'a').as_str().as_bytes(), 101),
            PsyncDecision::Continue { from: 101 }
        );
        // Beyond our offset: lack of backlog.
        assert_eq!(
            h.decide_psync(id(b'a').as_str().as_bytes(), 102),
            PsyncDecision::Full(FullReason::NoBacklog { requested: 102 })
        );
        // "?" forces a full resync.
        assert_eq!(h.decide_psync(b"?", -1), PsyncDecision::Full(FullReason::Requested));
        // Unknown id.
        assert!(matches!(
            h.decide_psync(id(b'c').as_str().as_bytes(), 50),
            PsyncDecision::Full(FullReason::IdMismatch { .. })
        ));
        // Promotion: shift ids. The old id stays valid up to offset 101.
        h.shift(id(b'b'));
        assert_eq!(h.replid2, id(b'a'));
        assert_eq!(h.second_offset, 101);
        h.feed(&[b'y'; 20]);
        assert_eq!(
            h.decide_psync(id(b'a').as_str().as_bytes(), 101),
            PsyncDecision::Continue { from: 101 }
        );
        assert_eq!(
            h.decide_psync(id(b'a').as_str().as_bytes(), 60),
            PsyncDecision::Continue { from: 60 }
        );
        // A demoted old master that took writes the promoted replica never saw asks beyond 101.
        assert_eq!(
            h.decide_psync(id(b'a').as_str().as_bytes(), 131),
            PsyncDecision::Full(FullReason::SecondIdOffset {
                requested: 131,
                max: 101
            })
        );
        assert_eq!(
            h.decide_psync(id(b'b').as_str().as_bytes(), 121),
            PsyncDecision::Continue { from: 121 }
        );
        // The zero id never matches.
        assert!(matches!(
            h.decide_psync(ReplId::ZERO.as_str().as_bytes(), 1),
            PsyncDecision::Full(_)
        ));
    }
}
