//! Legacy (2025-03-26 .. 2025-11-25) Streamable HTTP sessions: ids, lookup, idle expiry and
//! the cap that keeps their memory bounded.
//!
//! Expiry is checked on every lookup, and by a sweeper task that the first session starts: it
//! ends sessions their clients abandoned, so their memory is freed even when nobody asks for them
//! again. The sweeper holds only a weak reference and stops once the store is gone, so an app
//! mounted in someone else's server behaves the same as one we serve. A session with a request
//! or a GET stream in flight is never idle.

use crate::auth::Caller;
use crate::server::{Connection, Selection};
use axum::http::HeaderValue;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Weak;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Messages the session sends on its own (not tied to a request) wait here for a GET stream.
const OUTBOUND_CAPACITY: usize = 64;

/// Bounds of the sweeper's interval (a quarter of the idle timeout in between).
const SWEEP_MIN: Duration = Duration::from_millis(10);
const SWEEP_MAX: Duration = Duration::from_secs(60);

/// A session id: 128 random bits from the operating system, as 32 lowercase hex characters
/// (visible ASCII, safe in a header and a query string).
pub(crate) fn new_session_id() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// A fresh session id, or the 500 to send when the operating system has no random bytes.
pub(crate) fn mint_session_id() -> Result<String, Box<axum::response::Response>> {
    new_session_id().map_err(|e| {
        tracing::error!(error = %e, "the operating system refused random bytes for a session id");
        Box::new(super::responses::transport_error(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            crate::protocol::codes::INTERNAL_ERROR,
            "cannot create a session",
        ))
    })
}

/// True for ids [`new_session_id`] could have made.
pub(crate) fn is_well_formed_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

pub(crate) struct Session {
    pub id: String,
    /// `id` as the `Mcp-Session-Id` value of every response, made once. `None` only for an id
    /// that is no header value, which a minted one never is.
    pub id_header: Option<HeaderValue>,
    pub conn: Arc<Connection>,
    /// Cancelled when the session ends: its streams close and its pump stops.
    pub ended: CancellationToken,
    activity: Mutex<Activity>,
    stream_open: AtomicBool,
    stream: Mutex<Option<mpsc::Sender<Value>>>,
    /// Counted in `mcp_sessions_open` while it lives (`--metrics`).
    _open: Option<crate::metrics::Open>,
    /// The fingerprint of the caller that opened it ([`Caller`]), when the server authenticates
    /// or clients bring their own API credentials.
    credential: std::sync::OnceLock<[u8; 32]>,
}

struct Activity {
    in_flight: usize,
    last: Instant,
}

impl Session {
    /// A session whose connection's own messages are pumped to the GET stream, if one is open.
    /// Must run inside a tokio runtime.
    pub fn start(id: String, selection: Option<Selection>) -> Arc<Session> {
        let (session, mut rx) = Session::with_outbound(id, selection);
        let weak = Arc::downgrade(&session);
        let ended = session.ended.clone();
        tokio::spawn(async move {
            loop {
                let message = tokio::select! {
                    m = rx.recv() => m,
                    _ = ended.cancelled() => None,
                };
                let Some(message) = message else { break };
                let Some(session) = weak.upgrade() else { break };
                let target = session.stream.lock().expect("stream lock").clone();
                match target {
                    Some(stream) => {
                        let _ = stream.send(message).await;
                    }
                    None => {
                        tracing::debug!(session = %session.id, "no GET stream open; dropped a server message")
                    }
                }
            }
        });
        session
    }

    /// A session and the receiver of everything its connection sends, for a transport whose
    /// one stream lives exactly as long as the session (SSE).
    pub fn with_outbound(id: String, selection: Option<Selection>) -> (Arc<Session>, mpsc::Receiver<Value>) {
        let (tx, rx) = mpsc::channel::<Value>(OUTBOUND_CAPACITY);
        let session = Arc::new(Session {
            id_header: HeaderValue::from_str(&id).ok(),
            id,
            conn: Arc::new(Connection::with_selection(Some(tx), selection)),
            ended: CancellationToken::new(),
            activity: Mutex::new(Activity { in_flight: 0, last: Instant::now() }),
            stream_open: AtomicBool::new(false),
            stream: Mutex::new(None),
            _open: crate::metrics::Open::session(),
            credential: std::sync::OnceLock::new(),
        });
        (session, rx)
    }

