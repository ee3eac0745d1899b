//! 2026-07-28 `subscriptions/listen`: a long-lived request whose stream carries the
//! notifications the client opted in to, until the client goes away.

use super::{Call, Dispatcher};
use crate::protocol::ErrorObject;
use crate::protocol::jsonrpc::notification;
use crate::server::state::Filter;
use serde_json::{Map, Value, json};

const SUBSCRIPTION_ID_META_KEY: &str = "io.modelcontextprotocol/subscriptionId";

impl Dispatcher {
    pub(super) async fn listen(&self, params: Option<&Value>, call: Call<'_>) -> Result<Value, ErrorObject> {
        let requested = params
            .and_then(|p| p.get("notifications"))
            .and_then(Value::as_object)
            .ok_or_else(|| ErrorObject::invalid_params("subscriptions/listen needs a `notifications` object"))?;
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
        let ack = json!({"notifications": agreed, "_meta": {SUBSCRIPTION_ID_META_KEY: subscription_id}});
        sink.send(notification("notifications/subscriptions/acknowledged", ack))
            .await
            .map_err(|_| ErrorObject::internal("the client went away"))?;

        let key = self.state.add_listener(filter, subscription_id.clone(), sink.clone());
        // Ends when the client cancels or disconnects (the dispatcher then sends nothing),
        // or when the stream's receiver is dropped.
        tokio::select! {
            _ = call.ctx.cancellation().cancelled() => {}
            _ = sink.closed() => {}
        }
        self.state.remove_listener(key);
        Ok(json!({"_meta": {SUBSCRIPTION_ID_META_KEY: subscription_id}}))
    }
}
