//! 2026-07-28 `subscriptions/listen`: a long-lived request whose stream carries the
//! notifications the client opted in to, until the client goes away.

use super::{Call, Dispatcher};
use crate::protocol::ErrorObject;
use crate::protocol::jsonrpc::notification;
use crate::server::state::Filter;
use serde_json::{Map, Value, json};

const SUBSCRIPTION_ID_META_KEY: &str = "io.modelcontextprotocol/subscriptionId";
/// The most tasks one listener follows (a party holds at most its quota anyway).
const MAX_WATCHED_TASKS: usize = 256;

impl Dispatcher {
    pub(super) async fn listen(&self, params: Option<&Value>, call: Call<'_>) -> Result<Value, ErrorObject> {
        let requested = params
            .and_then(|p| p.get("notifications"))
            .and_then(Value::as_object)
            .ok_or_else(|| ErrorObject::invalid_params("subscriptions/listen needs a `notifications` object"))?;
        // The tasks extension: status pushes for the caller's own tasks it names.
        let task_ids: Vec<String> = requested
            .get("taskIds")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|t| t.as_str().map(String::from)).collect())
            .unwrap_or_default();
        if !task_ids.is_empty() && !super::tasks::declares_extension(call.ctx.client_capabilities()) {
            return Err(super::tasks::missing_extension(
                "task status notifications are part of the tasks extension".into(),
            ));
        }
        let party = call.conn.party();
        let watched: Vec<(String, tokio::sync::watch::Receiver<crate::server::tasks::Status>)> = task_ids
            .into_iter()
            .filter_map(|id| self.tasks.watch(&id, party).map(|rx| (id, rx)))
            .take(MAX_WATCHED_TASKS)
            .collect();
        let flag = |key: &str| requested.get(key).and_then(Value::as_bool).unwrap_or(false);
        let uris: Vec<String> = requested
            .get("resourceSubscriptions")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|u| u.as_str().map(String::from)).collect())
            .unwrap_or_default();
        let caps = self.capabilities();
        let filter = Filter {
            tools: flag("toolsListChanged") && caps.get("tools").is_some(),
            resources: flag("resourcesListChanged") && caps.get("resources").is_some(),
            prompts: flag("promptsListChanged") && caps.get("prompts").is_some(),
            uris: if caps.get("resources").is_some() { uris.into_iter().collect() } else { Default::default() },
        };
        let sink = call
            .ctx
            .sink()
            .cloned()
            .ok_or_else(|| ErrorObject::internal("this transport cannot hold a subscription stream open"))?;
        let subscription_id = call.id.to_value();

        // The acknowledgement lists only what will be honoured, and comes first.
        let mut agreed = Map::new();
        for (key, on) in [
            ("toolsListChanged", filter.tools),
            ("resourcesListChanged", filter.resources),
            ("promptsListChanged", filter.prompts),
        ] {
            if on {
                agreed.insert(key.into(), json!(true));
            }
        }
        if !filter.uris.is_empty() {
            let mut uris: Vec<&String> = filter.uris.iter().collect();
            uris.sort();
            agreed.insert("resourceSubscriptions".into(), json!(uris));
        }
        if !watched.is_empty() {
            agreed.insert("taskIds".into(), json!(watched.iter().map(|(id, _)| id).collect::<Vec<_>>()));
        }
        let ack = json!({"notifications": agreed, "_meta": {SUBSCRIPTION_ID_META_KEY: subscription_id}});
        sink.send(notification("notifications/subscriptions/acknowledged", ack))
            .await
            .map_err(|_| ErrorObject::internal("the client went away"))?;

        let key = self.state.add_listener(filter, subscription_id.clone(), sink.clone());
        // Each watched task's status changes go out as `notifications/tasks`, each carrying the
        // task as `tasks/get` would give it, until the task ends (or expires).
        let forward = watched.into_iter().map(|(id, mut status)| {
            let (sink, subscription_id) = (sink.clone(), subscription_id.clone());
            async move {
                while status.changed().await.is_ok() {
                    let Some(task) = self.tasks.get(&id, party) else { break };
                    let mut fields = super::tasks::detailed_task(&task);
                    fields.insert("_meta".into(), json!({SUBSCRIPTION_ID_META_KEY: subscription_id}));
                    if sink.send(notification("notifications/tasks", Value::Object(fields))).await.is_err() {
                        break;
                    }
                    if task.status.is_terminal() {
                        break;
                    }
                }
            }
        });
        let forwarding = async {
            futures::future::join_all(forward).await;
            std::future::pending::<()>().await
        };
        // Ends when the client cancels or disconnects (the dispatcher then sends nothing),
        // or when the stream's receiver is dropped.
        tokio::select! {
            _ = call.ctx.cancellation().cancelled() => {}
            _ = sink.closed() => {}
            _ = forwarding => {}
        }
        self.state.remove_listener(key);
        Ok(json!({"_meta": {SUBSCRIPTION_ID_META_KEY: subscription_id}}))
    }
}
