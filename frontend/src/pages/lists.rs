//! "My requests" and the review queue (age, classification, approvals still needed).

use leptos::prelude::*;
use leptos_meta::Title;

use super::{Badge, Problem};
use crate::api::ui::RequestRow;
use crate::server_fns::{get_my_requests, get_review_queue};

fn age(hours: i64) -> String {
    match hours {
        h if h < 1 => "under an hour".to_owned(),
        1 => "1 hour".to_owned(),
        h if h < 48 => format!("{h} hours"),
        h => format!("{} days", h / 24),
    }
}

#[component]
fn Table(rows: Vec<RequestRow>, empty: &'static str) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="none">{empty}</p> }.into_any();
    }
    let rows = rows
        .into_iter()
        .map(|r| {
            let href = format!("/change-requests/{}", r.summary.id);
            let needed = if r.approvals_needed == 0 {
                "none".to_owned()
            } else if r.security_review_needed {
                format!("{} (security review)", r.approvals_needed)
            } else {
                r.approvals_needed.to_string()
            };
            view! {
                <tr>
                    <th scope="row"><a href=href>{r.summary.title.clone()}</a></th>
                    <td>{r.summary.domain.clone()}</td>
                    <td>{r.summary.author_name.clone()}</td>
                    <td><Badge kind="request" value=r.summary.status.clone() /></td>
                    <td><Badge kind="classification" value=r.classification.clone() /></td>
                    <td>{r.summary.items}</td>
                    <td>{needed}</td>
                    <td>{age(r.age_hours)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table>
            <thead><tr>
                <th scope="col">"Request"</th><th scope="col">"Domain"</th><th scope="col">"Author"</th>
                <th scope="col">"Status"</th><th scope="col">"Classification"</th><th scope="col">"Items"</th>
                <th scope="col">"Approvals needed"</th><th scope="col">"Waiting"</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

#[component]
pub fn MyRequestsPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_my_requests());
    view! {
        <Title text="My requests" />
        <h1>"My requests"</h1>
        <p><a href="/propose">"Propose scopes"</a></p>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(rows) => view! { <Table rows empty="You have no change request yet." /> }.into_any(),
                    Err(error) => view! { <Problem error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn ReviewQueuePage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_review_queue());
    view! {
        <Title text="Reviews" />
        <h1>"Waiting for your review"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(rows) => view! { <Table rows empty="Nothing waits for your review." /> }.into_any(),
                    Err(error) => view! { <Problem error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
