//! The page's components addressed by the engine's dense ids: which page node each configured
//! component and group is, and each node's children. Built per evaluation from the borrowed
//! list (either form: nested `children` or flat with `groupId`), with the same rules as
//! [`ComponentTree`](crate::model::ComponentTree), but without copying a component or building a
//! string per node: paths are assembled in one reused buffer and looked up in the engine's
//! path table.

use std::collections::HashMap;

use crate::model::{Component, PATH_SEPARATOR};

/// Where a configured name path is on the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Found {
    /// No component has this path.
    Missing,
    /// Exactly this node.
    One(usize),
    /// This many nodes share the path: none is written.
    Many(usize),
}

/// The page's nodes and where the configured paths are.
pub(super) struct PageIndex<'p> {
    nodes: Vec<&'p Component>,
    /// Children of node `i`: `children[child_start[i]..child_start[i + 1]]`, in page order.
    child_start: Vec<usize>,
    children: Vec<usize>,
    /// Per slot of the engine's path table.
    found: Vec<Found>,
}

impl<'p> PageIndex<'p> {
    /// Indexes `components`; `slots` maps a name path to its slot (`0..slot_count`).
    pub(super) fn build(
        components: &'p [Component],
        slots: &HashMap<String, usize>,
        slot_count: usize,
    ) -> PageIndex<'p> {
        let mut nodes: Vec<&'p Component> = Vec::with_capacity(components.len());
        // The parent a nested list implies (an explicit `groupId` or `group` wins, as in
        // ComponentTree).
        let mut nested_parent: Vec<Option<usize>> = Vec::with_capacity(components.len());
        let mut stack: Vec<(&'p Component, Option<usize>)> =
            components.iter().rev().map(|c| (c, None)).collect();
        while let Some((c, parent)) = stack.pop() {
            let i = nodes.len();
            nodes.push(c);
            nested_parent.push(parent);
            stack.extend(c.children.iter().rev().map(|ch| (ch, Some(i))));
        }
        let n = nodes.len();
        let mut by_id: HashMap<&str, usize> = HashMap::with_capacity(n);
        for (i, c) in nodes.iter().enumerate() {
            // A repeated id: the last one wins, as in ComponentTree.
            by_id.insert(c.id.as_str(), i);
        }
        let parent: Vec<Option<usize>> = (0..n)
            .map(|i| {
                let explicit = nodes[i].parent_id().map(|p| by_id.get(p.as_str()).copied());
                match explicit {
                    Some(p) => p,
                    None => nested_parent[i],
                }
                .filter(|&p| p != i)
            })
            .collect();
        let mut child_start = vec![0usize; n + 1];
        for p in parent.iter().flatten() {
            child_start[p + 1] += 1;
        }
        for i in 0..n {
            child_start[i + 1] += child_start[i];
        }
        let mut fill = child_start.clone();
        let mut children = vec![0usize; child_start[n]];
        for (i, p) in parent.iter().enumerate() {
            if let Some(p) = *p {
                children[fill[p]] = i;
                fill[p] += 1;
            }
        }
        // Page order among siblings: by `order`, then name (as ComponentTree sorts).
        for p in 0..n {
            children[child_start[p]..child_start[p + 1]].sort_by(|&a, &b| {
                let key = |i: usize| (nodes[i].order.unwrap_or(i64::MAX), nodes[i].name.as_str());
                key(a).cmp(&key(b))
            });
        }
        let mut found = vec![Found::Missing; slot_count];
        let mut path = String::new();
        let mut chain: Vec<usize> = Vec::new();
        for i in 0..n {
            // The name path, root first. A node whose parents never reach a root (a cycle of
            // groupIds) is not on the page's tree, as in ComponentTree.
            chain.clear();
            let mut at = Some(i);
            while let Some(j) = at {
                if chain.len() > n {
                    break;
                }
                chain.push(j);
                at = parent[j];
            }
            if at.is_some() {
                continue;
            }
            path.clear();
            for (k, &j) in chain.iter().rev().enumerate() {
                if k > 0 {
                    path.push(PATH_SEPARATOR);
                }
                path.push_str(nodes[j].name.as_str());
            }
            if let Some(&slot) = slots.get(path.as_str()) {
                found[slot] = match found[slot] {
                    Found::Missing => Found::One(i),
                    Found::One(_) => Found::Many(2),
                    Found::Many(k) => Found::Many(k + 1),
                };
            }
        }
        PageIndex {
            nodes,
            child_start,
            children,
            found,
        }
    }

