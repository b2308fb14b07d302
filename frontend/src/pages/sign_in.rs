//! Signing in. In demo mode: pick a seeded persona (plain forms, no JavaScript needed). With an
//! OpenID provider: on to its login page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::app::SessionResource;

#[component]
pub fn SignInPage() -> impl IntoView {
    let session = expect_context::<SessionResource>();
    let query = use_query_map();
    let return_to = move || {
        query
            .with(|q| q.get("return_to"))
            .unwrap_or_else(|| "/".to_owned())
    };
    view! {
        <Title text="Sign in" />
        <h1>"Sign in"</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let info = session.await.unwrap_or_default();
                if !info.demo {
                    let href = format!("/auth/login?return_to={}", super::encode(&return_to()));
                    return view! {
                        <p><a href=href rel="external">"Sign in with your organisation's account"</a></p>
                    }.into_any();
                }
                let cards = info
                    .personas
                    .into_iter()
                    .map(|p| {
                        let label = format!("Sign in as {}", p.name);
                        view! {
                            <form method="post" action="/auth/demo">
                                <input type="hidden" name="persona" value=p.id.clone() />
                                <input type="hidden" name="return_to" value=return_to() />
                                <h2>{p.name.clone()}</h2>
                                <p>{p.role.clone()}</p>
                                <button type="submit">{label}</button>
                            </form>
                        }
                    })
                    .collect_view();
                view! {
                    <p>"This is a demo: pick a seeded persona. Each sees what their groups and permissions allow."</p>
                    <div class="personas">{cards}</div>
                }.into_any()
            })}
        </Suspense>
    }
}