    /// Binds the session to the caller that opened it (`None`: no authentication configured).
    pub fn bind(&self, caller: Caller) {
        if let Some(fingerprint) = caller.fingerprint() {
            let _ = self.credential.set(fingerprint);
        }
        self.conn.set_caller(caller);
    }

    /// Whether `caller` may use this session: the one that opened it only (the same static token,
    /// or the same OAuth subject and client, whatever token they hold now); anyone else gets the
    /// 404 of a session that does not exist. The caller's latest identity (its scopes) goes to
    /// the session's requests.
    pub fn admits(&self, caller: &Caller) -> bool {
        if self.credential.get().copied() != caller.fingerprint() {
            return false;
        }
        if caller.identity.is_some() || caller.api_credentials.is_some() {
            self.conn.set_caller(caller.clone());
        }
        true
    }

    /// Requests and streams of this session in flight now.
    pub fn in_flight(&self) -> usize {
        self.activity.lock().expect("activity lock").in_flight
    }

    /// Marks the session busy until the guard drops.
    pub fn enter(self: &Arc<Self>) -> ActivityGuard {
        self.activity.lock().expect("activity lock").in_flight += 1;
        ActivityGuard(self.clone())
    }

    fn idle_for(&self, now: Instant) -> Option<Duration> {
        let a = self.activity.lock().expect("activity lock");
        (a.in_flight == 0).then(|| now.saturating_duration_since(a.last))
    }

    /// Attaches the GET stream; `None` if one is already open (a session has at most one).
    pub fn open_stream(self: &Arc<Self>) -> Option<(mpsc::Receiver<Value>, StreamSlot)> {
        if self.stream_open.swap(true, Ordering::AcqRel) {
            return None;
        }
        let (tx, rx) = mpsc::channel(OUTBOUND_CAPACITY);
        *self.stream.lock().expect("stream lock") = Some(tx);
        Some((rx, StreamSlot(self.clone())))
    }

    /// Ends the session: its GET stream closes and requests still running are cancelled.
    pub fn end(&self) {
        self.ended.cancel();
        self.conn.cancel_all();
    }
}

/// Held while a request or stream of the session is in flight.
pub(crate) struct ActivityGuard(Arc<Session>);

impl Drop for ActivityGuard {
    fn drop(&mut self) {
        let mut a = self.0.activity.lock().expect("activity lock");
        a.in_flight = a.in_flight.saturating_sub(1);
        a.last = Instant::now();
    }
}

/// Frees the session's GET stream slot when the stream ends.
pub(crate) struct StreamSlot(Arc<Session>);

impl Drop for StreamSlot {
    fn drop(&mut self) {
        *self.0.stream.lock().expect("stream lock") = None;
        self.0.stream_open.store(false, Ordering::Release);
    }
}

/// Every live session, capped in number.
pub(crate) struct SessionStore {
    sessions: Mutex<HashMap<String, Arc<Session>>>,
    idle_timeout: Duration,
    max: usize,
    /// Set once the sweeper task runs.
    sweeping: AtomicBool,
    /// Set when a session was forgotten since the sweeper last tidied up.
    forgot: AtomicBool,
    /// Run by the sweeper after sessions were forgotten: whoever else tracks them (the
    /// dispatcher's list of sessions to notify) lets go of what they held.
    on_forget: Option<Box<dyn Fn() + Send + Sync>>,
}

/// The store is full of busy sessions.
#[derive(Debug)]
pub(crate) struct Full;

impl SessionStore {
    pub fn new(idle_timeout: Duration, max: usize) -> SessionStore {
        SessionStore {
            sessions: Mutex::new(HashMap::new()),
            idle_timeout,
            max: max.max(1),
            sweeping: AtomicBool::new(false),
            forgot: AtomicBool::new(false),
            on_forget: None,
        }
    }

