//! The page settings a declaration manages, as ONE typed table: how each is declared, read from
//! the page, compared and written. The planner, the before/after texts and the read-back check
//! all go through it, so a setting cannot be compared one way and shown another.

use super::plan::FieldChange;
use super::spec::{CredentialsUpdate, PageSettingsSpec, SmsCredentials};
use crate::api::pages::UpdateStatusPageRequest;
use crate::model::{SmsService, StatusPage};
use crate::validate;

/// A setting's value, typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum SettingValue {
    /// Text: names, URLs, colours, HTML, CSS, formats.
    Text(String),
    /// A switch.
    Flag(bool),
    /// The SMS provider.
    Sms(SmsService),
}

impl SettingValue {
    /// As shown to people (the diff, the plan).
    pub(crate) fn shown(&self) -> String {
        match self {
            SettingValue::Text(s) => s.clone(),
            SettingValue::Flag(b) => b.to_string(),
            SettingValue::Sms(s) => s.as_str().to_owned(),
        }
    }

    fn text(self) -> Option<String> {
        match self {
            SettingValue::Text(s) => Some(s),
            _ => None,
        }
    }

    fn flag(self) -> Option<bool> {
        match self {
            SettingValue::Flag(b) => Some(b),
            _ => None,
        }
    }

    fn sms(self) -> Option<SmsService> {
        match self {
            SettingValue::Sms(s) => Some(s),
            _ => None,
        }
    }
}

/// One managed setting.
pub(crate) struct Setting {
    /// The name as declared (`brand_color`), which is also the Ansible option name.
    pub name: &'static str,
    /// The declared value; `None`: not managed.
    pub declared: fn(&PageSettingsSpec) -> Option<SettingValue>,
    /// The value on the page; `None`: unset.
    pub current: fn(&StatusPage) -> Option<SettingValue>,
    /// Puts the value in an update request.
    pub write: fn(&mut UpdateStatusPageRequest, SettingValue),
    /// Compared without regard to case and surrounding space (colours come back normalised).
    pub fold_case: bool,
    /// Not in the spec's `UpdateStatusPageRequest`: sent in a request of its own, so a server that
    /// refuses or ignores it can never block the other settings.
    pub uncertain: bool,
}

impl Setting {
    /// Whether the page already has `wanted`.
    pub(crate) fn agrees(&self, now: Option<&SettingValue>, wanted: &SettingValue) -> bool {
        match (now, wanted) {
            (Some(SettingValue::Text(a)), SettingValue::Text(b)) if self.fold_case => {
                a.trim().eq_ignore_ascii_case(b.trim())
            }
            (Some(a), b) => a == b,
            (None, _) => false,
        }
    }
}

macro_rules! setting {
    // A text setting of the shared `PageSettings` part of the request.
    (text $name:ident $(, $flag:ident)*) => {
        setting!(@make $name, Text, text, |r, v| r.settings.$name = v $(, $flag)*)
    };
    // A text setting at the top level of the update request.
    (top $name:ident $(, $flag:ident)*) => {
        setting!(@make $name, Text, text, |r, v| r.$name = v $(, $flag)*)
    };
    (flag $name:ident) => {
        setting!(@make $name, Flag, flag, |r, v| r.settings.$name = v)
    };
    (@make $name:ident, $variant:ident, $get:ident, $write:expr $(, $flag:ident)*) => {
        Setting {
            name: stringify!($name),
            declared: |s| s.$name.clone().map(SettingValue::$variant),
            current: |p| p.$name.clone().map(SettingValue::$variant),
            write: |r, v| {
                let write: fn(&mut UpdateStatusPageRequest, Option<_>) = $write;
                write(r, v.$get())
            },
            fold_case: setting!(@has fold_case $($flag)*),
            uncertain: setting!(@has uncertain $($flag)*),
        }
    };
    (@has fold_case fold_case $($rest:ident)*) => { true };
    (@has uncertain uncertain $($rest:ident)*) => { true };
    (@has $want:ident $other:ident $($rest:ident)*) => { setting!(@has $want $($rest)*) };
    (@has $want:ident) => { false };
}

