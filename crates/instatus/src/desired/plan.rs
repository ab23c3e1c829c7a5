//! (Long: one concept, the page planner: the settings, the tree walk and the moves share one matching of declared to current components.)
//! Planning: (declared page, current page) → the fewest writes that make them agree. Pure: no I/O.

use std::collections::{HashMap, HashSet};

use super::settings::{plan_settings, PageChange};
use super::spec::{ComponentSpec, InvalidSpec, PageSpec, SpecError};
use crate::api::components::{CreateComponentRequest, UpdateComponentRequest};
use crate::model::{
    Component, ComponentId, ComponentStatus, ComponentTree, StatusPage, PATH_SEPARATOR,
};

/// The page as read from Instatus.
#[derive(Clone, Debug)]
pub struct Current {
    /// The page (from the page list).
    pub page: StatusPage,
    /// Every component, flat or nested.
    pub components: Vec<Component>,
}

/// How to plan.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PlanOptions {
    /// Delete components the spec does not declare. Off by default: without it, undeclared
    /// components are left alone and listed in [`Plan::unmanaged`].
    pub prune: bool,
    /// Delete the newer copies of a declared component that is on the page more than once (a
    /// race of parallel runs, a create that landed late). Implied by `prune`. Without either,
    /// copies are kept and listed in [`Plan::duplicates`].
    pub dedupe: bool,
}

/// One setting or field that changes, for people: values are shown, secrets are not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldChange {
    /// The field, as declared (`brand_color`, `description`, `parent`...).
    pub field: String,
    /// The value now (`None`: unset).
    pub before: Option<String>,
    /// The value after.
    pub after: Option<String>,
}

/// Where a component goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parent {
    /// At top level.
    TopLevel,
    /// Inside an existing group.
    Existing(ComponentId),
    /// Inside a group this plan creates (its name path).
    Planned(String),
}

/// One write to a component.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ComponentChange {
    /// Create a component (a group is created before its children).
    Create {
        /// Its name path.
        path: String,
        /// Where it goes.
        parent: Parent,
        /// The body, without the parent (resolved when applied).
        request: CreateComponentRequest,
        /// What it gets, for people.
        fields: Vec<FieldChange>,
    },
    /// Change an existing component: fields, name, position, parent.
    Update {
        /// Its name path after the change.
        path: String,
        /// Its name path before, when renamed or moved.
        from: Option<String>,
        /// The component.
        id: ComponentId,
        /// `Some` when it moves to another parent.
        parent: Option<Parent>,
        /// The body, without the parent.
        request: UpdateComponentRequest,
        /// What changes, for people.
        fields: Vec<FieldChange>,
    },
    /// Delete a component the spec does not declare (only with `prune`).
    Delete {
        /// Its name path.
        path: String,
        /// The component.
        id: ComponentId,
    },
}

impl ComponentChange {
    /// The component's name path (after the change).
    pub fn path(&self) -> &str {
        match self {
            ComponentChange::Create { path, .. }
            | ComponentChange::Update { path, .. }
            | ComponentChange::Delete { path, .. } => path,
        }
    }
}

/// Everything to write, in a safe order: page settings, then components depth first (a group
/// before its children), then deletes (children before their group).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    /// The page settings writes: the settings the API's update request lists in one request, then
    /// each setting it does not list (the custom domain) alone, so it can never block the rest.
    pub settings: Vec<PageChange>,
    /// Component writes, in order.
    pub components: Vec<ComponentChange>,
    /// Name paths of components on the page the spec does not declare (left alone without prune).
    pub unmanaged: Vec<String>,
    /// Declared components that are on the page more than once. The copies are deleted with
    /// `dedupe` or `prune` (their deletes are in [`Plan::components`]); otherwise kept and listed.
    pub duplicates: Vec<Duplicate>,
    /// Things worth knowing that are not errors.
    pub warnings: Vec<String>,
}

/// A declared component found more than once on the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Duplicate {
    /// Its name path.
    pub path: String,
    /// The copy that is managed: the oldest (by creation time, then id), preferring one inside
    /// the group that is kept, so parallel runs all keep the same one.
    pub kept: ComponentId,
    /// The other copies.
    pub copies: Vec<ComponentId>,
}

