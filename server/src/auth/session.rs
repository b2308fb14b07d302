//! Web sessions: people signed in to the web UI (backend-for-frontend).
//!
//! The browser holds one cookie with a random session id (256 bits); the database keeps only its
//! SHA-256, with the provider's tokens, which never leave the server. Each request resolves the
//! cookie to a [`WebUser`]: the session row, then the stored access token validated by the
//! registry's [`TokenValidator`](super::jwt::TokenValidator) exactly as an API caller's, so a
//! person in the UI has the same [`Principal`] (groups, permissions) as with a bearer token.
//! A session cookie never authenticates `/api/v1` (those handlers take a bearer [`Principal`]).
//!
//! Lifetimes: a session ends [`SESSION_LIFETIME`] after sign-in, after [`IDLE_TIMEOUT`] without
//! a request, at logout, or when its access token expires and cannot be refreshed (a refresh
//! token is used [`REFRESH_AHEAD`] before expiry, when the provider gave one).
//!
//! The cookie: `__Host-scope-registry-session`, `HttpOnly`, `Secure`, `SameSite=Lax`, `Path=/`,
//! no `Domain` (so only this host, over https, and not sent with cross-site subrequests or
//! POSTs). In demo mode on plain-http loopback the name loses its `__Host-` prefix and the
//! cookie its `Secure` attribute: browsers refuse `__Host-` cookies without `Secure`, and
//! `Secure` cookies set over plain http (a few make an exception for `localhost` only), so the
//! demo could not sign in at all otherwise. Outside demo mode the cookie is always `Secure`:
//! serve the registry over https (a `public_url` on http is accepted for loopback only).
//!
//! CSRF: every state-changing form carries the session's CSRF token, checked by [`check_csrf`];
//! and [`refuse_cross_origin`] refuses any non-GET request outside `/api/v1/` whose `Origin` is
//! not the registry's own. Pages with forms must not be served with `Referrer-Policy:
//! no-referrer`: browsers then send `Origin: null` with a form's POST (Fetch standard, "append a
//! request `Origin` header"; `fetch()` calls keep theirs), which is refused. The registry sends
//! `same-origin`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, ResponseError, web};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest as _, Sha256};

use super::jwt::{TokenMinter, VerifiedToken};
use super::oidc::{OidcClient, RefreshError, constant_time_eq};
use super::principal::Principal;
use crate::config::Settings;
use crate::db::models::web_session::{self, WebSessionRow};
use crate::error::ApiError;
use crate::observability::{SecurityEvent, record_security_event};
use crate::state::{AppState, now_ms};

/// A session ends this long after sign-in, whatever happens.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(8 * 60 * 60);
/// A session ends after this long without a request.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(60 * 60);
/// A sign-in must come back from the provider within this long.
pub const PENDING_LOGIN_LIFETIME: Duration = Duration::from_secs(10 * 60);
/// An access token is refreshed this long before it expires.
pub const REFRESH_AHEAD: Duration = Duration::from_secs(30);
/// `last_seen` is written at most this often per session.
const TOUCH_INTERVAL: Duration = Duration::from_secs(60);

/// The problem code of a failed CSRF check (a form token or the `Origin`).
pub const CSRF_PROBLEM: &str = "csrf_check_failed";

/// How people sign in here.
#[derive(Debug)]
pub enum SignIn {
    /// Not configured (outside demo mode without `[oidc]`): anonymous pages only.
    Off,
    /// Through the configured OpenID provider.
    Oidc(OidcClient),
    /// Demo mode: as one of the seeded personas, with a token of the demo issuer.
    Demo(TokenMinter),
}

/// Web sign-in's part of the application state: how people sign in, the cookies, the origin.
#[derive(Debug)]
pub struct WebAuth {
    pub sign_in: SignIn,
    /// Origins a state-changing request may come from (`scheme://host[:port]`); empty when
    /// the registry does not know its public URL (then no session can exist either).
    allowed_origins: Vec<String>,
    /// `Secure` cookies with the `__Host-` prefix (everywhere but demo mode over http).
    secure_cookies: bool,
}

