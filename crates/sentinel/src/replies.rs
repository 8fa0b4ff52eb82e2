//! The per-connection queue of reply callbacks, as hiredis keeps it: replies arrive in the order
//! the commands were written, so each frame goes to the oldest pending callback. A pub/sub
//! subscription callback (the SUBSCRIBE of a pub/sub link) is never consumed: once it reaches the
//! head it receives every later frame (the subscribe confirmation, then the messages).

use sentinel_core::ReplyTo;
use std::borrow::Cow;
use std::collections::VecDeque;

#[derive(Debug, Default)]
pub struct ReplyQueue {
    pending: VecDeque<ReplyTo>,
}

impl ReplyQueue {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the callback of a command just written.
    pub fn push(&mut self, reply: ReplyTo) {
        self.pending.push_back(reply);
    }

    /// The callback for the next frame received: the head, popped unless it is persistent.
    /// `None` means the frame was not asked for (hiredis treats that as a protocol violation).
    pub fn next_for_frame(&mut self) -> Option<Cow<'_, ReplyTo>> {
        let persistent = self.pending.front()?.is_persistent();
        if persistent {
            self.pending.front().map(Cow::Borrowed)
        } else {
            self.pending.pop_front().map(Cow::Owned)
        }
    }

    pub fn len(&self) -> usize {
        self.pending.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sentinel_core::{ReplyKind, Target};

    fn rt(kind: ReplyKind) -> ReplyTo {
        ReplyTo {
            kind,
            master: "mymaster".into(),
            target: Target::Master,
        }
    }

    #[test]
    fn replies_are_matched_in_fifo_order() {
        let mut q = ReplyQueue::new();
        assert!(q.next_for_frame().is_none());
        q.push(rt(ReplyKind::Discard));
        q.push(rt(ReplyKind::Ping));
        q.push(rt(ReplyKind::Info));
        assert_eq!(q.next_for_frame().unwrap().kind, ReplyKind::Discard);
        assert_eq!(q.next_for_frame().unwrap().kind, ReplyKind::Ping);
        assert_eq!(q.len(), 1);
        assert_eq!(q.next_for_frame().unwrap().kind, ReplyKind::Info);
        assert!(q.is_empty());
        assert!(q.next_for_frame().is_none());
    }

    #[test]
    fn persistent_head_receives_every_later_frame() {
        let mut q = ReplyQueue::new();
        // A pub/sub link: AUTH and CLIENT SETNAME replies (discarded), then SUBSCRIBE.
        q.push(rt(ReplyKind::Discard));
        q.push(rt(ReplyKind::Discard));
        q.push(rt(ReplyKind::Hello));
        assert_eq!(q.next_for_frame().unwrap().kind, ReplyKind::Discard);
        assert_eq!(q.next_for_frame().unwrap().kind, ReplyKind::Discard);
        for _ in 0..5 {
            let head = q.next_for_frame().unwrap();
            assert!(matches!(head, Cow::Borrowed(_)), "persistent head is lent, not popped");
            assert_eq!(head.kind, ReplyKind::Hello);
        }
        assert_eq!(q.len(), 1);
    }

    #[test]
    fn persistent_entry_only_sticks_once_at_the_head() {
        let mut q = ReplyQueue::new();
        q.push(rt(ReplyKind::Ping));
        q.push(rt(ReplyKind::Hello));
        q.push(rt(ReplyKind::Info));
        assert_eq!(q.next_for_frame().unwrap().kind, ReplyKind::Ping);
        assert_eq!(q.next_for_frame().unwrap().kind, ReplyKind::Hello);
        assert_eq!(q.next_for_frame().unwrap().kind, ReplyKind::Hello);
        assert_eq!(q.len(), 2, "commands queued behind a subscription never get a reply");
    }
}
