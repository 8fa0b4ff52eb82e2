//! SUBSCRIBE, PSUBSCRIBE and their UN- forms, served by the client's own task.

use super::{Flow, Session};
use crate::hub::SubKind;
use resp::Value;

/// A (un)subscribe confirmation: `[word, channel or pattern (nil if none), subscriptions left]`.
fn confirmation(word: &str, name: Value, count: usize) -> Value {
    Value::Push(vec![Value::bulk(word), name, Value::Int(count as i64)])
}

impl Session {
    pub(super) fn subscribe(&mut self, kind: SubKind, names: &[Vec<u8>]) -> Flow {
        let word = if kind == SubKind::Channel {
            "subscribe"
        } else {
            "psubscribe"
        };
        for n in names {
            let Some(count) = self.hub.subscribe(self.id, kind, n) else {
                return Flow::Close;
            };
            self.subscribed = count > 0;
            self.reply(&confirmation(word, Value::Bulk(n.clone()), count));
        }
        Flow::Continue
    }

    pub(super) fn unsubscribe(&mut self, kind: SubKind, names: &[Vec<u8>]) -> Flow {
        let word = if kind == SubKind::Channel {
            "unsubscribe"
        } else {
            "punsubscribe"
        };
        if names.is_empty() {
            let Some(done) = self.hub.unsubscribe_all(self.id, kind) else {
                return Flow::Close;
            };
            if done.is_empty() {
                let count = self.hub.subscription_count(self.id);
                self.subscribed = count > 0;
                self.reply(&confirmation(word, Value::Nil, count));
            }
            for (n, count) in done {
                self.subscribed = count > 0;
                self.reply(&confirmation(word, Value::Bulk(n), count));
            }
        } else {
            for n in names {
                let Some(count) = self.hub.unsubscribe(self.id, kind, n) else {
                    return Flow::Close;
                };
                self.subscribed = count > 0;
                self.reply(&confirmation(word, Value::Bulk(n.clone()), count));
            }
        }
        Flow::Continue
    }
}