impl Plan {
    /// Whether nothing needs writing.
    pub fn is_empty(&self) -> bool {
        self.settings.is_empty() && self.components.is_empty()
    }

    /// How many write requests applying the plan takes: exactly one per change.
    pub fn write_count(&self) -> usize {
        self.settings.len() + self.components.len()
    }

    /// Every change as a short label, one per field (`page: brand_color`, `+ Group/Name`,
    /// `~ Group/Name: description`, `- Name`): what read-back verification compares.
    pub fn change_labels(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .settings
            .iter()
            .flat_map(|c| &c.fields)
            .map(|f| format!("page: {}", f.field))
            .collect();
        for change in &self.components {
            match change {
                ComponentChange::Create { path, .. } => out.push(format!("+ {path}")),
                ComponentChange::Update { path, fields, .. } => {
                    out.extend(fields.iter().map(|f| format!("~ {path}: {}", f.field)));
                }
                ComponentChange::Delete { path, id } => out.push(format!("- {path} ({id})")),
            }
        }
        out
    }
}

/// Plans the writes that make `current` match `spec`.
///
/// Components are matched by name path first, then by a declared previous name, then by a unique
/// undeclared component of the same name elsewhere (a move). Live status is only touched where the
/// spec sets `status`. Order is compared relatively: declared siblings are renumbered only when
/// their order on the page differs from the declared one, so re-declaring the same order is no
/// change even if Instatus renumbers.
pub fn plan(spec: &PageSpec, current: &Current, options: PlanOptions) -> Result<Plan, InvalidSpec> {
    spec.validate()?;
    let tree = ComponentTree::from_components(current.components.iter().cloned());
    let mut plan = Plan {
        settings: plan_settings(&spec.settings, &current.page),
        ..Plan::default()
    };
    let in_scope = scope_mask(&spec.scope, &tree);
    let matching = Matching::new(spec, &tree, &in_scope)?;

    // Top level, then each group's children.
    let siblings = Siblings {
        tree: &tree,
        matching: &matching,
        scoped: !spec.scope.is_empty(),
    };
    siblings.plan(&spec.components, None, &mut plan.components);

    let claimed: HashSet<usize> = matching.by_path.values().copied().collect();
    let copies: HashSet<usize> = matching.copies.values().flatten().copied().collect();
    // Outside the scope belongs to other declarations: never listed, never deleted.
    let unclaimed: Vec<usize> = tree
        .walk()
        .into_iter()
        .filter(|&i| in_scope[i] && !claimed.contains(&i) && !copies.contains(&i))
        .collect();
    let mut doomed: HashSet<usize> = HashSet::new();
    if options.prune || options.dedupe {
        doomed.extend(&copies);
    }
    if options.prune {
        doomed.extend(&unclaimed);
    } else {
        plan.unmanaged = unclaimed.iter().map(|&i| tree.path(i)).collect();
    }
    // Children before their group: reverse depth-first order.
    for i in tree.walk().into_iter().rev().filter(|i| doomed.contains(i)) {
        plan.components.push(ComponentChange::Delete {
            path: tree.path(i),
            id: tree.node(i).component.id.clone(),
        });
    }
    let mut duplicates: Vec<(&String, &Vec<usize>)> = matching.copies.iter().collect();
    duplicates.sort();
    plan.duplicates = duplicates
        .into_iter()
        .map(|(path, copies)| Duplicate {
            path: path.clone(),
            kept: tree.node(matching.by_path[path]).component.id.clone(),
            copies: copies
                .iter()
                .map(|&i| tree.node(i).component.id.clone())
                .collect(),
        })
        .collect();
    if !(plan.duplicates.is_empty() || options.prune || options.dedupe) {
        plan.warnings.push(format!(
            "{} declared component(s) are on the page more than once ({}): the oldest copy is \
             managed; set dedupe to delete the others",
            plan.duplicates.len(),
            plan.duplicates
                .iter()
                .map(|d| format!("{:?} x{}", d.path, d.copies.len() + 1))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(plan)
}

/// For each node of `tree`: whether it is inside `scope` (its top-level ancestor is named in it);
/// every node when the scope is empty.
pub(crate) fn scope_mask(scope: &[String], tree: &ComponentTree) -> Vec<bool> {
    let mut mask = vec![scope.is_empty(); tree.len()];
    if scope.is_empty() {
        return mask;
    }
    for &root in tree.roots() {
        if scope
            .iter()
            .any(|s| s == tree.node(root).component.name.as_str())
        {
            let mut stack = vec![root];
            while let Some(i) = stack.pop() {
                mask[i] = true;
                stack.extend(&tree.node(i).children);
            }
        }
    }
    mask
}

/// Which existing component each declared path takes, and the other copies of it.
struct Matching {
    by_path: HashMap<String, usize>,
    copies: HashMap<String, Vec<usize>>,
}

impl Matching {
    /// Components are matched by full name path (a same-named component in another group is
    /// another component), then by a declared previous name; only components in scope are
    /// candidates. The top level is matched first, so a child is found under its group even when
    /// the group itself was renamed (`Infra/Network` is `Infrastructure/Network` once `Infra` is
    /// renamed `Infrastructure`).
    fn new(spec: &PageSpec, tree: &ComponentTree, in_scope: &[bool]) -> Result<Self, InvalidSpec> {
        let mut tops: Vec<Declared<'_>> = Vec::new();
        let mut children: Vec<Declared<'_>> = Vec::new();
        for (i, top) in spec.components.iter().enumerate() {
            tops.push(Declared {
                path: top.name.clone(),
                parent: None,
                spec: top,
                at: format!("components[{i}]"),
            });
            for (j, child) in top.components.iter().enumerate() {
                children.push(Declared {
                    path: join(&top.name, &child.name),
                    parent: Some(top.name.clone()),
                    spec: child,
                    at: format!("components[{i}].components[{j}]"),
                });
            }
        }
        let mut m = Matcher {
            tree,
            in_scope,
            found: Matching {
                by_path: HashMap::new(),
                copies: HashMap::new(),
            },
            claimed: HashSet::new(),
            renamed: HashMap::new(),
            errors: Vec::new(),
        };
        // Exact names first everywhere (a previous name never takes a component declared under
        // its own name), then previous names; children once more by name after their group's
        // rename is known.
        m.exact(&tops);
        m.exact(&children);
        m.previous(&tops);
        m.exact(&children);
        m.previous(&children);
        // No third step: a same-named component elsewhere is another component (it used to be
        // moved in, which took other networks' components on a shared page). Moves are declared
        // with `previous_names`.
        if m.errors.is_empty() {
            Ok(m.found)
        } else {
            Err(InvalidSpec(m.errors))
        }
    }
}

/// One declared component, as the matcher sees it.
struct Declared<'s> {
    /// Its name path as declared.
    path: String,
    /// Its group's name path as declared.
    parent: Option<String>,
    spec: &'s ComponentSpec,
    /// Where it is declared (`components[0].components[2]`).
    at: String,
}

/// The state of matching one declaration against the page.
struct Matcher<'t> {
    tree: &'t ComponentTree,
    in_scope: &'t [bool],
    found: Matching,
    claimed: HashSet<usize>,
    /// Components taken by a previous name: by whom (path, where declared).
    renamed: HashMap<usize, (String, String)>,
    errors: Vec<SpecError>,
}

impl Matcher<'_> {
    /// The nodes in scope at `name` under a declared group: at the declared path (copies of the
    /// group included), and under the node the group was matched to (a renamed group).
    fn under(&self, parent: Option<&str>, name: &str) -> Vec<usize> {
        let tree = self.tree;
        let path = parent.map_or(name.to_owned(), |p| join(p, name));
        let mut found = tree.find_all(&path);
        if let Some(&group) = parent.and_then(|p| self.found.by_path.get(p)) {
            for &child in &tree.node(group).children {
                if tree.node(child).component.name.as_str() == name && !found.contains(&child) {
                    found.push(child);
                }
            }
        }
        found.retain(|&i| self.in_scope[i]);
        found
    }

    /// 1. The same name under the same (matched) group. Several: the oldest is kept (inside the
    ///    kept group, for a child), so every run, parallel ones included, keeps the same copy.
    fn exact(&mut self, level: &[Declared<'_>]) {
        let tree = self.tree;
        for d in level {
            if self.found.by_path.contains_key(&d.path) {
                continue;
            }
            let mut found = self.under(d.parent.as_deref(), &d.spec.name);
            found.retain(|i| !self.claimed.contains(i));
            if found.is_empty() {
                continue;
            }
            let kept_parent = d
                .parent
                .as_ref()
                .and_then(|p| self.found.by_path.get(p).copied());
            found.sort_by_key(|&i| {
                let node = tree.node(i);
                let c = &node.component;
                (
                    node.parent != kept_parent,
                    c.created_at,
                    c.id.as_str().to_owned(),
                )
            });
            self.claimed.extend(&found);
            self.found.by_path.insert(d.path.clone(), found[0]);
            if found.len() > 1 {
                self.found
                    .copies
                    .insert(d.path.clone(), found[1..].to_vec());
            }
        }
    }

    /// 2. A declared previous name: a path, a name under the same group, or a unique name.
    fn previous(&mut self, level: &[Declared<'_>]) {
        let tree = self.tree;
        for d in level {
            if self.found.by_path.contains_key(&d.path) {
                continue;
            }
            for (n, prev) in d.spec.previous_names.iter().enumerate() {
                let in_scope = |found: Vec<usize>| -> Vec<usize> {
                    found.into_iter().filter(|&i| self.in_scope[i]).collect()
                };
                let candidates: Vec<usize> = if prev.contains(PATH_SEPARATOR) {
                    in_scope(tree.find_all(prev))
                } else {
                    let under_parent = self.under(d.parent.as_deref(), prev);
                    if under_parent.is_empty() {
                        in_scope(named_anywhere(tree, prev))
                    } else {
                        under_parent
                    }
                };
                // Two declared components renaming the same one: an error naming both.
                if let [only] = candidates.as_slice() {
                    if let Some((other, other_at)) = self.renamed.get(only) {
                        self.errors.push(SpecError {
                            path: format!("{}.previous_names[{n}]", d.at),
                            message: format!(
                                "{prev:?} is {} ({}), which {other:?} ({other_at}) already \
                                 claims by a previous name: one component cannot become both \
                                 {:?} and {other:?}",
                                tree.path(*only),
                                tree.node(*only).component.id,
                                d.path
                            ),
                        });
                        break;
                    }
                }
                let candidates: Vec<usize> = candidates
                    .into_iter()
                    .filter(|i| !self.claimed.contains(i))
                    .collect();
                match candidates.as_slice() {
                    [] => continue,
                    [only] => {
                        self.claimed.insert(*only);
                        self.renamed.insert(*only, (d.path.clone(), d.at.clone()));
                        self.found.by_path.insert(d.path.clone(), *only);
                    }
                    several => self.errors.push(SpecError {
                        path: format!("{}.previous_names[{n}]", d.at),
                        message: format!(
                            "{prev:?} matches {} components on the page ({}); give the name path \
                             (Group/Name) of the one to rename",
                            several.len(),
                            several
                                .iter()
                                .map(|&i| format!(
                                    "{} ({})",
                                    tree.path(i),
                                    tree.node(i).component.id
                                ))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    }),
                }
                break;
            }
        }
    }
}

fn named_anywhere(tree: &ComponentTree, name: &str) -> Vec<usize> {
    tree.walk()
        .into_iter()
        .filter(|&i| tree.node(i).component.name.as_str() == name)
        .collect()
}

fn join(parent: &str, name: &str) -> String {
    format!("{parent}{PATH_SEPARATOR}{name}")
}

/// What planning a sibling list needs: the page, the matching, and whether the declaration is
/// scoped (then the top level is shared with other declarations).
struct Siblings<'a> {
    tree: &'a ComponentTree,
    matching: &'a Matching,
    scoped: bool,
}

impl Siblings<'_> {
    /// Plans one sibling list (the top level, or a group's children) and recurses into groups.
    fn plan(
        &self,
        list: &[ComponentSpec],
        parent_path: Option<&str>,
        out: &mut Vec<ComponentChange>,
    ) {
        let (tree, matching) = (self.tree, self.matching);
        let paths: Vec<String> = list
            .iter()
            .map(|c| parent_path.map_or(c.name.clone(), |p| join(p, &c.name)))
            .collect();
        let desired_parent = match parent_path {
            None => Parent::TopLevel,
            Some(p) => match matching.by_path.get(p) {
                Some(&i) => Parent::Existing(tree.node(i).component.id.clone()),
                None => Parent::Planned(p.to_owned()),
            },
        };
        let parent_id = match &desired_parent {
            Parent::Existing(id) => Some(id.clone()),
            _ => None,
        };
        // Existing siblings that stay under this parent, and whether their order already agrees.
        let staying: Vec<Option<usize>> = paths
            .iter()
            .map(|p| {
                matching.by_path.get(p).copied().filter(|&i| {
                    tree.node(i)
                        .parent
                        .map(|p| tree.node(p).component.id.clone())
                        == parent_id
                        && !matches!(desired_parent, Parent::Planned(_))
                })
            })
            .collect();
        let orders: Vec<i64> = staying
            .iter()
            .flatten()
            .map(|&i| tree.node(i).component.order.unwrap_or(i64::MAX))
            .collect();
        let in_order = orders.windows(2).all(|w| w[0] < w[1]);
        let last_staying = staying.iter().rposition(Option::is_some);
        let newcomers_at_end = staying
            .iter()
            .enumerate()
            .all(|(n, s)| s.is_some() || last_staying.is_none_or(|last| n > last));
        let renumber = !(in_order && newcomers_at_end);
        // Newcomers (created or moved in) go after every component already under this parent,
        // declared or not, so they never take an order another component has.
        let existing: Vec<usize> = match &desired_parent {
            Parent::TopLevel => tree.roots().to_vec(),
            Parent::Existing(_) => parent_path
                .and_then(|p| matching.by_path.get(p))
                .map(|&i| tree.node(i).children.clone())
                .unwrap_or_default(),
            Parent::Planned(_) => Vec::new(),
        };
        let max_order = existing
            .iter()
            .filter_map(|&i| tree.node(i).component.order)
            .chain(orders.iter().copied().filter(|&o| o != i64::MAX))
            .max()
            .unwrap_or(0);
        // A scoped declaration shares the top level with others: it reorders its own components
        // among the order values they already hold (newcomers after everything), so another
        // declaration's components keep their places.
        let slots: Option<Vec<i64>> = (self.scoped && parent_path.is_none()).then(|| {
            let mut held: Vec<i64> = orders.iter().copied().filter(|&o| o != i64::MAX).collect();
            held.sort_unstable();
            held.dedup();
            let mut extra = 0;
            while held.len() < list.len() {
                extra += 1;
                held.push(max_order + extra);
            }
            held
        });
        // Without renumbering, newcomers (created or moved in) go after the existing siblings.
        let mut appended = 0;

        for (n, (c, path)) in list.iter().zip(&paths).enumerate() {
            let position = match &slots {
                Some(slots) => slots[n],
                None => n as i64 + 1,
            };
            match matching.by_path.get(path) {
                Some(&i) => {
                    let node = tree.node(i);
                    let cur = &node.component;
                    let mut request = UpdateComponentRequest::default();
                    let mut fields = Vec::new();
                    if cur.name.as_str() != c.name {
                        fields.push(change("name", Some(cur.name.as_str()), Some(&c.name)));
                        request.name = Some(c.name.clone());
                    }
                    let (wanted, more) = component_fields(c, Some(cur));
                    fields.extend(more);
                    request.description = wanted.description;
                    request.show_uptime = wanted.show_uptime;
                    request.archived = wanted.archived;
                    request.status = wanted.status;
                    let current_parent = node.parent.map(|p| tree.node(p).component.id.clone());
                    let moves = match &desired_parent {
                        Parent::TopLevel => current_parent.is_some(),
                        Parent::Existing(id) => current_parent.as_ref() != Some(id),
                        Parent::Planned(_) => true,
                    };
                    let parent = if moves {
                        fields.push(change(
                            "parent",
                            node.parent.map(|p| tree.path(p)).as_deref(),
                            parent_path,
                        ));
                        Some(desired_parent.clone())
                    } else {
                        None
                    };
                    // Renumbering puts every declared sibling at its position; a component moving
                    // into a group that keeps its order goes after the group's own.
                    let target = if renumber || slots.is_some() {
                        Some(position)
                    } else if moves {
                        appended += 1;
                        Some(max_order + appended)
                    } else {
                        None
                    };
                    if let Some(order) = target.filter(|&o| cur.order != Some(o)) {
                        fields.push(change(
                            "order",
                            cur.order.map(|o| o.to_string()).as_deref(),
                            Some(&order.to_string()),
                        ));
                        request.order = Some(order);
                    }
                    if !fields.is_empty() {
                        let from = tree.path(i);
                        out.push(ComponentChange::Update {
                            from: (from != *path).then_some(from),
                            path: path.clone(),
                            id: cur.id.clone(),
                            parent,
                            request,
                            fields,
                        });
                    }
                }
                None => {
                    let mut request = CreateComponentRequest::new(&c.name);
                    let (wanted, fields) = component_fields(c, None);
                    request.description = wanted.description;
                    request.show_uptime = wanted.show_uptime;
                    request.archived = wanted.archived;
                    request.status = wanted.status;
                    let order = if renumber || slots.is_some() {
                        position
                    } else {
                        appended += 1;
                        max_order + appended
                    };
                    request.order = Some(order);
                    out.push(ComponentChange::Create {
                        path: path.clone(),
                        parent: desired_parent.clone(),
                        request,
                        fields,
                    });
                }
            }
            if c.is_group() {
                self.plan(&c.components, Some(path), out);
            }
        }
    }
}

/// The managed fields of a component that differ from `current` (every given one, for a new
/// component): the values to send, and what changes for people. The one comparison of component
/// fields, used by the planner and by the `component` module. Order and parent are not included
/// (they depend on the siblings).
pub fn component_fields(
    c: &ComponentSpec,
    current: Option<&Component>,
) -> (UpdateComponentRequest, Vec<FieldChange>) {
    let mut fields = Vec::new();
    let mut wanted = UpdateComponentRequest::default();
    if let Some(d) = &c.description {
        let now = current.map(Component::description_str);
        if now != Some(d.as_str()) {
            fields.push(change("description", now, Some(d)));
            wanted.description = Some(d.clone());
        }
    }
    if let Some(b) = c.show_uptime {
        let now = current.map(Component::shows_uptime);
        if now != Some(b) {
            fields.push(change(
                "show_uptime",
                now.map(|v| v.to_string()).as_deref(),
                Some(&b.to_string()),
            ));
            wanted.show_uptime = Some(b);
        }
    }
    if let Some(b) = c.archived {
        let now = current.map(Component::is_archived);
        if now != Some(b) {
            fields.push(change(
                "archived",
                now.map(|v| v.to_string()).as_deref(),
                Some(&b.to_string()),
            ));
            wanted.archived = Some(b);
        }
    }
    if let Some(s) = &c.status {
        let now = current.map(|x| &x.status);
        if now != Some(s) {
            fields.push(change(
                "status",
                now.map(ComponentStatus::user_name).as_deref(),
                Some(&s.user_name()),
            ));
            wanted.status = Some(s.clone());
        }
    }
    (wanted, fields)
}

fn change(field: &str, before: Option<&str>, after: Option<&str>) -> FieldChange {
    FieldChange {
        field: field.to_owned(),
        before: before.map(str::to_owned),
        after: after.map(str::to_owned),
    }
}
