//! The application's own REST API: a todo list held in memory, as openapi.yaml describes it.

use mcpgen_runtime::axum::extract::{Path, State};
use mcpgen_runtime::axum::http::StatusCode;
use mcpgen_runtime::axum::routing::get;
use mcpgen_runtime::axum::{Json, Router};
use mcpgen_runtime::serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct Todos {
    next_id: u64,
    items: BTreeMap<u64, Value>,
}

type Shared = Arc<Mutex<Todos>>;

/// `/todos` and `/todos/{id}`.
pub fn routes() -> Router {
    Router::new()
        .route("/todos", get(list).post(create))
        .route("/todos/{id}", get(read).delete(remove))
        .with_state(Shared::default())
}

async fn list(State(todos): State<Shared>) -> Json<Value> {
    let todos = todos.lock().unwrap_or_else(|e| e.into_inner());
    Json(Value::Array(todos.items.values().cloned().collect()))
}

async fn create(State(todos): State<Shared>, Json(body): Json<Value>) -> (StatusCode, Json<Value>) {
    let Some(title) = body["title"].as_str().filter(|t| !t.is_empty()) else {
        return (StatusCode::BAD_REQUEST, Json(json!({"error": "`title` must be a non-empty string"})));
    };
    let mut todos = todos.lock().unwrap_or_else(|e| e.into_inner());
    todos.next_id += 1;
    let id = todos.next_id;
    let todo = json!({"id": id, "title": title, "done": body["done"].as_bool().unwrap_or(false)});
    todos.items.insert(id, todo.clone());
    (StatusCode::CREATED, Json(todo))
}

async fn read(State(todos): State<Shared>, Path(id): Path<u64>) -> Result<Json<Value>, (StatusCode, Json<Value>)> {
    let todos = todos.lock().unwrap_or_else(|e| e.into_inner());
    todos.items.get(&id).cloned().map(Json).ok_or_else(|| not_found(id))
}

async fn remove(State(todos): State<Shared>, Path(id): Path<u64>) -> Result<StatusCode, (StatusCode, Json<Value>)> {
    let mut todos = todos.lock().unwrap_or_else(|e| e.into_inner());
    todos.items.remove(&id).map(|_| StatusCode::NO_CONTENT).ok_or_else(|| not_found(id))
}

fn not_found(id: u64) -> (StatusCode, Json<Value>) {
    (StatusCode::NOT_FOUND, Json(json!({"error": format!("no todo has id {id}")})))
}
