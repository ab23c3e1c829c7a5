//! The component hierarchy, built from either list form and addressed by name path.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::{Component, ComponentId};

/// Separates a group name from a child name in a name path: `Ethereum Services/Execution Client`.
pub const PATH_SEPARATOR: char = '/';

/// One component in a [`ComponentTree`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct TreeNode {
    /// The component (its `children` emptied; the tree holds the links).
    pub component: Component,
    /// The parent's index in the tree.
    pub parent: Option<usize>,
    /// The children's indexes, in page order.
    pub children: Vec<usize>,
}

/// The components of a page as a tree, in page order (by `order`, then name).
///
/// Built from the flat v1 list (children point at parents by `groupId`), from the nested v2 list
/// (parents hold `children`), or from a mix. A child whose parent is missing is kept at top level.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ComponentTree {
    nodes: Vec<TreeNode>,
    roots: Vec<usize>,
}

impl ComponentTree {
    /// Builds the tree from a component list in either form.
    pub fn from_components(components: impl IntoIterator<Item = Component>) -> Self {
        let mut flat = Vec::new();
        for component in components {
            flatten_into(component, None, &mut flat);
        }
        let index: HashMap<ComponentId, usize> = flat
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), i))
            .collect();
        let mut nodes: Vec<TreeNode> = flat
            .into_iter()
            .map(|component| TreeNode {
                component,
                parent: None,
                children: Vec::new(),
            })
            .collect();
        let mut roots = Vec::new();
        for i in 0..nodes.len() {
            let parent = nodes[i]
                .component
                .parent_id()
                .and_then(|p| index.get(p).copied())
                .filter(|&p| p != i);
            match parent {
                Some(p) => {
                    nodes[i].parent = Some(p);
                    nodes[p].children.push(i);
                }
                None => roots.push(i),
            }
        }
        let key = |nodes: &[TreeNode], i: usize| {
            let c = &nodes[i].component;
            (c.order.unwrap_or(i64::MAX), c.name.as_str().to_owned())
        };
        roots.sort_by_key(|&i| key(&nodes, i));
        for p in 0..nodes.len() {
            let mut children = std::mem::take(&mut nodes[p].children);
            children.sort_by_key(|&i| key(&nodes, i));
            nodes[p].children = children;
        }
        Self { nodes, roots }
    }

    /// Number of components, groups included.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the page has no components.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The node at `index`.
    pub fn node(&self, index: usize) -> &TreeNode {
        &self.nodes[index]
    }

    /// Top-level nodes' indexes, in page order.
    pub fn roots(&self) -> &[usize] {
        &self.roots
    }

    /// Every node index, depth first in page order.
    pub fn walk(&self) -> Vec<usize> {
        let mut out = Vec::with_capacity(self.nodes.len());
        let mut stack: Vec<usize> = self.roots.iter().rev().copied().collect();
        while let Some(i) = stack.pop() {
            out.push(i);
            stack.extend(self.nodes[i].children.iter().rev().copied());
        }
        out
    }

    /// The name path of a node: parent names and its own, joined by [`PATH_SEPARATOR`].
    pub fn path(&self, index: usize) -> String {
        let mut names = Vec::new();
        let mut at = Some(index);
        while let Some(i) = at {
            names.push(self.nodes[i].component.name.as_str());
            at = self.nodes[i].parent;
        }
        names.reverse();
        names.join(&PATH_SEPARATOR.to_string())
    }

    /// All nodes whose name path is `path` (more than one means duplicate names on the page).
    pub fn find_all(&self, path: &str) -> Vec<usize> {
        let mut parts = path.split(PATH_SEPARATOR).map(str::trim);
        let Some(first) = parts.next() else {
            return Vec::new();
        };
        let mut found: Vec<usize> = self
            .roots
            .iter()
            .copied()
            .filter(|&i| self.nodes[i].component.name.as_str() == first)
            .collect();
        for part in parts {
            found = found
                .iter()
                .flat_map(|&p| self.nodes[p].children.iter().copied())
                .filter(|&i| self.nodes[i].component.name.as_str() == part)
                .collect();
        }
        found
    }

    /// The component at `path`, if exactly one has it.
    pub fn find(&self, path: &str) -> Option<&Component> {
        match self.find_all(path).as_slice() {
            [one] => Some(&self.nodes[*one].component),
            _ => None,
        }
    }

    /// The node index of a component id.
    pub fn index_of(&self, id: &ComponentId) -> Option<usize> {
        self.nodes.iter().position(|n| &n.component.id == id)
    }

    /// The name path of the component `id`; its id when the page does not have it (any more).
    pub fn path_of(&self, id: &ComponentId) -> String {
        self.index_of(id)
            .map(|i| self.path(i))
            .unwrap_or_else(|| id.to_string())
    }

    /// The display name of the component `id`; its id when the page does not have it.
    pub fn name_of(&self, id: &ComponentId) -> String {
        self.index_of(id)
            .map(|i| self.nodes[i].component.name.as_str().to_owned())
            .unwrap_or_else(|| id.to_string())
    }

    /// Where `id` comes in page order (depth first); `usize::MAX` when the page lacks it.
    pub fn rank_of(&self, id: &ComponentId) -> usize {
        let at = self.index_of(id);
        self.walk()
            .iter()
            .position(|&i| Some(i) == at)
            .unwrap_or(usize::MAX)
    }

    /// The ids of the components at `paths`, in the same order. Every path that names no
    /// component, or several, is in the error, with the paths the page has.
    pub fn ids_of<'p>(
        &self,
        paths: impl IntoIterator<Item = &'p str>,
    ) -> Result<Vec<ComponentId>, PathsError> {
        let mut ids = Vec::new();
        let mut error = PathsError::default();
        for path in paths {
            match self.find_all(path).as_slice() {
                [one] => ids.push(self.nodes[*one].component.id.clone()),
                [] => error.unknown.push(path.to_owned()),
                many => error.ambiguous.push((path.to_owned(), many.len())),
            }
        }
        if error.unknown.is_empty() && error.ambiguous.is_empty() {
            return Ok(ids);
        }
        if !error.unknown.is_empty() {
            error.known = self.walk().into_iter().map(|i| self.path(i)).collect();
        }
        Err(error)
    }

    /// A plain-text drawing of the tree with statuses, for terminals and logs.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (n, &root) in self.roots.iter().enumerate() {
            self.render_node(root, "", n + 1 == self.roots.len(), true, &mut out);
        }
        out
    }

    fn render_node(&self, i: usize, prefix: &str, last: bool, top: bool, out: &mut String) {
        let c = &self.nodes[i].component;
        let (branch, next) = match (top, last) {
            (true, _) => ("", String::new()),
            (false, true) => ("└── ", format!("{prefix}    ")),
            (false, false) => ("├── ", format!("{prefix}│   ")),
        };
        let kind = if c.is_parent || !self.nodes[i].children.is_empty() {
            " [group]"
        } else {
            ""
        };
        let _ = writeln!(out, "{prefix}{branch}{}{kind}  {}", c.name, c.status);
        let children = &self.nodes[i].children;
        for (n, &child) in children.iter().enumerate() {
            self.render_node(child, &next, n + 1 == children.len(), false, out);
        }
    }
}

