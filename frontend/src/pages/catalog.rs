//! The catalog: search as you type, filters by domain, status and classification, a page of
//! results at a time, so 10,000 scopes stay usable. Without JavaScript the form is a plain GET.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{Badge, Problem, encode};
use crate::api::ui::{BackendError, CatalogPage as Page, CatalogQuery, Facet};
use crate::server_fns::get_catalog_page;

/// The URL of the catalog page for `query`.
pub fn catalog_url(query: &CatalogQuery) -> String {
    let mut parts = Vec::new();
    for (key, value) in [
        ("q", query.q.as_str()),
        ("domain", query.domain.as_str()),
        ("status", query.status.as_str()),
        ("classification", query.classification.as_str()),
    ] {
        if !value.is_empty() {
            parts.push(format!("{key}={}", encode(value)));
        }
    }
    if query.page > 1 {
        parts.push(format!("page={}", query.page));
    }
    if parts.is_empty() {
        "/".to_owned()
    } else {
        format!("/?{}", parts.join("&"))
    }
}

#[component]
pub fn CatalogPage() -> impl IntoView {
    let params = use_query_map();
    let query = params.with_untracked(|p| CatalogQuery {
        q: p.get("q").unwrap_or_default(),
        domain: p.get("domain").unwrap_or_default(),
        status: p.get("status").unwrap_or_default(),
        classification: p.get("classification").unwrap_or_default(),
        page: p.get("page").and_then(|n| n.parse().ok()).unwrap_or(1),
    });
    let first = Resource::new_blocking(
        {
            let query = query.clone();
            move || query.clone()
        },
        get_catalog_page,
    );
    view! {
        <Title text="Catalog" />
        <h1>"Catalog"</h1>
        <Suspense fallback=|| view! { <p>"Loading the catalog…"</p> }>
            {move || {
                let query = query.clone();
                Suspend::new(async move {
                    let first = first.await;
                    view! { <CatalogSearch query first /> }
                })
            }}
        </Suspense>
    }
}

/// The search form and its results: the page's island. With JavaScript the results follow the
/// search box and the filters as they change (and the URL follows, so it can be shared); without
/// it the form's GET does the same on "Search".
#[island]
fn CatalogSearch(query: CatalogQuery, first: Result<Page, BackendError>) -> impl IntoView {
    let query = RwSignal::new(query);
    let data = RwSignal::new(first);
    // Answers can arrive out of order: only the one for the current query is shown.
    let go = move |next: CatalogQuery| {
        replace_url(&catalog_url(&next));
        query.set(next.clone());
        leptos::task::spawn_local(async move {
            let answer = get_catalog_page(next.clone()).await;
            if query.with_untracked(|q| *q == next) {
                data.set(answer);
            }
        });
    };
    let search = move |text: String| {
        go(CatalogQuery {
            q: text,
            page: 1,
            ..query.get_untracked()
        })
    };
    let pick = Callback::new(move |(name, value): (&'static str, String)| {
        let mut next = CatalogQuery {
            page: 1,
            ..query.get_untracked()
        };
        match name {
            "domain" => next.domain = value,
            "status" => next.status = value,
            _ => next.classification = value,
        }
        go(next);
    });
    view! {
        <form class="filters" method="get" action="/" role="search">
            <div class="field">
                <label for="q">"Search names and descriptions"</label>
                <input
                    id="q"
                    name="q"
                    type="search"
                    autocomplete="off"
                    spellcheck="false"
                    value=query.with_untracked(|q| q.q.clone())
                    on:input=move |ev| search(event_target_value(&ev))
                />
            </div>
            {move || data.with(|page| page.as_ref().ok().map(|page| {
                let q = query.get_untracked();
                view! {
                    <Select name="domain" label="Domain" selected=q.domain facets=page.domains.clone() any="All domains" pick />
                    <Select name="status" label="Status" selected=q.status facets=page.statuses.clone() any="Active and deprecated" pick />
                    <Select name="classification" label="Classification" selected=q.classification facets=page.classifications.clone() any="Any classification" pick />
                }
            }))}
            <button type="submit">"Search"</button>
        </form>
        {move || match data.get() {
            Ok(page) => view! { <Results page query=query.get_untracked() /> }.into_any(),
            Err(error) => view! { <Problem error /> }.into_any(),
        }}
    }
}

/// Replaces the address bar's URL without loading a page (the browser's history API).
fn replace_url(url: &str) {
    #[cfg(feature = "hydrate")]
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(&leptos::wasm_bindgen::JsValue::NULL, "", Some(url));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = url;
}

/// A filter: "any" first, then each value with its count.
#[component]
fn Select(
    name: &'static str,
    label: &'static str,
    selected: String,
    facets: Vec<Facet>,
    any: &'static str,
    pick: Callback<(&'static str, String)>,
) -> impl IntoView {
    let id = format!("filter-{name}");
    let options = facets
        .into_iter()
        .map(|f| {
            let is = f.value == selected;
            let text = format!("{} ({})", f.value, f.count);
            view! { <option value=f.value selected=is>{text}</option> }
        })
        .collect_view();
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select id=id name=name on:change=move |ev| pick.run((name, event_target_value(&ev)))>
                <option value="" selected=selected.is_empty()>{any}</option>
                {options}
            </select>
        </div>
    }
}

#[component]
fn Results(page: Page, query: CatalogQuery) -> impl IntoView {
    let summary = match page.total {
        0 => "No scope matches.".to_owned(),
        1 => "1 scope".to_owned(),
        n => format!("{n} scopes"),
    };
    let summary = format!("{summary} in catalog version {}", page.version);
    let previous = (page.page > 1).then(|| {
        let href = catalog_url(&CatalogQuery {
            page: page.page - 1,
            ..query.clone()
        });
        view! { <a rel="prev" href=href>"← Previous"</a> }
    });
    let next = (page.page < page.pages).then(|| {
        let href = catalog_url(&CatalogQuery {
            page: page.page + 1,
            ..query.clone()
        });
        view! { <a rel="next" href=href>"Next →"</a> }
    });
    let position = (page.pages > 1).then(|| format!("Page {} of {}", page.page, page.pages));
    let rows = page
        .rows
        .into_iter()
        .map(|row| {
            let href = format!("/scopes/{}", row.name);
            view! {
                <tr>
                    <th scope="row"><a href=href><code>{row.name}</code></a></th>
                    <td>{row.description}</td>
                    <td>{row.domain}</td>
                    <td><Badge kind="status" value=row.status /></td>
                    <td><Badge kind="classification" value=row.classification /></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p class="summary" role="status" aria-live="polite">{summary}</p>
        <table class="scopes">
            <thead>
                <tr>
                    <th scope="col">"Scope"</th>
                    <th scope="col">"Description"</th>
                    <th scope="col">"Domain"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Classification"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        <nav class="pager" aria-label="Pages">{previous} <span>{position}</span> {next}</nav>
    }
}
