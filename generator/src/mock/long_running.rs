//! Long-running operations played by the mock (`mcpgen mock --long-running-polls N`): a valid
//! call of an operation the generator recognises as long-running ([`crate::ir::long_running`])
//! starts a job that answers "still running" to its first `N` polls and then ends.
//!
//! - A 202 with a `Location` (and `x-mcp: {longRunning: true}`): `202` +
//!   `Location: <base>/__mcpgen/operations/<id>`, which answers `202` (`Retry-After: 0`) `N`
//!   times, then the operation's success answer (its lowest documented 2xx other than 202, else
//!   `{"id", "status": "Succeeded"}`).
//! - `x-ms-long-running-operation`: `202` with a status monitor, `Azure-AsyncOperation` (or
//!   `Operation-Location` when `final-state-via` says so) at `.../<id>/status` answering
//!   `{"status": "InProgress"}` `N` times then `{"status": "Succeeded"}`, and a `Location` at
//!   `.../<id>` that answers the final resource once the job is done.
//! - A Google-style `Operation`: `{"name": "__mcpgen/operations/<id>", "done": false}`, the
//!   name served under the base path, `done: true` with a `response` (the success answer's own
//!   `response`) after `N` polls.
//!
//! A job's id is a digest of the operation and the request (method, path, query, body), so the
//! same call gets the same answer whichever server sends it (the corpus compares two servers'
//! transcripts byte for byte); calling it again starts it again. Jobs are kept in memory, at
//! most [`MAX_JOBS`] (the oldest forgotten first).

use super::Reply;
use crate::ir::{FinalState, LongRunning, LongRunningOp, Recognised};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::Mutex;

/// Where jobs are polled, under the description's base path.
pub const OPERATIONS_PATH: &str = "/__mcpgen/operations/";
/// The jobs kept at once.
pub const MAX_JOBS: usize = 10_000;
/// "Still running" answers before the end, unless `--long-running-polls` says otherwise.
pub const DEFAULT_POLLS: u32 = 2;

/// The mock's jobs.
pub struct Jobs {
    polls: u32,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// How many jobs were started: each job's `started` is its place in that count.
    started: u64,
    jobs: BTreeMap<String, Job>,
}

struct Job {
    started: u64,
    kind: LongRunning,
    /// Polls still to answer "running".
    remaining: u32,
    /// The operation's name, for the record.
    operation: String,
    /// What the job ends with.
    done: Reply,
}

impl Jobs {
    pub fn new(polls: u32) -> Jobs {
        Jobs { polls, state: Mutex::new(State::default()) }
    }

    pub fn polls(&self) -> u32 {
        self.polls
    }

    /// Starts a job for a valid call of `operation` (`lr`), whose plain success answer is
    /// `success`; the answer that starts it. `request` is what identifies the call (method,
    /// path, query, body); `base_path` is the description's.
    pub fn start(
        &self,
        operation: &str,
        request: &[&[u8]],
        lr: LongRunningOp,
        success: Reply,
        base_path: &str,
    ) -> Reply {
        let mut digest = Sha256::new();
        digest.update(operation.as_bytes());
        for part in request {
            digest.update((part.len() as u64).to_le_bytes());
            digest.update(part);
        }
        let id: String = digest.finalize()[..8].iter().map(|b| format!("{b:02x}")).collect();
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.started += 1;
        let started = state.started;
        let at = format!("{base_path}{OPERATIONS_PATH}{id}");
        let finished = Reply::json(200, &json!({"id": id, "status": "Succeeded"}));
        let done = match lr.kind {
            // The success answer is the operation itself: its `response` is the result.
            LongRunning::Operation => serde_json::from_slice::<Value>(&success.body)
                .ok()
                .and_then(|op| op.get("response").filter(|r| !r.is_null()).cloned())
                .map_or(finished, |r| Reply::json(200, &r)),
            LongRunning::Polling(_) if success.status == 202 || success.body.is_empty() => finished,
            LongRunning::Polling(_) => success,
        };
        let reply = match lr.kind {
            LongRunning::Operation => {
                let name = format!("{}{id}", OPERATIONS_PATH.trim_start_matches('/'));
                Reply::json(200, &json!({"name": name, "done": false}))
            }
            LongRunning::Polling(final_state) => {
                let mut r = Reply::json(202, &json!({"id": id, "status": "Running"}));
                r.headers.push(("location".into(), at.clone()));
                r.headers.push(("retry-after".into(), "0".into()));
                if lr.recognised == Recognised::Azure {
                    let monitor = if final_state == FinalState::OperationLocation {
                        "operation-location"
                    } else {
                        "azure-asyncoperation"
                    };
                    r.headers.push((monitor.into(), format!("{at}/status")));
                }
                r
            }
        };
        let job = Job { started, kind: lr.kind, remaining: self.polls, operation: operation.to_string(), done };
        state.jobs.insert(id, job);
        if state.jobs.len() > MAX_JOBS
            && let Some(oldest) = state.jobs.iter().min_by_key(|(_, j)| j.started).map(|(id, _)| id.clone())
        {
            state.jobs.remove(&oldest);
        }
        reply
    }

