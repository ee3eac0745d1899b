//! [`ServerHandle`]: change a running server's lists and tell clients about it.

use super::BuildError;
use super::prompt::Prompt;
use super::resource::{Resource, ResourceTemplate};
use super::state::{Change, State};
use super::tool::Tool;
use std::sync::Arc;

/// A cheap, cloneable handle to a server's tools, resources and prompts, usable before and
/// while it runs. Every change sends the matching `list_changed` notification.
#[derive(Clone)]
pub struct ServerHandle {
    pub(crate) state: Arc<State>,
}

impl ServerHandle {
    pub fn add_tool(&self, tool: Tool) -> Result<(), BuildError> {
        self.state.add_tool(tool).map_err(BuildError)?;
        self.state.announce(Change::Tools);
        Ok(())
    }

    /// Removes a tool; false when there was none by that name.
    pub fn remove_tool(&self, name: &str) -> bool {
        let removed = self.state.tools.write().expect("tools lock").remove(name);
        if removed {
            self.state.tools_version.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            self.state.announce(Change::Tools);
        }
        removed
    }

    pub fn add_resource(&self, resource: Resource) -> Result<(), BuildError> {
        self.state.add_resource(resource).map_err(BuildError)?;
        self.state.announce(Change::Resources);
        Ok(())
    }

    pub fn remove_resource(&self, uri: &str) -> bool {
        let removed = self.state.resources.write().expect("resources lock").remove(uri);
        if removed {
            self.state.announce(Change::Resources);
        }
        removed
    }

    pub fn add_resource_template(&self, template: ResourceTemplate) -> Result<(), BuildError> {
        self.state.add_template(template).map_err(BuildError)?;
        self.state.announce(Change::Resources);
        Ok(())
    }

    pub fn add_prompt(&self, prompt: Prompt) -> Result<(), BuildError> {
        self.state.add_prompt(prompt).map_err(BuildError)?;
        self.state.announce(Change::Prompts);
        Ok(())
    }

    pub fn remove_prompt(&self, name: &str) -> bool {
        let removed = self.state.prompts.write().expect("prompts lock").remove(name);
        if removed {
            self.state.announce(Change::Prompts);
        }
        removed
    }

    /// Tells subscribed clients that the resource at `uri` changed.
    pub fn resource_updated(&self, uri: &str) {
        self.state.announce(Change::ResourceUpdated(uri.to_string()));
    }
}
