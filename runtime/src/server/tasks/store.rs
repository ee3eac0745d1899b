//! The tasks this process holds: status, result, pending input, each scoped to the party that
//! created it and kept until its ttl runs out.
//!
//! One mutex over a map: every operation is a few field updates, and the map is bounded by
//! [`TaskLimits::total`]. Expired tasks are swept when a task is created or listed, and an
//! expired task found by a lookup is dropped then, so memory never outlives a ttl by more than
//! the next creation.

use super::TaskLimits;
use super::time::rfc3339;
use crate::protocol::ErrorObject;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use tokio::sync::{oneshot, watch};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// Who may see a task. Another party asking for it is told there is no such task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Party {
    /// A STDIO connection or a legacy HTTP session, by its connection number.
    Connection(u64),
    /// Stateless requests (2026-07-28 over HTTP, or legacy `--stateless`): whoever holds the
    /// id, an unguessable 128-bit value, holds the task; when the server requires bearer
    /// tokens, only with the token that created it (its SHA-256 digest here).
    Stateless(Option<[u8; 32]>),
}

impl Party {
    /// Whether the party is known well enough to have a quota of its own: an anonymous
    /// stateless request could be anyone, and counts only against the server's.
    fn has_quota(self) -> bool {
        !matches!(self, Party::Stateless(None))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Working,
    InputRequired,
    Completed,
    Failed,
    Cancelled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Working => "working",
            Status::InputRequired => "input_required",
            Status::Completed => "completed",
            Status::Failed => "failed",
            Status::Cancelled => "cancelled",
        }
    }

    /// Completed, failed and cancelled tasks never change again.
    pub fn is_terminal(self) -> bool {
        matches!(self, Status::Completed | Status::Failed | Status::Cancelled)
    }
}

/// A task as a request sees it.
#[derive(Debug, Clone)]
pub(crate) struct Snapshot {
    pub id: String,
    pub status: Status,
    pub status_message: Option<String>,
    pub created_at: String,
    pub last_updated_at: String,
    pub ttl_ms: u64,
    pub poll_interval_ms: u64,
    /// What the call answered: a result, or the error a protocol failure became (terminal only).
    pub outcome: Option<Result<Value, ErrorObject>>,
    /// Input requests still unanswered (`input_required` only).
    pub input_requests: Option<Map<String, Value>>,
}

/// Why `tasks/cancel` did nothing.
#[derive(Debug)]
pub(crate) enum CancelRefused {
    Unknown,
    /// The task had already finished; it stays as it was.
    Terminal(Box<Snapshot>),
}

struct Task {
    party: Party,
    /// Creation order, for listing and for choosing which finished task to drop for room.
    seq: u64,
    status: Status,
    status_message: Option<String>,
    created_at: SystemTime,
    last_updated_at: SystemTime,
    ttl: Duration,
    expires: Instant,
    outcome: Option<Result<Value, ErrorObject>>,
    /// Input requests the client has not answered yet, and the answers so far.
    pending: Map<String, Value>,
    answers: Map<String, Value>,
    /// Where the answers go once every request is answered (the running handler waits on it).
    answered: Option<oneshot::Sender<Map<String, Value>>>,
    cancel: CancellationToken,
    status_tx: watch::Sender<Status>,
}

impl Task {
    fn set_status(&mut self, status: Status, message: Option<String>) {
        self.status = status;
        self.status_message = message;
        self.last_updated_at = SystemTime::now();
        self.status_tx.send_replace(status);
    }

    fn snapshot(&self, id: &str, poll_interval: Duration) -> Snapshot {
        Snapshot {
            id: id.to_string(),
            status: self.status,
            status_message: self.status_message.clone(),
            created_at: rfc3339(self.created_at),
            last_updated_at: rfc3339(self.last_updated_at),
            ttl_ms: self.ttl.as_millis().try_into().unwrap_or(u64::MAX),
            poll_interval_ms: poll_interval.as_millis().try_into().unwrap_or(u64::MAX).max(1),
            outcome: self.outcome.clone(),
            input_requests: (self.status == Status::InputRequired).then(|| self.pending.clone()),
        }
    }
}

