//! OpenID Connect sign-in for people: the authorization code flow with PKCE (S256), `state` and
//! `nonce`, against the provider configured in `[oidc]` (the `oauth2` crate builds the requests).
//!
//! - The provider's endpoints come from its discovery document
//!   (`<issuer>/.well-known/openid-configuration`), fetched on first use and again after an hour;
//!   the document must name exactly the configured issuer, and every endpoint must be https (or
//!   http on a loopback host, where tests and a local provider live).
//! - The HTTP client follows no redirects: the configured and discovered URLs must be final.
//! - The ID token is checked here ([`verify_id_token`]): signature with a key of the provider's
//!   JWKS (never from the token's own headers), an asymmetric algorithm, `iss` exactly the
//!   issuer, `aud` containing our client id (and `azp` ours when there are several audiences),
//!   `exp` and `iat` with the token leeway, and `nonce` equal to the one we sent. The access
//!   token is checked by the registry's [`TokenValidator`](super::jwt::TokenValidator), as for
//!   API callers.
//! - Logging out sends `client_id` and `post_logout_redirect_uri` to the provider's
//!   `end_session_endpoint` (OpenID Connect RP-Initiated Logout 1.0 §2), not `id_token_hint`:
//!   that would put the ID token in a URL the browser sees, and no token ever goes to the
//!   browser.

use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::Algorithm;
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthUrl, AuthorizationCode, Client, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, ExtraTokenFields, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken,
    RequestTokenError, Scope, StandardRevocableToken, StandardTokenResponse, TokenResponse,
    TokenUrl,
};
use reqwest::Url;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::jwks::{JwksCache, KeyLookup};
use super::jwt::{MAX_TOKEN_BYTES, TokenConfig};
use crate::config::OidcSettings;

/// A discovery document is refetched after this long, so a provider's moved endpoints are seen.
const DISCOVERY_MAX_AGE: Duration = Duration::from_secs(60 * 60);
/// After a failed discovery, no new attempt for this long (protects the provider).
const DISCOVERY_RETRY_AFTER: Duration = Duration::from_secs(5);
/// Largest discovery document read.
const MAX_DISCOVERY_BYTES: usize = 256 * 1024;
/// Timeout of one request to the provider.
const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);

/// The asymmetric algorithms an ID token may be signed with.
const ID_TOKEN_ALGORITHMS: [Algorithm; 9] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// The token response's OpenID Connect member.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct IdTokenFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id_token: Option<String>,
}

impl ExtraTokenFields for IdTokenFields {}

type OidcTokenResponse = StandardTokenResponse<IdTokenFields, BasicTokenType>;

type CodeClient = Client<
    BasicErrorResponse,
    OidcTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// Why talking to the provider failed. Logged; people see a short message and the request id.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("the provider's discovery document could not be fetched: {0}")]
    Discovery(String),
    #[error("the provider refused the code: {0}")]
    Refused(String),
    #[error("the provider's token endpoint could not be reached: {0}")]
    Unreachable(String),
    #[error("the provider's token response has no ID token")]
    MissingIdToken,
    #[error("the ID token is not valid: {0}")]
    IdToken(#[from] IdTokenError),
}

/// What the provider's discovery document says, as used here.
#[derive(Debug)]
struct Discovered {
    authorization_endpoint: AuthUrl,
    token_endpoint: TokenUrl,
    end_session_endpoint: Option<Url>,
    jwks_uri: String,
    jwks: Arc<JwksCache>,
    fetched_at: Instant,
}

#[derive(Debug, Default)]
struct DiscoveryState {
    current: Option<Arc<Discovered>>,
    last_failure: Option<Instant>,
}

/// The registry as a client of the OpenID provider. One per process, shared by all workers.
#[derive(Debug)]
pub struct OidcClient {
    issuer: String,
    client_id: ClientId,
    client_secret: Option<ClientSecret>,
    scopes: Vec<String>,
    resource: Option<String>,
    redirect_uri: RedirectUrl,
    post_logout_redirect_uri: String,
    leeway: i64,
    http: reqwest::Client,
    discovery: tokio::sync::Mutex<DiscoveryState>,
}