/// Name paths that do not name exactly one component ([`ComponentTree::ids_of`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PathsError {
    /// Paths no component has.
    pub unknown: Vec<String>,
    /// Paths several components have, with how many.
    pub ambiguous: Vec<(String, usize)>,
    /// Every path of the page (filled when a path is unknown).
    pub known: Vec<String>,
}

impl std::fmt::Display for PathsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let quoted = |v: &[String]| {
            v.iter()
                .map(|p| format!("'{p}'"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut problems = Vec::new();
        if !self.unknown.is_empty() {
            let known = if self.known.is_empty() {
                "no components".to_owned()
            } else {
                self.known.join(", ")
            };
            problems.push(format!(
                "unknown components {} (the page has: {known})",
                quoted(&self.unknown)
            ));
        }
        if !self.ambiguous.is_empty() {
            let list: Vec<String> = self
                .ambiguous
                .iter()
                .map(|(p, n)| format!("'{p}' ({n} components)"))
                .collect();
            problems.push(format!(
                "ambiguous names {}; remove the duplicates first",
                list.join(", ")
            ));
        }
        f.write_str(&problems.join("; "))
    }
}

impl std::error::Error for PathsError {}

fn flatten_into(mut component: Component, parent: Option<&ComponentId>, out: &mut Vec<Component>) {
    let children = std::mem::take(&mut component.children);
    if component.group_id.is_none() && component.group.is_none() {
        component.group_id = parent.cloned();
    }
    if !children.is_empty() {
        component.is_parent = true;
    }
    let id = component.id.clone();
    out.push(component);
    for child in children {
        flatten_into(child, Some(&id), out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn component(json: serde_json::Value) -> Component {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn flat_and_nested_lists_give_the_same_tree() {
        let flat = vec![
            component(
                serde_json::json!({"id":"c2","name":"Execution Client","status":"OPERATIONAL","order":1,"groupId":"g1"}),
            ),
            component(
                serde_json::json!({"id":"g1","name":"Ethereum Services","status":"OPERATIONAL","order":1,"isParent":true}),
            ),
            component(
                serde_json::json!({"id":"c3","name":"Consensus Client","status":"MAJOROUTAGE","order":2,"groupId":"g1"}),
            ),
        ];
        let nested = vec![component(serde_json::json!({
            "id":"g1","name":"Ethereum Services","status":"OPERATIONAL","order":1,"isParent":true,
            "children":[
                {"id":"c3","name":"Consensus Client","status":"MAJOROUTAGE","order":2},
                {"id":"c2","name":"Execution Client","status":"OPERATIONAL","order":1}
            ]
        }))];
        let a = ComponentTree::from_components(flat);
        let b = ComponentTree::from_components(nested);
        assert_eq!(a.render(), b.render());
        assert_eq!(
            a.render(),
            "Ethereum Services [group]  OPERATIONAL\n├── Execution Client  OPERATIONAL\n└── Consensus Client  MAJOROUTAGE\n"
        );
        let idx = a.find_all("Ethereum Services/Consensus Client");
        assert_eq!(idx.len(), 1);
        assert_eq!(a.path(idx[0]), "Ethereum Services/Consensus Client");
        assert!(
            a.find("Consensus Client").is_none(),
            "a child is not at top level"
        );
    }

    #[test]
    fn orphans_stay_visible_at_top_level() {
        let tree = ComponentTree::from_components(vec![component(
            serde_json::json!({"id":"c1","name":"Lost","status":"OPERATIONAL","groupId":"missing"}),
        )]);
        assert_eq!(tree.roots().len(), 1);
        assert!(tree.find("Lost").is_some());
    }
}
