//! Where the pull agent's bearer token comes from: OAuth2 client credentials (the `oauth2`
//! crate), cached until shortly before it expires, or a file another process keeps fresh.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use oauth2::basic::BasicClient;
use oauth2::{
    AuthType, ClientId, ClientSecret, EndpointNotSet, EndpointSet, RequestTokenError, Scope,
    TokenResponse, TokenUrl,
};

use super::PullError;

type CredentialsClient =
    BasicClient<EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// A token is renewed this long before the issuer says it expires (or at 90 % of its life for
/// short-lived tokens), so a request never leaves with a token about to lapse.
const RENEW_BEFORE: Duration = Duration::from_secs(60);

/// When the token response says nothing about expiry: reuse the token this long.
const UNKNOWN_LIFETIME: Duration = Duration::from_secs(60);

/// The client-credentials settings.
#[derive(Debug)]
pub struct ClientCredentials {
    pub token_url: reqwest::Url,
    pub client_id: String,
    pub client_secret: String,
    pub scopes: Vec<String>,
    /// Extra token request parameters: RFC 8707 `resource`, Auth0's `audience`, …
    pub params: Vec<(String, String)>,
}

/// Gives the bearer token for the next request.
pub enum TokenSource {
    ClientCredentials(Box<Exchange>),
    /// Read anew before each request: a sidecar or a secret manager keeps it fresh.
    File(PathBuf),
}

/// The client-credentials exchange and its cached token.
pub struct Exchange {
    client: CredentialsClient,
    settings: ClientCredentials,
    http: reqwest::Client,
    cached: Option<(String, Instant)>,
}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::ClientCredentials(exchange) => f
                .debug_struct("ClientCredentials")
                .field("token_url", &exchange.settings.token_url.as_str())
                .field("client_id", &exchange.settings.client_id)
                .finish_non_exhaustive(),
            Self::File(path) => f.debug_tuple("File").field(path).finish(),
        }
    }
}

impl TokenSource {
    pub fn client_credentials(settings: ClientCredentials, http: reqwest::Client) -> Self {
        let client = BasicClient::new(ClientId::new(settings.client_id.clone()))
            .set_client_secret(ClientSecret::new(settings.client_secret.clone()))
            .set_auth_type(AuthType::BasicAuth)
            .set_token_uri(TokenUrl::from_url(settings.token_url.clone()));
        Self::ClientCredentials(Box::new(Exchange {
            client,
            settings,
            http,
            cached: None,
        }))
    }

    /// The token to send now.
    pub async fn token(&mut self) -> Result<String, PullError> {
        match self {
            Self::File(path) => {
                let text = std::fs::read_to_string(&*path).map_err(|e| {
                    PullError::Token(format!(
                        "cannot read the token file {}: {e}",
                        path.display()
                    ))
                })?;
                let token = text.trim();
                if token.is_empty() {
                    return Err(PullError::Token(format!(
                        "the token file {} is empty",
                        path.display()
                    )));
                }
                Ok(token.to_owned())
            }
            Self::ClientCredentials(exchange) => {
                let Exchange {
                    client,
                    settings,
                    http,
                    cached,
                } = &mut **exchange;
                if let Some((token, renew_at)) = cached.as_ref()
                    && Instant::now() < *renew_at
                {
                    return Ok(token.clone());
                }
                let mut request = client.exchange_client_credentials();
                for scope in &settings.scopes {
                    request = request.add_scope(Scope::new(scope.clone()));
                }
                for (name, value) in &settings.params {
                    request = request.add_extra_param(name.clone(), value.clone());
                }
                let response = request
                    .request_async(&*http)
                    .await
                    .map_err(|e| PullError::Token(describe(&settings.token_url, e)))?;
                let lifetime = response.expires_in().unwrap_or(UNKNOWN_LIFETIME);
                let renew_at =
                    Instant::now() + lifetime.saturating_sub(RENEW_BEFORE.min(lifetime / 10));
                let token = response.access_token().secret().clone();
                *cached = Some((token.clone(), renew_at));
                Ok(token)
            }
        }
    }

    /// Forget a cached token (the registry refused it): the next request gets a new one.
    pub fn invalidate(&mut self) {
        if let Self::ClientCredentials(exchange) = self {
            exchange.cached = None;
        }
    }
}

fn describe<RE: std::error::Error + 'static>(
    url: &reqwest::Url,
    error: RequestTokenError<RE, oauth2::basic::BasicErrorResponse>,
) -> String {
    match error {
        RequestTokenError::ServerResponse(response) => {
            let mut text = format!("the token endpoint {url} refused: {}", response.error());
            if let Some(description) = response.error_description() {
                text.push_str(&format!(" ({description})"));
            }
            text
        }
        RequestTokenError::Request(e) => {
            let mut text = format!("cannot reach the token endpoint {url}: {e}");
            let mut source = std::error::Error::source(&e);
            while let Some(cause) = source {
                text.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            text
        }
        RequestTokenError::Parse(e, _) => {
            format!("the token endpoint {url} did not answer with a token response: {e}")
        }
        RequestTokenError::Other(e) => format!("token request to {url} failed: {e}"),
    }
}