pub(crate) struct TaskStore {
    limits: TaskLimits,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    tasks: HashMap<String, Task>,
    next_seq: u64,
}

impl Inner {
    /// Drops every task whose ttl ran out, stopping its handler if it still runs.
    fn sweep(&mut self, now: Instant) {
        self.tasks.retain(|_, task| {
            let keep = task.expires > now;
            if !keep {
                task.cancel.cancel();
            }
            keep
        });
    }

    /// The oldest finished task among those `admits`, dropped to make room; false if none.
    fn evict_oldest_finished(&mut self, admits: impl Fn(&Task) -> bool) -> bool {
        let oldest = self
            .tasks
            .iter()
            .filter(|(_, t)| t.status.is_terminal() && admits(t))
            .min_by_key(|(_, t)| t.seq)
            .map(|(id, _)| id.clone());
        oldest.is_some_and(|id| self.tasks.remove(&id).is_some())
    }

    /// The task `id` if `party` may see it and it has not expired (an expired one is dropped).
    fn live(&mut self, id: &str, party: Party) -> Option<&mut Task> {
        let expired = match self.tasks.get(id) {
            None => return None,
            Some(task) if task.party != party => return None,
            Some(task) => task.expires <= Instant::now(),
        };
        if expired {
            if let Some(task) = self.tasks.remove(id) {
                task.cancel.cancel();
            }
            return None;
        }
        self.tasks.get_mut(id)
    }
}

impl TaskStore {
    pub fn new(limits: TaskLimits) -> Self {
        TaskStore { limits, inner: Mutex::default() }
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().expect("task store lock")
    }

