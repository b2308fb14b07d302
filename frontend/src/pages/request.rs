//! A change request: the catalog diff it would make, lint findings (with their fixes as
//! one-click forms), approvals, reviews, comments, the timeline, and what the person may do:
//! the author submits, withdraws, publishes; reviewers (never the author) approve, request
//! changes or reject with a comment. Every action is a form that works without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::propose::{Csrf, ErrorFromQuery};
use super::{Badge, Problem, When};
use crate::api::TimelineEntry;
use crate::api::ui::{Finding, ItemDiff, RequestView};
use crate::app::SessionResource;
use crate::server_fns::{ActOnRequest, CommentOnRequest, RenameItem, ReviewRequest, get_request};

#[component]
pub fn RequestPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let data = Resource::new(move || id.get(), get_request);
    view! {
        <ErrorFromQuery />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => view! { <Request view /> }.into_any(),
                    Err(error) => view! { <Title text="Change request" /><h1>"Change request"</h1><Problem error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Request(view: RequestView) -> impl IntoView {
    let session = expect_context::<SessionResource>();
    let r = view.request.clone();
    let id = r.id.clone();
    let approvals = &r.approvals;
    let needed = if approvals.satisfied {
        "Approved: enough approvals.".to_owned()
    } else {
        let mut text = format!("{} of {} approvals", approvals.have, approvals.required);
        if approvals.security_review_required && !approvals.security_review_done {
            text.push_str(", a security reviewer's among them");
        }
        text
    };
    let breaking = approvals
        .breaking
        .iter()
        .map(|b| view! { <li>{b.clone()}</li> })
        .collect_view();
    let findings_by_item = view.findings.clone();
    let diff = view
        .diff
        .clone()
        .into_iter()
        .enumerate()
        .map(|(i, d)| {
            let findings: Vec<Finding> = findings_by_item
                .iter()
                .filter(|f| f.item == i)
                .cloned()
                .collect();
            view! { <DiffItem d findings id=id.clone() i may_fix=view.may_edit session /> }
        })
        .collect_view();
    let actions = {
        let act = ServerAction::<ActOnRequest>::new();
        let button = move |action: &'static str, label: &'static str, id: String| {
            view! {
                <ActionForm action=act attr:class="inline">
                    <Csrf session />
                    <input type="hidden" name="id" value=id />
                    <input type="hidden" name="action" value=action />
                    <button type="submit">{label}</button>
                </ActionForm>
            }
        };
        view! {
            <div class="actions">
                {view.may_edit.then(|| { let href = format!("/change-requests/{}/edit", r.id); view! { <a class="button secondary" href=href>"Edit"</a> } })}
                {view.may_submit.then(|| button("submit", "Submit for review", r.id.clone()))}
                {view.may_publish.then(|| button("publish", "Publish", r.id.clone()))}
                {view.may_withdraw.then(|| button("withdraw", "Withdraw", r.id.clone()))}
            </div>
        }
    };
    let review_id = r.id.clone();
    let review_form = view.may_review.then(move || {
        let review = ServerAction::<ReviewRequest>::new();
        view! {
            <section aria-labelledby="review">
                <h2 id="review">"Your review"</h2>
                <ActionForm action=review attr:class="review">
                    <Csrf session />
                    <input type="hidden" name="id" value=review_id />
                    <fieldset>
                        <legend>"Verdict"</legend>
                        <label><input type="radio" name="verdict" value="approve" required />" Approve"</label>
                        <label><input type="radio" name="verdict" value="request_changes" />" Request changes"</label>
                        <label><input type="radio" name="verdict" value="reject" />" Reject"</label>
                    </fieldset>
                    <div class="field">
                        <label for="review-comment">"Comment"</label>
                        <textarea id="review-comment" name="comment" rows="3" maxlength="20000"></textarea>
                    </div>
                    <button type="submit">"Send review"</button>
                </ActionForm>
            </section>
        }
    });
    let reviews = r
        .reviews
        .iter()
        .map(|rv| {
            let note = if rv.dismissed { " (dismissed: the request changed since)" } else { "" };
            view! {
                <li>
                    <strong>{rv.reviewer_name.clone()}</strong> " " {verdict_text(&rv.verdict)} " revision " {rv.revision} {note}
                    {(!rv.comment.is_empty()).then(|| view! { <blockquote>{rv.comment.clone()}</blockquote> })}
                </li>
            }
        })
        .collect_view();
    let comments = r
        .comments
        .iter()
        .map(|c| view! { <li><strong>{c.author_name.clone()}</strong> " · " <When at=c.created_at.clone() /><p>{c.body.clone()}</p></li> })
        .collect_view();
    let comment_form = {
        let comment = ServerAction::<CommentOnRequest>::new();
        view! {
            <ActionForm action=comment attr:class="comment">
                <Csrf session />
                <input type="hidden" name="id" value=r.id.clone() />
                <div class="field">
                    <label for="comment-body">"Add a comment"</label>
                    <textarea id="comment-body" name="body" rows="2" required maxlength="20000"></textarea>
                </div>
                <button type="submit" class="secondary">"Comment"</button>
            </ActionForm>
        }
    };
    // People by name where the request knows them (author, reviewers, commenters).
    let mut names: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
    names.insert(&r.author, &r.author_name);
    for rv in &r.reviews {
        names.insert(&rv.reviewer, &rv.reviewer_name);
    }
    for c in &r.comments {
        names.insert(&c.author, &c.author_name);
    }
    let timeline = r
        .timeline
        .iter()
        // A status change is shown by the event that caused it (submitted, reviewed, …).
        .filter(|t| t.action != "status_changed")
        .map(|t| {
            let who = names.get(t.actor.as_str()).map_or(t.actor.clone(), |n| (*n).to_owned());
            view! { <li><When at=t.at.clone() /> " " <strong>{who}</strong> " " {timeline_text(t)}</li> }
        })
        .collect_view();
    let published = r.published_version.map(|v| {
        view! { <p class="published">"Published as catalog version " {v} "."</p> }
    });
    view! {
        <Title text=r.title.clone() />
        <h1>{r.title.clone()}</h1>
        <p class="meta">
            <Badge kind="request" value=r.status.clone() />
            " in " <strong>{r.domain.clone()}</strong> " by " {r.author_name.clone()}
            " · revision " {r.revision} " · against catalog version " {r.base_version}
        </p>
        {published}
        {(!r.description.is_empty()).then(|| view! { <p class="description">{r.description.clone()}</p> })}
        <p class="approvals">{needed}</p>
        {(!approvals.breaking.is_empty()).then(|| view! { <ul class="breaking">{breaking}</ul> })}
        {actions}
        <section aria-labelledby="changes">
            <h2 id="changes">"What it changes in the catalog"</h2>
            {diff}
        </section>
        {review_form}
        <section aria-labelledby="reviews">
            <h2 id="reviews">"Reviews"</h2>
            {if r.reviews.is_empty() { view! { <p class="none">"No review yet."</p> }.into_any() } else { view! { <ul>{reviews}</ul> }.into_any() }}
        </section>
        <section aria-labelledby="comments">
            <h2 id="comments">"Comments"</h2>
            <ul>{comments}</ul>
            {comment_form}
        </section>
        <section aria-labelledby="timeline">
            <h2 id="timeline">"Timeline"</h2>
            <ol class="timeline">{timeline}</ol>
        </section>
    }
}

#[component]
fn DiffItem(
    d: ItemDiff,
    findings: Vec<Finding>,
    id: String,
    i: usize,
    may_fix: bool,
    session: SessionResource,
) -> impl IntoView {
    let rows = d
        .fields
        .iter()
        .map(|f| {
            view! {
                <tr>
                    <th scope="row">{f.field.clone()}</th>
                    <td><del>{f.before.clone()}</del></td>
                    <td><ins>{f.after.clone()}</ins></td>
                </tr>
            }
        })
        .collect_view();
    let findings = findings
        .into_iter()
        .map(|f| {
            let mut fixes: Vec<String> = f.fix.iter().cloned().collect();
            fixes.extend(f.suggestions.iter().cloned());
            let id = id.clone();
            let forms = may_fix.then(move || {
                fixes
                    .into_iter()
                    .map(move |name| {
                        let id = id.clone();
                        let rename = ServerAction::<RenameItem>::new();
                        let label = format!("Rename to {name}");
                        view! {
                            <ActionForm action=rename attr:class="inline">
                                <Csrf session />
                                <input type="hidden" name="id" value=id.clone() />
                                <input type="hidden" name="item" value=i.to_string() />
                                <input type="hidden" name="name" value=name />
                                <button type="submit" class="fix">{label}</button>
                            </ActionForm>
                        }
                    })
                    .collect_view()
            });
            let class = format!("finding {}", f.severity);
            view! {
                <div class=class>
                    <p><strong>{f.severity.clone()} " " {f.code.clone()}</strong> ": " {f.message.clone()}</p>
                    {forms}
                </div>
            }
        })
        .collect_view();
    view! {
        <article class="item-diff">
            <h3><span class="kind">{d.kind.clone()}</span> " " <code>{d.name.clone()}</code></h3>
            {findings}
            {(!d.fields.is_empty()).then(|| view! {
                <table class="diff">
                    <thead><tr><th scope="col">"Field"</th><th scope="col">"Now"</th><th scope="col">"After"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            })}
        </article>
    }
}

/// A review's verdict as a verb (before "revision N").
fn verdict_text(verdict: &str) -> &'static str {
    match verdict {
        "approve" => "approved",
        "request_changes" => "asked for changes to",
        "reject" => "rejected",
        _ => "reviewed",
    }
}

/// What a timeline entry did, in words (after the person's name).
fn timeline_text(t: &TimelineEntry) -> String {
    let detail = |key: &str| t.details.as_ref().and_then(|d| d.get(key)).cloned();
    let number = |key: &str| detail(key).and_then(|v| v.as_u64());
    let text = |key: &str| {
        detail(key)
            .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
            .unwrap_or_default()
    };
    let revision = number("revision").map_or(String::new(), |n| format!(" revision {n}"));
    match t.action.as_str() {
        "created" => "created the request".to_owned(),
        "edited" => match number("revision") {
            Some(n) => format!("edited it (revision {n})"),
            None => "edited it".to_owned(),
        },
        "submitted" => format!("submitted{revision} for review"),
        "withdrawn" => "withdrew it".to_owned(),
        "reviewed" => {
            let verdict = detail("verdict")
                .and_then(|v| v.as_str().map(verdict_text))
                .unwrap_or("reviewed");
            let security = if detail("security").and_then(|v| v.as_bool()) == Some(true) {
                " (security review)"
            } else {
                ""
            };
            format!("{verdict}{revision}{security}")
        }
        "review_superseded" => format!("replaced their earlier review ({})", text("previous")),
        "approvals_dismissed" => match number("count") {
            Some(1) => "— 1 approval no longer counts: the request changed".to_owned(),
            Some(n) => format!("— {n} approvals no longer count: the request changed"),
            None => "— approvals no longer count: the request changed".to_owned(),
        },
        "published" => match number("version") {
            Some(v) => format!("published it as catalog version {v}"),
            None => "published it".to_owned(),
        },
        "commented" => "commented".to_owned(),
        other => other.replace('_', " "),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn entry(action: &str, details: serde_json::Value) -> String {
        timeline_text(&TimelineEntry {
            at: "2026-12-04T11:09:13Z".into(),
            actor: "bob".into(),
            action: action.into(),
            details: Some(details),
        })
    }

    #[test]
    fn timeline_entries_read_as_sentences() {
        assert_eq!(
            entry("submitted", json!({"type": "submitted", "revision": 2})),
            "submitted revision 2 for review"
        );
        assert_eq!(
            entry(
                "reviewed",
                json!({"reviewer": "bob", "verdict": "request_changes", "revision": 1, "security": false})
            ),
            "asked for changes to revision 1"
        );
        assert_eq!(
            entry(
                "reviewed",
                json!({"verdict": "approve", "revision": 3, "security": true})
            ),
            "approved revision 3 (security review)"
        );
        assert_eq!(
            entry("published", json!({"version": 7})),
            "published it as catalog version 7"
        );
        assert_eq!(
            entry("approvals_dismissed", json!({"count": 2})),
            "— 2 approvals no longer count: the request changed"
        );
        assert_eq!(
            entry("edited", json!({"revision": 2, "base_version": 4})),
            "edited it (revision 2)"
        );
        assert_eq!(entry("something_new", json!({})), "something new");
    }
}
