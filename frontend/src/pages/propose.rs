//! Proposing: a change request with several items. The naming linter (scope-lint, compiled into
//! the browser bundle) runs on every keystroke; catalog-context findings come from the server
//! when a name field is left; suggestions apply with one click. Without JavaScript the form posts
//! as is, and the request's page shows what the linter found.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::Problem;
use crate::api::ui::{Finding, ItemForm, ProposalForm, ProposeContext};
use crate::app::SessionResource;
use crate::server_fns::{Propose, check_proposal, get_propose_context};
use leptos::server_fn::ServerFn;

/// Rows shown when nothing says otherwise.
const DEFAULT_ROWS: usize = 1;
/// At most this many rows in one form (the API takes 500 items; a form that long helps nobody).
const MAX_ROWS: usize = 50;

/// Findings of the naming rules for the filled rows, as the browser computes them.
fn local_findings(policy: &scope_lint::Policy, rows: &[ItemForm]) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate().filter(|(_, r)| !r.is_blank()) {
        let proposal = if matches!(row.kind(), "add" | "update") {
            scope_lint::Proposal::full(row.definition())
        } else {
            scope_lint::Proposal::name(row.name.trim())
        };
        for d in scope_lint::lint(&[proposal], None, policy) {
            out.push(Finding::from_diagnostic(&d, i));
        }
    }
    out
}

