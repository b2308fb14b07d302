//! The document shell, the layout every page shares, and the routes.

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::{SsrMode, path};

use crate::api::ui::SessionInfo;
use crate::pages::audit::AuditPage;
use crate::pages::catalog::CatalogPage;
use crate::pages::dashboard::DashboardPage;
use crate::pages::domains::DomainsPage;
use crate::pages::exports::ExportsPage;
use crate::pages::lists::{MyRequestsPage, ReviewQueuePage};
use crate::pages::not_found::NotFound;
use crate::pages::propose::ProposePage;
use crate::pages::request::RequestPage;
use crate::pages::scope::ScopePage;
use crate::pages::sign_in::SignInPage;
use crate::pages::token::TokenPreviewPage;
use crate::pages::versions::{VersionDiffPage, VersionsPage};
use crate::server_fns::get_session;

/// The whole HTML document, rendered on the server around [`App`]. The islands' loader is the
/// only script, with the request's CSP nonce.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    security_headers();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href=FAVICON />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The icon: a key, drawn inline (no request; the CSP allows `data:` images).
const FAVICON: &str = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Ccircle cx='5' cy='8' r='3.5' fill='none' stroke='%231f4e8c' stroke-width='2'/%3E%3Cpath d='M8.5 8H15M12 8v3M14.5 8v2' stroke='%231f4e8c' stroke-width='2'/%3E%3C/svg%3E";

/// The Content-Security-Policy of a page: scripts only from here and only with this response's
/// nonce (the hydration loader), WebAssembly allowed to compile, no inline styles, no framing.
#[cfg(feature = "ssr")]
fn security_headers() {
    use actix_web::http::header::{CONTENT_SECURITY_POLICY, HeaderValue};
    let (Some(response), Some(nonce)) = (
        use_context::<leptos_actix::ResponseOptions>(),
        leptos::nonce::use_nonce(),
    ) else {
        return;
    };
    let form_targets = use_context::<FormTargets>()
        .map(|t| t.0.iter().map(|o| format!(" {o}")).collect::<String>())
        .unwrap_or_default();
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; \
         form-action 'self'{form_targets}; frame-ancestors 'none'; base-uri 'none'; \
         object-src 'none'"
    );
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response.insert_header(CONTENT_SECURITY_POLICY, value);
    }
}

/// Origins (`scheme://host[:port]`, as the server serializes them) that forms may lead to besides
/// the registry: the OpenID provider's, where signing out continues. The server provides it.
#[derive(Clone, Debug, Default)]
pub struct FormTargets(pub Vec<String>);

/// The session of this page view (who is signed in, demo or not), shared by the layout and the
/// pages.
pub type SessionResource = Resource<Result<SessionInfo, crate::api::ui::BackendError>>;

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let session: SessionResource = Resource::new(|| (), |_| get_session());
    provide_context(session);
    view! {
        <Stylesheet id="style" href="/pkg/style.css" />
        <Title formatter=|page: String| format!("{page} · Scope Registry") />
        <Router>
            <Header session />
            <main id="main" tabindex="-1">
                <Routes fallback=|| view! { <NotFound /> }>
                    <Route path=path!("/") view=CatalogPage ssr=SsrMode::Async />
                    <Route path=path!("/scopes/:name") view=ScopePage ssr=SsrMode::Async />
                    <Route path=path!("/propose") view=ProposePage ssr=SsrMode::Async />
                    <Route path=path!("/sign-in") view=SignInPage ssr=SsrMode::Async />
                    <Route path=path!("/requests") view=MyRequestsPage ssr=SsrMode::Async />
                    <Route path=path!("/reviews") view=ReviewQueuePage ssr=SsrMode::Async />
                    <Route path=path!("/change-requests/:id") view=RequestPage ssr=SsrMode::Async />
                    <Route path=path!("/change-requests/:id/edit") view=ProposePage ssr=SsrMode::Async />
                    <Route path=path!("/versions") view=VersionsPage ssr=SsrMode::Async />
                    <Route path=path!("/versions/:n") view=VersionDiffPage ssr=SsrMode::Async />
                    <Route path=path!("/exports") view=ExportsPage ssr=SsrMode::Async />
                    <Route path=path!("/token-preview") view=TokenPreviewPage ssr=SsrMode::Async />
                    <Route path=path!("/audit") view=AuditPage ssr=SsrMode::Async />
                    <Route path=path!("/domains") view=DomainsPage ssr=SsrMode::Async />
                    <Route path=path!("/dashboard") view=DashboardPage ssr=SsrMode::Async />
                </Routes>
            </main>
        </Router>
    }
}

/// The header: skip link, demo notice, navigation, who is signed in.
#[component]
fn Header(session: SessionResource) -> impl IntoView {
    view! {
        <a class="skip" href="#main">"Skip to content"</a>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let info = session.await.unwrap_or_default();
                let demo = info.demo.then(|| view! {
                    <aside class="demo-banner" aria-label="Demo mode">
                        <p>
                            <strong>"Demo mode"</strong>
                            " — seeded data and personas on this machine only; nothing here is real."
                        </p>
                    </aside>
                });
                let admin = info.viewer.as_ref().is_some_and(|v| v.admin);
                let who = match info.viewer {
                    Some(viewer) => view! {
                        <form class="who" method="post" action="/auth/logout">
                            "Signed in as " <strong>{viewer.name}</strong> " "
                            <input type="hidden" name="csrf" value=viewer.csrf />
                            <button type="submit" class="secondary">"Sign out"</button>
                        </form>
                    }.into_any(),
                    None if info.demo => view! {
                        <a class="sign-in" href="/sign-in">"Sign in"</a>
                    }.into_any(),
                    None if info.sign_in => view! {
                        <a class="sign-in" href="/auth/login" rel="external">"Sign in"</a>
                    }.into_any(),
                    None => ().into_any(),
                };
                view! {
                    {demo}
                    <header class="top">
                        <a class="brand" href="/">"Scope Registry"</a>
                        <nav aria-label="Main">
                            <A href="/">"Catalog"</A>
                            <A href="/propose">"Propose"</A>
                            <A href="/requests">"My requests"</A>
                            <A href="/reviews">"Reviews"</A>
                            <A href="/versions">"Versions"</A>
                            <A href="/exports">"Exports"</A>
                            // Less often used: behind a disclosure that works without JavaScript.
                            <details class="more">
                                <summary>"More"</summary>
                                <ul>
                                    <li><A href="/token-preview">"Token preview"</A></li>
                                    <li><A href="/dashboard">"Dashboard"</A></li>
                                    <li><A href="/domains">"Domains"</A></li>
                                    {admin.then(|| view! { <li><A href="/audit">"Audit log"</A></li> })}
                                </ul>
                            </details>
                        </nav>
                        {who}
                    </header>
                }
            })}
        </Suspense>
    }
}
