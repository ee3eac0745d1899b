//! Tool surfaces through the dispatcher: the modes, `auto`'s budget, the dynamic surface's tools
//! and the selection a connection carries, in both generations.

use super::tests::{call, modern_meta, req};
use super::*;
use crate::server::{Selection, Server, Tool, ToolMode, ToolResult};

/// A catalogue of four: two read-only tools in `pets`, a write in `pets` and `admin`, one outside.
fn catalogue(mode: ToolMode) -> Server {
    let schema = json!({"type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"], "additionalProperties": false});
    let echo = |name: &'static str| {
        move |args: Value, _| async move { Ok(ToolResult::text(format!("{name} {}", args["id"]))) }
    };
    let tools = [
        Tool::new("list_pets", json!({"type": "object"})).title("List all pets").toolset("pets").read_only(),
        Tool::new("get_pet", schema.clone()).title("Get a pet by id").toolset("Pets").read_only(),
        Tool::new("delete_pet", schema.clone()).title("Delete a pet").toolset("pets").toolset("admin"),
        Tool::new("server_time", json!({"type": "object"})).title("The time on the server").read_only(),
    ];
    let mut s = Server::new("zoo", "1").tool_mode(mode);
    for t in tools {
        let name: &'static str = Box::leak(t.name().to_string().into_boxed_str());
        s = s.tool(t.handler(echo(name)));
    }
    s
}

fn dispatcher(server: Server) -> Arc<Dispatcher> {
    server.build().unwrap().0
}

fn conn(selection: Option<Selection>) -> Arc<Connection> {
    Arc::new(Connection::with_selection(None, selection))
}

async fn names(d: &Arc<Dispatcher>, c: &Arc<Connection>) -> Vec<String> {
    let r = call(d, c, req(1, "tools/list", json!({}))).await.unwrap();
    r["result"]["tools"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap().to_string()).collect()
}

async fn tool_call(d: &Arc<Dispatcher>, c: &Arc<Connection>, name: &str, arguments: Value) -> Value {
    call(d, c, req(2, "tools/call", json!({"name": name, "arguments": arguments}))).await.unwrap()
}

#[tokio::test]
async fn all_lists_the_catalogue_and_dynamic_lists_four_tools_in_front_of_it() {
    let d = dispatcher(catalogue(ToolMode::All));
    assert_eq!(names(&d, &conn(None)).await, ["list_pets", "get_pet", "delete_pet", "server_time"]);
    let r = tool_call(&d, &conn(None), "search_tools", json!({"query": "pet"})).await;
    assert_eq!(r["error"]["code"], codes::INVALID_PARAMS, "no dynamic tools in `all`: {r}");

    let d = dispatcher(catalogue(ToolMode::Dynamic));
    assert_eq!(names(&d, &conn(None)).await, ["search_tools", "describe_tools", "call_tool", "call_read_only_tool"]);
    // 2026-07-28 alike.
    let r = call(&d, &conn(None), req(3, "tools/list", json!({"_meta": modern_meta()}))).await.unwrap();
    assert_eq!(r["result"]["tools"].as_array().unwrap().len(), 4, "{r}");
}

#[tokio::test]
async fn auto_is_all_within_the_budget_and_dynamic_past_it() {
    let d = dispatcher(catalogue(ToolMode::Auto));
    assert_eq!(names(&d, &conn(None)).await.len(), 4);
    assert_eq!(names(&d, &conn(None)).await[0], "list_pets");
    let d = dispatcher(catalogue(ToolMode::Auto).tool_budget(10));
    assert_eq!(names(&d, &conn(None)).await[0], "search_tools");
    // A client that sees fewer tools may fit the budget where the whole catalogue does not.
    let d = dispatcher(catalogue(ToolMode::Auto).tool_budget(60));
    assert_eq!(names(&d, &conn(None)).await[0], "search_tools");
    assert_eq!(names(&d, &conn(Some(Selection::new(&["admin"], false)))).await, ["delete_pet"]);
}

