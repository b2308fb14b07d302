//! Domains: who owns each (may propose) and who reviews it. Registry admins edit the owner and
//! reviewer groups (a plain form post, with the session's CSRF token); others read.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::Problem;
use super::propose::{Csrf, ErrorFromQuery};
use crate::api::ui::DomainRow;
use crate::app::SessionResource;
use crate::server_fns::get_domains;

#[component]
pub fn DomainsPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_domains());
    let query = use_query_map();
    let saved = move || {
        query.with(|q| q.get("saved")).map(
            |d| view! { <p class="saved" role="status">{format!("Saved the groups of {d}.")}</p> },
        )
    };
    view! {
        <Title text="Domains" />
        <h1>"Domains"</h1>
        <ErrorFromQuery />
        {saved}
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => {
                        let may_edit = view.may_edit;
                        let note = (!may_edit).then(|| view! { <p class="summary">"Registry admins change owners and reviewers."</p> });
                        let list = view.domains.into_iter().map(|d| view! { <Domain d may_edit /> }).collect_view();
                        view! { {note}{list} }.into_any()
                    }
                    Err(error) => view! { <Problem error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Domain(d: DomainRow, may_edit: bool) -> impl IntoView {
    let heading = format!("domain-{}", d.name);
    let labelled_by = heading.clone();
    let scopes = format!("/?domain={}", super::encode(&d.name));
    let groups = |list: &[String]| {
        if list.is_empty() {
            "none".to_owned()
        } else {
            list.join(", ")
        }
    };
    let facts = view! {
        <dl>
            <dt>"Owners (propose)"</dt><dd>{groups(&d.owners)}</dd>
            <dt>"Reviewers"</dt><dd>{groups(&d.reviewers)}</dd>
            <dt>"Audience"</dt><dd>{if d.audience.is_empty() { "—".to_owned() } else { d.audience.clone() }}</dd>
            <dt>"Scopes"</dt><dd><a href=scopes>{d.scopes}</a></dd>
        </dl>
    };
    let form = may_edit.then(|| {
        let session = expect_context::<SessionResource>();
        let (owners_id, reviewers_id) = (format!("owners-{}", d.name), format!("reviewers-{}", d.name));
        view! {
            <form class="domain-edit" method="post" action="/ui/fn/domain">
                <Csrf session />
                <input type="hidden" name="name" value=d.name.clone() />
                <div class="field">
                    <label for=owners_id.clone()>"Owner groups (one a line)"</label>
                    <textarea id=owners_id name="owners" rows="2">{d.owners.join("\n")}</textarea>
                </div>
                <div class="field">
                    <label for=reviewers_id.clone()>"Reviewer groups (one a line)"</label>
                    <textarea id=reviewers_id name="reviewers" rows="2">{d.reviewers.join("\n")}</textarea>
                </div>
                <button type="submit">{format!("Save {}", d.name)}</button>
            </form>
        }
    });
    view! {
        <section class="domain" aria-labelledby=labelled_by>
            <h2 id=heading><code>{d.name.clone()}</code></h2>
            <p>{d.description.clone()}</p>
            {facts}
            {form}
        </section>
    }
}
