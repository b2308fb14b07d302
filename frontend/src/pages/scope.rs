//! One scope: its metadata, consent texts, released claims, implications, history across
//! versions (with the change requests that made them), and its entry in each export format.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{Badge, Problem, When};
use crate::api::ui::ScopeDetail;
use crate::server_fns::get_scope;

#[component]
pub fn ScopePage() -> impl IntoView {
    let params = use_params_map();
    let name = Memo::new(move |_| params.with(|p| p.get("name").unwrap_or_default()));
    let data = Resource::new(move || name.get(), get_scope);
    view! {
        <Title text=move || name.get() />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(detail) => view! { <Detail detail /> }.into_any(),
                    Err(error) => view! {
                        <h1><code>{name.get_untracked()}</code></h1>
                        <Problem error />
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn or_none(value: Option<String>) -> String {
    value
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "—".to_owned())
}

fn scope_links(names: Vec<String>) -> impl IntoView {
    if names.is_empty() {
        return view! { <p class="none">"None."</p> }.into_any();
    }
    let items = names
        .into_iter()
        .map(|n| {
            let href = format!("/scopes/{n}");
            view! { <li><a href=href><code>{n}</code></a></li> }
        })
        .collect_view();
    view! { <ul class="names">{items}</ul> }.into_any()
}

fn usage(usage: scope_lint::Usage) -> &'static str {
    match usage {
        scope_lint::Usage::Delegated => "delegated: on behalf of a signed-in person",
        scope_lint::Usage::Application => "application: a client acting for itself",
        scope_lint::Usage::Both => "both delegated and application",
    }
}

#[component]
fn Detail(detail: ScopeDetail) -> impl IntoView {
    let d = detail.definition;
    let status = d.status.as_str().to_owned();
    let classification = d
        .classification
        .map(|c| c.as_str().to_owned())
        .unwrap_or_else(|| "unclassified".to_owned());
    let deprecation = d.deprecation.clone().map(|dep| {
        let replacement = dep.replacement.clone().map(|r| {
            let href = format!("/scopes/{r}");
            view! { " Use " <a href=href><code>{r}</code></a> " instead." }
        });
        view! {
            <p class="deprecation" role="note">
                "Deprecated: may be retired after " {or_none(dep.sunset.clone())} "." {replacement}
            </p>
        }
    });
    let consent = match d.consent.clone() {
        Some(c) => view! {
            <dl>
                <dt>"Display name"</dt><dd>{or_none(c.display_name)}</dd>
                <dt>"Shown to users"</dt><dd>{or_none(c.user_text)}</dd>
                <dt>"Shown to admins"</dt><dd>{or_none(c.admin_text)}</dd>
            </dl>
        }
        .into_any(),
        None => view! { <p class="none">"No consent text: not shown on consent screens."</p> }
            .into_any(),
    };
    let claims = if d.claims.is_empty() {
        view! { <p class="none">"Releases no claims."</p> }.into_any()
    } else {
        let items = d
            .claims
            .iter()
            .map(|c| view! { <li><code>{c.clone()}</code></li> })
            .collect_view();
        view! { <ul class="names">{items}</ul> }.into_any()
    };
    let history = detail
        .history
        .into_iter()
        .map(|h| {
            let cr = h.change_request.map(|id| {
                let href = format!("/change-requests/{id}");
                view! { <a href=href>"change request"</a> }
            });
            view! {
                <tr>
                    <th scope="row">{h.version}</th>
                    <td><When at=h.published_at /></td>
                    <td><Badge kind="status" value=h.status /></td>
                    <td>{h.changes.join(", ")}</td>
                    <td>{cr}</td>
                </tr>
            }
        })
        .collect_view();
    let exports = detail
        .exports
        .into_iter()
        .map(|(format, body)| {
            view! {
                <details>
                    <summary>{format}</summary>
                    <pre><code>{body}</code></pre>
                </details>
            }
        })
        .collect_view();
    view! {
        <h1><code>{d.name.clone()}</code></h1>
        <p class="badges">
            <Badge kind="status" value=status />
            " "
            <Badge kind="classification" value=classification />
        </p>
        {deprecation}
        <p class="description">{or_none(d.description.clone())}</p>
        <section aria-labelledby="about">
            <h2 id="about">"About"</h2>
            <dl>
                <dt>"Domain"</dt><dd>{detail.domain}</dd>
                <dt>"Owner"</dt><dd>{or_none(d.owner.clone())}</dd>
                <dt>"Usage"</dt><dd>{usage(d.usage.unwrap_or_default())}</dd>
                <dt>"Audience"</dt><dd>{or_none(d.audience.clone())}</dd>
                <dt>"Introduced in"</dt><dd>{d.introduced_in.map(|v| format!("version {v}")).unwrap_or_else(|| "—".into())}</dd>
                <dt>"Last changed in"</dt><dd>{d.changed_in.map(|v| format!("version {v}")).unwrap_or_else(|| "—".into())}</dd>
            </dl>
        </section>
        <section aria-labelledby="consent">
            <h2 id="consent">"Consent"</h2>
            {consent}
        </section>
        <section aria-labelledby="claims">
            <h2 id="claims">"Released claims"</h2>
            {claims}
        </section>
        <section aria-labelledby="implies">
            <h2 id="implies">"Implies"</h2>
            {scope_links(d.implies.clone())}
            <h3>"Implied by"</h3>
            {scope_links(detail.implied_by)}
        </section>
        <section aria-labelledby="history">
            <h2 id="history">"History"</h2>
            <table>
                <thead><tr>
                    <th scope="col">"Version"</th><th scope="col">"Published"</th>
                    <th scope="col">"Status"</th><th scope="col">"Changed"</th><th scope="col">"By"</th>
                </tr></thead>
                <tbody>{history}</tbody>
            </table>
        </section>
        <section aria-labelledby="exports">
            <h2 id="exports">"In each export format"</h2>
            {exports}
        </section>
    }
}