    /// Where the path of `slot` is.
    pub(super) fn found(&self, slot: usize) -> Found {
        self.found[slot]
    }

    /// The node's component.
    pub(super) fn component(&self, node: usize) -> &'p Component {
        self.nodes[node]
    }

    /// The node's children, in page order.
    pub(super) fn children(&self, node: usize) -> &[usize] {
        &self.children[self.child_start[node]..self.child_start[node + 1]]
    }

    /// Number of nodes.
    pub(super) fn len(&self) -> usize {
        self.nodes.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ComponentTree;
    use serde_json::json;

    fn components(v: serde_json::Value) -> Vec<Component> {
        serde_json::from_value(v).unwrap()
    }

    /// The index finds exactly what ComponentTree's name paths find, in both list forms.
    #[test]
    fn finds_what_the_component_tree_finds() {
        let flat = components(json!([
            {"id": "g", "name": "Ethereum Services", "status": "OPERATIONAL", "isParent": true},
            {"id": "b", "name": "Beacon", "status": "OPERATIONAL", "groupId": "g", "order": 2},
            {"id": "e", "name": "Execution", "status": "MAJOROUTAGE", "groupId": "g", "order": 1},
            {"id": "d1", "name": "Docs", "status": "OPERATIONAL"},
            {"id": "d2", "name": "Docs", "status": "OPERATIONAL"},
            {"id": "x", "name": "Loop", "status": "OPERATIONAL", "groupId": "y"},
            {"id": "y", "name": "Loop2", "status": "OPERATIONAL", "groupId": "x"},
            {"id": "o", "name": "Orphan", "status": "OPERATIONAL", "groupId": "missing"}
        ]));
        let nested = components(json!([
            {"id": "g", "name": "Ethereum Services", "status": "OPERATIONAL", "children": [
                {"id": "e", "name": "Execution", "status": "MAJOROUTAGE", "order": 1},
                {"id": "b", "name": "Beacon", "status": "OPERATIONAL", "order": 2}
            ]},
            {"id": "d1", "name": "Docs", "status": "OPERATIONAL"},
            {"id": "d2", "name": "Docs", "status": "OPERATIONAL"},
            {"id": "o", "name": "Orphan", "status": "OPERATIONAL", "groupId": "missing"}
        ]));
        let paths = [
            "Ethereum Services",
            "Ethereum Services/Beacon",
            "Ethereum Services/Execution",
            "Docs",
            "Loop",
            "Orphan",
            "Beacon",
        ];
        let slots: HashMap<String, usize> = paths
            .iter()
            .enumerate()
            .map(|(i, p)| ((*p).to_owned(), i))
            .collect();
        for list in [flat, nested] {
            let index = PageIndex::build(&list, &slots, paths.len());
            let tree = ComponentTree::from_components(list.iter().cloned());
            for (slot, path) in paths.iter().enumerate() {
                let expected: Vec<&str> = tree
                    .find_all(path)
                    .iter()
                    .map(|&t| tree.node(t).component.id.as_str())
                    .collect();
                let got = match index.found(slot) {
                    Found::Missing => Vec::new(),
                    Found::One(i) => vec![index.component(i).id.as_str()],
                    Found::Many(k) => vec!["many"; k],
                };
                assert_eq!(got.len(), expected.len(), "{path}: {got:?} vs {expected:?}");
                if expected.len() == 1 {
                    assert_eq!(got, expected, "{path}");
                }
            }
            let Found::One(g) = index.found(0) else {
                panic!("group found")
            };
            let children: Vec<&str> = index
                .children(g)
                .iter()
                .map(|&c| index.component(c).name.as_str())
                .collect();
            assert_eq!(children, ["Execution", "Beacon"]);
        }
    }
}