/// A new authorization request: send the browser to `url`, keep the rest for the callback.
#[derive(Debug)]
pub struct AuthorizationStart {
    pub url: Url,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// What a successful code exchange gives.
#[derive(Debug)]
pub struct SignedIn {
    pub access_token: String,
    pub refresh_token: Option<String>,
    /// The ID token's display name (`name`, else `preferred_username`).
    pub name: Option<String>,
}

/// What a refresh gives: a new access token, and a new refresh token if the provider rotates
/// them.
#[derive(Debug)]
pub struct Refreshed {
    pub access_token: String,
    pub refresh_token: Option<String>,
}

/// Why a refresh failed.
#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    /// The provider said no (`invalid_grant`: revoked, expired, already used): the session ends.
    #[error("the provider refused the refresh token: {0}")]
    Refused(String),
    /// The provider could not be asked; the session may recover later.
    #[error("{0}")]
    Unavailable(String),
}

impl OidcClient {
    /// A client for `settings`, redirecting back to `public_url`.
    pub fn new(
        settings: &OidcSettings,
        client_secret: Option<String>,
        public_url: &str,
        leeway: Duration,
    ) -> Result<Self, String> {
        let redirect_uri = RedirectUrl::new(format!("{public_url}/auth/callback"))
            .map_err(|e| format!("public_url: {e}"))?;
        let loopback = is_loopback(&Url::parse(&settings.issuer).map_err(|e| e.to_string())?);
        let mut http = reqwest::Client::builder()
            .timeout(PROVIDER_TIMEOUT)
            .connect_timeout(PROVIDER_TIMEOUT)
            // oauth2's advice, and ours: a redirect could lead anywhere (SSRF, plain http).
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("scope-registry/", env!("CARGO_PKG_VERSION")))
            .https_only(!loopback);
        if loopback {
            http = http.no_proxy();
        }
        let http = http
            .build()
            .map_err(|e| format!("cannot build an HTTP client: {e}"))?;
        Ok(Self {
            issuer: settings.issuer.clone(),
            client_id: ClientId::new(settings.client_id.clone()),
            client_secret: client_secret.map(ClientSecret::new),
            scopes: settings.scopes.clone(),
            resource: settings.resource.clone(),
            redirect_uri,
            post_logout_redirect_uri: format!("{public_url}/"),
            leeway: i64::try_from(leeway.as_secs()).unwrap_or(0),
            http,
            discovery: tokio::sync::Mutex::new(DiscoveryState::default()),
        })
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Starts a sign-in: a fresh `state`, `nonce` and PKCE verifier, and the provider's URL.
    pub async fn start(&self) -> Result<AuthorizationStart, OidcError> {
        let discovered = self.discovered().await?;
        let client = self.client(&discovered);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let nonce = CsrfToken::new_random_len(32).into_secret();
        let mut request = client
            .authorize_url(|| CsrfToken::new_random_len(32))
            .set_pkce_challenge(challenge)
            .add_extra_param("nonce", nonce.clone());
        for scope in &self.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        if let Some(resource) = &self.resource {
            request = request.add_extra_param("resource", resource.clone());
        }
        let (url, state) = request.url();
        Ok(AuthorizationStart {
            url,
            state: state.into_secret(),
            nonce,
            pkce_verifier: verifier.into_secret(),
        })
    }