impl WebAuth {
    /// From the settings; `demo_minter` is the demo issuer's key (demo mode), `client_secret`
    /// the contents of `oidc.client_secret_file`.
    pub fn new(
        settings: &Settings,
        demo_minter: Option<TokenMinter>,
        client_secret: Option<String>,
    ) -> Result<Self, String> {
        let public_url = settings.public_url.clone();
        let sign_in = match (&settings.oidc, demo_minter, &public_url) {
            (Some(oidc), _, Some(url)) => {
                SignIn::Oidc(OidcClient::new(oidc, client_secret, url, settings.leeway)?)
            }
            (None, Some(minter), _) if settings.demo => SignIn::Demo(minter),
            _ => SignIn::Off,
        };
        let mut allowed_origins: Vec<String> = public_url.iter().cloned().collect();
        // The demo's default address is the bound one; people type `localhost` as often.
        if settings.demo && public_url.as_deref() == Some(&format!("http://{}", settings.bind)) {
            let port = settings.bind.port();
            for host in ["127.0.0.1", "localhost", "[::1]"] {
                let origin = format!("http://{host}:{port}");
                if !allowed_origins.contains(&origin) {
                    allowed_origins.push(origin);
                }
            }
        }
        let secure_cookies = !(settings.demo
            && public_url
                .as_deref()
                .is_some_and(|u| u.starts_with("http:")));
        Ok(Self {
            sign_in,
            allowed_origins,
            secure_cookies,
        })
    }

    /// Anonymous pages only.
    pub fn disabled() -> Self {
        Self {
            sign_in: SignIn::Off,
            allowed_origins: Vec::new(),
            secure_cookies: true,
        }
    }

    /// The session cookie's name.
    pub fn session_cookie_name(&self) -> &'static str {
        if self.secure_cookies {
            "__Host-scope-registry-session"
        } else {
            "scope-registry-session"
        }
    }

    /// The name of the cookie that binds a sign-in under way to the browser that started it.
    pub fn login_cookie_name(&self) -> &'static str {
        if self.secure_cookies {
            "__Host-scope-registry-login"
        } else {
            "scope-registry-login"
        }
    }

    /// A cookie with the attributes every cookie of ours has.
    pub fn cookie(&self, name: &'static str, value: String) -> Cookie<'static> {
        let mut cookie = Cookie::build(name, value)
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .finish();
        cookie.set_secure(self.secure_cookies);
        cookie
    }

    /// A cookie that deletes `name` in the browser.
    pub fn removal(&self, name: &'static str) -> Cookie<'static> {
        let mut cookie = self.cookie(name, String::new());
        cookie.make_removal();
        cookie
    }

    /// Whether a request's `Origin` (or `Referer`'s origin) is the registry's own.
    pub fn is_own_origin(&self, origin: &str) -> bool {
        self.allowed_origins.iter().any(|o| o == origin)
    }

    /// Whether the registry knows its origins (it can check `Origin` headers).
    pub fn knows_origin(&self) -> bool {
        !self.allowed_origins.is_empty()
    }
}

/// Who is using the web UI: a signed-in person's [`Principal`] and the CSRF token of their
/// session, or nobody.
///
/// An actix extractor: take it as a handler argument, or from a Leptos server function with
/// `let user: WebUser = leptos_actix::extract().await?;`. It never fails for "not signed in"
/// (that is `principal: None`); it fails only when the registry cannot tell (database or
/// identity provider unavailable: 503). Resolved once per request and cached in the request's
/// extensions, so extracting it twice costs nothing.
///
/// Before any state-changing action, check the form's CSRF token with [`check_csrf`], then
/// authorize with the principal exactly as an API handler does (`principal.require(...)`).
#[derive(Clone, Debug, Default)]
pub struct WebUser {
    /// The signed-in person, built from their access token as for an API caller.
    pub principal: Option<Principal>,
    /// The session's CSRF token: put it in every form (a hidden `csrf` field) and check it with
    /// [`check_csrf`]. Not a credential: it only proves a form came from the registry's page.
    pub csrf_token: Option<String>,
}

impl WebUser {
    pub fn is_signed_in(&self) -> bool {
        self.principal.is_some()
    }

    /// The principal, or 401 when nobody is signed in.
    pub fn require_principal(&self) -> Result<&Principal, ApiError> {
        self.principal.as_ref().ok_or(ApiError::Unauthorized)
    }
}

/// Checks a submitted form's CSRF token against the session's (in constant time). A mismatch,
/// or no session, is 403 `csrf_check_failed` and counted as the security event
/// `malicious_csrf`.
pub fn check_csrf(user: &WebUser, submitted: &str) -> Result<(), ApiError> {
    let ok = user
        .csrf_token
        .as_deref()
        .is_some_and(|expected| !submitted.is_empty() && constant_time_eq(expected, submitted));
    if ok {
        Ok(())
    } else {
        record_security_event(SecurityEvent::MaliciousCsrf);
        Err(csrf_error(
            "The form's CSRF token does not match your session. Reload the page and try again.",
        ))
    }
}

fn csrf_error(detail: &str) -> ApiError {
    ApiError::forbidden(CSRF_PROBLEM, detail)
}

impl FromRequest for WebUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        if let Some(user) = req.extensions().get::<WebUser>() {
            let user = user.clone();
            return Box::pin(async move { Ok(user) });
        }
        let req = req.clone();
        Box::pin(async move {
            let state = req
                .app_data::<web::Data<AppState>>()
                .cloned()
                .ok_or_else(|| ApiError::internal("application state missing"))?;
            let user = resolve(&state, &req).await?;
            req.extensions_mut().insert(user.clone());
            Ok(user)
        })
    }
}

