//! (d) Huge declared lengths allocate nothing big: a tracking allocator records the largest single
//! allocation while the parsers meet counts and lengths in the billions. One test only in this
//! binary, so no other test allocates meanwhile.

use resp::{decode_value, parse_command, Conn, ConnError, Limits};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Tracking;

static LARGEST_ALLOC_BYTES: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Tracking {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LARGEST_ALLOC_BYTES.fetch_max(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LARGEST_ALLOC_BYTES.fetch_max(new_size, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Tracking = Tracking;

/// Far below any declared size used here, above what the parsers legitimately use.
const SMALL_BYTES: usize = 64 * 1024;

#[tokio::test]
async fn huge_declared_lengths_allocate_nothing_big() {
    LARGEST_ALLOC_BYTES.store(0, Ordering::Relaxed);
    assert_eq!(decode_value(b"*2147483647\r\n").unwrap(), None);
    assert_eq!(decode_value(b"*4294967295\r\n:1\r\n:2\r\n").unwrap(), None);
    assert!(decode_value(b"*4294967296\r\n").is_err());
    assert!(decode_value(b"*9223372036854775807\r\n").is_err());
    assert_eq!(decode_value(b"$67108864\r\nabc").unwrap(), None);
    assert!(decode_value(b"$999999999999\r\n").is_err());
    // A complete array declared huge but short of elements never reaches the building pass.
    let mut many = b"*4294967295\r\n".to_vec();
    many.extend(b":1\r\n".repeat(1000));
    assert_eq!(decode_value(&many).unwrap(), None);
    assert_eq!(parse_command(b"*2147483647\r\n$1\r\na\r\n").unwrap(), None);
    assert_eq!(parse_command(b"*1\r\n$67108864\r\n").unwrap(), None);
    assert!(parse_command(b"*1\r\n$999999999999\r\n").is_err());
    // Through a connection that then sees EOF.
    let mut conn = Conn::new(&b"*2147483647\r\n$1\r\na\r\n"[..]);
    assert!(matches!(conn.read_command().await, Err(ConnError::Closed)));
    let mut conn = Conn::new(&b"*4294967295\r\n$67108864\r\nab"[..]);
    assert!(matches!(conn.read_value().await, Err(ConnError::Closed)));
    let largest = LARGEST_ALLOC_BYTES.load(Ordering::Relaxed);
    assert!(largest < SMALL_BYTES, "largest allocation {largest} bytes");
    // Sanity: the tracker does see big allocations.
    let big = vec![0u8; 1 << 20];
    assert!(LARGEST_ALLOC_BYTES.load(Ordering::Relaxed) >= big.len());
    let _ = Limits::DEFAULT;
}
