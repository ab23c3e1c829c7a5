//! The dependency graph between configured components (`requires`, `optional`), its order
//! (dependencies first; a cycle is a config error naming it), how a dependency's level passes
//! on, how a group's level follows its children, and the impact of maintaining some components.
//!
//! The engine and [`DependencyGraph::impact`] share one propagation step
//! ([`DependencyGraph::propagate`]) over one order, so an announcement's impact statement and
//! the statuses automation sets can never disagree.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use super::config::{err, ComponentConfig, Config, ConfigError, GroupRule};
use super::Level;
use crate::model::ComponentStatus;

/// How one component depends on another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DependencyKind {
    /// It cannot work without it: the dependency's outage (partial or major) becomes its own.
    Requires,
    /// It works less well without it: the dependency's outage makes it at most a partial outage.
    Optional,
}

impl DependencyKind {
    /// The level a dependency at `level` passes on through this kind of edge. Only outages pass
    /// on (a degraded dependency does not); `optional` caps at a partial outage.
    pub fn passes_on(self, level: Level) -> Level {
        if level < Level::PartialOutage {
            return Level::Operational;
        }
        match self {
            DependencyKind::Requires => level,
            DependencyKind::Optional => level.min(Level::PartialOutage),
        }
    }

    /// The configuration spelling: `requires`, `optional`.
    pub fn as_str(self) -> &'static str {
        match self {
            DependencyKind::Requires => "requires",
            DependencyKind::Optional => "optional",
        }
    }
}

/// The validated dependency graph of the configured components (indexes are the components'
/// positions in the configuration).
#[derive(Clone, Debug)]
pub struct DependencyGraph {
    paths: Vec<String>,
    index: HashMap<String, usize>,
    /// Per component: its dependencies, `requires` first, each in declaration order.
    deps: Vec<Vec<(usize, DependencyKind)>>,
    /// Dependencies first.
    order: Vec<usize>,
}

impl DependencyGraph {
    /// The graph of a status configuration's components.
    pub fn from_config(config: &Config) -> Result<DependencyGraph, ConfigError> {
        DependencyGraph::from_components(&config.components)
    }

    /// The graph of component declarations (only `path`, `requires` and `optional` are read, so
    /// a caller without rules can build them with `..ComponentConfig::default()`). Errors name
    /// the field: a duplicate path, an unknown or self dependency, a cycle (`dependency cycle:
    /// A -> B -> A`).
    pub fn from_components(components: &[ComponentConfig]) -> Result<DependencyGraph, ConfigError> {
        let mut index: HashMap<String, usize> = HashMap::with_capacity(components.len());
        for (i, c) in components.iter().enumerate() {
            if index.insert(c.path.clone(), i).is_some() {
                return Err(err(
                    format!("components[{i}].path"),
                    format!("{:?} is configured twice", c.path),
                ));
            }
        }
        let mut deps = Vec::with_capacity(components.len());
        for (i, c) in components.iter().enumerate() {
            let mut list = Vec::with_capacity(c.requires.len() + c.optional.len());
            for (kind, names) in [
                (DependencyKind::Requires, &c.requires),
                (DependencyKind::Optional, &c.optional),
            ] {
                for (j, p) in names.iter().enumerate() {
                    let at = format!("components[{i}].{}[{j}]", kind.as_str());
                    match index.get(p.as_str()) {
                        Some(&k) if k == i => {
                            return Err(err(at, "a component cannot depend on itself"))
                        }
                        Some(&k) => list.push((k, kind)),
                        None => {
                            return Err(err(
                                at,
                                format!(
                                    "{p:?} is not a configured component; configured: {}",
                                    components
                                        .iter()
                                        .map(|c| c.path.as_str())
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                ),
                            ))
                        }
                    }
                }
            }
            deps.push(list);
        }
        let paths: Vec<String> = components.iter().map(|c| c.path.clone()).collect();
        let order = topological(&paths, &deps)?;
        Ok(DependencyGraph {
            paths,
            index,
            deps,
            order,
        })
    }

    /// Component indexes, every dependency before its dependents.
    pub fn order(&self) -> &[usize] {
        &self.order
    }

    /// A component's index by name path.
    pub fn index_of(&self, path: &str) -> Option<usize> {
        self.index.get(path).copied()
    }

    /// A component's name path.
    pub fn path(&self, i: usize) -> &str {
        &self.paths[i]
    }

    /// A component's dependencies, `requires` first, each in declaration order.
    pub fn dependencies(&self, i: usize) -> &[(usize, DependencyKind)] {
        &self.deps[i]
    }

    /// The one propagation step: component `i` with its own level `own`, given the levels of
    /// its dependencies (already final, as [`order`](Self::order) guarantees), stands at the
    /// worst of `own` and what each dependency passes on. Also returns the dependency that raised
    /// it above `own` (the first one reaching the final level), if any.
    pub fn propagate(
        &self,
        i: usize,
        own: Level,
        levels: &[Level],
    ) -> (Level, Option<(usize, DependencyKind)>) {
        let mut level = own;
        let mut by = None;
        for &(d, kind) in &self.deps[i] {
            let passed = kind.passes_on(levels[d]);
            if passed > level {
                level = passed;
                by = Some((d, kind));
            }
        }
        (level, by)
    }

