//! A global allocator that recycles large buffers.
//!
//! The system allocator serves every request above its mmap threshold (at most 32 MiB in
//! glibc) with a fresh `mmap` and unmaps it on `free`. An interior-point iteration on an
//! LMI of a few thousand rows allocates and frees a dozen `N × N` matrices (138 MB each
//! at `N = 4160`), so every iteration maps them anew and the kernel zero-fills them page
//! by page on first touch: measured on the 2-core build machine with
//! `/usr/bin/time -v quadra lipschitz NET --method lipsdp-neuron --solver lowrank`,
//! LipSDP-Neuron on a 64 × 64 ReLU net took 61 s of system time in 223 s, 7 million
//! page faults (24 s of system time with this allocator).
//!
//! [`RecyclingAllocator`] wraps [`System`] and keeps up to [`SLOTS`] freed blocks of at
//! least [`MIN_RECYCLED`] bytes (at most [`MAX_HELD`] bytes in all, the oldest returned
//! to the system first); a later request of the same size and alignment gets the most
//! recently freed of them back, already mapped. The `quadra` binary installs it with
//! `#[global_allocator]`; a library user with large LMIs can do the same:
//!
//! ```
//! #[global_allocator]
//! static ALLOC: quadra_core::memory::RecyclingAllocator = quadra_core::memory::RecyclingAllocator;
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Mutex;

/// Blocks below this size go straight to the system allocator (which keeps them in its
/// heap anyway).
pub const MIN_RECYCLED: usize = 4 << 20;

/// Number of freed blocks kept.
pub const SLOTS: usize = 48;

/// Most bytes kept in freed blocks at once; a block that would exceed it is returned to
/// the system.
pub const MAX_HELD: usize = 6 << 30;

/// A freed block kept for reuse (`size == 0`: an empty slot).
#[derive(Clone, Copy)]
struct KeptBlock {
    size: usize,
    align: usize,
    addr: usize,
    /// When it was freed (a counter), to hand out the newest and evict the oldest.
    freed_at: u64,
}

const EMPTY: KeptBlock = KeptBlock {
    size: 0,
    align: 0,
    addr: 0,
    freed_at: 0,
};

/// The kept blocks, their total size and the free counter.
struct Kept {
    slots: [KeptBlock; SLOTS],
    held: usize,
    clock: u64,
}

static KEPT: Mutex<Kept> = Mutex::new(Kept {
    slots: [EMPTY; SLOTS],
    held: 0,
    clock: 0,
});

/// The global allocator described in the module notes.
#[derive(Debug, Clone, Copy, Default)]
pub struct RecyclingAllocator;

impl RecyclingAllocator {
    /// A kept block of exactly this layout, removed from the kept set.
    fn take(layout: Layout) -> Option<*mut u8> {
        let mut kept = KEPT.lock().ok()?;
        // The most recently freed block of this layout.
        let slot = (0..SLOTS)
            .filter(|&i| {
                kept.slots[i].size == layout.size() && kept.slots[i].align == layout.align()
            })
            .max_by_key(|&i| kept.slots[i].freed_at)?;
        let block = std::mem::replace(&mut kept.slots[slot], EMPTY);
        kept.held -= block.size;
        Some(block.addr as *mut u8)
    }

    /// Keeps a freed block, returning the oldest kept blocks to the system while the
    /// slots or [`MAX_HELD`] would overflow; `false` if the caller must free the block
    /// itself (it alone is above `MAX_HELD`, or the lock is poisoned).
    fn keep(ptr: *mut u8, layout: Layout) -> bool {
        if layout.size() > MAX_HELD {
            return false;
        }
        let Ok(mut kept) = KEPT.lock() else {
            return false;
        };
        loop {
            let empty = kept.slots.iter().position(|b| b.size == 0);
            if let (Some(slot), true) = (empty, kept.held + layout.size() <= MAX_HELD) {
                kept.clock += 1;
                kept.slots[slot] = KeptBlock {
                    size: layout.size(),
                    align: layout.align(),
                    addr: ptr as usize,
                    freed_at: kept.clock,
                };
                kept.held += layout.size();
                return true;
            }
            // Evict the oldest kept block.
            let Some(old) = (0..SLOTS)
                .filter(|&i| kept.slots[i].size != 0)
                .min_by_key(|&i| kept.slots[i].freed_at)
            else {
                return false;
            };
            let block = std::mem::replace(&mut kept.slots[old], EMPTY);
            kept.held -= block.size;
            // SAFETY: the block came from `System` with this layout (see `dealloc`).
            unsafe {
                System.dealloc(
                    block.addr as *mut u8,
                    Layout::from_size_align_unchecked(block.size, block.align),
                )
            };
        }
    }
}

// SAFETY: every block handed out comes from `System` with the same layout it is asked
// for (kept blocks are matched on exact size and alignment), and every block is either
// kept (and never handed out twice: `take` removes it under the lock) or returned to
// `System` with its layout.
unsafe impl GlobalAlloc for RecyclingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.size() >= MIN_RECYCLED {
            if let Some(p) = Self::take(layout) {
                return p;
            }
        }
        System.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.size() >= MIN_RECYCLED {
            if let Some(p) = Self::take(layout) {
                std::ptr::write_bytes(p, 0, layout.size());
                return p;
            }
        }
        System.alloc_zeroed(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if layout.size() >= MIN_RECYCLED && Self::keep(ptr, layout) {
            return;
        }
        System.dealloc(ptr, layout)
    }

    /// Straight to the system (a growing vector's intermediate sizes would otherwise
    /// fill the kept set with blocks nobody asks for again).
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        System.realloc(ptr, layout, new_size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A freed large block comes back for the same layout, zeroed when asked; small
    /// blocks and other sizes go to the system allocator.
    #[test]
    fn large_blocks_are_recycled_and_zeroed() {
        let a = RecyclingAllocator;
        // A size no other test allocates, so that the shared kept set holds no other
        // block of it.
        let layout = Layout::from_size_align(MIN_RECYCLED + 4096 * 7 + 8, 64).unwrap();
        unsafe {
            let p = a.alloc(layout);
            assert!(!p.is_null());
            p.write_bytes(0xAB, layout.size());
            a.dealloc(p, layout);
            let q = a.alloc_zeroed(layout);
            assert_eq!(q, p, "the freed block is handed out again");
            let bytes = std::slice::from_raw_parts(q, layout.size());
            assert!(bytes.iter().all(|&b| b == 0));
            let other = Layout::from_size_align(layout.size() + 8, 64).unwrap();
            let r = a.alloc(other);
            assert_ne!(r, q);
            a.dealloc(r, other);
            a.dealloc(q, layout);
            let small = Layout::from_size_align(1024, 8).unwrap();
            let s = a.alloc(small);
            assert!(!s.is_null());
            a.dealloc(s, small);
            // Take the block back out so that it is returned to the system.
            let t = a.alloc(layout);
            assert_eq!(t, q);
            System.dealloc(t, layout);
        }
    }
}
