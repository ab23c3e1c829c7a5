//! The modules of the collection, one file each, and [`MODULES`], the one list that registers
//! them (the binary dispatches on it, the docs generator and the tests walk it).

pub mod calendar;
pub mod component;
pub mod ephemery_resets;
pub mod incident;
pub mod info;
pub mod maintenance;
pub mod page;
pub mod page_spec;
pub mod report;
pub mod subscriber;
pub mod template;

use crate::protocol::ModuleDef;

/// Every module of the collection. Adding a module = a file here + one line in this list + its
/// sidecar `ansible/plugins/modules/NAME.yml`.
pub const MODULES: &[ModuleDef] = &[
    ModuleDef::of::<component::ComponentModule>(),
    ModuleDef::of::<info::InfoModule>(),
    ModuleDef::of::<subscriber::SubscriberModule>(),
    ModuleDef::of::<incident::IncidentModule>(),
    ModuleDef::of::<maintenance::MaintenanceModule>(),
    ModuleDef::of::<page::PageModule>(),
    ModuleDef::of::<page_spec::PageSpecModule>(),
    ModuleDef::of::<report::ReportModule>(),
    ModuleDef::of::<template::TemplateModule>(),
    ModuleDef::of::<ephemery_resets::EphemeryResetsModule>(),
    ModuleDef::of::<calendar::CalendarModule>(),
];

/// The module called `name` (short name, or a fully qualified `ephemery.instatus.NAME`).
pub fn find(name: &str) -> Option<&'static ModuleDef> {
    let short = name.rsplit('.').next().unwrap_or(name);
    MODULES.iter().find(|m| m.name == short)
}
