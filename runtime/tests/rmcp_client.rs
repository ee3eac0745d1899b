//! An independent client: rmcp's Streamable HTTP client (the official Rust SDK) against a
//! hello server, once with the legacy handshake and once with 2026-07-28 discovery.

mod common;

use common::*;
use mcpgen_runtime::{RunOptions, Server};
use rmcp::model::{CallToolRequestParams, ProtocolVersion};
use rmcp::service::{ClientLifecycleMode, ClientServiceExt};
use rmcp::transport::StreamableHttpClientTransport;
use std::time::Duration;

async fn list_and_call(lifecycle: ClientLifecycleMode, options: RunOptions) {
    let server = Server::new("hello", "1.0.0").tool(hello_tool());
    let s = TestServer::start(server, options).await;
    let url = format!("http://{}/mcp", s.addr);
    let session = async {
        let client = ().serve_with_lifecycle(StreamableHttpClientTransport::from_uri(url), lifecycle).await.unwrap();
        let tools = client.list_tools(None).await.unwrap();
        assert_eq!(tools.tools.iter().map(|t| t.name.as_ref()).collect::<Vec<_>>(), ["hello"]);
        let mut args = rmcp::model::JsonObject::new();
        args.insert("name".into(), "rmcp".into());
        let result = client.call_tool(CallToolRequestParams::new("hello").with_arguments(args)).await.unwrap();
        assert_ne!(result.is_error, Some(true));
        let text = result.content[0].as_text().map(|t| t.text.clone()).unwrap_or_default();
        assert_eq!(text, "Hello, rmcp!");
        let _ = client.cancel().await;
    };
    tokio::time::timeout(Duration::from_secs(20), session).await.expect("the client finishes in time");
    s.stop().await.unwrap();
}

#[tokio::test]
async fn rmcp_legacy_handshake_over_sessions() {
    list_and_call(ClientLifecycleMode::Initialize, RunOptions::http()).await;
}

#[tokio::test]
async fn rmcp_legacy_handshake_stateless() {
    list_and_call(ClientLifecycleMode::Initialize, RunOptions::http().stateless(true)).await;
}

#[tokio::test]
async fn rmcp_2026_07_28_discovery() {
    let modern = ClientLifecycleMode::Discover { preferred_versions: vec![ProtocolVersion::V_2026_07_28] };
    list_and_call(modern, RunOptions::http()).await;
}

#[tokio::test]
async fn rmcp_auto_mode_negotiates_with_json_responses() {
    let auto =
        ClientLifecycleMode::Auto { preferred_versions: vec![ProtocolVersion::V_2026_07_28], legacy_version: None };
    list_and_call(auto, RunOptions::http().json_response(true)).await;
}