    /// Exchanges the authorization code (with the PKCE verifier) and checks the ID token
    /// against `nonce`. The access token is for the caller to validate.
    pub async fn finish(
        &self,
        code: &str,
        pkce_verifier: &str,
        nonce: &str,
    ) -> Result<SignedIn, OidcError> {
        let discovered = self.discovered().await?;
        let client = self.client(&discovered);
        let mut request = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_owned()));
        if let Some(resource) = &self.resource {
            request = request.add_extra_param("resource", resource.clone());
        }
        let response = request
            .request_async(&self.http)
            .await
            .map_err(|e| match describe(e) {
                RefreshError::Refused(m) => OidcError::Refused(m),
                RefreshError::Unavailable(m) => OidcError::Unreachable(m),
            })?;
        let id_token = response
            .extra_fields()
            .id_token
            .as_deref()
            .ok_or(OidcError::MissingIdToken)?;
        let claims = verify_id_token(
            id_token,
            &discovered.jwks,
            &IdTokenExpectations {
                issuer: &self.issuer,
                client_id: self.client_id.as_str(),
                nonce,
                leeway: self.leeway,
            },
            time::OffsetDateTime::now_utc().unix_timestamp(),
        )
        .await?;
        Ok(SignedIn {
            access_token: response.access_token().secret().clone(),
            refresh_token: response.refresh_token().map(|t| t.secret().clone()),
            name: claims.name,
        })
    }

    /// A new access token for a session whose token is about to expire.
    pub async fn refresh(&self, refresh_token: &str) -> Result<Refreshed, RefreshError> {
        let discovered = self
            .discovered()
            .await
            .map_err(|e| RefreshError::Unavailable(e.to_string()))?;
        let client = self.client(&discovered);
        let refresh_token = RefreshToken::new(refresh_token.to_owned());
        let mut request = client.exchange_refresh_token(&refresh_token);
        if let Some(resource) = &self.resource {
            request = request.add_extra_param("resource", resource.clone());
        }
        let response = request.request_async(&self.http).await.map_err(describe)?;
        Ok(Refreshed {
            access_token: response.access_token().secret().clone(),
            refresh_token: response.refresh_token().map(|t| t.secret().clone()),
        })
    }

    /// Where to send the browser after the session ended here: the provider's end-session
    /// endpoint (which then returns to `public_url/`), if it has one and it is known.
    pub async fn logout_url(&self) -> Option<Url> {
        let discovered = self.discovered().await.ok()?;
        let mut url = discovered.end_session_endpoint.clone()?;
        url.query_pairs_mut()
            .append_pair("client_id", self.client_id.as_str())
            .append_pair("post_logout_redirect_uri", &self.post_logout_redirect_uri);
        Some(url)
    }

    fn client(&self, discovered: &Discovered) -> CodeClient {
        let client = Client::new(self.client_id.clone())
            .set_auth_uri(discovered.authorization_endpoint.clone())
            .set_token_uri(discovered.token_endpoint.clone())
            .set_redirect_uri(self.redirect_uri.clone());
        match &self.client_secret {
            Some(secret) => client.set_client_secret(secret.clone()),
            None => client,
        }
    }

    /// The discovery document, fetched when missing or older than [`DISCOVERY_MAX_AGE`]. A
    /// failed refetch keeps the document already known.
    async fn discovered(&self) -> Result<Arc<Discovered>, OidcError> {
        let mut state = self.discovery.lock().await;
        if let Some(current) = &state.current
            && current.fetched_at.elapsed() < DISCOVERY_MAX_AGE
        {
            return Ok(Arc::clone(current));
        }
        if let Some(at) = state.last_failure
            && at.elapsed() < DISCOVERY_RETRY_AFTER
        {
            return state
                .current
                .clone()
                .ok_or_else(|| OidcError::Discovery("the last attempt failed moments ago".into()));
        }
        match self.fetch_discovery(state.current.as_deref()).await {
            Ok(fresh) => {
                let fresh = Arc::new(fresh);
                state.current = Some(Arc::clone(&fresh));
                state.last_failure = None;
                Ok(fresh)
            }
            Err(e) => {
                state.last_failure = Some(Instant::now());
                match &state.current {
                    Some(current) => {
                        tracing::warn!(error = %e, "OIDC discovery refetch failed; keeping the document already known");
                        Ok(Arc::clone(current))
                    }
                    None => Err(e),
                }
            }
        }
    }

    #[tracing::instrument(name = "oidc_discovery", skip_all, fields(issuer = %self.issuer))]
    async fn fetch_discovery(
        &self,
        previous: Option<&Discovered>,
    ) -> Result<Discovered, OidcError> {
        #[derive(Deserialize)]
        struct Document {
            issuer: String,
            authorization_endpoint: String,
            token_endpoint: String,
            jwks_uri: String,
            end_session_endpoint: Option<String>,
        }
        let fail = |m: String| OidcError::Discovery(m);
        let url = format!(
            "{}/.well-known/openid-configuration",
            self.issuer.trim_end_matches('/')
        );
        let mut response = self
            .http
            .get(&url)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| fail(format!("{url}: {e}")))?;
        if !response.status().is_success() {
            return Err(fail(format!("{url} answered HTTP {}", response.status())));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| fail(format!("{url}: {e}")))?
        {
            if body.len() + chunk.len() > MAX_DISCOVERY_BYTES {
                return Err(fail(format!(
                    "{url} is larger than {MAX_DISCOVERY_BYTES} bytes"
                )));
            }
            body.extend_from_slice(&chunk);
        }
        let doc: Document = serde_json::from_slice(&body)
            .map_err(|e| fail(format!("{url} is not a discovery document: {e}")))?;
        // OpenID Connect Discovery 1.0 §4.3: exactly the issuer we asked about.
        if doc.issuer != self.issuer {
            return Err(fail(format!(
                "{url} names the issuer {:?}, not the configured {:?}",
                doc.issuer, self.issuer
            )));
        }
        let endpoint = |name: &str, text: &str| -> Result<Url, OidcError> {
            let url = Url::parse(text).map_err(|e| fail(format!("{name}: {e}")))?;
            match url.scheme() {
                "https" => Ok(url),
                "http" if is_loopback(&url) => Ok(url),
                _ => Err(fail(format!(
                    "{name} {text:?} must be https (http only on loopback)"
                ))),
            }
        };
        let authorization_endpoint = AuthUrl::from_url(endpoint(
            "authorization_endpoint",
            &doc.authorization_endpoint,
        )?);
        let token_endpoint = TokenUrl::from_url(endpoint("token_endpoint", &doc.token_endpoint)?);
        let end_session_endpoint = doc
            .end_session_endpoint
            .as_deref()
            .map(|e| endpoint("end_session_endpoint", e))
            .transpose()?;
        endpoint("jwks_uri", &doc.jwks_uri)?;
        // The key cache survives a refetch that names the same key set.
        let jwks = match previous {
            Some(p) if p.jwks_uri == doc.jwks_uri => Arc::clone(&p.jwks),
            _ => Arc::new(
                JwksCache::remote(
                    &doc.jwks_uri,
                    TokenConfig::DEFAULT_JWKS_REFRESH_MIN_INTERVAL,
                    TokenConfig::DEFAULT_JWKS_MAX_AGE,
                )
                .map_err(|e| fail(format!("jwks_uri: {e}")))?,
            ),
        };
        tracing::info!("OIDC discovery document fetched");
        Ok(Discovered {
            authorization_endpoint,
            token_endpoint,
            end_session_endpoint,
            jwks_uri: doc.jwks_uri,
            jwks,
            fetched_at: Instant::now(),
        })
    }
}

