//! The process's stdout for the STDIO transport, written without std's line buffering.
//!
//! `tokio::io::stdout()` writes through `std::io::Stdout`, a `LineWriter`: every write scans
//! its whole buffer backwards for a line break (`memrchr`), and a `tools/list` answer is megabytes
//! on one line (9.5 M instructions of GitHub's 65 M start-and-list, bench/results/2026-11-29-large-api.md).
//! The transport batches and flushes by itself, so it needs no buffering underneath: this writes
//! each buffer to a duplicate of file descriptor 1 on tokio's blocking pool, one write in flight
//! at a time, as tokio's own stdout does.

use std::future::Future;
use std::io::{self, Write};
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use tokio::io::AsyncWrite;
use tokio::task::JoinHandle;

/// At most this much is handed to one blocking write (tokio's stdout uses the same bound).
const MAX_CHUNK: usize = 2 * 1024 * 1024;

/// An unbuffered [`AsyncWrite`] over a blocking [`Write`]: each `poll_write` copies its buffer
/// (up to [`MAX_CHUNK`]) and writes it whole on the blocking pool; the next write, `poll_flush`
/// and `poll_shutdown` wait for it and report its error.
pub(crate) struct BlockingWriter<W> {
    state: State<W>,
}

/// The writer and its copy buffer, which goes back and forth with each write: reused, it is
/// paged in once rather than for every chunk of a large answer.
type Parts<W> = (W, Vec<u8>);

enum State<W> {
    Idle(Option<Parts<W>>),
    Busy(JoinHandle<(Parts<W>, io::Result<()>)>),
}

impl<W: Write + Send + 'static> BlockingWriter<W> {
    pub(crate) fn new(inner: W) -> Self {
        BlockingWriter { state: State::Idle(Some((inner, Vec::new()))) }
    }

    /// Waits for the write in flight, if any; its error comes back here.
    fn poll_idle(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<&mut Option<Parts<W>>>> {
        if let State::Busy(task) = &mut self.state {
            match ready!(Pin::new(task).poll(cx)) {
                Ok((inner, result)) => {
                    self.state = State::Idle(Some(inner));
                    result?;
                }
                // The write panicked: the writer went with it.
                Err(e) => {
                    self.state = State::Idle(None);
                    return Poll::Ready(Err(io::Error::other(e)));
                }
            }
        }
        match &mut self.state {
            State::Idle(inner) => Poll::Ready(Ok(inner)),
            State::Busy(_) => unreachable!("the write in flight was just joined"),
        }
    }
}

impl<W: Write + Send + Unpin + 'static> AsyncWrite for BlockingWriter<W> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let inner = ready!(this.poll_idle(cx))?;
        let Some((mut inner, mut chunk)) = inner.take() else {
            return Poll::Ready(Err(io::Error::other("the stdout writer was lost")));
        };
        let len = buf.len().min(MAX_CHUNK);
        chunk.clear();
        chunk.extend_from_slice(&buf[..len]);
        this.state = State::Busy(tokio::task::spawn_blocking(move || {
            let result = inner.write_all(&chunk).and_then(|()| inner.flush());
            ((inner, chunk), result)
        }));
        Poll::Ready(Ok(len))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // The transport flushes after each batch: a large answer's buffer is given back here.
        if let Some((_, chunk)) = ready!(self.get_mut().poll_idle(cx))?
            && chunk.capacity() > 64 * 1024
        {
            *chunk = Vec::new();
        }
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_flush(cx)
    }
}

/// The process's stdout for the transport: file descriptor 1 duplicated into a `File` on Unix
/// (no `LineWriter`), tokio's stdout elsewhere.
#[cfg(unix)]
pub(crate) fn stdout() -> io::Result<BlockingWriter<std::fs::File>> {
    use std::os::fd::AsFd;
    let fd = io::stdout().as_fd().try_clone_to_owned()?;
    #[cfg(target_os = "linux")]
    widen_pipe(&fd);
    Ok(BlockingWriter::new(std::fs::File::from(fd)))
}

/// What a pipe on stdout is widened to: Linux's default `/proc/sys/fs/pipe-max-size`, the most an
/// unprivileged process may ask for.
#[cfg(target_os = "linux")]
const PIPE_CAPACITY: usize = 1024 * 1024;