    /// The answer to a poll of `path` (the request's path without the base path), when it is
    /// one: and the job's operation, for the record.
    pub fn poll(&self, method: &str, path: &str) -> Option<(Reply, String)> {
        let rest = path.strip_prefix(OPERATIONS_PATH)?;
        let (id, status) = match rest.split_once('/') {
            Some((id, "status")) => (id, true),
            Some(_) => return Some((not_found(path), String::new())),
            None => (rest, false),
        };
        if !method.eq_ignore_ascii_case("GET") {
            return Some((Reply::json(405, &json!({"error": format!("{path} answers GET only")})), String::new()));
        }
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let Some(job) = state.jobs.get_mut(id) else {
            return Some((not_found(path), String::new()));
        };
        let operation = format!("{} (poll)", job.operation);
        let running = job.remaining > 0;
        let reply = match job.kind {
            LongRunning::Operation => {
                let name = format!("{}{id}", OPERATIONS_PATH.trim_start_matches('/'));
                if running {
                    job.remaining -= 1;
                    Reply::json(200, &json!({"name": name, "done": false}))
                } else {
                    let response = serde_json::from_slice::<Value>(&job.done.body).unwrap_or(Value::Null);
                    Reply::json(200, &json!({"name": name, "done": true, "response": response}))
                }
            }
            LongRunning::Polling(_) if status => {
                if running {
                    job.remaining -= 1;
                    let mut r = Reply::json(200, &json!({"status": "InProgress"}));
                    r.headers.push(("retry-after".into(), "0".into()));
                    r
                } else {
                    Reply::json(200, &json!({"status": "Succeeded"}))
                }
            }
            LongRunning::Polling(_) if running => {
                job.remaining -= 1;
                let mut r = Reply::json(202, &json!({"id": id, "status": "Running"}));
                r.headers.push(("retry-after".into(), "0".into()));
                r
            }
            LongRunning::Polling(_) => job.done.clone(),
        };
        Some((reply, operation))
    }
}

fn not_found(path: &str) -> Reply {
    Reply::json(404, &json!({"error": format!("no long-running operation at {path}")}))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lr(kind: LongRunning, recognised: Recognised) -> LongRunningOp {
        LongRunningOp { kind, recognised }
    }

    fn header<'a>(r: &'a Reply, name: &str) -> Option<&'a str> {
        r.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    fn body(r: &Reply) -> Value {
        serde_json::from_slice(&r.body).unwrap()
    }

    #[test]
    fn a_location_answers_running_n_times_then_the_result() {
        let jobs = Jobs::new(2);
        let polling = lr(LongRunning::Polling(FinalState::Default), Recognised::Accepted);
        let success = Reply::json(200, &json!({"id": "j1", "state": "finished"}));
        let started = jobs.start("createJob", &[b"POST", b"/v1/jobs"], polling, success.clone(), "/v1");
        assert_eq!(started.status, 202);
        let location = header(&started, "location").unwrap().to_string();
        assert!(location.starts_with("/v1/__mcpgen/operations/") && location.len() == 24 + 16, "{location}");
        assert_eq!(header(&started, "azure-asyncoperation"), None);
        let at = location.trim_start_matches("/v1").to_string();
        let poll = || jobs.poll("GET", &at).unwrap();
        assert_eq!((poll().0.status, poll().0.status), (202, 202));
        let (last, op) = poll();
        assert_eq!((last.status, body(&last)), (200, json!({"id": "j1", "state": "finished"})));
        assert_eq!(op, "createJob (poll)");
        assert_eq!(poll().0.status, 200, "a finished job stays finished");
        let again = jobs.start("createJob", &[b"POST", b"/v1/jobs"], polling, success.clone(), "/v1");
        assert_eq!(header(&again, "location"), Some(location.as_str()), "the same call, the same job");
        assert_eq!(poll().0.status, 202, "started again");
        let other = jobs.start("createJob", &[b"POST", b"/v1/jobs", b"{}"], polling, success, "/v1");
        assert_ne!(header(&other, "location"), Some(location.as_str()), "another call, another job");
        assert_eq!(jobs.poll("GET", "/__mcpgen/operations/9").unwrap().0.status, 404);
        assert_eq!(jobs.poll("POST", &at).unwrap().0.status, 405);
        assert!(jobs.poll("GET", "/jobs/1").is_none(), "the API's own paths are not the mock's");
    }

    #[test]
    fn azure_has_a_status_monitor_and_google_an_operation() {
        let jobs = Jobs::new(1);
        let azure = lr(LongRunning::Polling(FinalState::Default), Recognised::Azure);
        let started = jobs.start("exportReport", &[], azure, Reply::json(202, &json!({})), "");
        let monitor = header(&started, "azure-asyncoperation").unwrap().to_string();
        let location = header(&started, "location").unwrap().to_string();
        assert_eq!(monitor, format!("{location}/status"));
        let get = |p: &str| jobs.poll("GET", p).unwrap().0;
        assert_eq!(body(&get(&monitor)), json!({"status": "InProgress"}));
        assert_eq!(body(&get(&monitor)), json!({"status": "Succeeded"}));
        assert_eq!(body(&get(&location))["status"], "Succeeded");

        let op = json!({"name": "x", "done": false, "response": {"n": 1}});
        let started =
            jobs.start("runOp", &[], lr(LongRunning::Operation, Recognised::Google), Reply::json(200, &op), "");
        let name = body(&started)["name"].as_str().unwrap().to_string();
        assert!(name.starts_with("__mcpgen/operations/"), "{name}");
        assert_eq!(body(&started)["done"], false);
        let at = format!("/{name}");
        assert_eq!(body(&get(&at))["done"], false);
        assert_eq!(body(&get(&at)), json!({"name": name, "done": true, "response": {"n": 1}}));
    }
}
