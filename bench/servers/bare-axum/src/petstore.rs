//! `--petstore`: the one upstream every server of the proxy scenario calls, and the limit it is
//! measured against (called directly with wrk). It answers `fixtures/petstore.yaml`'s read
//! routes under `/v1` (the spec's server `http://petstore.example.com/{basePath}`, basePath `v1`)
//! with fixed JSON and no work beyond routing, so a proxy's cost is what it adds on top:
//!
//! - `GET /v1/pets/{petId}` → `{"id":ID,"name":"Rex","tag":"dog"}` (the id echoed, so a proxy
//!   that dropped or mangled the argument is caught: a non-numeric id is a 400);
//! - `GET /v1/pets` → two pets.
//!
//! Every request must carry the spec's `X-API-Key` header (any value), else 401: each server
//! is then checked to send the credential the spec declares, as a real API would demand.
//!
//! `--delay-ms N` holds each answer N ms (a timer, no CPU): an API that far away, where a proxy's
//! call spends its time waiting rather than on a second core of the same machine.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::time::Duration;

const PETS: &str = r#"[{"id":1,"name":"Rex","tag":"dog"},{"id":2,"name":"Tom","tag":"cat"}]"#;

pub fn router(delay: Duration) -> Router {
    Router::new().route("/v1/pets", get(list_pets)).route("/v1/pets/{pet_id}", get(show_pet)).with_state(delay)
}

async fn wait(delay: Duration) {
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
}

fn json(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn unauthorized(headers: &HeaderMap) -> Option<Response> {
    if headers.contains_key("x-api-key") {
        return None;
    }
    Some(json(StatusCode::UNAUTHORIZED, r#"{"code":401,"message":"X-API-Key header missing"}"#.into()))
}

async fn list_pets(State(delay): State<Duration>, headers: HeaderMap) -> Response {
    wait(delay).await;
    unauthorized(&headers).unwrap_or_else(|| json(StatusCode::OK, PETS.into()))
}

async fn show_pet(State(delay): State<Duration>, headers: HeaderMap, Path(pet_id): Path<String>) -> Response {
    wait(delay).await;
    if let Some(denied) = unauthorized(&headers) {
        return denied;
    }
    match pet_id.parse::<u64>() {
        Ok(id) => json(StatusCode::OK, format!(r#"{{"id":{id},"name":"Rex","tag":"dog"}}"#)),
        Err(_) => json(StatusCode::BAD_REQUEST, r#"{"code":400,"message":"petId must be an integer"}"#.into()),
    }
}