/// Sorts a failed token request into "the provider said no" and "could not ask".
fn describe<RE: std::error::Error + 'static>(
    error: RequestTokenError<RE, BasicErrorResponse>,
) -> RefreshError {
    match error {
        RequestTokenError::ServerResponse(response) => {
            let mut text = response.error().to_string();
            if let Some(description) = response.error_description() {
                text.push_str(&format!(" ({description})"));
            }
            RefreshError::Refused(text)
        }
        RequestTokenError::Request(e) => {
            let mut text = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(cause) = source {
                text.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            RefreshError::Unavailable(text)
        }
        RequestTokenError::Parse(e, _) => {
            RefreshError::Unavailable(format!("not a token response: {e}"))
        }
        RequestTokenError::Other(e) => RefreshError::Unavailable(e),
    }
}

fn is_loopback(url: &Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    match literal.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    }
}

/// Why an ID token was refused. Names the failed check, never a claim's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdTokenError {
    #[error("not a well-formed signed JWT")]
    Malformed,
    #[error("algorithm not allowed")]
    AlgorithmNotAllowed,
    #[error("typed as an access token")]
    WrongType,
    #[error("critical header extension not supported")]
    UnsupportedCriticalHeader,
    #[error("no kid")]
    MissingKeyId,
    #[error("kid not in the provider's key set")]
    UnknownKey,
    #[error("the provider's key with that kid cannot verify its algorithm")]
    KeyMismatch,
    #[error("signature does not verify")]
    BadSignature,
    #[error("the provider's keys are not available")]
    KeysUnavailable,
    #[error("issuer is not the configured issuer")]
    WrongIssuer,
    #[error("audience does not include our client id")]
    WrongAudience,
    #[error("authorized party is not our client id")]
    WrongAuthorizedParty,
    #[error("expired")]
    Expired,
    #[error("issued in the future")]
    IssuedInFuture,
    #[error("nonce is not the one sent")]
    NonceMismatch,
    #[error("lacks the claim `{0}`")]
    MissingClaim(&'static str),
    #[error("claim `{0}` has the wrong type")]
    InvalidClaim(&'static str),
}

/// What an ID token must say.
#[derive(Debug, Clone, Copy)]
pub struct IdTokenExpectations<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub nonce: &'a str,
    /// Clock skew tolerated on `exp` and `iat`, in seconds.
    pub leeway: i64,
}