#[tokio::test]
async fn the_dynamic_tools_search_describe_and_call_like_the_tools_themselves() {
    let d = dispatcher(catalogue(ToolMode::Dynamic));
    let c = conn(None);
    let r = tool_call(&d, &c, "search_tools", json!({"query": "delete a pet"})).await;
    let found = &r["result"]["structuredContent"]["tools"];
    assert_eq!(found[0]["name"], "delete_pet", "{r}");
    assert_eq!(found[0]["readOnly"], false);
    assert_eq!(found[0]["toolsets"], json!(["pets", "admin"]));

    let r = tool_call(&d, &c, "describe_tools", json!({"names": ["get_pet"]})).await;
    let described = &r["result"]["structuredContent"]["tools"][0];
    assert_eq!(described["inputSchema"]["required"], json!(["id"]), "{r}");
    assert_eq!(described["title"], "Get a pet by id");

    let r = tool_call(&d, &c, "call_tool", json!({"name": "get_pet", "arguments": {"id": 7}})).await;
    assert_eq!(r["result"]["content"][0]["text"], "get_pet 7", "{r}");
    // Invalid arguments: the same result the tool itself gives.
    let through = tool_call(&d, &c, "call_tool", json!({"name": "get_pet", "arguments": {"id": "x"}})).await;
    let direct = tool_call(&d, &c, "get_pet", json!({"id": "x"})).await;
    assert_eq!(through["result"], direct["result"]);
    assert_eq!(through["result"]["isError"], true);

    let r = tool_call(&d, &c, "call_tool", json!({"name": "get_pets", "arguments": {}})).await;
    let said = r["result"]["content"][0]["text"].as_str().unwrap();
    assert!(said.starts_with("No tool named `get_pets`. Close matches: `get_pet`"), "{said}");

    let r = tool_call(&d, &c, "call_read_only_tool", json!({"name": "delete_pet", "arguments": {"id": 1}})).await;
    let said = r["result"]["content"][0]["text"].as_str().unwrap();
    assert!(said.contains("`delete_pet` is not read-only") && said.contains("call it with `call_tool`"), "{said}");
    let r = tool_call(&d, &c, "call_read_only_tool", json!({"name": "get_pet", "arguments": {"id": 2}})).await;
    assert_eq!(r["result"]["content"][0]["text"], "get_pet 2");
}

#[tokio::test]
async fn bad_arguments_to_the_dynamic_tools_are_tool_errors_that_say_what() {
    let d = dispatcher(catalogue(ToolMode::Dynamic));
    let c = conn(None);
    for (name, args, needle) in [
        ("search_tools", json!({"query": ""}), "/query"),
        ("search_tools", json!({"query": "pet", "limit": 0}), "/limit"),
        ("search_tools", json!({"query": "pet", "limit": 100000}), "/limit"),
        ("search_tools", json!({"query": "--"}), "no words to search for"),
        ("describe_tools", json!({"names": []}), "/names"),
        ("describe_tools", json!({"names": ["nope"]}), "No tool named `nope`"),
        ("call_tool", json!({"arguments": {}}), "\"name\" is a required property"),
    ] {
        let r = tool_call(&d, &c, name, args.clone()).await;
        assert_eq!(r["result"]["isError"], true, "{name} {args}: {r}");
        let said = r["result"]["content"][0]["text"].as_str().unwrap();
        assert!(said.contains(needle), "{name} {args}: {said}");
    }
}

