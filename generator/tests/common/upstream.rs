//! A recording HTTP API on loopback: it keeps every request it receives and answers with the
//! test's responder.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub uri: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

pub type Responder = fn(&Method, &Uri, &[u8]) -> Response;

#[derive(Clone)]
pub struct Recorder {
    pub seen: Arc<Mutex<Vec<Seen>>>,
    pub base: String,
}

impl Recorder {
    /// Serves on a free loopback port until the test ends.
    pub async fn start(respond: Responder) -> Recorder {
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let state = (seen.clone(), respond);
        let app = Router::new().fallback(handle).with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Recorder { seen, base }
    }

    pub fn count(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    pub fn last(&self) -> Seen {
        self.seen.lock().unwrap().last().cloned().expect("a request reached the API")
    }

    pub fn get(&self, i: usize) -> Seen {
        self.seen.lock().unwrap()[i].clone()
    }
}

async fn handle(
    State((seen, respond)): State<(Arc<Mutex<Vec<Seen>>>, Responder)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let response = respond(&method, &uri, &body);
    seen.lock().unwrap().push(Seen { method: method.to_string(), uri: uri.to_string(), headers, body: body.to_vec() });
    response
}