/// Widens the pipe behind `fd` (when it is one) to [`PIPE_CAPACITY`]. A pipe holds 64 KiB by
/// default, so a large answer crosses in many steps, each waiting for the client to read:
/// GitHub's 7.6 MB `tools/list` reached a client 33 ms after start with 64 KiB, 27 ms with 1 MiB
/// (bench/results/2026-11-29-startup.md). Never narrows a pipe; when the system refuses (a lower
/// limit, a user over their pipe quota) the pipe stays as it was.
#[cfg(target_os = "linux")]
fn widen_pipe(fd: &std::os::fd::OwnedFd) {
    use rustix::pipe::{fcntl_getpipe_size, fcntl_setpipe_size};
    let is_pipe = rustix::fs::fstat(fd).is_ok_and(|st| rustix::fs::FileType::from_raw_mode(st.st_mode).is_fifo());
    if is_pipe && fcntl_getpipe_size(fd).is_ok_and(|size| size < PIPE_CAPACITY) {
        let _ = fcntl_setpipe_size(fd, PIPE_CAPACITY);
    }
}

#[cfg(not(unix))]
pub(crate) fn stdout() -> io::Result<tokio::io::Stdout> {
    Ok(tokio::io::stdout())
}

#[cfg(test)]
mod tests {
    #[cfg(target_os = "linux")]
    #[test]
    fn a_pipe_on_stdout_is_widened_and_never_narrowed() {
        use rustix::pipe::{fcntl_getpipe_size, fcntl_setpipe_size, pipe};
        let allowed: usize = std::fs::read_to_string("/proc/sys/fs/pipe-max-size").unwrap().trim().parse().unwrap();
        let (_read, write) = pipe().unwrap();
        assert!(fcntl_getpipe_size(&write).unwrap() < super::PIPE_CAPACITY);
        super::widen_pipe(&write);
        if allowed >= super::PIPE_CAPACITY {
            assert_eq!(fcntl_getpipe_size(&write).unwrap(), super::PIPE_CAPACITY);
        }
        // Only a privileged process can make a pipe wider than pipe-max-size to check this on.
        let (_read, wide) = pipe().unwrap();
        if fcntl_setpipe_size(&wide, 2 * super::PIPE_CAPACITY).is_ok() {
            let before = fcntl_getpipe_size(&wide).unwrap();
            super::widen_pipe(&wide);
            assert_eq!(fcntl_getpipe_size(&wide).unwrap(), before, "a wider pipe stays as it is");
        }
        // A file is no pipe: nothing to do, nothing fails.
        super::widen_pipe(&std::fs::File::open("/proc/self/status").unwrap().into());
    }

    use super::*;
    use std::sync::{Arc, Mutex};
    use tokio::io::AsyncWriteExt;

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            // Short writes, to show that every byte still goes out.
            let n = buf.len().min(1000);
            self.0.lock().unwrap().extend_from_slice(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    struct Failing;

    impl Write for Failing {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::new(io::ErrorKind::BrokenPipe, "closed"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn every_byte_goes_out_in_order_across_chunks() {
        let sink = Shared::default();
        let mut w = BlockingWriter::new(sink.clone());
        let big: Vec<u8> = (0..MAX_CHUNK * 2 + 12345).map(|i| (i % 251) as u8).collect();
        w.write_all(b"head,").await.unwrap();
        w.write_all(&big).await.unwrap();
        w.write_all(b"\n").await.unwrap();
        w.flush().await.unwrap();
        let written = sink.0.lock().unwrap().clone();
        assert_eq!(written.len(), 5 + big.len() + 1);
        assert_eq!(&written[..5], b"head,");
        assert_eq!(&written[5..5 + big.len()], &big[..]);
    }

    #[tokio::test]
    async fn a_failed_write_is_reported_by_the_flush() {
        let mut w = BlockingWriter::new(Failing);
        w.write_all(b"x").await.unwrap(); // handed off: the error comes with the next wait
        let err = w.flush().await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
        w.write_all(b"y").await.unwrap();
        assert!(w.flush().await.is_err(), "each failed write is reported");
    }
}
