//! Memory per run: playing a scenario many times in one process (as a sweep does) must give back
//! what each run allocated. A counting global allocator measures the live heap bytes between
//! runs; a run that leaves tasks, buffers or runtime state behind makes them grow with every run.
//! (A 1 000-seed sweep once grew by ~1.2 MB per run: the Sentinels' and data nodes' tasks, still
//! pending when the run ended, kept each other alive through wakers held by their connections.)
//! Simulation builds only (`cargo simtest`). This file has one test, so that no other test
//! allocates while it measures.
#![cfg(madsim)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

mod common;

/// The system allocator, counting the bytes currently allocated.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            LIVE.fetch_add(l.size() as isize, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        LIVE.fetch_sub(l.size() as isize, Ordering::Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, l, new) };
        if !q.is_null() {
            LIVE.fetch_add(new as isize - l.size() as isize, Ordering::Relaxed);
        }
        q
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// Runs before measuring: the first runs fill lazily built process-wide state (thread-local
/// pools, the standard library's and madsim's one-time set-up).
const WARM_UP: usize = 3;
/// Runs measured after the warm-up.
const MEASURED: usize = 12;
/// The live heap may grow by this much over all the measured runs (it stays within 1 KB once the
/// world drops its tasks); a leak of 6 KB per run exceeds it.
const BOUND: isize = 64 * 1024;

#[test]
fn replaying_a_scenario_keeps_the_live_heap_flat() {
    let s = common::load("master_kill.toml");
    let play = |i: usize| {
        // The same seed every time: each run allocates the same, so growth is a leak, not noise.
        let r = sim::run::run_once(&s, 1).unwrap_or_else(|e| panic!("run {i}: {e}"));
        assert!(r.ok, "run {i} failed its checks");
    };
    for i in 0..WARM_UP {
        play(i);
    }
    let before = LIVE.load(Ordering::Relaxed);
    let mut after = Vec::new();
    for i in 0..MEASURED {
        play(WARM_UP + i);
        after.push(LIVE.load(Ordering::Relaxed) - before);
    }
    let grown = *after.last().unwrap();
    assert!(
        grown <= BOUND,
        "the live heap grew by {grown} bytes over {MEASURED} runs of master_kill seed 1 after {WARM_UP} \
         warm-up runs (bound {BOUND}); growth after each run: {after:?}"
    );
}
