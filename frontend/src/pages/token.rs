//! Token preview: pick scopes (a filter and checkboxes, a plain GET form), see the `scope` string
//! a token would carry and its size against common limits, the claims it releases, the scopes
//! it implies, and combinations the policy forbids.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::Problem;
use crate::api::ui::{TOKEN_PICKABLE, TokenPreview, TokenQuery};
use crate::server_fns::get_token_preview;

#[component]
pub fn TokenPreviewPage() -> impl IntoView {
    let query = use_query_map();
    let wanted = Memo::new(move |_| {
        query.with(|q| TokenQuery {
            q: q.get("q").unwrap_or_default(),
            scopes: q.get_all("scope").unwrap_or_default(),
        })
    });
    let data = Resource::new(move || wanted.get(), get_token_preview);
    view! {
        <Title text="Token preview" />
        <h1>"Token preview"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(preview) => view! { <Preview preview q=wanted.get_untracked().q /> }.into_any(),
                    Err(error) => view! { <Problem error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn list(items: Vec<String>) -> impl IntoView {
    items
        .into_iter()
        .map(|n| view! { <li><code>{n}</code></li> })
        .collect_view()
}

#[component]
fn Preview(preview: TokenPreview, q: String) -> impl IntoView {
    let boxes = preview
        .pickable
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let id = format!("pick-{i}");
            let checked = preview.picked.contains(&s.name);
            let note = (s.status == "deprecated").then_some(" (deprecated)");
            view! {
                <li>
                    <input type="checkbox" id=id.clone() name="scope" value=s.name.clone() checked=checked />
                    <label for=id><code>{s.name}</code>{note}" — "{s.description}</label>
                </li>
            }
        })
        .collect_view();
    let shown = if preview.matching > TOKEN_PICKABLE {
        format!(
            "{} scopes match; the first {} are listed: narrow the filter to find others.",
            preview.matching, TOKEN_PICKABLE
        )
    } else {
        format!("{} scopes match.", preview.matching)
    };
    let length = preview.scope.len();
    let (no_toxic, no_claims, no_implied) = (
        preview.toxic.is_empty(),
        preview.claims.is_empty(),
        preview.implied.is_empty(),
    );
    let none = |yes: bool, text: &'static str| yes.then(|| view! { <p class="none">{text}</p> });
    let limits = preview
        .limits
        .into_iter()
        .map(|l| {
            let verdict = if l.used > l.limit {
                "over the limit"
            } else {
                "fits"
            };
            view! {
                <tr>
                    <th scope="row">{l.what}</th>
                    <td>{format!("{} of {} {}", l.used, l.limit, l.unit)}</td>
                    <td>{verdict}</td>
                    <td><a href=l.source_url rel="external">{l.source}</a></td>
                </tr>
            }
        })
        .collect_view();
    let claims = preview
        .claims
        .into_iter()
        .map(|c| view! { <tr><th scope="row"><code>{c.claim}</code></th><td>{c.released_by.join(", ")}</td></tr> })
        .collect_view();
    let implied = preview
        .implied
        .into_iter()
        .map(|i| view! { <li><code>{i.name}</code>" (through "<code>{i.via}</code>")"</li> })
        .collect_view();
    let toxic = preview
        .toxic
        .into_iter()
        .map(|t| view! { <li class="finding error">"SL209: "{t}</li> })
        .collect_view();
    let unknown = (!preview.unknown.is_empty()).then(|| {
        view! { <div class="problem" role="alert"><p>"Not in the catalog (or retired), left out:"</p><ul>{list(preview.unknown)}</ul></div> }
    });
    let deprecated = (!preview.deprecated.is_empty()).then(|| {
        view! { <div class="deprecation"><p>"Deprecated, to be replaced:"</p><ul>{list(preview.deprecated)}</ul></div> }
    });
    view! {
        {unknown}
        <form method="get" action="/token-preview">
            <div class="filters">
                <div class="field">
                    <label for="q">"Filter the scopes"</label>
                    <input id="q" name="q" type="search" value=q autocomplete="off" />
                </div>
                <button type="submit">"Show"</button>
            </div>
            <fieldset>
                <legend>"Scopes in the token"</legend>
                <p class="summary">{shown}</p>
                <ul class="picks">{boxes}</ul>
            </fieldset>
            <button type="submit">"Preview the token"</button>
        </form>
        <h2>"The scope string"</h2>
        <pre class="export" tabindex="0">{preview.scope}</pre>
        <p>{format!(
            "{length} characters; {} with the implied scopes written out. Catalog version {}.",
            preview.expanded_length, preview.version
        )}</p>
        <table>
            <caption>"Against common size limits"</caption>
            <thead><tr><th scope="col">"Where"</th><th scope="col">"Used"</th><th scope="col">"Verdict"</th><th scope="col">"Source"</th></tr></thead>
            <tbody>{limits}</tbody>
        </table>
        <h2>"Toxic combinations"</h2>
        {none(no_toxic, "None: the policy forbids no combination these scopes make.")}
        <ul class="findings">{toxic}</ul>
        <h2>"Claims the token would carry"</h2>
        {none(no_claims, "No claims: these scopes release none.")}
        <table>
            <thead><tr><th scope="col">"Claim"</th><th scope="col">"Released by"</th></tr></thead>
            <tbody>{claims}</tbody>
        </table>
        <h2>"Implied scopes"</h2>
        {none(no_implied, "None.")}
        <ul class="names">{implied}</ul>
        {deprecated}
    }
}
