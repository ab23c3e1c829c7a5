//! The API as values: each operation is a [`Call`] built without I/O, then sent by
//! [`Client`](crate::Client).
//!
//! One module per resource builds calls and holds its request bodies (named like the spec's
//! request schemas). The method and path of every call come from [`operations`], the one table.
//!
//! Request types are `#[non_exhaustive]` (a field the API adds later is not a breaking change),
//! so they are built with a constructor taking the required fields and one chainable setter per
//! optional field, named after the field.
//!
//! ```
//! use instatus::api::{self, components::CreateComponentRequest};
//! use instatus::model::PageId;
//!
//! let page = PageId::new("ckpage");
//! let body = CreateComponentRequest::new("Execution Client").description("geth");
//! let call = api::components::create(&page, &body);
//! assert_eq!(call.method().as_str(), "POST");
//! assert_eq!(call.path(), "/v1/ckpage/components");
//! assert_eq!(call.body().unwrap()["name"], "Execution Client");
//! ```

use std::marker::PhantomData;

/// Chainable setters for request types, one per field: `opt` fields take the value (wrapped in
/// `Some`), `val` fields the value, `list` and `opt_list` fields any iterator.
macro_rules! setters {
    ($ty:ident { $( $kind:ident $field:ident : $t:ty ),+ $(,)? }) => {
        impl $ty {
            $( setters!(@one $kind $field $t); )+
        }
    };
    (@one opt $field:ident $t:ty) => {
        #[doc = concat!("Sets [`", stringify!($field), "`](Self::", stringify!($field), ").")]
        pub fn $field(mut self, value: impl Into<$t>) -> Self {
            self.$field = Some(value.into());
            self
        }
    };
    (@one val $field:ident $t:ty) => {
        #[doc = concat!("Sets [`", stringify!($field), "`](Self::", stringify!($field), ").")]
        pub fn $field(mut self, value: impl Into<$t>) -> Self {
            self.$field = value.into();
            self
        }
    };
    (@one list $field:ident $t:ty) => {
        #[doc = concat!("Replaces [`", stringify!($field), "`](Self::", stringify!($field), ").")]
        pub fn $field(mut self, items: impl IntoIterator<Item = $t>) -> Self {
            self.$field = items.into_iter().collect();
            self
        }
    };
    (@one opt_list $field:ident $t:ty) => {
        #[doc = concat!("Sets [`", stringify!($field), "`](Self::", stringify!($field), ").")]
        pub fn $field(mut self, items: impl IntoIterator<Item = $t>) -> Self {
            self.$field = Some(items.into_iter().collect());
            self
        }
    };
}

use serde::Serialize;
use serde_json::Value;

pub mod components;
pub mod deviations;
pub mod incidents;
pub mod maintenances;
pub mod metrics;
pub mod monitors;
pub mod operations;
pub mod pages;
pub mod public;
pub mod subscribers;
pub mod team;
pub mod templates;
pub mod user;

pub use operations::{Method, Op};

/// Largest page size the API accepts.
pub const MAX_PER_PAGE: u32 = 100;

/// One request to the API, typed by what it returns. Built by the functions in this module's
/// submodules; sent with [`Client::send`](crate::Client::send).
#[must_use = "a call does nothing until a Client sends it"]
pub struct Call<T> {
    op: Op,
    path: String,
    query: Vec<(&'static str, String)>,
    body: Body,
    _output: PhantomData<fn() -> T>,
}

// Manual impls: a derive would demand `T: Clone`/`T: Debug` of the output type.
impl<T> Clone for Call<T> {
    fn clone(&self) -> Self {
        Self {
            op: self.op,
            path: self.path.clone(),
            query: self.query.clone(),
            body: self.body.clone(),
            _output: PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for Call<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call")
            .field("op", &self.op)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("body", &self.body)
            .finish()
    }
}

impl<T> Clone for ListCall<T> {
    fn clone(&self) -> Self {
        Self {
            call: self.call.clone(),
            per_page: self.per_page,
        }
    }
}

impl<T> std::fmt::Debug for ListCall<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListCall")
            .field("call", &self.call)
            .field("per_page", &self.per_page)
            .finish()
    }
}