/// What a valid ID token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdClaims {
    pub subject: String,
    pub name: Option<String>,
}

/// Checks an ID token's signature with the provider's keys, then its claims
/// ([`check_id_claims`]).
pub async fn verify_id_token(
    token: &str,
    keys: &JwksCache,
    expect: &IdTokenExpectations<'_>,
    now: i64,
) -> Result<IdClaims, IdTokenError> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(IdTokenError::Malformed);
    }
    let (signing_input, signature) = token.rsplit_once('.').ok_or(IdTokenError::Malformed)?;
    let (header, payload) = signing_input
        .split_once('.')
        .ok_or(IdTokenError::Malformed)?;
    if header.is_empty() || payload.is_empty() || signature.is_empty() || payload.contains('.') {
        return Err(IdTokenError::Malformed);
    }
    let header: Map<String, Value> =
        serde_json::from_slice(&decode(header)?).map_err(|_| IdTokenError::Malformed)?;
    let alg = match header.get("alg") {
        Some(Value::String(alg)) => Algorithm::from_str(alg)
            .ok()
            .filter(|a| ID_TOKEN_ALGORITHMS.contains(a))
            .ok_or(IdTokenError::AlgorithmNotAllowed)?,
        _ => return Err(IdTokenError::Malformed),
    };
    // An access token (RFC 9068) is never accepted as an ID token.
    if let Some(Value::String(typ)) = header.get("typ")
        && (typ.eq_ignore_ascii_case("at+jwt") || typ.eq_ignore_ascii_case("application/at+jwt"))
    {
        return Err(IdTokenError::WrongType);
    }
    if header.contains_key("crit") {
        return Err(IdTokenError::UnsupportedCriticalHeader);
    }
    let kid = match header.get("kid") {
        Some(Value::String(kid)) if !kid.is_empty() && kid.len() <= 256 => kid.as_str(),
        Some(Value::String(_)) | None => return Err(IdTokenError::MissingKeyId),
        Some(_) => return Err(IdTokenError::Malformed),
    };
    let keys = match keys.lookup(kid).await {
        KeyLookup::Found(keys) => keys,
        KeyLookup::UnknownKid => return Err(IdTokenError::UnknownKey),
        KeyLookup::Unavailable => return Err(IdTokenError::KeysUnavailable),
    };
    let mut candidates = keys.matching(kid, alg).peekable();
    if candidates.peek().is_none() {
        return Err(IdTokenError::KeyMismatch);
    }
    let verified = candidates.any(|key| {
        key.decoding_key().is_some_and(|decoding_key| {
            jsonwebtoken::crypto::verify(signature, signing_input.as_bytes(), decoding_key, alg)
                .unwrap_or(false)
        })
    });
    if !verified {
        return Err(IdTokenError::BadSignature);
    }
    let claims: Map<String, Value> =
        serde_json::from_slice(&decode(payload)?).map_err(|_| IdTokenError::Malformed)?;
    check_id_claims(&claims, expect, now)
}

