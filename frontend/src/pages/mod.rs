//! One module per page.

pub mod audit;
pub mod catalog;
pub mod dashboard;
pub mod domains;
pub mod exports;
pub mod lists;
pub mod not_found;
pub mod propose;
pub mod request;
pub mod scope;
pub mod sign_in;
pub mod token;
pub mod versions;

use leptos::prelude::*;

use crate::api::ui::BackendError;

/// What a page shows when its data could not be had.
#[component]
pub fn Problem(error: BackendError) -> impl IntoView {
    // The page's status says it too (rendered on the server; in an island's update, nothing).
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_actix::ResponseOptions>() {
        use actix_web::http::StatusCode;
        let status = match error {
            BackendError::NotFound => Some(StatusCode::NOT_FOUND),
            BackendError::Forbidden => Some(StatusCode::FORBIDDEN),
            BackendError::Unavailable => Some(StatusCode::SERVICE_UNAVAILABLE),
            // Asking to sign in is the page (a 401 would need a WWW-Authenticate scheme the
            // browser cannot answer); a refused form comes back through `?error=`.
            _ => None,
        };
        if let Some(status) = status {
            response.set_status(status);
        }
    }
    let sign_in = matches!(error, BackendError::SignInRequired);
    view! {
        <div class="problem" role="alert">
            <p>{error.to_string()}</p>
            {sign_in.then(|| view! { <p><a href="/sign-in">"Sign in"</a></p> })}
        </div>
    }
}

/// A coloured label for a status or classification; the text says it, the colour only helps.
#[component]
pub fn Badge(kind: &'static str, value: String) -> impl IntoView {
    let class = format!("badge {kind}-{value}");
    view! { <span class=class>{value}</span> }
}

/// An RFC 3339 UTC time as people read it, to the minute: `2026-12-04 11:09 UTC` (anything else
/// as it is).
pub fn when(at: &str) -> String {
    match (at.get(..10), at.get(11..16)) {
        (Some(date), Some(time)) if at.ends_with('Z') && at.as_bytes().get(10) == Some(&b'T') => {
            format!("{date} {time} UTC")
        }
        _ => at.to_owned(),
    }
}

/// A `<time>` element: [`when`] as its text, the exact time in `datetime` and as its title.
#[component]
pub fn When(at: String) -> impl IntoView {
    let text = when(&at);
    view! { <time datetime=at.clone() title=at>{text}</time> }
}

/// `s` percent-encoded for a URL query value.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b':') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::when;

    #[test]
    fn times_read_to_the_minute() {
        assert_eq!(when("2026-12-04T11:09:13.543Z"), "2026-12-04 11:09 UTC");
        assert_eq!(when("2026-12-04T11:09:00Z"), "2026-12-04 11:09 UTC");
        assert_eq!(when("yesterday"), "yesterday");
        assert_eq!(when(""), "");
    }
}
