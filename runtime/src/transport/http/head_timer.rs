//! The timer under hyper's header-read timeout (the slow-loris guard): one tokio sleep per
//! connection, kept across its requests, instead of one per request.
//!
//! hyper starts the timeout each time it begins reading a request head, idle keep-alive waits
//! included, and drops it once the head is in. With hyper-util's `TokioTimer` that is a new boxed
//! tokio sleep per request, put into the timer wheel and taken out again under the time driver's
//! lock: about 1,400 instructions of a 41,000-instruction `tools/call`. A connection's head
//! deadlines only move later, so here the connection's one sleep is armed at the first deadline
//! and left there while requests come and go; when it fires, the head read then waiting (if any)
//! moves it to its own deadline. hyper still decides when a head read starts and ends, and a head
//! that is not in by its deadline still ends the connection.

use hyper::rt::{Sleep, Timer};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// The tokio sleep a connection's head reads share; made on first use, inside the runtime.
type Shared = Arc<Mutex<Option<Pin<Box<tokio::time::Sleep>>>>>;

/// One connection's timer. Give each connection its own: sleeps made by one timer share one
/// tokio sleep, which only works for one connection's deadlines, one after another.
#[derive(Clone, Default)]
pub(super) struct HeadTimer {
    armed: Shared,
}

impl Timer for HeadTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Sleep>> {
        self.sleep_until(self.now() + duration)
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn Sleep>> {
        Box::pin(HeadSleep { deadline: tokio::time::Instant::from_std(deadline), armed: self.armed.clone() })
    }

    /// tokio's clock, so a runtime with paused time (tests) moves the deadlines too.
    fn now(&self) -> Instant {
        tokio::time::Instant::now().into_std()
    }
}

/// One head read's deadline, waited for on the connection's shared sleep.
struct HeadSleep {
    deadline: tokio::time::Instant,
    armed: Shared,
}

impl Sleep for HeadSleep {}

impl Future for HeadSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let deadline = self.deadline;
        let mut armed = self.armed.lock().unwrap_or_else(PoisonError::into_inner);
        let sleep = armed.get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        loop {
            // Left alone when it will fire at or before this deadline: the usual case, a
            // request's deadline being later than the one the sleep was armed at.
            if sleep.is_elapsed() || sleep.deadline() > deadline {
                sleep.as_mut().reset(deadline);
            }
            if sleep.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            if sleep.deadline() == deadline {
                return Poll::Ready(());
            }
            // An earlier head read's deadline fired: wait on for this one.
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::FutureExt;

    fn deadline_in(timer: &HeadTimer, after: Duration) -> Pin<Box<dyn Sleep>> {
        timer.sleep_until(timer.now() + after)
    }

    fn armed_at(timer: &HeadTimer) -> Option<tokio::time::Instant> {
        timer.armed.lock().unwrap().as_ref().map(|sleep| sleep.deadline())
    }

    #[tokio::test(start_paused = true)]
    async fn a_head_read_ends_at_its_deadline_and_not_before() {
        let timer = HeadTimer::default();
        let mut head = deadline_in(&timer, Duration::from_secs(30));
        assert!(head.as_mut().now_or_never().is_none());
        tokio::time::advance(Duration::from_secs(29)).await;
        assert!(head.as_mut().now_or_never().is_none(), "ended a second early");
        let started = tokio::time::Instant::now();
        head.await;
        assert_eq!(started.elapsed(), Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn later_head_reads_leave_the_sleep_where_it_is_until_it_fires() {
        let timer = HeadTimer::default();
        let start = tokio::time::Instant::now();
        let at = |seconds| Some(start + Duration::from_secs(seconds));
        // A request every second, each head in at once, each with 30 s to arrive.
        for second in 0..45 {
            let mut head = deadline_in(&timer, Duration::from_secs(30));
            assert!(head.as_mut().now_or_never().is_none(), "request {second} cut off");
            // Armed once at the first deadline; moved only once that fired (second 30).
            assert_eq!(armed_at(&timer), if second < 30 { at(30) } else { at(60) }, "request {second}");
            drop(head);
            tokio::time::advance(Duration::from_secs(1)).await;
        }
        // The connection goes quiet at second 45: the sleep fires at 60, and the head read then
        // waiting moves it to its own deadline, 75, where it ends.
        let mut head = deadline_in(&timer, Duration::from_secs(30));
        assert!(head.as_mut().now_or_never().is_none());
        tokio::time::advance(Duration::from_secs(29)).await;
        assert!(head.as_mut().now_or_never().is_none(), "ended at the earlier deadline");
        assert_eq!(armed_at(&timer), at(75));
        tokio::time::advance(Duration::from_secs(1)).await;
        assert!(head.now_or_never().is_some(), "not ended at its deadline");
    }

    #[tokio::test(start_paused = true)]
    async fn a_head_read_waiting_when_an_earlier_deadline_fires_waits_for_its_own() {
        let timer = HeadTimer::default();
        let mut first = deadline_in(&timer, Duration::from_secs(10));
        assert!(first.as_mut().now_or_never().is_none());
        drop(first);
        tokio::time::advance(Duration::from_secs(5)).await;
        // Waiting from second 5 to 15; the sleep, armed at 10, fires first.
        let second = deadline_in(&timer, Duration::from_secs(10));
        let started = tokio::time::Instant::now();
        second.await;
        assert_eq!(started.elapsed(), Duration::from_secs(10));
    }

    #[tokio::test(start_paused = true)]
    async fn an_earlier_deadline_moves_the_sleep_back() {
        let timer = HeadTimer::default();
        let mut long = deadline_in(&timer, Duration::from_secs(60));
        assert!(long.as_mut().now_or_never().is_none());
        drop(long);
        let started = tokio::time::Instant::now();
        deadline_in(&timer, Duration::from_secs(2)).await;
        assert_eq!(started.elapsed(), Duration::from_secs(2));
    }
}