/// Every managed setting, in the order people read them.
pub(crate) const SETTINGS: &[Setting] = &[
    Setting {
        name: "name",
        declared: |s| s.name.clone().map(SettingValue::Text),
        // `name` sometimes comes back as a translations object: compare its text.
        current: |p| {
            p.name
                .as_ref()
                .map(|n| SettingValue::Text(n.as_str().to_owned()))
        },
        write: |r, v| r.name = v.text(),
        fold_case: false,
        uncertain: false,
    },
    setting!(top subdomain),
    setting!(top custom_domain, uncertain),
    setting!(text website_url),
    setting!(top public_email),
    setting!(text language),
    setting!(text logo_url),
    setting!(text favicon_url),
    setting!(flag use_large_header),
    setting!(text brand_color, fold_case),
    setting!(text ok_color, fold_case),
    setting!(text degraded_color, fold_case),
    setting!(text disrupted_color, fold_case),
    setting!(text down_color, fold_case),
    setting!(text notice_color, fold_case),
    setting!(text unknown_color, fold_case),
    setting!(text css_global),
    setting!(text html_in_meta),
    setting!(text html_above_header),
    setting!(text html_below_header),
    setting!(text html_above_footer),
    setting!(text html_below_footer),
    setting!(text html_below_summary),
    setting!(text google_analytics),
    setting!(flag subscribe_by_sms),
    Setting {
        name: "sms_service",
        declared: |s| s.sms_service.clone().map(SettingValue::Sms),
        current: |p| p.sms_service.clone().map(SettingValue::Sms),
        write: |r, v| r.settings.sms_service = v.sms(),
        fold_case: false,
        uncertain: false,
    },
    setting!(text date_format),
    setting!(text date_format_short),
    setting!(text time_format),
    setting!(text launch_date),
];

/// A check of a value's form.
pub(crate) type FormCheck = fn(&str) -> Result<(), validate::Invalid>;

/// The form a text setting must have, checked before the first request (the API refuses the
/// others, naming its own field, not the one the user wrote).
pub(crate) fn form_of(setting: &str) -> Option<FormCheck> {
    Some(match setting {
        "name" => validate::name,
        "subdomain" => validate::subdomain,
        "custom_domain" => validate::domain,
        "website_url" | "logo_url" | "favicon_url" => validate::http_url,
        "public_email" => validate::email,
        "language" => validate::language,
        s if s.ends_with("_color") => validate::color,
        _ => return None,
    })
}

/// Every declared setting whose value does not have its form: (setting, problem).
pub(crate) fn malformed(spec: &PageSettingsSpec) -> Vec<(&'static str, validate::Invalid)> {
    SETTINGS
        .iter()
        .filter_map(|s| {
            let check = form_of(s.name)?;
            match (s.declared)(spec)? {
                SettingValue::Text(value) => check(&value).err().map(|e| (s.name, e)),
                _ => None,
            }
        })
        .collect()
}

/// Declared settings that are not in [`SETTINGS`] because they are not compared: the API never
/// returns SMS credentials.
#[cfg(test)]
pub(crate) const WRITE_ONLY: &[&str] = &["sms_credentials", "sms_credentials_update"];

/// The change to the page settings: one request for the settings the spec lists, and one request
/// per setting the API's update request does not list (the custom domain).
#[derive(Clone, Debug, PartialEq)]
pub struct PageChange {
    /// What changes, for people (secret values are never shown).
    pub fields: Vec<FieldChange>,
    /// The update request.
    pub request: UpdateStatusPageRequest,
}

/// The page settings writes: the main request first, then the uncertain settings one by one.
pub(crate) fn plan_settings(spec: &PageSettingsSpec, page: &StatusPage) -> Vec<PageChange> {
    let mut main = PageChange {
        fields: Vec::new(),
        request: UpdateStatusPageRequest::default(),
    };
    let mut alone = Vec::new();
    for setting in SETTINGS {
        let Some(wanted) = (setting.declared)(spec) else {
            continue;
        };
        let now = (setting.current)(page);
        if setting.agrees(now.as_ref(), &wanted) {
            continue;
        }
        let field = FieldChange {
            field: setting.name.to_owned(),
            before: now.as_ref().map(SettingValue::shown),
            after: Some(wanted.shown()),
        };
        if setting.uncertain {
            let mut request = UpdateStatusPageRequest::default();
            (setting.write)(&mut request, wanted);
            alone.push(PageChange {
                fields: vec![field],
                request,
            });
        } else {
            (setting.write)(&mut main.request, wanted);
            main.fields.push(field);
        }
    }
    let service_changes = main.request.settings.sms_service.is_some();
    let always = spec.sms_credentials_update == Some(CredentialsUpdate::Always);
    if let Some(credentials) = spec
        .sms_credentials
        .as_ref()
        .filter(|_| service_changes || always)
    {
        write_credentials(credentials, &mut main);
    }
    let mut out = Vec::new();
    if !main.fields.is_empty() {
        out.push(main);
    }
    out.extend(alone);
    out
}

