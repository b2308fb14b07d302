//! Thin handlers: typed extractors in, an authorization check, one call into the model or the
//! workflow, wire types out. URLs are wired in `routes.rs` only.

pub mod audit;
pub mod catalog;
pub mod change_requests;
pub mod domains;
pub mod health;
pub mod me;
pub mod policy;
pub mod scopes;
pub mod sign_in;

use crate::error::ApiError;

/// Hard maximum page size of every list.
pub const MAX_PAGE: u32 = 200;
pub const DEFAULT_PAGE: u32 = 50;

/// `limit` within 1..=MAX_PAGE.
pub fn page_size(limit: Option<u32>) -> Result<i64, ApiError> {
    match limit.unwrap_or(DEFAULT_PAGE) {
        n @ 1..=MAX_PAGE => Ok(i64::from(n)),
        n => Err(ApiError::bad_request(
            "invalid_limit",
            format!("limit must be between 1 and {MAX_PAGE}, not {n}"),
        )),
    }
}
