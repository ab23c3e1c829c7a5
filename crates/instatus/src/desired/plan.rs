//! Planning: (declared page, current page) → the fewest writes that make them agree. Pure: no I/O.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::spec::{ComponentSpec, CredentialsUpdate, PageSpec, SpecError};
use crate::api::components::{CreateComponentRequest, UpdateComponentRequest};
use crate::model::{Component, ComponentId, ComponentTree, StatusPage, PATH_SEPARATOR};

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

/// The change to the page settings.
#[derive(Clone, Debug, PartialEq)]
pub struct PageChange {
    /// What changes.
    pub fields: Vec<FieldChange>,
    /// The update body (API field names).
    pub body: Map<String, Value>,
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
    /// The page settings change, if any.
    pub page: Option<PageChange>,
    /// Component writes, in order.
    pub components: Vec<ComponentChange>,
    /// Name paths of components on the page the spec does not declare (left alone without prune).
    pub unmanaged: Vec<String>,
    /// Things worth knowing that are not errors (duplicate names on the page...).
    pub warnings: Vec<String>,
}

impl Plan {
    /// Whether nothing needs writing.
    pub fn is_empty(&self) -> bool {
        self.page.is_none() && self.components.is_empty()
    }

    /// How many write requests applying the plan takes: exactly one per change.
    pub fn write_count(&self) -> usize {
        usize::from(self.page.is_some()) + self.components.len()
    }
}

/// Plans the writes that make `current` match `spec`.
///
/// Components are matched by name path first, then by a declared previous name, then by a unique
/// undeclared component of the same name elsewhere (a move). Live status is only touched where the
/// spec sets `status`. Order is compared relatively: declared siblings are renumbered only when
/// their order on the page differs from the declared one, so re-declaring the same order is no
/// change even if Instatus renumbers.
pub fn plan(
    spec: &PageSpec,
    current: &Current,
    options: PlanOptions,
) -> Result<Plan, Vec<SpecError>> {
    spec.validate()?;
    let tree = ComponentTree::from_components(current.components.iter().cloned());
    let mut plan = Plan {
        page: plan_settings(spec, &current.page),
        ..Plan::default()
    };
    let matching = Matching::new(spec, &tree, &mut plan.warnings);

    // Top level, then each group's children.
    plan_siblings(
        &spec.components,
        None,
        &tree,
        &matching,
        &mut plan.components,
    );

    let claimed: HashSet<usize> = matching.by_path.values().copied().collect();
    let unclaimed: Vec<usize> = tree
        .walk()
        .into_iter()
        .filter(|i| !claimed.contains(i))
        .collect();
    if options.prune {
        // Children before their group: reverse depth-first order.
        for &i in unclaimed.iter().rev() {
            plan.components.push(ComponentChange::Delete {
                path: tree.path(i),
                id: tree.node(i).component.id.clone(),
            });
        }
    } else {
        plan.unmanaged = unclaimed.iter().map(|&i| tree.path(i)).collect();
    }
    Ok(plan)
}

/// Which existing component each declared path takes.
struct Matching {
    by_path: HashMap<String, usize>,
}

