//! An HTTP/1.1 connection to the API polled by the task that is using it, instead of by a task
//! of its own.
//!
//! hyper's client connection is a future (the `Connection` half of a handshake) that usually
//! runs in a spawned task, with requests and answers crossing to it through channels: every
//! proxied call then wakes that task to write the request, and is woken by it with the answer,
//! and on a multi-threaded runtime these wakes often land on the other worker (a futex wake and
//! a context switch each). `plain.rs` keeps the connection instead, and the call polls it while
//! it waits on it (`Driven::drive`): one task per call, and the only wake from outside is the
//! socket's.
//!
//! The channels between the two halves still signal each other, now from inside the same poll.
//! tokio takes a task waking itself during its poll for a yield (to the back of the run queue,
//! and a parked worker woken to share it), so such a wake is noted here and the two polled again
//! at once; a wake from anywhere else (the socket) reaches the task as usual.

use bytes::Bytes;
use futures::task::AtomicWaker;
use http_body_util::Full;
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use tokio::net::TcpStream;

/// Polls in one turn before yielding to the scheduler after all, so work that keeps waking
/// itself (tokio's cooperative budget running out does) cannot hold a worker.
const MAX_POLLS_PER_TURN: usize = 8;

pub(super) type Connection = http1::Connection<TokioIo<TcpStream>, Full<Bytes>>;

/// A connection, and what lets the call using it be woken only from outside.
pub(super) struct Driven {
    /// `None` once it ended: dropping it answers a request still queued with an error that
    /// gives the request back (so a reused connection the API had closed is retried).
    connection: Option<Connection>,
    signal: Arc<Signal>,
    /// `signal`'s waker, made once per connection.
    waker: Waker,
}

const IDLE: u8 = 0;
const POLLING: u8 = 1;
const WOKEN_WHILE_POLLING: u8 = 2;

struct Signal {
    state: AtomicU8,
    /// The waker of the task last driving the connection.
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

impl Driven {
    pub(super) fn new(connection: Connection) -> Driven {
        let signal = Arc::new(Signal { state: AtomicU8::new(IDLE), task: AtomicWaker::new() });
        Driven { connection: Some(connection), waker: Waker::from(Arc::clone(&signal)), signal }
    }

    /// Waits for `work` (a request's answer, its body, the connection being ready) while polling
    /// the connection that provides it.
    pub(super) async fn drive<T>(&mut self, work: impl Future<Output = T>) -> T {
        let mut work = pin!(work);
        std::future::poll_fn(|cx| {
            self.signal.task.register(cx.waker());
            let mut inner = Context::from_waker(&self.waker);
            for _ in 0..MAX_POLLS_PER_TURN {
                self.signal.state.store(POLLING, Ordering::Release);
                if let Poll::Ready(output) = work.as_mut().poll(&mut inner) {
                    self.signal.state.store(IDLE, Ordering::Release);
                    return Poll::Ready(output);
                }
                if let Some(connection) = self.connection.as_mut()
                    && let Poll::Ready(ended) = connection.poll_without_shutdown(&mut inner)
                {
                    if let Err(e) = ended {
                        tracing::debug!("connection to the API closed: {e}");
                    }
                    // Dropped here, so what waits on it learns at once; polled again below.
                    self.connection = None;
                    self.signal.state.store(WOKEN_WHILE_POLLING, Ordering::Release);
                }
                // Not woken during the poll: wait for a wake from outside.
                if self.signal.state.compare_exchange(POLLING, IDLE, Ordering::AcqRel, Ordering::Acquire).is_ok() {
                    return Poll::Pending;
                }
            }
            self.signal.state.store(IDLE, Ordering::Release);
            cx.waker().wake_by_ref();
            Poll::Pending
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;
    use hyper::Request;
    use std::sync::atomic::AtomicUsize;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// Counts the wakes of the task around it.
    struct CountingWaker(AtomicUsize);

    impl Wake for CountingWaker {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// A connection to a listener that answers each request with `body`, and closes after
    /// `answers` of them.
    async fn connection(answers: usize, body: &'static str) -> (http1::SendRequest<Full<Bytes>>, Driven) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut buf = vec![0; 4096];
            for _ in 0..answers {
                let mut read = Vec::new();
                while !read.windows(4).any(|w| w == b"\r\n\r\n") {
                    let n = socket.read(&mut buf).await.unwrap();
                    read.extend_from_slice(&buf[..n]);
                }
                let answer = format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{body}", body.len());
                socket.write_all(answer.as_bytes()).await.unwrap();
            }
        });
        let stream = TcpStream::connect(addr).await.unwrap();
        let (sender, connection) = http1::handshake(TokioIo::new(stream)).await.unwrap();
        (sender, Driven::new(connection))
    }

    fn get() -> Request<Full<Bytes>> {
        Request::builder().uri("/").header("host", "api").body(Full::default()).unwrap()
    }

    #[tokio::test]
    async fn requests_on_one_connection_are_answered_without_a_task_for_it() {
        let (mut sender, mut driven) = connection(3, "{\"ok\":true}").await;
        for _ in 0..3 {
            driven.drive(sender.ready()).await.unwrap();
            let response = driven.drive(sender.try_send_request(get())).await.unwrap();
            let body = driven.drive(response.into_body().collect()).await.unwrap().to_bytes();
            assert_eq!(body, "{\"ok\":true}");
        }
    }

    #[tokio::test]
    async fn a_request_on_a_connection_the_api_closed_comes_back_unsent() {
        let (mut sender, mut driven) = connection(1, "{}").await;
        driven.drive(sender.ready()).await.unwrap();
        let response = driven.drive(sender.try_send_request(get())).await.unwrap();
        driven.drive(response.into_body().collect()).await.unwrap();
        // The listener's task closed the socket after its one answer.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let ready = driven.drive(sender.ready()).await;
        assert!(ready.is_err(), "the closed connection is not ready");
        assert!(driven.connection.is_none(), "and was dropped");
    }

    #[test]
    fn a_wake_during_the_poll_polls_again_at_once_without_waking_the_task() {
        let task = Arc::new(CountingWaker(AtomicUsize::new(0)));
        let waker = Waker::from(Arc::clone(&task));
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let (_sender, mut driven) = runtime.block_on(connection(0, ""));
        let mut polls = 0;
        let work = std::future::poll_fn(|cx| {
            polls += 1;
            if polls > 2 {
                return Poll::Ready(polls);
            }
            cx.waker().wake_by_ref();
            Poll::Pending
        });
        let _guard = runtime.enter();
        let mut driving = Box::pin(driven.drive(work));
        let polled = driving.as_mut().poll(&mut Context::from_waker(&waker));
        assert_eq!(polled, Poll::Ready(3), "ready in one turn of three polls");
        assert_eq!(task.0.load(Ordering::SeqCst), 0, "the task was not woken");
    }

    #[test]
    fn work_that_keeps_waking_itself_yields_after_a_bounded_number_of_polls() {
        let task = Arc::new(CountingWaker(AtomicUsize::new(0)));
        let waker = Waker::from(Arc::clone(&task));
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let (_sender, mut driven) = runtime.block_on(connection(0, ""));
        let work = std::future::poll_fn(|cx: &mut Context<'_>| -> Poll<()> {
            cx.waker().wake_by_ref();
            Poll::Pending
        });
        let _guard = runtime.enter();
        let mut driving = Box::pin(driven.drive(work));
        assert!(driving.as_mut().poll(&mut Context::from_waker(&waker)).is_pending());
        assert_eq!(task.0.load(Ordering::SeqCst), 1, "the task is woken to run again later");
    }
}