/// The session cookie's value, if it has the shape of one of our ids.
pub(crate) fn session_id(web: &WebAuth, req: &HttpRequest) -> Option<String> {
    req.cookie(web.session_cookie_name())
        .map(|c| c.value().to_owned())
        .filter(|v| v.len() == 43 && URL_SAFE_NO_PAD.decode(v).is_ok())
}

async fn resolve(state: &AppState, req: &HttpRequest) -> Result<WebUser, ApiError> {
    let Some(id) = session_id(&state.web, req) else {
        return Ok(WebUser::default());
    };
    let id_hash = sha256_hex(&id);
    let now = now_ms();
    let key = id_hash.clone();
    let Some(mut row) = state
        .db(move |c| Ok(web_session::find_session(c, &key)?))
        .await?
    else {
        return Ok(WebUser::default());
    };
    if row.expires_at <= now || row.last_seen.saturating_add(ms(IDLE_TIMEOUT)) <= now {
        end(state, &id_hash, "expired").await?;
        return Ok(WebUser::default());
    }
    if row.access_expires_at.saturating_sub(ms(REFRESH_AHEAD)) <= now {
        match refresh(state, &row).await? {
            Some(fresh) => row = fresh,
            None if row.access_expires_at > now => {}
            None => {
                end(state, &id_hash, "access token expired").await?;
                return Ok(WebUser::default());
            }
        }
    }
    let verified = match state.tokens.validate(&row.access_token).await {
        Ok(v) => v,
        Err(e) if e.is_server_side() => return Err(ApiError::IssuerUnavailable),
        Err(e) => {
            tracing::info!(reason = e.reason(), "web session's access token refused");
            end(state, &id_hash, "access token refused").await?;
            return Ok(WebUser::default());
        }
    };
    if now.saturating_sub(row.last_seen) >= ms(TOUCH_INTERVAL) {
        let key = id_hash.clone();
        state
            .db(move |c| Ok(web_session::touch_session(c, &key, now)?))
            .await?;
    }
    let mut principal = principal(state, verified);
    if principal.name == principal.subject
        && let Some(name) = row.name.take()
    {
        principal.name = name;
    }
    Ok(WebUser {
        principal: Some(principal),
        csrf_token: Some(row.csrf_token),
    })
}

/// Refreshes the session's access token if it can: `Some(row)` with the new token (or with the
/// one another request got first), `None` when there is no refresh token or the provider said
/// no (the session then lives as long as its current token). Fails only when the provider
/// could not be asked and the current token has expired.
async fn refresh(state: &AppState, row: &WebSessionRow) -> Result<Option<WebSessionRow>, ApiError> {
    let (SignIn::Oidc(oidc), Some(refresh_token)) = (&state.web.sign_in, &row.refresh_token) else {
        return Ok(None);
    };
    let refreshed = match oidc.refresh(refresh_token).await {
        Ok(r) => r,
        Err(RefreshError::Refused(why)) => {
            tracing::info!(%why, "web session's refresh token refused");
            // Another request (perhaps on another replica) may have used it a moment ago.
            return reread_if_refreshed(state, row).await;
        }
        Err(RefreshError::Unavailable(why)) => {
            tracing::warn!(%why, "web session's token could not be refreshed");
            return if row.access_expires_at > now_ms() {
                Ok(None)
            } else {
                Err(ApiError::IssuerUnavailable)
            };
        }
    };
    let verified = match state.tokens.validate(&refreshed.access_token).await {
        Ok(v) => v,
        Err(e) if e.is_server_side() => return Err(ApiError::IssuerUnavailable),
        Err(e) => {
            tracing::warn!(reason = e.reason(), "refreshed access token refused");
            return Ok(None);
        }
    };
    let mut fresh = row.clone();
    fresh.access_token = refreshed.access_token;
    fresh.access_expires_at = verified.expires_at.saturating_mul(1000);
    if let Some(rt) = refreshed.refresh_token {
        fresh.refresh_token = Some(rt);
    }
    let update = fresh.clone();
    let old = row.access_token.clone();
    let stored = state
        .db(move |c| {
            Ok(web_session::replace_tokens(
                c,
                &update.id_hash,
                &old,
                &update.access_token,
                update.access_expires_at,
                update.refresh_token.as_deref(),
            )?)
        })
        .await?;
    if stored {
        tracing::info!("web session's access token refreshed");
        Ok(Some(fresh))
    } else {
        reread_if_refreshed(state, row).await
    }
}

