//! Tasks: a `tools/call` answered at once with a task id, its result fetched later.
//!
//! Both generations share one [`TaskStore`]; they differ only on the wire (`dispatch/tasks.rs`):
//! 2025-11-25 (experimental, `capabilities.tasks`, a `task` param asks for one, `tasks/result`
//! and `tasks/list`) and 2026-07-28 (the `io.modelcontextprotocol/tasks` extension: the server
//! decides, the result is inlined in `tasks/get`, input arrives through `tasks/update`).
//!
//! Task state lives in this process, bounded by [`TaskLimits`]. Behind a load balancer a
//! 2026-07-28 task is found only on the replica that runs it. To share tasks across replicas,
//! [`TaskStore`]'s operations (create, snapshot, finish, cancel, input) would move behind a
//! trait backed by a shared store (Redis, a database) holding each task's status and result
//! under its id, with cancellation and `tasks/update` answers published to the replica running
//! the handler; the id already is the only key a stateless request brings.

mod store;
mod time;

pub(crate) use store::{CancelRefused, Party, Snapshot, Status, TaskStore};

use std::time::Duration;

/// The 2026-07-28 extension's name, under `capabilities.extensions`.
pub(crate) const EXTENSION: &str = "io.modelcontextprotocol/tasks";

/// `_meta` key that ties a 2025-11-25 message to its task.
pub(crate) const RELATED_TASK_META_KEY: &str = "io.modelcontextprotocol/related-task";

/// Whether a tool may run as a task (`execution.taskSupport` in `tools/list`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TaskSupport {
    /// Never a task (the default; not shown in `tools/list`).
    #[default]
    Forbidden,
    /// A task when the client asks (2025-11-25) or can take one (2026-07-28); a plain call otherwise.
    Optional,
    /// Only as a task: a client that cannot take one gets an error.
    Required,
}

impl TaskSupport {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskSupport::Forbidden => "forbidden",
            TaskSupport::Optional => "optional",
            TaskSupport::Required => "required",
        }
    }
}

/// Bounds on the tasks a server keeps. A client that creates tasks and never reads them fills
/// its own quota, then its oldest finished tasks are dropped to make room; running ones are
/// never dropped for room, so past the quota creation is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskLimits {
    /// Tasks one party (a STDIO connection, a legacy session) may hold, running or finished.
    pub per_party: usize,
    /// Tasks the whole server may hold (anonymous stateless tasks count only here). With the
    /// default result limit (100 kB of text) a full store holds about 100 MB of results.
    pub total: usize,
    /// How long a task and its result are kept when the client asks for nothing.
    pub default_ttl: Duration,
    /// The longest a client may ask a task to be kept.
    pub max_ttl: Duration,
    /// How often a client is told to poll.
    pub poll_interval: Duration,
}

impl Default for TaskLimits {
    fn default() -> Self {
        TaskLimits {
            per_party: 64,
            total: 1024,
            default_ttl: Duration::from_secs(10 * 60),
            max_ttl: Duration::from_secs(60 * 60),
            poll_interval: Duration::from_millis(500),
        }
    }
}