/// Copies the declared SMS credentials into the request; the plan shows only that they are sent.
fn write_credentials(c: &SmsCredentials, change: &mut PageChange) {
    let s = &mut change.request.settings;
    let mut sent = |name: &str, given: bool| {
        if given {
            change.fields.push(FieldChange {
                field: format!("sms_credentials.{name}"),
                before: None,
                after: Some("(write-only value)".into()),
            });
        }
    };
    sent("twilio_sid", c.twilio_sid.is_some());
    sent("twilio_token", c.twilio_token.is_some());
    sent("twilio_sender", c.twilio_sender.is_some());
    sent("esendex_username", c.esendex_username.is_some());
    sent("esendex_password", c.esendex_password.is_some());
    sent("esendex_account_ref", c.esendex_account_ref.is_some());
    sent("nexmo_key", c.nexmo_key.is_some());
    sent("nexmo_secret", c.nexmo_secret.is_some());
    sent("nexmo_sender", c.nexmo_sender.is_some());
    s.twilio_sid = c.twilio_sid.clone();
    s.twilio_token = c.twilio_token.clone();
    s.twilio_sender = c.twilio_sender.clone();
    s.esendex_username = c.esendex_username.clone();
    s.esendex_password = c.esendex_password.clone();
    s.esendex_account_ref = c.esendex_account_ref.clone();
    s.nexmo_key = c.nexmo_key.clone();
    s.nexmo_secret = c.nexmo_secret.clone();
    s.nexmo_sender = c.nexmo_sender.clone();
}

/// The managed settings as `name: value` lines, as they are (`changes` empty) or as they will be.
pub(crate) fn settings_lines(
    spec: &PageSettingsSpec,
    page: &StatusPage,
    changes: &[PageChange],
) -> Vec<String> {
    SETTINGS
        .iter()
        .filter(|s| (s.declared)(spec).is_some())
        .map(|s| {
            let now = (s.current)(page).map(|v| v.shown());
            let value = changes
                .iter()
                .flat_map(|c| &c.fields)
                .find(|f| f.field == s.name)
                .map_or(now, |f| f.after.clone());
            format!("{}: {}", s.name, value.as_deref().unwrap_or("(unset)"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_declared_setting_is_in_the_table_once() {
        let mut names: Vec<&str> = SETTINGS.iter().map(|s| s.name).collect();
        names.extend(WRITE_ONLY);
        names.sort_unstable();
        let mut declared = PageSettingsSpec::names();
        declared.sort_unstable();
        assert_eq!(names, declared);
    }

    #[test]
    fn each_setting_writes_what_it_reads() {
        // For every text setting: declare "x", plan against an empty page, and check the request
        // carries it under the API's name that the page model reads back.
        let page: StatusPage = serde_json::from_value(serde_json::json!({"id": "p"})).unwrap();
        for setting in SETTINGS {
            let mut request = UpdateStatusPageRequest::default();
            let value = match (setting.current)(&page) {
                None if setting.name == "sms_service" => SettingValue::Sms(SmsService::Twilio),
                _ if matches!(setting.name, "use_large_header" | "subscribe_by_sms") => {
                    SettingValue::Flag(true)
                }
                _ => SettingValue::Text("x".into()),
            };
            (setting.write)(&mut request, value.clone());
            let body = serde_json::to_value(&request).unwrap();
            let mut page_json = serde_json::json!({"id": "p"});
            for (k, v) in body.as_object().unwrap() {
                page_json[k] = v.clone();
            }
            let read: StatusPage = serde_json::from_value(page_json).unwrap();
            assert_eq!((setting.current)(&read), Some(value), "{}", setting.name);
        }
    }
}
