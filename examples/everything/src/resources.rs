//! The `test://` resources and the resource template.

use crate::TEST_IMAGE_BASE64;
use mcpgen_runtime::serde_json::json;
use mcpgen_runtime::{Resource, ResourceContents, ResourceTemplate, Server};

pub const WATCHED_URI: &str = "test://watched-resource";

pub fn register(server: Server) -> Server {
    server
        .resource(
            Resource::new("test://static-text", "static-text")
                .title("Static Text Resource")
                .description("A static text resource for testing")
                .mime_type("text/plain")
                .reader(|uri, _, _| async move {
                    Ok(vec![ResourceContents::text(
                        uri,
                        "text/plain",
                        "This is the content of the static text resource.",
                    )])
                }),
        )
        .resource(
            Resource::new("test://static-binary", "static-binary")
                .title("Static Binary Resource")
                .description("A static binary resource (image) for testing")
                .mime_type("image/png")
                .reader(
                    |uri, _, _| async move { Ok(vec![ResourceContents::blob(uri, "image/png", TEST_IMAGE_BASE64)]) },
                ),
        )
        .resource_template(
            ResourceTemplate::new("test://template/{id}/data", "template")
                .title("Resource Template")
                .description("A resource template with parameter substitution")
                .mime_type("application/json")
                .reader(|uri, vars, _| async move {
                    let id = vars.get("id").cloned().unwrap_or_default();
                    let body = json!({"id": id, "templateTest": true, "data": format!("Data for ID: {id}")});
                    Ok(vec![ResourceContents::text(uri, "application/json", body.to_string())])
                }),
        )
        .resource(
            Resource::new(WATCHED_URI, "watched-resource")
                .title("Watched Resource")
                .description("A resource that auto-updates every 3 seconds")
                .mime_type("text/plain")
                .reader(|uri, _, _| async move {
                    Ok(vec![ResourceContents::text(uri, "text/plain", "Watched resource content")])
                }),
        )
}

/// Added two seconds after start.
pub fn dynamic_resource() -> Resource {
    Resource::new("test://dynamic-resource", "dynamic-resource")
        .description("A resource added while the server runs")
        .mime_type("text/plain")
        .reader(
            |uri, _, _| async move { Ok(vec![ResourceContents::text(uri, "text/plain", "Dynamic resource content")]) },
        )
}