    /// The components impacted while the `maintained` ones are unavailable: each maintained one
    /// directly (status `UNDERMAINTENANCE`), then, transitively, every component that depends on
    /// one: through `requires` a major outage, through `optional` at most a partial outage
    /// (the same rule the engine applies to live levels, a maintained component counting as a
    /// major outage). Each impacted component carries the chain of dependencies it came through.
    ///
    /// Maintained paths that are not configured components are listed as direct impacts (they
    /// have no dependents here). The result is in dependency order (maintained first), each path
    /// once.
    pub fn impact<S: AsRef<str>>(&self, maintained: &[S]) -> Impact {
        let mut impacted = Vec::new();
        let mut seen = BTreeSet::new();
        let mut levels = vec![Level::Operational; self.paths.len()];
        let mut direct = vec![false; self.paths.len()];
        for m in maintained {
            let m = m.as_ref();
            if !seen.insert(m.to_owned()) {
                continue;
            }
            if let Some(i) = self.index_of(m) {
                levels[i] = Level::MajorOutage;
                direct[i] = true;
            }
            impacted.push(Impacted {
                path: m.to_owned(),
                kind: ImpactKind::Direct,
                status: ComponentStatus::UnderMaintenance,
                through: Vec::new(),
            });
        }
        // Who raised each component: the chain is read back along these links.
        let mut raised_by: Vec<Option<(usize, DependencyKind)>> = vec![None; self.paths.len()];
        for &i in &self.order {
            if direct[i] {
                continue;
            }
            let (level, by) = self.propagate(i, Level::Operational, &levels);
            levels[i] = level;
            raised_by[i] = by;
            let Some((first, first_kind)) = by else {
                continue;
            };
            let mut through = vec![Hop {
                path: self.paths[first].clone(),
                kind: first_kind,
            }];
            let mut at = first;
            while let Some((d, kind)) = raised_by[at] {
                through.push(Hop {
                    path: self.paths[d].clone(),
                    kind,
                });
                at = d;
            }
            impacted.push(Impacted {
                path: self.paths[i].clone(),
                kind: match first_kind {
                    DependencyKind::Requires => ImpactKind::Requires,
                    DependencyKind::Optional => ImpactKind::Optional,
                },
                status: level.status(),
                through,
            });
        }
        Impact { impacted }
    }
}

/// The outcome of [`DependencyGraph::impact`].
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Impact {
    /// Every impacted component, maintained ones first, then in dependency order.
    pub impacted: Vec<Impacted>,
}

impl Impact {
    /// The impacted component with this path.
    pub fn get(&self, path: &str) -> Option<&Impacted> {
        self.impacted.iter().find(|i| i.path == path)
    }

    /// The impacted components that are not maintained themselves (through `requires` or
    /// `optional`), in dependency order.
    pub fn dependents(&self) -> impl Iterator<Item = &Impacted> {
        self.impacted
            .iter()
            .filter(|i| i.kind != ImpactKind::Direct)
    }
}

/// One impacted component.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Impacted {
    /// Its name path.
    pub path: String,
    /// How it is impacted: maintained itself, or through its first hop's kind.
    pub kind: ImpactKind,
    /// The status it would have: `UNDERMAINTENANCE` when maintained, else the propagated outage.
    pub status: ComponentStatus,
    /// The dependencies it came through, from its own dependency down to the maintained
    /// component (empty when maintained itself).
    pub through: Vec<Hop>,
}

/// One hop of an impact chain: the component depended on, and how.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Hop {
    /// The dependency's name path.
    pub path: String,
    /// How the component before it in the chain depends on it.
    pub kind: DependencyKind,
}

/// How a component is impacted by a maintenance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImpactKind {
    /// It is maintained itself.
    Direct,
    /// It requires an impacted component.
    Requires,
    /// It optionally depends on an impacted component.
    Optional,
}

impl GroupRule {
    /// A group's level from its children's levels (`None` without children).
    pub fn combine(self, children: &mut [Level]) -> Option<Level> {
        if children.is_empty() {
            return None;
        }
        children.sort_unstable();
        let n = children.len();
        Some(match self {
            GroupRule::Worst => children[n - 1],
            GroupRule::Best => children[0],
            // More than half at or above: the element at index n - (n/2 + 1).
            GroupRule::Majority => children[n - (n / 2 + 1)],
        })
    }
}

/// Dependencies first; a cycle is an error naming it.
fn topological(
    paths: &[String],
    deps: &[Vec<(usize, DependencyKind)>],
) -> Result<Vec<usize>, ConfigError> {
    let n = paths.len();
    // 0 unvisited, 1 on the stack, 2 done.
    let mut mark = vec![0u8; n];
    let mut order = Vec::with_capacity(n);
    for start in 0..n {
        if mark[start] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        mark[start] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&(d, _)) = deps[node].get(*next) {
                *next += 1;
                match mark[d] {
                    0 => {
                        mark[d] = 1;
                        stack.push((d, 0));
                    }
                    1 => {
                        let from = stack.iter().position(|(s, _)| *s == d).unwrap_or(0);
                        let mut cycle: Vec<&str> = stack[from..]
                            .iter()
                            .map(|(s, _)| paths[*s].as_str())
                            .collect();
                        cycle.push(&paths[d]);
                        return Err(err(
                            format!("components[{node}]"),
                            format!("dependency cycle: {}", cycle.join(" -> ")),
                        ));
                    }
                    _ => {}
                }
            } else {
                mark[node] = 2;
                order.push(node);
                stack.pop();
            }
        }
    }
    Ok(order)
}

#[cfg(test)]
#[path = "graph_tests.rs"]
mod tests;
