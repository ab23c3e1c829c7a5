//! Unit tests of `graph.rs` (kept beside it so the code file reads as one concept).

use super::*;

fn component(path: &str, requires: &[&str], optional: &[&str]) -> ComponentConfig {
    ComponentConfig {
        path: path.to_owned(),
        requires: requires.iter().map(|s| (*s).to_owned()).collect(),
        optional: optional.iter().map(|s| (*s).to_owned()).collect(),
        ..ComponentConfig::default()
    }
}

fn graph(components: &[ComponentConfig]) -> DependencyGraph {
    DependencyGraph::from_components(components).expect("graph is valid")
}

/// `(path, kind, status, through)` per impacted component, for compact assertions.
fn summary(impact: &Impact) -> Vec<(String, ImpactKind, ComponentStatus, Vec<String>)> {
    impact
        .impacted
        .iter()
        .map(|i| {
            (
                i.path.clone(),
                i.kind,
                i.status.clone(),
                i.through
                    .iter()
                    .map(|h| format!("{} {}", h.kind.as_str(), h.path))
                    .collect(),
            )
        })
        .collect()
}

fn row(
    path: &str,
    kind: ImpactKind,
    status: ComponentStatus,
    through: &[&str],
) -> (String, ImpactKind, ComponentStatus, Vec<String>) {
    (
        path.to_owned(),
        kind,
        status,
        through.iter().map(|s| (*s).to_owned()).collect(),
    )
}

#[test]
fn a_chain_passes_a_maintenance_on_transitively() {
    // C requires B requires A.
    let g = graph(&[
        component("C", &["B"], &[]),
        component("B", &["A"], &[]),
        component("A", &[], &[]),
    ]);
    assert_eq!(
        g.order().iter().map(|&i| g.path(i)).collect::<Vec<_>>(),
        ["A", "B", "C"]
    );
    let impact = g.impact(&["A"]);
    assert_eq!(
        summary(&impact),
        [
            row(
                "A",
                ImpactKind::Direct,
                ComponentStatus::UnderMaintenance,
                &[]
            ),
            row(
                "B",
                ImpactKind::Requires,
                ComponentStatus::MajorOutage,
                &["requires A"]
            ),
            row(
                "C",
                ImpactKind::Requires,
                ComponentStatus::MajorOutage,
                &["requires B", "requires A"]
            ),
        ]
    );
    // Maintaining the middle leaves the bottom alone.
    assert_eq!(
        g.impact(&["B"])
            .impacted
            .iter()
            .map(|i| i.path.as_str())
            .collect::<Vec<_>>(),
        ["B", "C"]
    );
}

#[test]
fn a_diamond_lists_the_top_once_with_one_chain() {
    // Top requires Left and Right; both require Base.
    let g = graph(&[
        component("Top", &["Left", "Right"], &[]),
        component("Left", &["Base"], &[]),
        component("Right", &["Base"], &[]),
        component("Base", &[], &[]),
    ]);
    let impact = g.impact(&["Base"]);
    assert_eq!(impact.impacted.len(), 4, "{impact:#?}");
    let top = impact.get("Top").expect("top impacted");
    assert_eq!(top.status, ComponentStatus::MajorOutage);
    // The first dependency reaching the level is the one named: Left, declared first.
    assert_eq!(
        top.through
            .iter()
            .map(|h| h.path.as_str())
            .collect::<Vec<_>>(),
        ["Left", "Base"]
    );
    // An optional edge on one side and requires on the other: requires wins (worse).
    let g = graph(&[
        component("Top", &[], &["Left"]),
        component("Left", &["Base"], &[]),
        component("Mid", &["Base"], &[]),
        component("Base", &[], &[]),
        component("Top2", &["Mid"], &["Left"]),
    ]);
    let impact = g.impact(&["Base"]);
    assert_eq!(
        impact.get("Top").unwrap().status,
        ComponentStatus::PartialOutage
    );
    assert_eq!(impact.get("Top").unwrap().kind, ImpactKind::Optional);
    let top2 = impact.get("Top2").unwrap();
    assert_eq!(top2.status, ComponentStatus::MajorOutage);
    assert_eq!(top2.kind, ImpactKind::Requires);
    assert_eq!(top2.through[0].path, "Mid");
}