    /// A new `working` task for `party`, kept `requested_ttl_ms` (bounded by the limits) from
    /// now. `cancel` stops its handler. Past a quota the oldest finished task of the party (or
    /// of anyone, for the server's quota) makes room; when every task there still runs, the
    /// creation is refused with a message saying so.
    pub fn create(
        self: &Arc<Self>,
        party: Party,
        requested_ttl_ms: Option<u64>,
        cancel: CancellationToken,
    ) -> Result<Snapshot, String> {
        let now = Instant::now();
        let mut inner = self.inner();
        inner.sweep(now);
        if party.has_quota() {
            let held = inner.tasks.values().filter(|t| t.party == party).count();
            if held >= self.limits.per_party && !inner.evict_oldest_finished(|t| t.party == party) {
                return Err(format!(
                    "too many tasks: this client has {held} still running (the limit is {}); cancel one or wait \
                     for one to finish",
                    self.limits.per_party
                ));
            }
        }
        if inner.tasks.len() >= self.limits.total && !inner.evict_oldest_finished(|_| true) {
            return Err(format!("too many tasks: the server runs {} (its limit); try again later", inner.tasks.len()));
        }
        let id = new_task_id().map_err(|e| format!("no random bytes for a task id: {e}"))?;
        let ttl = requested_ttl_ms
            .map_or(self.limits.default_ttl, Duration::from_millis)
            .clamp(Duration::from_millis(1), self.limits.max_ttl);
        let created_at = SystemTime::now();
        let seq = inner.next_seq;
        inner.next_seq += 1;
        let task = Task {
            party,
            seq,
            status: Status::Working,
            status_message: None,
            created_at,
            last_updated_at: created_at,
            ttl,
            expires: now + ttl,
            outcome: None,
            pending: Map::new(),
            answers: Map::new(),
            answered: None,
            cancel,
            status_tx: watch::Sender::new(Status::Working),
        };
        let snapshot = task.snapshot(&id, self.limits.poll_interval);
        inner.tasks.insert(id, task);
        // Freed at its ttl even if nobody asks the store anything again: a client that made
        // tasks and went away must not leave their results behind.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let store = Arc::downgrade(self);
            runtime.spawn(async move {
                tokio::time::sleep(ttl + Duration::from_millis(5)).await;
                if let Some(store) = store.upgrade() {
                    store.inner().sweep(Instant::now());
                }
            });
        }
        Ok(snapshot)
    }

    /// The task as `party` may see it; `None` for an unknown, expired or someone else's task.
    pub fn get(&self, id: &str, party: Party) -> Option<Snapshot> {
        let poll = self.limits.poll_interval;
        self.inner().live(id, party).map(|t| t.snapshot(id, poll))
    }

    /// Follows the task's status (for `tasks/result`, which waits for the end). The sender goes
    /// away with the task, so a waiter also wakes when the task expires.
    pub fn watch(&self, id: &str, party: Party) -> Option<watch::Receiver<Status>> {
        self.inner().live(id, party).map(|t| t.status_tx.subscribe())
    }

    /// Records the call's outcome with a terminal `status`. A task already terminal (cancelled
    /// while its handler finished) keeps what it had. False when nothing changed.
    pub fn finish(&self, id: &str, status: Status, outcome: Result<Value, ErrorObject>) -> bool {
        debug_assert!(status.is_terminal());
        let mut inner = self.inner();
        let Some(task) = inner.tasks.get_mut(id).filter(|t| !t.status.is_terminal()) else { return false };
        let message = outcome.as_ref().err().map(|e| e.message.clone());
        task.outcome = Some(outcome);
        task.pending.clear();
        task.answers.clear();
        task.answered = None;
        task.set_status(status, message);
        true
    }

    /// Cancels the task: its status becomes `cancelled` and its handler is told to stop.
    pub fn cancel(&self, id: &str, party: Party) -> Result<Snapshot, CancelRefused> {
        let poll = self.limits.poll_interval;
        let mut inner = self.inner();
        let task = inner.live(id, party).ok_or(CancelRefused::Unknown)?;
        if task.status.is_terminal() {
            return Err(CancelRefused::Terminal(Box::new(task.snapshot(id, poll))));
        }
        task.cancel.cancel();
        task.pending.clear();
        task.answers.clear();
        task.answered = None;
        task.set_status(Status::Cancelled, Some("The task was cancelled by request.".into()));
        Ok(task.snapshot(id, poll))
    }

    /// Parks the task in `input_required` with `requests`; the receiver gets every answer once
    /// the client has answered them all. `None` when the task is gone or finished.
    pub fn ask_input(&self, id: &str, requests: Map<String, Value>) -> Option<oneshot::Receiver<Map<String, Value>>> {
        let mut inner = self.inner();
        let task = inner.tasks.get_mut(id).filter(|t| !t.status.is_terminal())?;
        let (tx, rx) = oneshot::channel();
        task.pending = requests;
        task.answers = Map::new();
        task.answered = Some(tx);
        task.set_status(Status::InputRequired, None);
        Some(rx)
    }

    /// The running task's latest progress, as its status message (kept across `working` and
    /// `input_required`, dropped at the end, where the message says how it ended).
    pub fn set_message(&self, id: &str, message: String) {
        if let Some(task) = self.inner().tasks.get_mut(id).filter(|t| !t.status.is_terminal()) {
            task.status_message = Some(message);
        }
    }

    /// Marks a running task `input_required` while its handler waits for the client over a
    /// back channel (2025-11-25); `working` again when the guard is dropped.
    pub fn waiting<'s>(&'s self, id: &'s str) -> Waiting<'s> {
        self.set_waiting(id, true);
        Waiting { store: self, id }
    }

    fn set_waiting(&self, id: &str, waiting: bool) {
        let (from, to) =
            if waiting { (Status::Working, Status::InputRequired) } else { (Status::InputRequired, Status::Working) };
        if let Some(task) = self.inner().tasks.get_mut(id).filter(|t| t.status == from && t.answered.is_none()) {
            let message = task.status_message.take();
            task.set_status(to, message);
        }
    }

    /// Takes the client's answers to pending input requests; keys the task did not ask for are
    /// ignored. When the last one is answered the task goes back to `working` and its handler
    /// gets them all. False for an unknown task.
    pub fn answer(&self, id: &str, party: Party, responses: Map<String, Value>) -> bool {
        let mut inner = self.inner();
        let Some(task) = inner.live(id, party) else { return false };
        for (key, response) in responses {
            if task.pending.remove(&key).is_some() {
                task.answers.insert(key, response);
            }
        }
        if task.status == Status::InputRequired && task.pending.is_empty() {
            let answers = std::mem::take(&mut task.answers);
            if let Some(tx) = task.answered.take() {
                let _ = tx.send(answers);
            }
            task.set_status(Status::Working, None);
        }
        true
    }

    /// One page of `party`'s tasks in creation order, from `offset`; whether more follow.
    pub fn list(&self, party: Party, offset: usize, page: usize) -> (Vec<Snapshot>, bool) {
        let poll = self.limits.poll_interval;
        let mut inner = self.inner();
        inner.sweep(Instant::now());
        let mut mine: Vec<(&String, &Task)> = inner.tasks.iter().filter(|(_, t)| t.party == party).collect();
        mine.sort_by_key(|(_, t)| t.seq);
        let more = mine.len() > offset.saturating_add(page);
        (mine.into_iter().skip(offset).take(page).map(|(id, t)| t.snapshot(id, poll)).collect(), more)
    }

    /// The party went away (its connection closed): its tasks stop and are dropped, as no one
    /// can ask for them any more.
    pub fn forget_party(&self, party: Party) {
        self.inner().tasks.retain(|_, task| {
            let keep = task.party != party;
            if !keep {
                task.cancel.cancel();
            }
            keep
        });
    }

    /// How many tasks are held, live or expired but not yet swept.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.inner().tasks.len()
    }
}

