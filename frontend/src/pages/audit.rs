//! The audit log (registry admins): events newest first, a page at a time, and whether the hash
//! chain holds.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::Problem;
use crate::api::ui::AuditPage as Page;
use crate::server_fns::get_audit;

#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let page =
        Memo::new(move |_| query.with(|q| q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1)));
    let data = Resource::new(move || page.get(), get_audit);
    view! {
        <Title text="Audit log" />
        <h1>"Audit log"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(log) => view! { <Log log /> }.into_any(),
                    Err(error) => view! { <Problem error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Log(log: Page) -> impl IntoView {
    let chain = match log.broken {
        None => view! {
            <p class="chain-ok" role="status">
                <strong>"Chain verified: "</strong>
                {format!("all {} events link to the one before, and none was altered.", log.checked)}
            </p>
        }
        .into_any(),
        Some((seq, reason)) => view! {
            <div class="problem" role="alert">
                <p><strong>"Chain broken"</strong>{format!(" at event {seq}: {reason}. {} events before it verified.", log.checked)}</p>
            </div>
        }
        .into_any(),
    };
    let rows = log
        .rows
        .into_iter()
        .map(|r| {
            view! {
                <tr>
                    <th scope="row">{r.seq}</th>
                    <td>{r.at}</td>
                    <td>{r.actor}</td>
                    <td><code>{r.action}</code></td>
                    <td>{r.target}</td>
                    <td><code class="detail">{r.detail}</code></td>
                </tr>
            }
        })
        .collect_view();
    let newer = (log.page > 1).then(|| {
        let href = format!("/audit?page={}", log.page - 1);
        view! { <a rel="prev" href=href>"← Newer"</a> }
    });
    let older = (log.page < log.pages).then(|| {
        let href = format!("/audit?page={}", log.page + 1);
        view! { <a rel="next" href=href>"Older →"</a> }
    });
    view! {
        {chain}
        <table>
            <thead><tr>
                <th scope="col">"#"</th><th scope="col">"When"</th><th scope="col">"Who"</th>
                <th scope="col">"Action"</th><th scope="col">"Target"</th><th scope="col">"After"</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
        <nav class="pager" aria-label="Pages">{newer}<span>{format!("Page {} of {}", log.page, log.pages)}</span>{older}</nav>
    }
}
