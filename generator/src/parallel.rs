//! Work spread over the machine's cores with `std::thread::scope`, results in input order.
//!
//! Generating a large API is mostly per-operation work (tool schemas, their validation, their
//! Rust text) that shares nothing mutable; doing it on every core is what keeps GitHub's 1,200
//! operations under a second. The output never depends on the number of threads or on which
//! thread took which item: each result lands at its item's index.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Items a thread takes at a time: small enough to even out uneven items, large enough that the
/// shared counter is touched rarely.
const BATCH: usize = 8;

/// The most threads used (the generator runs beside builds; more rarely helps).
const MAX_THREADS: usize = 8;

/// `f` applied to every item, on up to [`MAX_THREADS`] threads; the results in `items`' order.
/// A panic in `f` is resumed in the caller, as if `f` had been called there.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(MAX_THREADS);
    let threads = threads.min(items.len().div_ceil(BATCH));
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let start = next.fetch_add(BATCH, Ordering::Relaxed);
            if start >= items.len() {
                return done;
            }
            for (i, item) in items.iter().enumerate().skip(start).take(BATCH) {
                done.push((i, f(item)));
            }
        }
    };
    let parts: Vec<Vec<(usize, R)>> = std::thread::scope(|s| {
        let helpers: Vec<_> = (1..threads).map(|_| s.spawn(work)).collect();
        let mut parts = vec![work()];
        for h in helpers {
            match h.join() {
                Ok(p) => parts.push(p),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        parts
    });
    let mut slots: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    for (i, r) in parts.into_iter().flatten() {
        slots[i] = Some(r);
    }
    slots.into_iter().map(|r| r.expect("every index is taken exactly once")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_input_order() {
        let items: Vec<usize> = (0..1000).collect();
        // Uneven work, so threads finish their batches out of order.
        let out = map(&items, |&i| {
            let mut x = i as u64;
            for _ in 0..(i % 7) * 1000 {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
            }
            (i, x)
        });
        assert_eq!(out.len(), items.len());
        assert!(out.iter().enumerate().all(|(k, (i, _))| k == *i));
        assert!(map(&[] as &[u8], |_| 0).is_empty());
    }

    #[test]
    #[should_panic(expected = "item 500")]
    fn a_panic_reaches_the_caller() {
        let items: Vec<usize> = (0..1000).collect();
        map(&items, |&i| assert!(i != 500, "item {i}"));
    }
}
