//! Signing people in to the web UI: `/auth/login`, `/auth/callback`, `/auth/demo`,
//! `/auth/logout` and `/auth/session`. These are browser routes with cookie sessions, not the
//! bearer-token API (see `auth/session.rs` for the session, `auth/oidc.rs` for the provider).
//!
//! What the browser is told is short and names no secret; failures are logged with their
//! cause and the request id, which the page shows.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::auth::oidc::constant_time_eq;
use crate::auth::principal::Permission;
use crate::auth::session::{self, SignIn, StartError, WebUser};
use crate::db::models::web_session::{self, PendingLoginRow};
use crate::demo;
use crate::error::ApiError;
use crate::observability::{CLIENTS, SecurityEvent, current_request_id, record_security_event};
use crate::state::{AppState, now_ms};

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    return_to: Option<String>,
}

/// Starts a sign-in: with `[oidc]`, a pending login (state, nonce, PKCE verifier, bound to this
/// browser by a cookie) and a redirect to the provider; in demo mode, the personas to choose
/// from.
#[tracing::instrument(skip_all)]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse, ApiError> {
    let return_to = session::local_return_path(query.return_to.as_deref());
    let web_auth = &state.web;
    let oidc = match &web_auth.sign_in {
        SignIn::Oidc(oidc) => oidc,
        SignIn::Demo(_) => return Ok(demo_page(&return_to)),
        SignIn::Off => return Ok(not_configured(state.settings.demo)),
    };
    // Every sign-in started stores a pending login: a client may start only so many a minute.
    let client =
        crate::client::client_ip(req.head(), req.peer_addr(), &state.settings.trusted_proxies);
    let refused = client.and_then(|ip| CLIENTS.start_login(ip));
    if let Some(retry_after) = refused {
        record_security_event(SecurityEvent::ExcessRateLimitExceeded);
        let mut response = page(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many sign-ins",
            "Too many sign-ins were started from your network in the last minute. Try again in a minute.",
            false,
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from(retry_after));
        return Ok(response);
    }
    let start = match oidc.start().await {
        Ok(start) => start,
        Err(e) => {
            tracing::warn!(error = %e, "sign-in could not start");
            return Ok(page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Sign-in unavailable",
                "The identity provider cannot be reached just now. Try again in a moment.",
                false,
            ));
        }
    };
    // One binding value per browser, kept across sign-ins so that two tabs can sign in at once.
    let binding = req
        .cookie(web_auth.login_cookie_name())
        .map(|c| c.value().to_owned())
        .filter(|v| v.len() == 43)
        .map_or_else(session::random_secret, Ok)?;
    let now = now_ms();
    let row = PendingLoginRow {
        state_hash: session::sha256_hex(&start.state),
        browser_hash: session::sha256_hex(&binding),
        nonce: start.nonce,
        pkce_verifier: start.pkce_verifier,
        return_to,
        created_at: now,
        expires_at: now.saturating_add(session::ms(session::PENDING_LOGIN_LIFETIME)),
    };
    state
        .db(move |c| {
            web_session::delete_expired(
                c,
                now,
                now.saturating_sub(session::ms(session::IDLE_TIMEOUT)),
            )?;
            Ok(web_session::insert_pending(c, &row)?)
        })
        .await?;
    let mut cookie = web_auth.cookie(web_auth.login_cookie_name(), binding);
    cookie.set_max_age(actix_web::cookie::time::Duration::seconds(
        session::PENDING_LOGIN_LIFETIME.as_secs() as i64,
    ));
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, start.url.as_str()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .cookie(cookie)
        .finish())
}

#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
    /// RFC 9207: the issuer that answered.
    iss: Option<String>,
}