#[derive(Debug, Clone)]
enum Body {
    None,
    Json(Value),
    /// The body could not be encoded; the client reports it without sending anything.
    Invalid(String),
}

impl<T> Call<T> {
    /// A call without a body. `params` fill the path placeholders in order.
    pub fn new(op: Op, params: &[&str]) -> Self {
        Self {
            op,
            path: op.fill(params),
            query: Vec::new(),
            body: Body::None,
            _output: PhantomData,
        }
    }

    /// A call with a JSON body.
    pub fn with_body(op: Op, params: &[&str], body: &impl Serialize) -> Self {
        let mut call = Self::new(op, params);
        call.body = match serde_json::to_value(body) {
            Ok(value) => Body::Json(value),
            Err(e) => Body::Invalid(e.to_string()),
        };
        call
    }

    /// Adds a query parameter.
    pub fn query(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.query.push((name, value.into()));
        self
    }

    /// The operation.
    pub fn op(&self) -> Op {
        self.op
    }

    /// The HTTP method.
    pub fn method(&self) -> Method {
        self.op.method()
    }

    /// The path, placeholders filled.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The query parameters.
    pub fn query_params(&self) -> &[(&'static str, String)] {
        &self.query
    }

    /// The JSON body, if any.
    pub fn body(&self) -> Option<&Value> {
        match &self.body {
            Body::Json(v) => Some(v),
            _ => None,
        }
    }

    /// The same request, decoding the answer as `U` instead: `cast::<serde_json::Value>()` gives
    /// the raw JSON (for fields this crate does not model yet, or to check the wire format).
    pub fn cast<U>(self) -> Call<U> {
        Call {
            op: self.op,
            path: self.path,
            query: self.query,
            body: self.body,
            _output: PhantomData,
        }
    }

    /// Why the body could not be encoded, if it could not.
    pub fn body_error(&self) -> Option<&str> {
        match &self.body {
            Body::Invalid(e) => Some(e),
            _ => None,
        }
    }
}

/// A list operation, sent page by page with [`Client::paginate`](crate::Client::paginate) or
/// [`Client::list_all`](crate::Client::list_all).
#[must_use = "a call does nothing until a Client sends it"]
pub struct ListCall<T> {
    call: Call<Vec<T>>,
    per_page: u32,
}

impl<T> ListCall<T> {
    /// A list call for `op`; `params` fill the path placeholders.
    pub fn new(op: Op, params: &[&str]) -> Self {
        Self {
            call: Call::new(op, params),
            per_page: MAX_PER_PAGE,
        }
    }

    /// Adds a filter parameter (e.g. incidents' `status`).
    pub fn query(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.call = self.call.query(name, value);
        self
    }

    /// Sets the page size, clamped to 1..=100 (default 100, the API's maximum).
    pub fn per_page(mut self, per_page: u32) -> Self {
        self.per_page = per_page.clamp(1, MAX_PER_PAGE);
        self
    }

    /// The page size.
    pub fn page_size(&self) -> u32 {
        self.per_page
    }

    /// The operation.
    pub fn op(&self) -> Op {
        self.call.op
    }

    /// The call for one page (1-based).
    pub fn page(&self, page: u32) -> Call<Vec<T>> {
        self.call
            .clone()
            .query("page", page.to_string())
            .query("per_page", self.per_page.to_string())
    }
}

/// A component and the status it takes, as incidents, maintenances and templates send it.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct ComponentStatusEntry {
    /// The component id (it must also be listed in the request's `components`).
    pub id: crate::model::ComponentId,
    /// Its status.
    pub status: crate::model::ComponentStatus,
}

impl ComponentStatusEntry {
    /// Pairs a component with a status.
    pub fn new(id: crate::model::ComponentId, status: crate::model::ComponentStatus) -> Self {
        Self { id, status }
    }
}