impl Matching {
    fn new(spec: &PageSpec, tree: &ComponentTree, warnings: &mut Vec<String>) -> Self {
        let mut declared: Vec<(String, Option<String>, &ComponentSpec)> = Vec::new();
        for top in &spec.components {
            declared.push((top.name.clone(), None, top));
            for child in &top.components {
                declared.push((join(&top.name, &child.name), Some(top.name.clone()), child));
            }
        }
        let mut by_path: HashMap<String, usize> = HashMap::new();
        let mut claimed: HashSet<usize> = HashSet::new();
        fn claim(
            path: &str,
            i: usize,
            by_path: &mut HashMap<String, usize>,
            claimed: &mut HashSet<usize>,
        ) {
            claimed.insert(i);
            by_path.insert(path.to_owned(), i);
        }

        // 1. Exact name path.
        for (path, _, _) in &declared {
            let found = tree.find_all(path);
            if found.len() > 1 {
                warnings.push(format!(
                    "{} components on the page are at {path:?}; the first one is managed, the others are left alone",
                    found.len()
                ));
            }
            if let Some(&i) = found.first() {
                claim(path, i, &mut by_path, &mut claimed);
            }
        }
        // 2. A declared previous name: a path, a name under the same parent, or a unique name.
        for (path, parent, c) in &declared {
            if by_path.contains_key(path) {
                continue;
            }
            let found = c.previous_names.iter().find_map(|prev| {
                let candidates = if prev.contains(PATH_SEPARATOR) {
                    tree.find_all(prev)
                } else {
                    let under_parent =
                        tree.find_all(&parent.as_deref().map_or(prev.clone(), |p| join(p, prev)));
                    if under_parent.is_empty() {
                        named_anywhere(tree, prev)
                    } else {
                        under_parent
                    }
                };
                candidates.into_iter().find(|i| !claimed.contains(i))
            });
            if let Some(i) = found {
                claim(path, i, &mut by_path, &mut claimed);
            }
        }
        // 3. The same name elsewhere, if exactly one undeclared component has it: a move.
        for (path, _, c) in &declared {
            if by_path.contains_key(path) {
                continue;
            }
            let candidates: Vec<usize> = named_anywhere(tree, &c.name)
                .into_iter()
                .filter(|i| !claimed.contains(i))
                .collect();
            if let [only] = candidates.as_slice() {
                claim(path, *only, &mut by_path, &mut claimed);
            }
        }
        Matching { by_path }
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

/// Plans one sibling list (the top level, or a group's children) and recurses into groups.
fn plan_siblings(
    list: &[ComponentSpec],
    parent_path: Option<&str>,
    tree: &ComponentTree,
    matching: &Matching,
    out: &mut Vec<ComponentChange>,
) {
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
    let max_order = orders
        .iter()
        .copied()
        .filter(|&o| o != i64::MAX)
        .max()
        .unwrap_or(0);
    // Without renumbering, newcomers (created or moved in) go after the existing siblings.
    let mut appended = 0;

    for (n, (c, path)) in list.iter().zip(&paths).enumerate() {
        let position = n as i64 + 1;
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
                let wanted = diff_common(c, Some(cur), &mut fields);
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
                let target = if renumber {
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
                let mut fields = Vec::new();
                let wanted = diff_common(c, None, &mut fields);
                request.description = wanted.description;
                request.show_uptime = wanted.show_uptime;
                request.archived = wanted.archived;
                request.status = wanted.status;
                let order = if renumber {
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
            plan_siblings(&c.components, Some(path), tree, matching, out);
        }
    }
}

/// The managed fields that differ (every given one, for a new component), recorded in `fields`
/// and returned as the values to send.
fn diff_common(
    c: &ComponentSpec,
    cur: Option<&Component>,
    fields: &mut Vec<FieldChange>,
) -> UpdateComponentRequest {
    let mut wanted = UpdateComponentRequest::default();
    if let Some(d) = &c.description {
        let now = cur.map(Component::description_str);
        if now != Some(d.as_str()) {
            fields.push(change("description", now, Some(d)));
            wanted.description = Some(d.clone());
        }
    }
    if let Some(b) = c.show_uptime {
        let now = cur.map(|x| x.show_uptime.unwrap_or(true));
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
        let now = cur.map(Component::is_archived);
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
        let now = cur.map(|x| &x.status);
        if now != Some(s) {
            fields.push(change("status", now.map(|v| v.as_str()), Some(s.as_str())));
            wanted.status = Some(s.clone());
        }
    }
    wanted
}

fn change(field: &str, before: Option<&str>, after: Option<&str>) -> FieldChange {
    FieldChange {
        field: field.to_owned(),
        before: before.map(str::to_owned),
        after: after.map(str::to_owned),
    }
}

/// Settings whose values are compared without regard to case (colours come back normalised).
const CASE_INSENSITIVE: &[&str] = &[
    "brand_color",
    "ok_color",
    "degraded_color",
    "disrupted_color",
    "down_color",
    "notice_color",
    "unknown_color",
];

fn plan_settings(spec: &PageSpec, page: &StatusPage) -> Option<PageChange> {
    let declared = match serde_json::to_value(&spec.settings) {
        Ok(Value::Object(map)) => map,
        _ => return None,
    };
    let current = match serde_json::to_value(page) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    let mut fields = Vec::new();
    let mut body = Map::new();
    for (key, wanted) in &declared {
        if matches!(key.as_str(), "sms_credentials" | "sms_credentials_update") {
            continue;
        }
        let api_key = snake_to_camel(key);
        let now = if key == "name" {
            page.name
                .as_ref()
                .map(|n| Value::String(n.as_str().to_owned()))
        } else {
            current.get(&api_key).filter(|v| !v.is_null()).cloned()
        };
        let same = match (&now, wanted) {
            (Some(Value::String(a)), Value::String(b))
                if CASE_INSENSITIVE.contains(&key.as_str()) =>
            {
                a.trim().eq_ignore_ascii_case(b.trim())
            }
            (Some(a), b) => a == b,
            (None, _) => false,
        };
        if !same {
            fields.push(change(
                key,
                now.as_ref().map(display).as_deref(),
                Some(&display(wanted)),
            ));
            body.insert(api_key, wanted.clone());
        }
    }
    let service_changes = body.contains_key("smsService");
    let always = spec.settings.sms_credentials_update == Some(CredentialsUpdate::Always);
    if let Some(credentials) = &spec.settings.sms_credentials {
        if service_changes || always {
            if let Ok(Value::Object(map)) = serde_json::to_value(credentials) {
                for (key, value) in map {
                    fields.push(change(
                        &format!("sms_credentials.{key}"),
                        None,
                        Some("(write-only value)"),
                    ));
                    body.insert(snake_to_camel(&key), value);
                }
            }
        }
    }
    (!body.is_empty()).then_some(PageChange { fields, body })
}

fn display(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn snake_to_camel(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut upper = false;
    for ch in s.chars() {
        if ch == '_' {
            upper = true;
        } else if upper {
            out.push(ch.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(ch);
        }
    }
    out
}