/// The claim checks of OpenID Connect Core 1.0 §3.1.3.7 that apply to the code flow.
pub fn check_id_claims(
    claims: &Map<String, Value>,
    expect: &IdTokenExpectations<'_>,
    now: i64,
) -> Result<IdClaims, IdTokenError> {
    match claims.get("iss") {
        Some(Value::String(iss)) if iss == expect.issuer => {}
        Some(_) => return Err(IdTokenError::WrongIssuer),
        None => return Err(IdTokenError::MissingClaim("iss")),
    }
    let audiences: Vec<&str> = match claims.get("aud") {
        Some(Value::String(aud)) => vec![aud.as_str()],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        Some(_) => return Err(IdTokenError::InvalidClaim("aud")),
        None => return Err(IdTokenError::MissingClaim("aud")),
    };
    if !audiences.contains(&expect.client_id) {
        return Err(IdTokenError::WrongAudience);
    }
    match claims.get("azp") {
        Some(Value::String(azp)) if azp != expect.client_id => {
            return Err(IdTokenError::WrongAuthorizedParty);
        }
        Some(Value::String(_)) => {}
        Some(_) => return Err(IdTokenError::InvalidClaim("azp")),
        None if audiences.len() > 1 => return Err(IdTokenError::WrongAuthorizedParty),
        None => {}
    }
    let seconds = |name: &'static str| -> Result<i64, IdTokenError> {
        match claims.get(name) {
            Some(Value::Number(n)) => n
                .as_i64()
                .or_else(|| {
                    n.as_f64()
                        .filter(|f| f.is_finite())
                        .map(|f| f.floor() as i64)
                })
                .ok_or(IdTokenError::InvalidClaim(name)),
            Some(_) => Err(IdTokenError::InvalidClaim(name)),
            None => Err(IdTokenError::MissingClaim(name)),
        }
    };
    if now.saturating_sub(expect.leeway) >= seconds("exp")? {
        return Err(IdTokenError::Expired);
    }
    if seconds("iat")? > now.saturating_add(expect.leeway) {
        return Err(IdTokenError::IssuedInFuture);
    }
    match claims.get("nonce") {
        Some(Value::String(nonce)) if constant_time_eq(nonce, expect.nonce) => {}
        Some(Value::String(_)) => return Err(IdTokenError::NonceMismatch),
        Some(_) => return Err(IdTokenError::InvalidClaim("nonce")),
        None => return Err(IdTokenError::MissingClaim("nonce")),
    }
    let subject = match claims.get("sub") {
        Some(Value::String(sub)) if !sub.is_empty() => sub.clone(),
        Some(Value::String(_)) | None => return Err(IdTokenError::MissingClaim("sub")),
        Some(_) => return Err(IdTokenError::InvalidClaim("sub")),
    };
    let name = ["name", "preferred_username"].iter().find_map(|claim| {
        claims
            .get(*claim)
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
    });
    Ok(IdClaims { subject, name })
}

fn decode(part: &str) -> Result<Vec<u8>, IdTokenError> {
    URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| IdTokenError::Malformed)
}

