//! One module per table: rows as stored, and the queries the registry runs on them. Nothing here
//! knows about HTTP or who is asking; that is checked before these are called.

pub mod audit_event;
pub mod catalog_version;
pub mod change_request;
pub mod domain;
pub mod scope;
pub mod setting;
pub mod web_session;

/// A JSON list of strings stored in a text column (`["team-a","team-b"]`).
pub(crate) fn string_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

pub(crate) fn to_json_text<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}