    /// Runs `hook` on the sweeper's next tick after any session was forgotten.
    pub fn on_forget(mut self, hook: impl Fn() + Send + Sync + 'static) -> SessionStore {
        self.on_forget = Some(Box::new(hook));
        self
    }

    /// A live session; an expired one is ended and forgotten on the way.
    pub fn get(&self, id: &str) -> Option<Arc<Session>> {
        let mut sessions = self.sessions.lock().expect("sessions lock");
        let session = sessions.get(id)?.clone();
        if session.idle_for(Instant::now()).is_some_and(|idle| idle >= self.idle_timeout) {
            sessions.remove(id);
            drop(sessions);
            self.forgot.store(true, Ordering::Release);
            tracing::info!(session = %session.id, "session ended after being idle");
            session.end();
            return None;
        }
        Some(session)
    }

    /// Whether [`SessionStore::insert`] would succeed now (used to refuse before doing work).
    pub fn has_room(&self) -> bool {
        let mut sessions = self.sessions.lock().expect("sessions lock");
        self.make_room(&mut sessions)
    }

    /// Adds a session, ending expired ones and then the longest-idle one if the store is full.
    /// The first insert starts the sweeper (inside a tokio runtime, where handlers run).
    pub fn insert(self: &Arc<Self>, session: Arc<Session>) -> Result<(), Full> {
        let mut sessions = self.sessions.lock().expect("sessions lock");
        if !self.make_room(&mut sessions) {
            return Err(Full);
        }
        sessions.insert(session.id.clone(), session);
        drop(sessions);
        self.start_sweeper();
        Ok(())
    }

    /// Ends and forgets every session idle past the timeout; returns how many. When any session
    /// was forgotten since the last sweep, also gives back the map's spare room and runs the
    /// `on_forget` hook, so that memory returns to where it was before the sessions came.
    pub fn sweep(&self) -> usize {
        let mut sessions = self.sessions.lock().expect("sessions lock");
        let swept = self.remove_expired(&mut sessions);
        if !self.forgot.swap(false, Ordering::AcqRel) {
            return swept;
        }
        if sessions.capacity() > 2 * sessions.len() + 64 {
            sessions.shrink_to_fit();
        }
        drop(sessions);
        if let Some(hook) = &self.on_forget {
            hook();
        }
        swept
    }

    fn remove_expired(&self, sessions: &mut HashMap<String, Arc<Session>>) -> usize {
        let now = Instant::now();
        let expired: Vec<String> = sessions
            .values()
            .filter(|s| s.idle_for(now).is_some_and(|idle| idle >= self.idle_timeout))
            .map(|s| s.id.clone())
            .collect();
        for id in &expired {
            if let Some(s) = sessions.remove(id) {
                tracing::info!(session = %s.id, "session ended after being idle");
                s.end();
            }
        }
        if !expired.is_empty() {
            self.forgot.store(true, Ordering::Release);
        }
        expired.len()
    }