/// Holds a task in `input_required` ([`TaskStore::waiting`]).
pub(crate) struct Waiting<'s> {
    store: &'s TaskStore,
    id: &'s str,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.store.set_waiting(self.id, false);
    }
}

/// 128 random bits from the operating system, as 32 hex characters: a stateless task's id is
/// all that guards it.
fn new_task_id() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn limits(per_party: usize, total: usize) -> TaskLimits {
        TaskLimits { per_party, total, ..TaskLimits::default() }
    }

    const A: Party = Party::Connection(1);
    const B: Party = Party::Connection(2);

    fn create(store: &Arc<TaskStore>, party: Party) -> (String, CancellationToken) {
        let token = CancellationToken::new();
        (store.create(party, None, token.clone()).unwrap().id, token)
    }

    #[test]
    fn a_task_is_seen_only_by_its_party() {
        let store = Arc::new(TaskStore::new(TaskLimits::default()));
        let (mine, _) = create(&store, A);
        let (stateless, _) = create(&store, Party::Stateless(None));
        assert_eq!(mine.len(), 32);
        assert_ne!(mine, stateless);
        assert_eq!(store.get(&mine, A).unwrap().status, Status::Working);
        assert!(store.get(&mine, B).is_none());
        assert!(store.get(&mine, Party::Stateless(None)).is_none());
        assert!(store.get(&stateless, A).is_none());
        assert!(store.get(&stateless, Party::Stateless(None)).is_some());
        // A stateless task made with a bearer token is that token's.
        let (tokens_task, _) = create(&store, Party::Stateless(Some([1; 32])));
        assert!(store.get(&tokens_task, Party::Stateless(Some([1; 32]))).is_some());
        assert!(store.get(&tokens_task, Party::Stateless(Some([2; 32]))).is_none());
        assert!(store.get(&tokens_task, Party::Stateless(None)).is_none());
        assert!(matches!(store.cancel(&mine, B), Err(CancelRefused::Unknown)));
        assert!(!store.answer(&mine, B, Map::new()));
        assert!(store.watch(&mine, B).is_none());
        assert_eq!(store.list(B, 0, 10).0.len(), 0);
        assert_eq!(store.list(A, 0, 10).0[0].id, mine);
    }

    #[test]
    fn terminal_states_never_change() {
        let store = Arc::new(TaskStore::new(TaskLimits::default()));
        let (done, _) = create(&store, A);
        assert!(store.finish(&done, Status::Completed, Ok(json!({"content": []}))));
        assert!(!store.finish(&done, Status::Failed, Err(ErrorObject::internal("late"))));
        assert!(matches!(store.cancel(&done, A), Err(CancelRefused::Terminal(s)) if s.status == Status::Completed));
        assert!(store.ask_input(&done, Map::new()).is_none());
        let snapshot = store.get(&done, A).unwrap();
        assert_eq!(snapshot.status, Status::Completed);
        assert_eq!(snapshot.outcome.unwrap().unwrap(), json!({"content": []}));

        // A handler that finishes after its task was cancelled does not revive it.
        let (cancelled, token) = create(&store, A);
        assert_eq!(store.cancel(&cancelled, A).unwrap().status, Status::Cancelled);
        assert!(token.is_cancelled(), "the handler is told to stop");
        assert!(!store.finish(&cancelled, Status::Completed, Ok(json!({}))));
        let snapshot = store.get(&cancelled, A).unwrap();
        assert_eq!(snapshot.status, Status::Cancelled);
        assert!(snapshot.outcome.is_none());
    }

    #[test]
    fn a_party_past_its_quota_loses_its_oldest_finished_task_or_is_refused() {
        let store = Arc::new(TaskStore::new(limits(2, 100)));
        let (first, _) = create(&store, A);
        let (second, _) = create(&store, A);
        let refused = store.create(A, None, CancellationToken::new()).unwrap_err();
        assert!(refused.contains("the limit is 2"), "{refused}");
        // Another party has its own quota.
        create(&store, B);
        store.finish(&second, Status::Completed, Ok(json!({})));
        let (third, _) = create(&store, A);
        assert!(store.get(&second, A).is_none(), "the finished task made room");
        assert!(store.get(&first, A).is_some() && store.get(&third, A).is_some());
        assert_eq!(store.len(), 3);
    }

    #[test]
    fn a_bearer_token_has_a_quota_an_anonymous_stateless_client_only_the_servers() {
        let store = Arc::new(TaskStore::new(limits(1, 3)));
        let token = Party::Stateless(Some([7; 32]));
        create(&store, token);
        assert!(store.create(token, None, CancellationToken::new()).unwrap_err().contains("the limit is 1"));
        create(&store, Party::Stateless(None));
        create(&store, Party::Stateless(None));
        assert!(
            store.create(Party::Stateless(None), None, CancellationToken::new()).unwrap_err().contains("its limit")
        );
    }

    #[test]
    fn the_server_quota_holds_across_parties() {
        let store = Arc::new(TaskStore::new(limits(10, 3)));
        let (a, _) = create(&store, A);
        create(&store, B);
        create(&store, Party::Stateless(None));
        assert!(store.create(Party::Connection(3), None, CancellationToken::new()).unwrap_err().contains("limit"));
        store.finish(&a, Status::Failed, Err(ErrorObject::internal("x")));
        create(&store, Party::Connection(3));
        assert!(store.get(&a, A).is_none());
        assert_eq!(store.len(), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn expired_tasks_are_freed_and_their_handlers_stopped() {
        let store = Arc::new(TaskStore::new(limits(1000, 1000)));
        let token = CancellationToken::new();
        let short = store.create(A, Some(1_000), token.clone()).unwrap();
        assert_eq!(short.ttl_ms, 1_000);
        for _ in 0..99 {
            let (id, _) = create(&store, A);
            store.finish(&id, Status::Completed, Ok(json!({"content": [{"type": "text", "text": "x".repeat(1000)}]})));
        }
        assert_eq!(store.len(), 100);
        tokio::time::advance(Duration::from_millis(999)).await;
        assert!(store.get(&short.id, A).is_some(), "not before its ttl");
        tokio::time::advance(Duration::from_millis(1)).await;
        assert!(store.get(&short.id, A).is_none());
        assert!(token.is_cancelled(), "a running task that expires is stopped");
        assert_eq!(store.len(), 99);
        tokio::time::advance(TaskLimits::default().default_ttl).await;
        create(&store, B);
        assert_eq!(store.len(), 1, "creation sweeps what expired");
    }

    #[test]
    fn ttl_is_bounded_by_the_limits() {
        let store = Arc::new(TaskStore::new(TaskLimits::default()));
        let max = TaskLimits::default().max_ttl.as_millis() as u64;
        assert_eq!(store.create(A, Some(u64::MAX), CancellationToken::new()).unwrap().ttl_ms, max);
        assert_eq!(store.create(A, Some(0), CancellationToken::new()).unwrap().ttl_ms, 1);
        let default = TaskLimits::default().default_ttl.as_millis() as u64;
        assert_eq!(store.create(A, None, CancellationToken::new()).unwrap().ttl_ms, default);
    }

    #[tokio::test]
    async fn input_is_handed_over_once_every_request_is_answered() {
        let store = Arc::new(TaskStore::new(TaskLimits::default()));
        let (id, _) = create(&store, Party::Stateless(None));
        let requests = json!({"a": {"method": "elicitation/create"}, "b": {"method": "elicitation/create"}});
        let mut answered = store.ask_input(&id, requests.as_object().unwrap().clone()).unwrap();
        let snapshot = store.get(&id, Party::Stateless(None)).unwrap();
        assert_eq!(snapshot.status, Status::InputRequired);
        assert_eq!(snapshot.input_requests.unwrap().len(), 2);

        let answer = |v: Value| v.as_object().unwrap().clone();
        assert!(store.answer(&id, Party::Stateless(None), answer(json!({"a": {"action": "accept"}, "zzz": 1}))));
        let snapshot = store.get(&id, Party::Stateless(None)).unwrap();
        assert_eq!(snapshot.status, Status::InputRequired);
        assert_eq!(snapshot.input_requests.unwrap().keys().collect::<Vec<_>>(), ["b"]);
        assert!(answered.try_recv().is_err(), "nothing handed over while one is pending");

        store.answer(&id, Party::Stateless(None), answer(json!({"b": {"action": "decline"}})));
        assert_eq!(store.get(&id, Party::Stateless(None)).unwrap().status, Status::Working);
        let all = answered.await.unwrap();
        assert_eq!(Value::Object(all), json!({"a": {"action": "accept"}, "b": {"action": "decline"}}));
    }

    #[tokio::test]
    async fn a_waiter_sees_the_end_or_the_task_going_away() {
        let store = Arc::new(TaskStore::new(TaskLimits::default()));
        let (id, _) = create(&store, A);
        let mut rx = store.watch(&id, A).unwrap();
        store.finish(&id, Status::Completed, Ok(json!({})));
        assert_eq!(*rx.wait_for(|s| s.is_terminal()).await.unwrap(), Status::Completed);

        let (gone, token) = create(&store, A);
        let mut rx = store.watch(&gone, A).unwrap();
        store.forget_party(A);
        assert!(rx.wait_for(|s| s.is_terminal()).await.is_err(), "the task was dropped with its party");
        assert!(token.is_cancelled());
        assert_eq!(store.len(), 0);
    }

    #[test]
    fn progress_and_waits_for_the_client_show_on_a_running_task_only() {
        let store = Arc::new(TaskStore::new(TaskLimits::default()));
        let (id, _) = create(&store, A);
        store.set_message(&id, "3 of 10".into());
        {
            let _waiting = store.waiting(&id);
            let waiting = store.get(&id, A).unwrap();
            assert_eq!(waiting.status, Status::InputRequired);
            assert_eq!(waiting.status_message.as_deref(), Some("3 of 10"));
        }
        assert_eq!(store.get(&id, A).unwrap().status, Status::Working);
        // A guard dropped after the end does not bring the task back.
        let waiting = store.waiting(&id);
        store.finish(&id, Status::Completed, Ok(json!({})));
        drop(waiting);
        store.set_message(&id, "late".into());
        let done = store.get(&id, A).unwrap();
        assert_eq!(done.status, Status::Completed);
        assert_eq!(done.status_message, None);
    }

    #[test]
    fn listing_pages_in_creation_order() {
        let store = Arc::new(TaskStore::new(TaskLimits::default()));
        let ids: Vec<String> = (0..5).map(|_| create(&store, A).0).collect();
        create(&store, B);
        let (page, more) = store.list(A, 0, 2);
        assert!(more);
        assert_eq!(page.iter().map(|s| &s.id).collect::<Vec<_>>(), [&ids[0], &ids[1]]);
        let (page, more) = store.list(A, 4, 2);
        assert!(!more);
        assert_eq!(page[0].id, ids[4]);
    }
}
