//! The Leptos web UI of the scope registry (pages and components come with the web UI issue), and
//! the wire types of its REST API in [`api`]: what the server sends and accepts, serde only, so
//! the browser, the server and the tests share one definition.

pub mod api;