/// The session as stored now, if another request has refreshed its token since `row` was read.
async fn reread_if_refreshed(
    state: &AppState,
    row: &WebSessionRow,
) -> Result<Option<WebSessionRow>, ApiError> {
    let key = row.id_hash.clone();
    let now = state
        .db(move |c| Ok(web_session::find_session(c, &key)?))
        .await?;
    Ok(now.filter(|r| r.access_token != row.access_token))
}

async fn end(state: &AppState, id_hash: &str, why: &'static str) -> Result<(), ApiError> {
    let key = id_hash.to_owned();
    state
        .db(move |c| Ok(web_session::delete_session(c, &key)?))
        .await?;
    tracing::info!(why, "web session ended");
    Ok(())
}

fn principal(state: &AppState, token: VerifiedToken) -> Principal {
    Principal::from_token(
        token,
        &state.settings.admin_group,
        &state.settings.security_reviewer_group,
    )
}

/// A new session, after a sign-in: the access token is validated like any other, the previous
/// session of this browser (if any) ends, and expired rows go. Returns the cookie to set.
pub(crate) async fn start(
    state: &AppState,
    req: &HttpRequest,
    access_token: String,
    refresh_token: Option<String>,
    name: Option<String>,
) -> Result<Cookie<'static>, StartError> {
    let verified = match state.tokens.validate(&access_token).await {
        Ok(v) => v,
        Err(e) if e.is_server_side() => return Err(StartError::Api(ApiError::IssuerUnavailable)),
        Err(e) => return Err(StartError::AccessTokenRefused(e.reason())),
    };
    let id = random_secret().map_err(StartError::Api)?;
    let now = now_ms();
    let row = WebSessionRow {
        id_hash: sha256_hex(&id),
        subject: verified.subject.clone(),
        name,
        access_token,
        access_expires_at: verified.expires_at.saturating_mul(1000),
        refresh_token,
        csrf_token: random_secret().map_err(StartError::Api)?,
        created_at: now,
        expires_at: now.saturating_add(ms(SESSION_LIFETIME)),
        last_seen: now,
    };
    // A new id at every sign-in (no fixation); the browser's old session ends.
    let previous = session_id(&state.web, req).map(|id| sha256_hex(&id));
    let subject = row.subject.clone();
    state
        .db(move |c| {
            if let Some(previous) = previous {
                web_session::delete_session(c, &previous)?;
            }
            web_session::delete_expired(c, now, now.saturating_sub(ms(IDLE_TIMEOUT)))?;
            web_session::insert_session(c, &row)?;
            Ok(())
        })
        .await
        .map_err(StartError::Api)?;
    tracing::info!(%subject, "web session started");
    Ok(state.web.cookie(state.web.session_cookie_name(), id))
}