#[test]
fn optional_then_requires_stays_capped_at_a_partial_outage() {
    // Wallet requires Explorer, which optionally uses the Indexer.
    let g = graph(&[
        component("Wallet", &["Explorer"], &[]),
        component("Explorer", &[], &["Indexer"]),
        component("Indexer", &[], &[]),
        component("Unrelated", &[], &[]),
    ]);
    assert_eq!(
        summary(&g.impact(&["Indexer"])),
        [
            row(
                "Indexer",
                ImpactKind::Direct,
                ComponentStatus::UnderMaintenance,
                &[]
            ),
            row(
                "Explorer",
                ImpactKind::Optional,
                ComponentStatus::PartialOutage,
                &["optional Indexer"]
            ),
            row(
                "Wallet",
                ImpactKind::Requires,
                ComponentStatus::PartialOutage,
                &["requires Explorer", "optional Indexer"]
            ),
        ]
    );
    // Maintaining two components: each is direct, the dependent takes the worse path.
    let impact = g.impact(&["Indexer", "Explorer", "Indexer", "Not Configured"]);
    assert_eq!(
        summary(&impact),
        [
            row(
                "Indexer",
                ImpactKind::Direct,
                ComponentStatus::UnderMaintenance,
                &[]
            ),
            row(
                "Explorer",
                ImpactKind::Direct,
                ComponentStatus::UnderMaintenance,
                &[]
            ),
            row(
                "Not Configured",
                ImpactKind::Direct,
                ComponentStatus::UnderMaintenance,
                &[]
            ),
            row(
                "Wallet",
                ImpactKind::Requires,
                ComponentStatus::MajorOutage,
                &["requires Explorer"]
            ),
        ]
    );
    assert!(g.impact::<&str>(&[]).impacted.is_empty());
}

#[test]
fn a_cycle_is_an_error_naming_it() {
    let e = DependencyGraph::from_components(&[
        component("A", &["B"], &[]),
        component("B", &[], &["C"]),
        component("C", &["A"], &[]),
    ])
    .expect_err("cycle");
    assert!(
        e.message.contains("dependency cycle: A -> B -> C -> A"),
        "{e}"
    );
    let e = DependencyGraph::from_components(&[component("A", &["A"], &[])]).unwrap_err();
    assert_eq!(e.path, "components[0].requires[0]");
    let e = DependencyGraph::from_components(&[component("A", &[], &["Z"])]).unwrap_err();
    assert_eq!(e.path, "components[0].optional[0]");
    assert!(
        e.message.contains("\"Z\" is not a configured component"),
        "{e}"
    );
}

#[test]
fn propagation_passes_outages_only_and_names_the_dependency() {
    let g = graph(&[
        component("App", &["Db"], &["Cache"]),
        component("Db", &[], &[]),
        component("Cache", &[], &[]),
    ]);
    let lv = |db, cache| vec![Level::Operational, db, cache];
    use Level::*;
    assert_eq!(
        g.propagate(0, Operational, &lv(Degraded, MajorOutage)),
        (PartialOutage, Some((2, DependencyKind::Optional)))
    );
    assert_eq!(
        g.propagate(0, Operational, &lv(MajorOutage, MajorOutage)),
        (MajorOutage, Some((1, DependencyKind::Requires)))
    );
    assert_eq!(
        g.propagate(0, Degraded, &lv(Degraded, Degraded)),
        (Degraded, None)
    );
    assert_eq!(
        g.propagate(0, MajorOutage, &lv(PartialOutage, Operational)),
        (MajorOutage, None)
    );
}

#[test]
fn group_rules_combine_children() {
    use Level::*;
    let levels = [Operational, MajorOutage, PartialOutage];
    assert_eq!(
        GroupRule::Worst.combine(&mut levels.clone()),
        Some(MajorOutage)
    );
    assert_eq!(
        GroupRule::Best.combine(&mut levels.clone()),
        Some(Operational)
    );
    assert_eq!(
        GroupRule::Majority.combine(&mut levels.clone()),
        Some(PartialOutage)
    );
    assert_eq!(
        GroupRule::Majority.combine(&mut [Operational, MajorOutage]),
        Some(Operational)
    );
    assert_eq!(GroupRule::Worst.combine(&mut []), None);
}
