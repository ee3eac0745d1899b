//! A connection's future polled again at once when it wakes itself while being polled, instead
//! of being rescheduled by tokio.
//!
//! hyper's HTTP/1 dispatcher and the service it drives run in one task, and a request's body
//! goes from one to the other through a channel whose two ends are both polled in that task:
//! every request with a body wakes the task from inside its own poll (the body's "want" signal,
//! then its data). tokio takes such a wake for a yield: the task goes to the back of the run
//! queue and a parked worker is woken to share the work (a futex or eventfd write, a context
//! switch, and usually nothing to steal). With one client connection, `strace -c -f` counted 0.38
//! futex wakes and 0.48 eventfd writes per stateless `tools/call`, and none for bare axum, which
//! does not read bodies. Here the wake is noted and the future polled again in the same turn; a
//! wake from anywhere else (the socket, another task) reaches tokio as before.

use futures::task::AtomicWaker;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::task::{Context, Poll, Wake, Waker};

/// Polls in one turn before yielding to the scheduler after all, so a future that keeps waking
/// itself (tokio's cooperative budget running out does) cannot hold a worker.
const MAX_POLLS_PER_TURN: usize = 4;

const IDLE: u8 = 0;
const POLLING: u8 = 1;
const WOKEN_WHILE_POLLING: u8 = 2;

/// `future`, polled as described in the module docs.
pub(super) fn repoll<F: Future>(future: F) -> Repoll<F> {
    let signal = Arc::new(Signal { state: AtomicU8::new(IDLE), task: AtomicWaker::new() });
    Repoll { future: Box::pin(future), waker: Waker::from(Arc::clone(&signal)), signal }
}

pub(super) struct Repoll<F> {
    future: Pin<Box<F>>,
    signal: Arc<Signal>,
    /// The waker the future sees: `signal`'s, made once.
    waker: Waker,
}

struct Signal {
    state: AtomicU8,
    /// The task's own waker, for wakes that come while the future is not being polled.
    task: AtomicWaker,
}

impl Wake for Signal {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        // While polling: noted, and the poll goes round again. Otherwise the task is woken.
        let noted = self.state.compare_exchange(POLLING, WOKEN_WHILE_POLLING, Ordering::AcqRel, Ordering::Acquire);
        if noted == Err(IDLE) {
            self.task.wake();
        }
    }
}

impl<F: Future> Future for Repoll<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = &mut *self;
        this.signal.task.register(cx.waker());
        let mut inner = Context::from_waker(&this.waker);
        for _ in 0..MAX_POLLS_PER_TURN {
            this.signal.state.store(POLLING, Ordering::Release);
            if let Poll::Ready(output) = this.future.as_mut().poll(&mut inner) {
                this.signal.state.store(IDLE, Ordering::Release);
                return Poll::Ready(output);
            }
            // Not woken during the poll: wait for a wake from outside.
            if this.signal.state.compare_exchange(POLLING, IDLE, Ordering::AcqRel, Ordering::Acquire).is_ok() {
                return Poll::Pending;
            }
        }
        this.signal.state.store(IDLE, Ordering::Release);
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    /// Counts the polls and wakes of the task around it.
    struct CountingWaker(AtomicUsize);

    impl Wake for CountingWaker {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// A future that wakes itself `n` times during its polls, then is ready.
    fn waking_itself(n: usize) -> impl Future<Output = usize> {
        let mut polls = 0;
        std::future::poll_fn(move |cx| {
            polls += 1;
            if polls > n {
                return Poll::Ready(polls);
            }
            cx.waker().wake_by_ref();
            Poll::Pending
        })
    }

    #[test]
    fn a_wake_during_the_poll_polls_again_at_once_without_waking_the_task() {
        let task = Arc::new(CountingWaker(AtomicUsize::new(0)));
        let waker = Waker::from(Arc::clone(&task));
        let mut future = repoll(waking_itself(2));
        let polled = Pin::new(&mut future).poll(&mut Context::from_waker(&waker));
        assert_eq!(polled, Poll::Ready(3), "ready in one turn of three polls");
        assert_eq!(task.0.load(Ordering::SeqCst), 0, "the task was not woken");
    }

    #[test]
    fn a_future_that_keeps_waking_itself_yields_after_a_bounded_number_of_polls() {
        let task = Arc::new(CountingWaker(AtomicUsize::new(0)));
        let waker = Waker::from(Arc::clone(&task));
        let mut future = repoll(waking_itself(usize::MAX));
        let polled = Pin::new(&mut future).poll(&mut Context::from_waker(&waker));
        assert!(polled.is_pending());
        assert_eq!(task.0.load(Ordering::SeqCst), 1, "the task is woken to run again later");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_wake_from_another_task_after_the_poll_reaches_the_task() {
        let (tx, rx) = tokio::sync::oneshot::channel::<u8>();
        let waiting = tokio::spawn(repoll(rx));
        tokio::task::yield_now().await;
        tx.send(7).unwrap();
        let got = tokio::time::timeout(std::time::Duration::from_secs(5), waiting).await;
        assert_eq!(got.expect("woken").expect("no panic").expect("sent"), 7);
    }
}