#[component]
pub fn ProposePage() -> impl IntoView {
    let params = use_params_map();
    let editing = params.with_untracked(|p| p.get("id"));
    let rows =
        use_query_map().with_untracked(|q| q.get("rows").and_then(|n| n.parse::<usize>().ok()));
    let context = Resource::new_blocking(
        {
            let editing = editing.clone();
            move || editing.clone()
        },
        get_propose_context,
    );
    let session = expect_context::<SessionResource>();
    let heading = if editing.is_some() {
        "Edit change request"
    } else {
        "Propose scopes"
    };
    view! {
        <Title text=if editing.is_some() { "Edit change request" } else { "Propose" } />
        <h1>{heading}</h1>
        <ErrorFromQuery />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                let editing = editing.clone();
                Suspend::new(async move {
                    let csrf = session
                        .await
                        .ok()
                        .and_then(|s| s.viewer)
                        .map(|v| v.csrf)
                        .unwrap_or_default();
                    match context.await {
                        Ok(context) => view! { <ProposeForm context editing csrf rows /> }.into_any(),
                        Err(error) => view! { <Problem error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// `?error=` from a refused form post, shown at the top of the page.
#[component]
pub fn ErrorFromQuery() -> impl IntoView {
    let query = use_query_map();
    move || {
        query.with(|q| q.get("error")).map(|message| {
            view! { <div class="problem" role="alert"><p>{message}</p></div> }
        })
    }
}

/// The form: the page's island. The naming linter runs in the browser on every keystroke; the
/// form itself posts to the server as a plain form, with or without JavaScript.
#[island]
fn ProposeForm(
    context: ProposeContext,
    editing: Option<String>,
    /// The session's CSRF token (the island cannot reach the page's session).
    csrf: String,
    /// `?rows=`: how many empty rows a new form starts with (the no-JavaScript "More rows").
    rows: Option<usize>,
) -> impl IntoView {
    let policy = scope_lint::Policy::from_toml(&context.policy).unwrap_or_default();
    let (initial, domain) = match context.editing.clone() {
        Some((_, form)) => (form.items.clone(), form.domain.clone()),
        None => {
            let n = rows.unwrap_or(DEFAULT_ROWS).clamp(1, MAX_ROWS);
            (
                vec![ItemForm::default(); n],
                context.domains.first().cloned().unwrap_or_default(),
            )
        }
    };
    let (title, description) = context
        .editing
        .as_ref()
        .map(|(_, f)| (f.title.clone(), f.description.clone()))
        .unwrap_or_default();
    let rows = RwSignal::new(if initial.is_empty() {
        vec![ItemForm::default()]
    } else {
        initial
    });
    let domain = RwSignal::new(domain);
    let local = Memo::new(move |_| rows.with(|r| local_findings(&policy, r)));
    // Catalog-context findings: asked of the server when a name field is left, not on every
    // keystroke; an answer for an older form than the current one is dropped.
    let remote = RwSignal::new(Vec::<Finding>::new());
    let check_now = Callback::new(move |()| {
        let form = ProposalForm {
            domain: domain.get_untracked(),
            items: rows.get_untracked(),
            ..Default::default()
        };
        leptos::task::spawn_local(async move {
            let asked = form.items.clone();
            let found = check_proposal(form).await.unwrap_or_default();
            if rows.with_untracked(|r| *r == asked) {
                remote.set(found);
            }
        });
    });
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let domains = context
        .domains
        .iter()
        .map(|d| {
            let selected = *d == domain.get_untracked();
            view! { <option value=d.clone() selected=selected>{d.clone()}</option> }
        })
        .collect_view();
    let more_rows = move || rows.with(Vec::len) + 1;
    view! {
        <form class="propose" method="post" action=Propose::PATH>
            <input type="hidden" name="csrf" value=csrf />
            {editing.clone().map(|id| view! { <input type="hidden" name="editing" value=id /> })}
            <div class="field">
                <label for="domain">"Domain"</label>
                <select id="domain" name="form[domain]" required on:change=move |ev| domain.set(event_target_value(&ev))>
                    {domains}
                </select>
            </div>
            <div class="field">
                <label for="title">"Title"</label>
                <input id="title" name="form[title]" required maxlength="200" value=title />
            </div>
            <div class="field">
                <label for="description">"Why (for the reviewers)"</label>
                <textarea id="description" name="form[description]" rows="3">{description}</textarea>
            </div>
            <For each=move || 0..rows.with(Vec::len) key=|i| *i let:i>
                <ItemRow i rows local remote check_now />
            </For>
            <p class="row-buttons">
                <Show when=move || hydrated.get() && rows.with(Vec::len) < MAX_ROWS>
                    <button type="button" class="secondary" on:click=move |_| rows.update(|r| r.push(ItemForm::default()))>
                        "Add another scope"
                    </button>
                </Show>
                <noscript>
                    <a href=move || format!("/propose?rows={}", more_rows())>"More rows"</a>
                </noscript>
            </p>
            <p class="lint-summary" role="status" aria-live="polite">
                {move || {
                    let errors = local.with(|f| f.iter().filter(|f| f.severity == "error").count());
                    match errors {
                        0 => "The naming linter finds no error.".to_owned(),
                        1 => "The naming linter finds 1 error: fix it before submitting.".to_owned(),
                        n => format!("The naming linter finds {n} errors: fix them before submitting."),
                    }
                }}
            </p>
            <button type="submit">"Submit for review"</button>
        </form>
    }
}

/// The CSRF token every state-changing form carries.
#[component]
pub fn Csrf(session: SessionResource) -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let token = session
                    .await
                    .ok()
                    .and_then(|s| s.viewer)
                    .map(|v| v.csrf)
                    .unwrap_or_default();
                view! { <input type="hidden" name="csrf" value=token /> }
            })}
        </Suspense>
    }
}

fn field_name(i: usize, field: &str) -> String {
    format!("form[items][{i}][{field}]")
}

#[component]
fn ItemRow(
    i: usize,
    rows: RwSignal<Vec<ItemForm>>,
    local: Memo<Vec<Finding>>,
    remote: RwSignal<Vec<Finding>>,
    check_now: Callback<()>,
) -> impl IntoView {
    let get = move |f: fn(&ItemForm) -> String| rows.with(|r| r.get(i).map(f).unwrap_or_default());
    let set = move |f: fn(&mut ItemForm, String), value: String| {
        rows.update(|r| {
            if let Some(row) = r.get_mut(i) {
                f(row, value);
            }
        })
    };
    let id = move |field: &str| format!("item-{i}-{field}");
    let findings = move || {
        let mut all: Vec<Finding> =
            local.with(|l| l.iter().filter(|f| f.item == i).cloned().collect());
        let name = get(|r| r.name.trim().to_owned());
        remote.with(|more| {
            all.extend(
                more.iter()
                    .filter(|f| f.item == i && f.name == name && f.code.starts_with("SL2"))
                    .cloned(),
            )
        });
        all
    };
    let findings_id = id("findings");
    view! {
        <fieldset class="item">
            <legend>{format!("Scope {}", i + 1)}</legend>
            <div class="grid">
                <div class="field">
                    <label for=id("kind")>"Change"</label>
                    <select id=id("kind") name=field_name(i, "kind") on:change=move |ev| set(|r, v| r.kind = v, event_target_value(&ev))>
                        <option value="add" selected=move || get(|r| r.kind().to_owned()) == "add">"Add"</option>
                        <option value="update" selected=move || get(|r| r.kind().to_owned()) == "update">"Update"</option>
                        <option value="deprecate" selected=move || get(|r| r.kind().to_owned()) == "deprecate">"Deprecate"</option>
                        <option value="retire" selected=move || get(|r| r.kind().to_owned()) == "retire">"Retire"</option>
                    </select>
                </div>
                <div class="field wide">
                    <label for=id("name")>"Name (domain:resource:action)"</label>
                    <input
                        id=id("name")
                        name=field_name(i, "name")
                        autocomplete="off"
                        spellcheck="false"
                        aria-describedby=findings_id.clone()
                        prop:value=move || get(|r| r.name.clone())
                        on:input=move |ev| set(|r, v| r.name = v, event_target_value(&ev))
                        on:change=move |_| check_now.run(())
                    />
                </div>
            </div>
            <div id=findings_id class="findings" aria-live="polite">
                {move || findings().into_iter().map(|f| view! { <FindingLine f rows i /> }).collect_view()}
            </div>
            <div class="field">
                <label for=id("description")>"Description"</label>
                <textarea id=id("description") name=field_name(i, "description") rows="2"
                    prop:value=move || get(|r| r.description.clone())
                    on:input=move |ev| set(|r, v| r.description = v, event_target_value(&ev))></textarea>
            </div>
            <div class="grid">
                <div class="field">
                    <label for=id("classification")>"Classification"</label>
                    <select id=id("classification") name=field_name(i, "classification") on:change=move |ev| set(|r, v| r.classification = v, event_target_value(&ev))>
                        <option value="">"—"</option>
                        {["public", "internal", "confidential", "restricted"].map(|c| view! {
                            <option value=c selected=move || get(|r| r.classification.clone()) == c>{c}</option>
                        })}
                    </select>
                </div>
                <div class="field">
                    <label for=id("usage")>"Used by"</label>
                    <select id=id("usage") name=field_name(i, "usage") on:change=move |ev| set(|r, v| r.usage = v, event_target_value(&ev))>
                        <option value="delegated" selected=move || get(|r| r.usage.clone()) == "delegated">"people (delegated)"</option>
                        <option value="application" selected=move || get(|r| r.usage.clone()) == "application">"applications"</option>
                        <option value="both" selected=move || get(|r| r.usage.clone()) == "both">"both"</option>
                    </select>
                </div>
                <div class="field">
                    <label for=id("display")>"Consent: display name"</label>
                    <input id=id("display") name=field_name(i, "display_name")
                        prop:value=move || get(|r| r.display_name.clone())
                        on:input=move |ev| set(|r, v| r.display_name = v, event_target_value(&ev)) />
                </div>
                <div class="field wide">
                    <label for=id("user-text")>"Consent: text shown to people"</label>
                    <input id=id("user-text") name=field_name(i, "user_text")
                        prop:value=move || get(|r| r.user_text.clone())
                        on:input=move |ev| set(|r, v| r.user_text = v, event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for=id("claims")>"Released claims"</label>
                    <input id=id("claims") name=field_name(i, "claims") placeholder="email, name"
                        prop:value=move || get(|r| r.claims.clone())
                        on:input=move |ev| set(|r, v| r.claims = v, event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for=id("implies")>"Implies"</label>
                    <input id=id("implies") name=field_name(i, "implies")
                        prop:value=move || get(|r| r.implies.clone())
                        on:input=move |ev| set(|r, v| r.implies = v, event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for=id("sunset")>"Sunset (deprecate)"</label>
                    <input id=id("sunset") name=field_name(i, "sunset") type="date"
                        prop:value=move || get(|r| r.sunset.clone())
                        on:input=move |ev| set(|r, v| r.sunset = v, event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for=id("replacement")>"Replacement (deprecate)"</label>
                    <input id=id("replacement") name=field_name(i, "replacement")
                        prop:value=move || get(|r| r.replacement.clone())
                        on:input=move |ev| set(|r, v| r.replacement = v, event_target_value(&ev)) />
                </div>
            </div>
        </fieldset>
    }
}

/// One finding under a name, with its fix and suggestions as buttons that apply them.
#[component]
fn FindingLine(f: Finding, rows: RwSignal<Vec<ItemForm>>, i: usize) -> impl IntoView {
    let apply = move |name: String| {
        rows.update(|r| {
            if let Some(row) = r.get_mut(i) {
                row.name = name;
            }
        })
    };
    let fix = f.fix.clone().map(|fixed| {
        let label = format!("Apply: {fixed}");
        view! { <button type="button" class="fix" on:click=move |_| apply(fixed.clone())>{label}</button> }
    });
    let suggestions = f
        .suggestions
        .clone()
        .into_iter()
        .map(|s| {
            let label = format!("Use {s}");
            view! { <button type="button" class="fix secondary" on:click=move |_| apply(s.clone())>{label}</button> }
        })
        .collect_view();
    let class = format!("finding {}", f.severity);
    view! {
        <p class=class>
            <strong>{f.severity.clone()} " " {f.code.clone()}</strong> ": " {f.message.clone()} " " {fix} {suggestions}
        </p>
    }
}