/// Compares two secrets in time that depends on neither's content: their SHA-256 digests are
/// compared byte by byte without an early exit.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    use sha2::{Digest as _, Sha256};
    let (a, b) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::auth::jwt::TokenMinter;

    const ISS: &str = "https://id.example.com";
    const CLIENT: &str = "scope-registry-web";
    const NONCE: &str = "n-0S6_WzA2Mj";
    const NOW: i64 = 1_750_000_000;

    fn expect() -> IdTokenExpectations<'static> {
        IdTokenExpectations {
            issuer: ISS,
            client_id: CLIENT,
            nonce: NONCE,
            leeway: 30,
        }
    }

    fn claims() -> Value {
        json!({
            "iss": ISS, "aud": CLIENT, "sub": "alice", "nonce": NONCE,
            "exp": NOW + 300, "iat": NOW - 5, "name": "Alice Ng",
        })
    }

    fn with(patch: Value) -> Map<String, Value> {
        let mut c = claims().as_object().cloned().unwrap();
        for (k, v) in patch.as_object().unwrap() {
            if v.is_null() {
                c.remove(k);
            } else {
                c.insert(k.clone(), v.clone());
            }
        }
        c
    }

    /// An ID token signed by `minter`, with the header fields given.
    fn sign(minter: &TokenMinter, header: &Value, claims: &Value) -> String {
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(header).unwrap()),
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap())
        );
        let signature = minter.sign_bytes(input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    #[test]
    fn a_valid_id_token_gives_its_subject_and_name() {
        let c = check_id_claims(&with(json!({})), &expect(), NOW).unwrap();
        assert_eq!(c.subject, "alice");
        assert_eq!(c.name.as_deref(), Some("Alice Ng"));
        // Several audiences are fine when `azp` is ours.
        let c = with(json!({"aud": [CLIENT, "other"], "azp": CLIENT}));
        assert!(check_id_claims(&c, &expect(), NOW).is_ok());
    }

    #[test]
    fn the_nonce_must_be_the_one_sent() {
        let e = check_id_claims(&with(json!({"nonce": "another"})), &expect(), NOW);
        assert_eq!(e, Err(IdTokenError::NonceMismatch));
        let e = check_id_claims(&with(json!({"nonce": null})), &expect(), NOW);
        assert_eq!(e, Err(IdTokenError::MissingClaim("nonce")));
    }

    #[test]
    fn the_audience_must_be_our_client() {
        let e = check_id_claims(&with(json!({"aud": "someone-else"})), &expect(), NOW);
        assert_eq!(e, Err(IdTokenError::WrongAudience));
        let e = check_id_claims(&with(json!({"aud": ["someone-else"]})), &expect(), NOW);
        assert_eq!(e, Err(IdTokenError::WrongAudience));
        let e = check_id_claims(&with(json!({"aud": [CLIENT, "other"]})), &expect(), NOW);
        assert_eq!(e, Err(IdTokenError::WrongAuthorizedParty));
        let e = check_id_claims(&with(json!({"azp": "other"})), &expect(), NOW);
        assert_eq!(e, Err(IdTokenError::WrongAuthorizedParty));
    }

    #[test]
    fn the_issuer_must_be_exactly_the_configured_one() {
        for iss in [
            "https://id.example.com/",
            "https://ID.example.com",
            "https://evil.example",
        ] {
            let e = check_id_claims(&with(json!({ "iss": iss })), &expect(), NOW);
            assert_eq!(e, Err(IdTokenError::WrongIssuer), "{iss}");
        }
    }

    #[test]
    fn expired_and_future_tokens_are_refused_with_the_leeway() {
        let e = check_id_claims(&with(json!({"exp": NOW - 31})), &expect(), NOW);
        assert_eq!(e, Err(IdTokenError::Expired));
        assert!(check_id_claims(&with(json!({"exp": NOW - 29})), &expect(), NOW).is_ok());
        let e = check_id_claims(&with(json!({"iat": NOW + 120})), &expect(), NOW);
        assert_eq!(e, Err(IdTokenError::IssuedInFuture));
        let e = check_id_claims(&with(json!({"exp": null})), &expect(), NOW);
        assert_eq!(e, Err(IdTokenError::MissingClaim("exp")));
    }

    #[actix_web::test]
    async fn the_signature_must_verify_with_the_providers_key() {
        let provider = TokenMinter::generate("idp-1").unwrap();
        let keys = JwksCache::fixed(&provider.jwks()).unwrap();
        let header = json!({"alg": "EdDSA", "kid": "idp-1", "typ": "JWT"});
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let good = json!({
            "iss": ISS, "aud": CLIENT, "sub": "alice", "nonce": NONCE,
            "exp": now + 300, "iat": now,
        });
        let token = sign(&provider, &header, &good);
        let c = verify_id_token(&token, &keys, &expect(), now)
            .await
            .unwrap();
        assert_eq!(c.subject, "alice");

        // Someone else's key under the provider's kid.
        let forger = TokenMinter::generate("idp-1").unwrap();
        let forged = sign(&forger, &header, &good);
        let e = verify_id_token(&forged, &keys, &expect(), now).await;
        assert_eq!(e, Err(IdTokenError::BadSignature));

        // A tampered payload.
        let (h, rest) = token.split_once('.').unwrap();
        let (_, s) = rest.split_once('.').unwrap();
        let other = URL_SAFE_NO_PAD
            .encode(serde_json::to_vec(&json!({"sub": "mallory"}).as_object()).unwrap());
        let tampered = format!("{h}.{other}.{s}");
        let e = verify_id_token(&tampered, &keys, &expect(), now).await;
        assert_eq!(e, Err(IdTokenError::BadSignature));

        // An access token is not an ID token, and `none` is no algorithm.
        let at = sign(
            &provider,
            &json!({"alg": "EdDSA", "kid": "idp-1", "typ": "at+jwt"}),
            &good,
        );
        let e = verify_id_token(&at, &keys, &expect(), now).await;
        assert_eq!(e, Err(IdTokenError::WrongType));
        let none = sign(&provider, &json!({"alg": "none", "kid": "idp-1"}), &good);
        let e = verify_id_token(&none, &keys, &expect(), now).await;
        assert_eq!(e, Err(IdTokenError::AlgorithmNotAllowed));
        let hs = sign(&provider, &json!({"alg": "HS256", "kid": "idp-1"}), &good);
        let e = verify_id_token(&hs, &keys, &expect(), now).await;
        assert_eq!(e, Err(IdTokenError::AlgorithmNotAllowed));
        let unknown = sign(&provider, &json!({"alg": "EdDSA", "kid": "idp-2"}), &good);
        let e = verify_id_token(&unknown, &keys, &expect(), now).await;
        assert_eq!(e, Err(IdTokenError::UnknownKey));
    }

    #[test]
    fn secrets_compare_equal_only_when_equal() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
        assert!(!constant_time_eq("", "a"));
    }
}