#[tokio::test]
async fn a_selection_holds_for_listing_searching_and_calling() {
    let read_only = Some(Selection::new::<&str>(&[], true));
    let d = dispatcher(catalogue(ToolMode::All));
    assert_eq!(names(&d, &conn(read_only.clone())).await, ["list_pets", "get_pet", "server_time"]);
    let r = tool_call(&d, &conn(read_only.clone()), "delete_pet", json!({"id": 1})).await;
    assert_eq!(r["error"]["message"], "Unknown tool: delete_pet", "{r}");
    // 2026-07-28 alike.
    let r = call(
        &d,
        &conn(read_only.clone()),
        req(4, "tools/call", json!({"name": "delete_pet", "arguments": {"id": 1}, "_meta": modern_meta()})),
    )
    .await
    .unwrap();
    assert_eq!(r["error"]["code"], codes::INVALID_PARAMS, "{r}");
    assert_eq!(names(&d, &conn(Some(Selection::new(&["pets"], false)))).await, ["list_pets", "get_pet", "delete_pet"]);

    let d = dispatcher(catalogue(ToolMode::Dynamic));
    let c = conn(read_only);
    assert_eq!(names(&d, &c).await, ["search_tools", "describe_tools", "call_read_only_tool"]);
    let r = tool_call(&d, &c, "search_tools", json!({"query": "pet"})).await;
    let found: Vec<&str> = r["result"]["structuredContent"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(!found.contains(&"delete_pet") && found.contains(&"get_pet"), "{found:?}");
    let r = tool_call(&d, &c, "call_read_only_tool", json!({"name": "delete_pet", "arguments": {"id": 1}})).await;
    assert!(r["result"]["content"][0]["text"].as_str().unwrap().starts_with("No tool named `delete_pet`"), "{r}");
    let r = tool_call(&d, &c, "call_tool", json!({"name": "get_pet", "arguments": {"id": 1}})).await;
    assert_eq!(r["error"]["message"], "Unknown tool: call_tool", "a read-only client has no call_tool: {r}");

    // A client's own mode.
    let d = dispatcher(catalogue(ToolMode::All));
    let dynamic = Selection { mode: Some(ToolMode::Dynamic), ..Selection::default() };
    assert_eq!(names(&d, &conn(Some(dynamic))).await[0], "search_tools");
}

#[tokio::test]
async fn toolsets_are_checked_by_the_server_and_for_each_client() {
    let e = catalogue(ToolMode::All).select_tools(Selection::new(&["cats"], false)).build().err().unwrap();
    assert_eq!(e.0, "--toolset: unknown toolset `cats`; the toolsets are: admin, pets");
    let d = dispatcher(catalogue(ToolMode::All).select_tools(Selection::new(&["admin"], false)));
    assert_eq!(names(&d, &conn(None)).await, ["delete_pet"]);
    assert_eq!(
        d.client_selection(Some("toolset=pets")).unwrap_err(),
        "unknown toolset `pets`; the toolsets are: admin"
    );
    assert!(d.client_selection(Some("toolset=admin&read_only=1")).unwrap().is_some());
    assert_eq!(d.client_selection(Some("session=x")).unwrap(), None, "other parameters are not a selection");
    assert_eq!(d.client_selection(None).unwrap(), None);
}

#[tokio::test]
async fn tools_added_later_are_found() {
    let server = catalogue(ToolMode::Dynamic);
    let handle = server.handle();
    let d = dispatcher(server);
    let c = conn(None);
    let before = tool_call(&d, &c, "search_tools", json!({"query": "giraffe"})).await;
    assert_eq!(before["result"]["structuredContent"]["tools"], json!([]));
    handle.add_tool(Tool::new("feed_giraffe", json!({"type": "object"})).handler(|_, _| async { Ok("fed") })).unwrap();
    let after = tool_call(&d, &c, "search_tools", json!({"query": "giraffe"})).await;
    assert_eq!(after["result"]["structuredContent"]["tools"][0]["name"], "feed_giraffe", "{after}");
}

#[tokio::test]
async fn hidden_tools_are_callable_by_name_but_never_listed_nor_found() {
    let hidden = || {
        Tool::new("purge_pets", json!({"type": "object"}))
            .title("Purge every pet")
            .toolset("pets")
            .hidden()
            .handler(|_, _| async { Ok(ToolResult::text("purged")) })
    };
    let d = dispatcher(catalogue(ToolMode::All).tool(hidden()));
    let c = conn(None);
    assert_eq!(names(&d, &c).await, ["list_pets", "get_pet", "delete_pet", "server_time"]);
    let r = tool_call(&d, &c, "purge_pets", json!({})).await;
    assert_eq!(r["result"]["content"][0]["text"], "purged", "{r}");
    // Within a client's selection only, as any tool.
    let admin = conn(Some(Selection::new(&["admin"], false)));
    assert_eq!(names(&d, &admin).await, ["delete_pet"]);
    let r = tool_call(&d, &admin, "purge_pets", json!({})).await;
    assert_eq!(r["error"]["code"], codes::INVALID_PARAMS, "outside the selection: {r}");

    let d = dispatcher(catalogue(ToolMode::Dynamic).tool(hidden()));
    let r = tool_call(&d, &c, "search_tools", json!({"query": "purge every pet"})).await;
    let found = r["result"]["structuredContent"]["tools"].as_array().unwrap().clone();
    assert!(found.iter().all(|t| t["name"] != "purge_pets"), "{r}");
    let r = tool_call(&d, &c, "call_tool", json!({"name": "purge_pets", "arguments": {}})).await;
    assert_eq!(r["result"]["content"][0]["text"], "purged", "{r}");
    let r = tool_call(&d, &c, "describe_tools", json!({"names": ["purge_pets"]})).await;
    assert_eq!(r["result"]["structuredContent"]["tools"][0]["name"], "purge_pets", "described by name: {r}");
    let r = tool_call(&d, &c, "call_tool", json!({"name": "purge_pet", "arguments": {}})).await;
    let said = r["result"]["content"][0]["text"].as_str().unwrap();
    assert!(!said.contains("`purge_pets`"), "not suggested either: {said}");

    // `auto` weighs only what is listed: a hidden tool does not push a catalogue past its budget.
    let big = Tool::new("big_hidden", json!({"type": "object", "description": "x".repeat(4000)})).hidden();
    let d = dispatcher(
        catalogue(ToolMode::Auto).tool_budget(200).tool(big.handler(|_, _| async { Ok(ToolResult::text("")) })),
    );
    assert_eq!(names(&d, &c).await[0], "list_pets");
}
