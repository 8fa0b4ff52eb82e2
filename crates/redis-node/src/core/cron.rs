//! `replicationCron`: the once-a-second replication housekeeping of both roles.

use super::{Now, State};

impl State {
    /// `replicationCron`, once per second.
    pub fn cron(&mut self, now: Now) {
        if self.is_replica() {
            self.check_master_link(now);
        } else {
            self.ping_replicas(now);
        }
        // A replica may serve sub-replicas of its own.
        self.drop_timed_out_replicas(now);
        self.expire_backlog(now);
        self.refresh_good_replicas(now);
        self.maybe_start_full_sync(now);
        self.cron_loops += 1;
    }
}