/// Why a session could not start.
#[derive(Debug)]
pub(crate) enum StartError {
    /// The registry does not accept the provider's access token (a configuration mismatch:
    /// issuer, audience, keys); the reason is for the log.
    AccessTokenRefused(&'static str),
    Api(ApiError),
}

/// Ends the browser's session (logout), if the form's CSRF token is the session's (checked
/// against the stored session, so logging out works even when its access token has expired).
/// Returns whether there was a session.
pub(crate) async fn logout(
    state: &AppState,
    req: &HttpRequest,
    submitted_csrf: &str,
) -> Result<bool, ApiError> {
    let Some(id) = session_id(&state.web, req) else {
        return Ok(false);
    };
    let key = sha256_hex(&id);
    let lookup = key.clone();
    let Some(row) = state
        .db(move |c| Ok(web_session::find_session(c, &lookup)?))
        .await?
    else {
        return Ok(false);
    };
    check_csrf(
        &WebUser {
            principal: None,
            csrf_token: Some(row.csrf_token),
        },
        submitted_csrf,
    )?;
    let ended = state
        .db(move |c| Ok(web_session::delete_session(c, &key)?))
        .await?;
    tracing::info!(subject = %row.subject, "web session ended: logout");
    Ok(ended)
}

/// Middleware: a non-GET request outside `/api/v1/` (forms, Leptos server functions, sign-in)
/// whose `Origin` is not the registry's own is refused with 403 and counted as
/// `malicious_csrf`. The bearer-token API is left alone: it has no cookies to forge.
pub async fn refuse_cross_origin(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && !req.path().starts_with("/api/v1/") {
        let web = req
            .app_data::<web::Data<AppState>>()
            .map(|s| Arc::clone(&s.web));
        if let (Some(web), Some(origin)) = (web, req.headers().get(header::ORIGIN))
            && web.knows_origin()
            && !origin.to_str().is_ok_and(|o| web.is_own_origin(o))
        {
            record_security_event(SecurityEvent::MaliciousCsrf);
            let response = csrf_error(
                "This request comes from another site (its Origin is not the registry's), so it was refused.",
            )
            .error_response();
            return Ok(req.into_response(response));
        }
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}

/// Whether a request that signs someone in (no session, so no CSRF token yet) comes from the
/// registry's own page: its `Origin`, or else its `Referer`, must be ours. Browsers send
/// `Origin` with every POST; a request with neither is refused.
pub(crate) fn from_own_page(web: &WebAuth, req: &HttpRequest) -> bool {
    if let Some(origin) = req.headers().get(header::ORIGIN) {
        return origin.to_str().is_ok_and(|o| web.is_own_origin(o));
    }
    req.headers()
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| reqwest::Url::parse(r).ok())
        .is_some_and(|r| web.is_own_origin(&r.origin().ascii_serialization()))
}

/// 256 random bits, base64url (43 characters).
pub(crate) fn random_secret() -> Result<String, ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::internal(format!("no randomness: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Hex SHA-256: how secrets the browser holds are stored.
pub(crate) fn sha256_hex(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub(crate) fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// `return_to` as a path on this site, or `/`: one leading `/` (not `//`, a host), printable
/// ASCII only (browsers drop tabs and newlines, so `/\t/evil.example` would become
/// `//evil.example`), no `\` (read as `/` by browsers), and not back into `/auth/`.
pub fn local_return_path(return_to: Option<&str>) -> String {
    let Some(path) = return_to else {
        return "/".to_owned();
    };
    let local = path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && path.len() <= 2048
        && path.bytes().all(|b| b.is_ascii_graphic())
        && !path.starts_with("/auth/")
        && path != "/auth";
    if local {
        path.to_owned()
    } else {
        "/".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_to_is_a_local_path_or_the_home_page() {
        for ok in [
            "/",
            "/catalog",
            "/scopes/ecommerce:orders:read?tab=history#top",
            "/a/b%2F%2Fc",
        ] {
            assert_eq!(local_return_path(Some(ok)), ok, "{ok}");
        }
        for bad in [
            "//evil.example",
            "///evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "https://evil.example/",
            "javascript:alert(1)",
            "evil.example",
            "",
            "/\t/evil.example",
            "/\n/evil.example",
            "/ /x",
            "/caf\u{e9}",
            "/auth/login",
            "/auth/logout",
        ] {
            assert_eq!(local_return_path(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(local_return_path(None), "/");
        assert_eq!(
            local_return_path(Some(&format!("/{}", "a".repeat(3000)))),
            "/"
        );
    }

    #[test]
    fn csrf_tokens_must_match_the_session() {
        let user = WebUser {
            principal: None,
            csrf_token: Some("s3cr3t-token".into()),
        };
        assert!(check_csrf(&user, "s3cr3t-token").is_ok());
        assert_eq!(
            check_csrf(&user, "s3cr3t-tokeN").unwrap_err().code(),
            CSRF_PROBLEM
        );
        assert!(check_csrf(&user, "").is_err());
        assert!(check_csrf(&WebUser::default(), "").is_err());
        assert!(check_csrf(&WebUser::default(), "anything").is_err());
    }

    #[test]
    fn secrets_are_long_and_stored_hashed() {
        let a = random_secret().unwrap();
        let b = random_secret().unwrap();
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        let h = sha256_hex(&a);
        assert_eq!(h.len(), 64);
        assert!(!h.contains(&a));
    }
}
