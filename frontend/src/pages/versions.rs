//! Catalog versions: the list (number, when, by whom, through which change request, how many
//! scopes), and one version's diff against the one before, or between any two (`?from=&to=`).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{Problem, When};
use crate::api::ui::{FieldDiff, ItemDiff, VersionDiff, VersionRow};
use crate::server_fns::{get_version_diff, get_versions};

#[component]
pub fn VersionsPage() -> impl IntoView {
    let query = use_query_map();
    let page =
        Memo::new(move |_| query.with(|q| q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1)));
    let data = Resource::new(move || page.get(), get_versions);
    view! {
        <Title text="Catalog versions" />
        <h1>"Catalog versions"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(list) => {
                        let rows = list.rows.into_iter().map(|r| view! { <Row r /> }).collect_view();
                        let prev = (list.page > 1).then(|| {
                            let href = format!("/versions?page={}", list.page - 1);
                            view! { <a rel="prev" href=href>"← Newer"</a> }
                        });
                        let next = (list.page < list.pages).then(|| {
                            let href = format!("/versions?page={}", list.page + 1);
                            view! { <a rel="next" href=href>"Older →"</a> }
                        });
                        view! {
                            <p class="summary">{format!("The current version is {}.", list.current)}</p>
                            <table>
                                <thead><tr>
                                    <th scope="col">"Version"</th><th scope="col">"Published"</th>
                                    <th scope="col">"By"</th><th scope="col">"Change request"</th>
                                    <th scope="col">"Scopes"</th>
                                </tr></thead>
                                <tbody>{rows}</tbody>
                            </table>
                            <nav class="pager" aria-label="Pages">{prev}{next}</nav>
                        }.into_any()
                    }
                    Err(error) => view! { <Problem error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Row(r: VersionRow) -> impl IntoView {
    let href = format!("/versions/{}", r.version);
    let request = r.change_request.map(|id| {
        let href = format!("/change-requests/{id}");
        view! { <a href=href>{id}</a> }
    });
    view! {
        <tr>
            <th scope="row"><a href=href>{r.version}</a></th>
            <td><When at=r.published_at /></td>
            <td>{r.published_by}</td>
            <td>{request}</td>
            <td>{r.scopes}</td>
        </tr>
    }
}

#[component]
pub fn VersionDiffPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let wanted = Memo::new(move |_| {
        let n: u64 = params.with(|p| p.get("n").and_then(|n| n.parse().ok()).unwrap_or(0));
        query.with(|q| {
            let num = |k: &str| q.get(k).and_then(|v| v.trim().parse::<u64>().ok());
            (num("from"), num("to").unwrap_or(n))
        })
    });
    let data = Resource::new(
        move || wanted.get(),
        |(from, to)| get_version_diff(from, to),
    );
    view! {
        <Title text="Catalog version" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(diff) => view! { <Diff diff /> }.into_any(),
                    Err(error) => view! { <h1>"Catalog version"</h1><Problem error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn names(list: Vec<String>) -> impl IntoView {
    list.into_iter()
        .map(|n| {
            let href = format!("/scopes/{n}");
            view! { <li><a href=href><code>{n}</code></a></li> }
        })
        .collect_view()
}

#[component]
fn Diff(diff: VersionDiff) -> impl IntoView {
    let heading = if diff.from + 1 == diff.to {
        format!("Catalog version {}", diff.to)
    } else {
        format!("Catalog version {} compared with {}", diff.to, diff.from)
    };
    let published = diff.published.clone().map(|p| {
        let request = p.change_request.map(|id| {
            let href = format!("/change-requests/{id}");
            view! { " through " <a href=href>"change request " {id}</a> }
        });
        view! { <p class="meta">"Published " <When at=p.published_at /> " by " {p.published_by} {request} "."</p> }
    });
    let empty = diff.added.is_empty()
        && diff.changed.is_empty()
        && diff.deprecated.is_empty()
        && diff.retired.is_empty();
    let count = |n: usize, what: &str| format!("{what} ({n})");
    let added = (!diff.added.is_empty()).then(|| {
        view! { <h2>{count(diff.added.len(), "Added")}</h2><ul class="names">{names(diff.added)}</ul> }
    });
    let deprecated = (!diff.deprecated.is_empty()).then(|| {
        view! { <h2>{count(diff.deprecated.len(), "Deprecated")}</h2><ul class="names">{names(diff.deprecated)}</ul> }
    });
    let retired = (!diff.retired.is_empty()).then(|| {
        view! { <h2>{count(diff.retired.len(), "Retired")}</h2><ul class="names">{names(diff.retired)}</ul> }
    });
    let changed = (!diff.changed.is_empty()).then(|| {
        let n = diff.changed.len();
        let items = diff
            .changed
            .into_iter()
            .map(|d| view! { <Changed d /> })
            .collect_view();
        view! { <h2>{count(n, "Changed")}</h2>{items} }
    });
    view! {
        <h1>{heading}</h1>
        {published}
        <form class="filters" method="get" action=format!("/versions/{}", diff.to)>
            <div class="field">
                <label for="from">"From version"</label>
                <input id="from" name="from" type="number" min="0" max=diff.current value=diff.from />
            </div>
            <div class="field">
                <label for="to">"To version"</label>
                <input id="to" name="to" type="number" min="0" max=diff.current value=diff.to />
            </div>
            <button type="submit">"Compare"</button>
        </form>
        {empty.then(|| view! { <p class="none">"No scope changed between these versions."</p> })}
        {added}
        {changed}
        {deprecated}
        {retired}
        <p><a href="/versions">"All versions"</a></p>
    }
}

#[component]
fn Changed(d: ItemDiff) -> impl IntoView {
    let href = format!("/scopes/{}", d.name);
    let rows = d
        .fields
        .into_iter()
        .map(|f: FieldDiff| {
            view! { <tr><th scope="row">{f.field}</th><td><del>{f.before}</del></td><td><ins>{f.after}</ins></td></tr> }
        })
        .collect_view();
    view! {
        <div class="item-diff">
            <h3><a href=href><code>{d.name}</code></a></h3>
            <table class="diff">
                <thead><tr><th scope="col">"Field"</th><th scope="col">"Before"</th><th scope="col">"After"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
