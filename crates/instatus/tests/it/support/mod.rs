//! Shared helpers of the integration tests.
#![allow(dead_code)]

pub mod openapi;
pub mod raw_http;