/// The provider's answer: the pending login is taken (once), checked against this browser,
/// the code exchanged, the ID token and the access token validated, and a session started.
#[tracing::instrument(skip_all)]
pub async fn callback(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<CallbackQuery>,
) -> Result<HttpResponse, ApiError> {
    let SignIn::Oidc(oidc) = &state.web.sign_in else {
        return Ok(not_configured(state.settings.demo));
    };
    let failed = |status: StatusCode, message: &str| page(status, "Sign-in failed", message, false);
    let Some(state_param) = query.state.as_deref().filter(|s| !s.is_empty()) else {
        return Ok(failed(
            StatusCode::BAD_REQUEST,
            "The identity provider's answer has no state. Sign in again.",
        ));
    };
    let state_hash = session::sha256_hex(state_param);
    let now = now_ms();
    let Some(pending) = state
        .db(move |c| Ok(web_session::take_pending(c, &state_hash, now)?))
        .await?
    else {
        // Expired, already used (a replayed callback), or never ours.
        record_security_event(SecurityEvent::SequenceFail);
        return Ok(failed(
            StatusCode::BAD_REQUEST,
            "This sign-in has expired or was already completed. Sign in again.",
        ));
    };
    let same_browser = req
        .cookie(state.web.login_cookie_name())
        .is_some_and(|c| constant_time_eq(&session::sha256_hex(c.value()), &pending.browser_hash));
    if !same_browser {
        // Someone else's sign-in brought to this browser: a login CSRF attempt.
        record_security_event(SecurityEvent::MaliciousCsrf);
        return Ok(failed(
            StatusCode::BAD_REQUEST,
            "This sign-in was not started in this browser. Sign in again.",
        ));
    }
    if let Some(iss) = &query.iss
        && iss != oidc.issuer()
    {
        tracing::warn!("callback names another issuer (mix-up?)");
        return Ok(failed(
            StatusCode::BAD_REQUEST,
            "The answer came from another identity provider. Sign in again.",
        ));
    }
    if let Some(error) = &query.error {
        tracing::info!(%error, "the identity provider did not sign the person in");
        let mut message = format!("The identity provider did not sign you in ({error}");
        if let Some(description) = &query.error_description {
            message.push_str(&format!(": {description}"));
        }
        message.push_str(").");
        return Ok(failed(StatusCode::BAD_REQUEST, &message));
    }
    let Some(code) = query.code.as_deref().filter(|c| !c.is_empty()) else {
        return Ok(failed(
            StatusCode::BAD_REQUEST,
            "The identity provider's answer has no authorization code. Sign in again.",
        ));
    };
    let signed_in = match oidc
        .finish(code, &pending.pkce_verifier, &pending.nonce)
        .await
    {
        Ok(s) => s,
        Err(e) => {
            use crate::auth::oidc::OidcError;
            tracing::warn!(error = %e, "sign-in could not be completed");
            let (status, message) = match e {
                OidcError::Refused(_) => (
                    StatusCode::BAD_REQUEST,
                    "The identity provider refused to complete this sign-in. Sign in again.",
                ),
                OidcError::Discovery(_) | OidcError::Unreachable(_) => (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "The identity provider cannot be reached just now. Try again in a moment.",
                ),
                OidcError::MissingIdToken | OidcError::IdToken(_) => {
                    record_security_event(SecurityEvent::AuthnTokenInvalid);
                    (
                        StatusCode::BAD_GATEWAY,
                        "The identity provider's answer could not be verified, so you are not signed in.",
                    )
                }
            };
            return Ok(failed(status, message));
        }
    };
    match session::start(
        &state,
        &req,
        signed_in.access_token,
        signed_in.refresh_token,
        signed_in.name,
    )
    .await
    {
        Ok(cookie) => Ok(redirect(&pending.return_to).cookie(cookie).finish()),
        Err(StartError::AccessTokenRefused(reason)) => {
            tracing::warn!(
                reason,
                "the provider's access token is not accepted by the registry: check [token] (issuer, audience, jwks_uri) and oidc.resource"
            );
            Ok(failed(
                StatusCode::BAD_GATEWAY,
                "The identity provider signed you in, but the registry does not accept the access token it issued. Ask an administrator to check the registry's token settings.",
            ))
        }
        Err(StartError::Api(e)) => Err(e),
    }
}

#[derive(Debug, Deserialize)]
pub struct DemoForm {
    persona: String,
    return_to: Option<String>,
}

/// Demo mode: signs in as a seeded persona. There is no session (and so no CSRF token) yet, so
/// login CSRF is refused by the request's origin: its `Origin` (or `Referer`) must be the
/// registry's own page.
#[tracing::instrument(skip_all, fields(persona = %form.persona))]
pub async fn demo_sign_in(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<DemoForm>,
) -> Result<HttpResponse, ApiError> {
    let SignIn::Demo(minter) = &state.web.sign_in else {
        return Ok(not_configured(state.settings.demo));
    };
    if !session::from_own_page(&state.web, &req) {
        record_security_event(SecurityEvent::MaliciousCsrf);
        return Err(ApiError::forbidden(
            session::CSRF_PROBLEM,
            "Sign in from the registry's own sign-in page: this request's Origin is not the registry's.",
        ));
    }
    let Some(persona) = demo::persona(&form.persona) else {
        return Ok(page(
            StatusCode::BAD_REQUEST,
            "No such persona",
            "There is no demo persona by that name. Choose one on the sign-in page.",
            true,
        ));
    };
    let hours = i64::try_from(session::SESSION_LIFETIME.as_secs() / 3600).unwrap_or(8);
    let token = demo::token(minter, persona, &state.settings.audience, hours)?;
    match session::start(&state, &req, token, None, None).await {
        Ok(cookie) => {
            let return_to = session::local_return_path(form.return_to.as_deref());
            Ok(redirect(&return_to).cookie(cookie).finish())
        }
        Err(StartError::AccessTokenRefused(reason)) => Err(ApiError::internal(format!(
            "the demo token was refused: {reason}"
        ))),
        Err(StartError::Api(e)) => Err(e),
    }
}

#[derive(Debug, Deserialize)]
pub struct LogoutForm {
    #[serde(default)]
    csrf: String,
}

