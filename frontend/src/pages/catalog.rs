//! The catalog: search as you type, filters by domain, status and classification, a page of
//! results at a time, so 10,000 scopes stay usable. Without JavaScript the form is a plain GET.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::{Badge, Problem, encode};
use crate::api::ui::{CatalogPage as Page, CatalogQuery, Facet};
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
    let query = Memo::new(move |_| {
        params.with(|p| CatalogQuery {
            q: p.get("q").unwrap_or_default(),
            domain: p.get("domain").unwrap_or_default(),
            status: p.get("status").unwrap_or_default(),
            classification: p.get("classification").unwrap_or_default(),
            page: p.get("page").and_then(|n| n.parse().ok()).unwrap_or(1),
        })
    });
    let data = Resource::new(move || query.get(), get_catalog_page);
    let navigate = use_navigate();
    // With JavaScript the URL follows the search box and the filters as they change, and the
    // results follow the URL; without it the form's GET does the same on "Search".
    let go = Callback::new(move |next: CatalogQuery| {
        navigate(
            &catalog_url(&next),
            NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
    });
    let search = move |text: String| {
        go.run(CatalogQuery {
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
        go.run(next);
    });
    view! {
        <Title text="Catalog" />
        <h1>"Catalog"</h1>
        <form class="filters" method="get" action="/" role="search">
            <div class="field">
                <label for="q">"Search names and descriptions"</label>
                <input
                    id="q"
                    name="q"
                    type="search"
                    autocomplete="off"
                    spellcheck="false"
                    value=move || query.with_untracked(|q| q.q.clone())
                    on:input=move |ev| search(event_target_value(&ev))
                />
            </div>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    data.await.ok().map(|page| {
                        let q = query.get_untracked();
                        view! {
                            <Select name="domain" label="Domain" selected=q.domain facets=page.domains any="All domains" pick />
                            <Select name="status" label="Status" selected=q.status facets=page.statuses any="Active and deprecated" pick />
                            <Select name="classification" label="Classification" selected=q.classification facets=page.classifications any="Any classification" pick />
                        }
                    })
                })}
            </Transition>
            <button type="submit">"Search"</button>
        </form>
        <Transition fallback=|| view! { <p>"Loading the catalog…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(page) => view! { <Results page query=query.get_untracked() /> }.into_any(),
                    Err(error) => view! { <Problem error /> }.into_any(),
                }
            })}
        </Transition>
    }
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