    fn start_sweeper(self: &Arc<Self>) {
        if self.sweeping.swap(true, Ordering::AcqRel) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            self.sweeping.store(false, Ordering::Release);
            return;
        };
        let every = (self.idle_timeout / 4).clamp(SWEEP_MIN, SWEEP_MAX);
        let store: Weak<SessionStore> = Arc::downgrade(self);
        runtime.spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            ticks.tick().await;
            loop {
                ticks.tick().await;
                let Some(store) = store.upgrade() else { break };
                store.sweep();
            }
        });
    }

    fn make_room(&self, sessions: &mut HashMap<String, Arc<Session>>) -> bool {
        if sessions.len() < self.max {
            return true;
        }
        self.remove_expired(sessions);
        if sessions.len() < self.max {
            return true;
        }
        let now = Instant::now();
        let oldest = sessions
            .values()
            .filter_map(|s| s.idle_for(now).map(|idle| (idle, s.id.clone())))
            .max_by_key(|(idle, _)| *idle)
            .map(|(_, id)| id);
        match oldest.and_then(|id| sessions.remove(&id)) {
            Some(s) => {
                tracing::info!(session = %s.id, "ended the longest-idle session to make room for a new one");
                s.end();
                self.forgot.store(true, Ordering::Release);
                true
            }
            None => false,
        }
    }

    /// Ends and forgets a session (DELETE); `false` if it was not live.
    pub fn remove(&self, id: &str) -> bool {
        let removed = self.sessions.lock().expect("sessions lock").remove(id);
        match removed {
            Some(session) => {
                session.end();
                self.forgot.store(true, Ordering::Release);
                true
            }
            None => false,
        }
    }

    /// Ends every session (shutdown).
    pub fn end_all(&self) {
        let all: Vec<Arc<Session>> = self.sessions.lock().expect("sessions lock").drain().map(|(_, s)| s).collect();
        for session in all {
            session.end();
        }
        self.forgot.store(true, Ordering::Release);
    }

    pub fn len(&self) -> usize {
        self.sessions.lock().expect("sessions lock").len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_random_hex() {
        let a = new_session_id().unwrap();
        let b = new_session_id().unwrap();
        assert_ne!(a, b);
        assert!(is_well_formed_id(&a), "{a}");
        assert!(!is_well_formed_id("xyz"));
        assert!(!is_well_formed_id(&a.to_uppercase()));
    }

    #[tokio::test]
    async fn idle_sessions_expire_and_the_cap_evicts_the_longest_idle() {
        let store = Arc::new(SessionStore::new(Duration::from_millis(50), 2));
        let (a, b) = (Session::start("a".into(), None), Session::start("b".into(), None));
        store.insert(a.clone()).unwrap();
        tokio::time::sleep(Duration::from_millis(5)).await;
        store.insert(b.clone()).unwrap();
        let busy = b.enter();
        let c = Session::start("c".into(), None);
        store.insert(c).unwrap();
        assert!(store.get("a").is_none(), "the longest-idle session made room");
        assert!(a.ended.is_cancelled());
        assert!(store.get("b").is_some());
        // Everything busy: no room.
        let _busy_c = store.get("c").unwrap().enter();
        assert!(store.insert(Session::start("d".into(), None)).is_err());
        drop(busy);
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert!(store.get("b").is_none(), "idle past the timeout");
        assert!(store.get("c").is_some(), "busy sessions never expire");
    }

    #[tokio::test]
    async fn abandoned_sessions_are_swept_without_anyone_asking_for_them() {
        let store = Arc::new(SessionStore::new(Duration::from_millis(50), 100));
        let sessions: Vec<Arc<Session>> = (0..10).map(|i| Session::start(format!("s{i}"), None)).collect();
        for s in &sessions {
            store.insert(s.clone()).unwrap();
        }
        let busy = sessions[0].enter();
        let deadline = Instant::now() + Duration::from_secs(5);
        while store.len() > 1 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(store.len(), 1, "only the busy session is left");
        assert!(sessions[1..].iter().all(|s| s.ended.is_cancelled()), "swept sessions were ended");
        drop(busy);
        // Forgetting runs the hook once per sweep that had something to tidy.
        let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = calls.clone();
        let hooked = Arc::new(SessionStore::new(Duration::from_secs(60), 10).on_forget(move || {
            counted.fetch_add(1, Ordering::SeqCst);
        }));
        hooked.insert(Session::start("h".into(), None)).unwrap();
        assert_eq!((hooked.sweep(), calls.load(Ordering::SeqCst)), (0, 0), "nothing forgotten yet");
        assert!(hooked.remove("h"));
        hooked.sweep();
        hooked.sweep();
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // The sweeper holds no strong reference: the store can go away.
        let weak = Arc::downgrade(&store);
        drop(store);
        assert!(weak.upgrade().is_none());
    }

    #[tokio::test]
    async fn one_get_stream_per_session() {
        let s = Session::start("s".into(), None);
        let (rx, slot) = s.open_stream().unwrap();
        assert!(s.open_stream().is_none());
        drop((rx, slot));
        assert!(s.open_stream().is_some());
    }
}