/// Ends the session here, removes the cookie, and sends the browser to the provider's
/// end-session endpoint (which comes back to `/`) or to `/`. Without a session there is nothing
/// to protect: the cookie goes and the browser lands on `/`.
#[tracing::instrument(skip_all)]
pub async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<LogoutForm>,
) -> Result<HttpResponse, ApiError> {
    let ended = session::logout(&state, &req, &form.csrf).await?;
    let target = match (&state.web.sign_in, ended) {
        (SignIn::Oidc(oidc), true) => oidc.logout_url().await.map(|u| u.to_string()),
        _ => None,
    };
    Ok(redirect(target.as_deref().unwrap_or("/"))
        .cookie(state.web.removal(state.web.session_cookie_name()))
        .finish())
}

/// Who is signed in (`GET /auth/session`), for the web UI: never a token.
#[derive(Debug, Serialize)]
pub struct SessionInfo {
    pub signed_in: bool,
    /// How people sign in here: `oidc`, `demo` or `off`.
    pub sign_in: &'static str,
    pub demo: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_reviewer: Option<bool>,
    /// For the logout form (and any other form a client-side page posts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csrf_token: Option<String>,
}

pub async fn session_info(
    state: web::Data<AppState>,
    user: WebUser,
) -> Result<HttpResponse, ApiError> {
    let sign_in = match state.web.sign_in {
        SignIn::Oidc(_) => "oidc",
        SignIn::Demo(_) => "demo",
        SignIn::Off => "off",
    };
    let mut info = SessionInfo {
        signed_in: user.principal.is_some(),
        sign_in,
        demo: state.settings.demo,
        subject: None,
        name: None,
        groups: None,
        permissions: None,
        admin: None,
        security_reviewer: None,
        csrf_token: user.csrf_token,
    };
    if let Some(p) = user.principal {
        info.permissions = Some(
            Permission::ALL
                .iter()
                .map(|perm| perm.scope())
                .filter(|s| p.scopes.contains(*s))
                .map(str::to_owned)
                .collect(),
        );
        info.subject = Some(p.subject);
        info.name = Some(p.name);
        info.groups = Some(p.groups);
        info.admin = Some(p.admin);
        info.security_reviewer = Some(p.security_reviewer);
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(info))
}

/// 405 on an `/auth/` or `/exports/` path with another method.
pub async fn method_not_allowed(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let allow = match req.path() {
        "/auth/demo" | "/auth/logout" => vec!["POST"],
        "/auth/session" => vec!["GET", "HEAD"],
        p if p.starts_with("/exports/") => vec!["GET", "HEAD"],
        _ => vec!["GET"],
    };
    Err(ApiError::MethodNotAllowed { allow })
}

/// 303 See Other to `location`, never cached.
fn redirect(location: &str) -> actix_web::HttpResponseBuilder {
    let mut response = HttpResponse::SeeOther();
    response
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"));
    response
}

fn not_configured(demo: bool) -> HttpResponse {
    page(
        StatusCode::NOT_FOUND,
        "Sign-in is not set up",
        "This registry has no identity provider configured, so nobody can sign in to the web UI; the catalog is readable without signing in.",
        demo,
    )
}

/// The demo's own sign-in page: one button per persona (the web UI may offer a nicer one that
/// posts the same form).
fn demo_page(return_to: &str) -> HttpResponse {
    let mut body = String::from(
        "<p>Sign in as one of the seeded personas. There is no password: this registry runs in demo mode.</p>\n<ul>\n",
    );
    for p in demo::PERSONAS {
        body.push_str(&format!(
            "<li><form method=\"post\" action=\"/auth/demo\">\
             <input type=\"hidden\" name=\"persona\" value=\"{id}\">\
             <input type=\"hidden\" name=\"return_to\" value=\"{return_to}\">\
             <button type=\"submit\">Sign in as {name}</button> {role}</form></li>\n",
            id = escape(p.id),
            name = escape(p.name),
            role = escape(p.role),
            return_to = escape(return_to),
        ));
    }
    body.push_str("</ul>\n");
    let mut response = html(StatusCode::OK, "Sign in (demo)", &body, true);
    // The forms' POSTs must carry this page's Origin: with `no-referrer` browsers send `null`.
    response.headers_mut().insert(
        header::REFERRER_POLICY,
        header::HeaderValue::from_static("same-origin"),
    );
    response
}

/// A short page with one message (escaped) and the request id.
fn page(status: StatusCode, title: &str, message: &str, demo: bool) -> HttpResponse {
    let body = format!(
        "<p>{}</p>\n<p><a href=\"/\">Home</a> · <a href=\"/auth/login\">Sign in</a></p>\n",
        escape(message)
    );
    html(status, title, &body, demo)
}

fn html(status: StatusCode, title: &str, body: &str, demo: bool) -> HttpResponse {
    let banner = if demo {
        "<p><strong>Demo mode: seeded personas, not for real data.</strong></p>\n"
    } else {
        ""
    };
    let text = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} · Scope Registry</title></head>\n\
         <body>\n{banner}<h1>{title}</h1>\n{body}<p><small>Request id: {id}</small></p>\n</body></html>\n",
        title = escape(title),
        id = escape(&current_request_id()),
    );
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(text)
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_escape_what_they_show() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"y\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;"
        );
    }
}
