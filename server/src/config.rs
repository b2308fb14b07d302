//! Configuration of `scope-registry serve`: a TOML file (`--config`), `SCOPE_REGISTRY_*`
//! environment variables and flags, in rising order of precedence. A bad setting is refused at
//! start with a message that names it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::db::DatabaseUrl;
use crate::observability::LogFormat;

/// Flags and environment variables of `serve` (each overrides the same key of the file).
#[derive(Debug, Default, clap::Args)]
pub struct ServeArgs {
    /// TOML configuration file (keys as in the README's configuration table).
    #[arg(long, env = "SCOPE_REGISTRY_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "SCOPE_REGISTRY_BIND", value_name = "ADDR")]
    pub bind: Option<String>,
    /// Database: sqlite://PATH or postgres://USER@HOST/DB [default: sqlite://./scope-registry.db].
    #[arg(
        long = "database",
        env = "SCOPE_REGISTRY_DATABASE_URL",
        value_name = "URL"
    )]
    pub database_url: Option<String>,
    /// The naming policy file (scope-policy.toml) [default: the built-in policy].
    #[arg(long, env = "SCOPE_REGISTRY_POLICY", value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Issuer (`iss`) of the access tokens the registry accepts.
    #[arg(long, env = "SCOPE_REGISTRY_TOKEN_ISSUER", value_name = "URL")]
    pub token_issuer: Option<String>,
    /// JWKS URL of that issuer [default: the issuer's discovery document's `jwks_uri` is not
    /// fetched; set this explicitly].
    #[arg(long, env = "SCOPE_REGISTRY_TOKEN_JWKS_URI", value_name = "URL")]
    pub token_jwks_uri: Option<String>,
    /// Audience (`aud`) the tokens must carry [default: scope-registry].
    #[arg(long, env = "SCOPE_REGISTRY_TOKEN_AUDIENCE", value_name = "AUD")]
    pub token_audience: Option<String>,
    /// Claim holding the caller's groups [default: groups].
    #[arg(long, env = "SCOPE_REGISTRY_GROUPS_CLAIM", value_name = "CLAIM")]
    pub groups_claim: Option<String>,
    /// Group whose members administer the registry [default: registry-admins].
    #[arg(long, env = "SCOPE_REGISTRY_ADMIN_GROUP", value_name = "GROUP")]
    pub admin_group: Option<String>,
    /// Group of the security reviewers [default: security-reviewers].
    #[arg(
        long,
        env = "SCOPE_REGISTRY_SECURITY_REVIEWER_GROUP",
        value_name = "GROUP"
    )]
    pub security_reviewer_group: Option<String>,
    /// Log format.
    #[arg(long, env = "SCOPE_REGISTRY_LOG_FORMAT", value_enum)]
    pub log_format: Option<LogFormat>,
    /// The catalog signing key: a PKCS#8 PEM Ed25519 private key file (`openssl genpkey
    /// -algorithm ed25519`) [default: a key the registry keeps in the database].
    #[arg(
        long,
        env = "SCOPE_REGISTRY_CATALOG_SIGNING_KEY_FILE",
        value_name = "FILE"
    )]
    pub catalog_signing_key_file: Option<PathBuf>,
    /// Demo mode: loopback only, seeded data and personas, its own token issuer.
    #[arg(long, env = "SCOPE_REGISTRY_DEMO")]
    pub demo: bool,
    /// The registry's external base URL, as browsers reach it (https://scopes.example.com)
    /// [default: http://BIND in demo mode].
    #[arg(long, env = "SCOPE_REGISTRY_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,
    /// OpenID provider people sign in to the web UI with (its issuer identifier).
    #[arg(long, env = "SCOPE_REGISTRY_OIDC_ISSUER", value_name = "URL")]
    pub oidc_issuer: Option<String>,
    /// The registry's client id at that provider.
    #[arg(long, env = "SCOPE_REGISTRY_OIDC_CLIENT_ID", value_name = "ID")]
    pub oidc_client_id: Option<String>,
    /// File holding the registry's client secret at that provider.
    #[arg(
        long,
        env = "SCOPE_REGISTRY_OIDC_CLIENT_SECRET_FILE",
        value_name = "FILE"
    )]
    pub oidc_client_secret_file: Option<PathBuf>,
    /// A reverse proxy or load balancer in front of the registry (an address or a network,
    /// repeatable; comma-separated in the environment): from these, the client's address is
    /// taken from `X-Forwarded-For` for per-client limits [default: none, the header is ignored].
    #[arg(
        long = "trusted-proxy",
        env = "SCOPE_REGISTRY_TRUSTED_PROXIES",
        value_name = "CIDR",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<String>,
}

/// The configuration file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub bind: Option<String>,
    pub database_url: Option<String>,
    pub policy: Option<PathBuf>,
    pub log_format: Option<LogFormat>,
    pub demo: Option<bool>,
    pub public_url: Option<String>,
    pub max_body_bytes: Option<usize>,
    pub pool_size: Option<u32>,
    pub trusted_proxies: Option<Vec<String>>,
    #[serde(default)]
    pub token: TokenFile,
    #[serde(default)]
    pub roles: RolesFile,
    #[serde(default)]
    pub export: ExportFile,
    #[serde(default)]
    pub catalog: CatalogFile,
    #[serde(default)]
    pub oidc: OidcFile,
}

/// Sign-in for people (the web UI) through an OpenID provider.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcFile {
    pub issuer: Option<String>,
    pub client_id: Option<String>,
    pub client_secret_file: Option<PathBuf>,
    /// Space-separated scopes to ask for; must include `openid`.
    pub scopes: Option<String>,
    /// RFC 8707 resource indicator; `""` sends none.
    pub resource: Option<String>,
}

/// How the catalog is signed.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogFile {
    /// PKCS#8 PEM Ed25519 private key that signs the catalog (instead of a database key).
    pub signing_key_file: Option<PathBuf>,
    /// How long a retired signing key stays published, in hours (default 168, 7 days).
    pub retired_key_grace_hours: Option<u64>,
}

/// What the catalog's target formats need to know about the deployment.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportFile {
    /// The authorization server's token endpoint (the `openapi` format's `tokenUrl`).
    pub token_url: Option<String>,
    /// Its authorization endpoint (adds an `authorizationCode` flow to `openapi`).
    pub authorization_url: Option<String>,
    /// Audience for scopes that name none (Keycloak's audience mapper).
    pub default_audience: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenFile {
    pub issuer: Option<String>,
    pub jwks_uri: Option<String>,
    pub audience: Option<String>,
    pub leeway_seconds: Option<u64>,
    pub groups_claim: Option<String>,
    pub name_claim: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RolesFile {
    pub admin_group: Option<String>,
    pub security_reviewer_group: Option<String>,
}

/// Who issues the tokens the registry trusts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenSource {
    /// An external issuer, keys from its JWKS.
    Issuer { issuer: String, jwks_uri: String },
    /// The demo mode's own issuer (keys in the database); never trusted outside demo mode.
    Demo,
}

/// How people sign in to the web UI through an OpenID provider (`[oidc]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OidcSettings {
    /// The provider's issuer identifier; its discovery document must name exactly this issuer.
    pub issuer: String,
    pub client_id: String,
    /// The client secret's file (read at start), or none for a public client (PKCE only).
    pub client_secret_file: Option<PathBuf>,
    pub scopes: Vec<String>,
    /// RFC 8707 resource indicator sent with the authorization and token requests, so the
    /// provider issues an access token for the registry's audience.
    pub resource: Option<String>,
}

/// The scopes asked for at sign-in unless `oidc.scopes` says otherwise: the ID token's, and the
/// registry's own permissions.
pub const DEFAULT_OIDC_SCOPES: &str = "openid profile scope-registry:catalog:read \
     scope-registry:change-requests:write scope-registry:reviews:write scope-registry:domains:manage";

/// The resolved configuration.
#[derive(Clone, Debug)]
pub struct Settings {
    pub bind: SocketAddr,
    pub database: DatabaseUrl,
    pub policy_file: Option<PathBuf>,
    pub log_format: LogFormat,
    pub demo: bool,
    pub max_body_bytes: usize,
    pub pool_size: u32,
    pub tokens: TokenSource,
    pub audience: String,
    pub leeway: Duration,
    pub groups_claim: String,
    pub name_claim: String,
    pub admin_group: String,
    pub security_reviewer_group: String,
    pub export: crate::catalog::formats::ExportOptions,
    /// `catalog.signing_key_file`: the key that signs the catalog, if not a database key.
    pub signing_key_file: Option<PathBuf>,
    /// `catalog.retired_key_grace_hours`: how long a retired signing key stays published.
    pub retired_key_grace: Duration,
    /// `public_url`: the registry's external origin (`scheme://host[:port]`, no trailing
    /// slash), when known: required with `[oidc]`, `http://BIND` by default in demo mode.
    pub public_url: Option<String>,
    /// `[oidc]`: sign-in for people, when configured.
    pub oidc: Option<OidcSettings>,
    /// `trusted_proxies`: the proxies whose `X-Forwarded-For` names the client
    /// ([`crate::client`]).
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

/// A setting that cannot be used, named.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {setting}: {message}")]
pub struct ConfigError {
    pub setting: String,
    pub message: String,
}

fn err(setting: &str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        setting: setting.to_owned(),
        message: message.into(),
    }
}

pub const DEMO_ISSUER: &str = "urn:scope-registry:demo-issuer";
const DEFAULT_BIND: &str = "127.0.0.1:8080";
const DEFAULT_DATABASE: &str = "sqlite://./scope-registry.db";
const DEFAULT_RETIRED_KEY_GRACE_HOURS: u64 = 7 * 24;
const MAX_RETIRED_KEY_GRACE_HOURS: u64 = 365 * 24;

impl Settings {
    /// Reads the file named by `--config` (if any) and resolves everything.
    pub fn load(args: &ServeArgs) -> Result<Self, ConfigError> {
        let file = match &args.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        Self::resolve(args, file)
    }

    pub fn resolve(args: &ServeArgs, file: FileConfig) -> Result<Self, ConfigError> {
        let demo = args.demo || file.demo.unwrap_or(false);
        let bind_text = args
            .bind
            .clone()
            .or(file.bind)
            .unwrap_or_else(|| DEFAULT_BIND.to_owned());
        let bind: SocketAddr = bind_text.parse().map_err(|_| {
            err(
                "bind",
                format!("{bind_text:?} is not an address such as 127.0.0.1:8080"),
            )
        })?;
        if demo && !bind.ip().is_loopback() {
            return Err(err(
                "bind",
                format!(
                    "demo mode listens on loopback only (127.0.0.1 or ::1), not {}",
                    bind.ip()
                ),
            ));
        }
        let database_text = args
            .database_url
            .clone()
            .or(file.database_url)
            .unwrap_or_else(|| DEFAULT_DATABASE.to_owned());
        let database =
            DatabaseUrl::parse(&database_text).map_err(|e| err("database_url", e.to_string()))?;
        let policy_file = args.policy.clone().or(file.policy);
        let token = file.token;
        let issuer = args.token_issuer.clone().or(token.issuer);
        let jwks_uri = args.token_jwks_uri.clone().or(token.jwks_uri);
        let tokens = match (demo, issuer, jwks_uri) {
            (true, None, None) => TokenSource::Demo,
            (true, _, _) => {
                return Err(err(
                    "token.issuer",
                    "demo mode trusts only its own issuer; leave token.issuer and token.jwks_uri unset",
                ));
            }
            (false, Some(issuer), Some(jwks_uri)) => {
                if issuer == DEMO_ISSUER {
                    return Err(err(
                        "token.issuer",
                        "the demo issuer is trusted only in demo mode",
                    ));
                }
                TokenSource::Issuer { issuer, jwks_uri }
            }
            (false, None, _) => {
                return Err(err(
                    "token.issuer",
                    "required: the issuer of the access tokens to accept (or run with --demo)",
                ));
            }
            (false, Some(_), None) => {
                return Err(err(
                    "token.jwks_uri",
                    "required: where the issuer publishes its keys",
                ));
            }
        };
        let leeway_seconds = token.leeway_seconds.unwrap_or(30);
        if leeway_seconds > 60 {
            return Err(err("token.leeway_seconds", "at most 60"));
        }
        let max_body_bytes = file.max_body_bytes.unwrap_or(256 * 1024);
        if !(1024..=16 * 1024 * 1024).contains(&max_body_bytes) {
            return Err(err("max_body_bytes", "between 1024 and 16777216"));
        }
        let pool_size = file.pool_size.unwrap_or(8);
        if !(1..=128).contains(&pool_size) {
            return Err(err("pool_size", "between 1 and 128"));
        }
        for (setting, url) in [
            ("export.token_url", &file.export.token_url),
            ("export.authorization_url", &file.export.authorization_url),
        ] {
            if let Some(u) = url
                && !(u.starts_with("https://") || u.starts_with("http://"))
            {
                return Err(err(setting, format!("{u:?} is not an http(s) URL")));
            }
        }
        let export = crate::catalog::formats::ExportOptions {
            token_url: file.export.token_url.clone(),
            authorization_url: file.export.authorization_url.clone(),
            default_audience: file.export.default_audience.clone(),
        };
        let signing_key_file = args
            .catalog_signing_key_file
            .clone()
            .or(file.catalog.signing_key_file);
        if signing_key_file
            .as_ref()
            .is_some_and(|p| p.as_os_str().is_empty())
        {
            return Err(err("catalog.signing_key_file", "must not be empty"));
        }
        let grace_hours = file
            .catalog
            .retired_key_grace_hours
            .unwrap_or(DEFAULT_RETIRED_KEY_GRACE_HOURS);
        if grace_hours > MAX_RETIRED_KEY_GRACE_HOURS {
            return Err(err(
                "catalog.retired_key_grace_hours",
                format!("at most {MAX_RETIRED_KEY_GRACE_HOURS} (a year)"),
            ));
        }
        let public_url = match args.public_url.clone().or(file.public_url) {
            Some(url) => Some(public_origin(&url)?),
            None if demo => Some(format!("http://{bind}")),
            None => None,
        };
        let oidc = resolve_oidc(args, file.oidc, demo, public_url.is_some())?;
        let trusted_proxies = if args.trusted_proxies.is_empty() {
            file.trusted_proxies.unwrap_or_default()
        } else {
            args.trusted_proxies.clone()
        }
        .iter()
        .map(|entry| crate::client::parse_trusted(entry).map_err(|e| err("trusted_proxies", e)))
        .collect::<Result<Vec<_>, _>>()?;
        let non_empty = |setting: &str, value: Option<String>, default: &str| {
            let v = value.unwrap_or_else(|| default.to_owned());
            if v.trim().is_empty() {
                Err(err(setting, "must not be empty"))
            } else {
                Ok(v)
            }
        };
        Ok(Self::default_resource(Self {
            bind,
            database,
            policy_file,
            log_format: args.log_format.or(file.log_format).unwrap_or_default(),
            demo,
            max_body_bytes,
            pool_size,
            trusted_proxies,
            tokens,
            audience: non_empty(
                "token.audience",
                args.token_audience.clone().or(token.audience),
                "scope-registry",
            )?,
            leeway: Duration::from_secs(leeway_seconds),
            groups_claim: non_empty(
                "token.groups_claim",
                args.groups_claim.clone().or(token.groups_claim),
                "groups",
            )?,
            name_claim: non_empty("token.name_claim", token.name_claim, "name")?,
            admin_group: non_empty(
                "roles.admin_group",
                args.admin_group.clone().or(file.roles.admin_group),
                "registry-admins",
            )?,
            security_reviewer_group: non_empty(
                "roles.security_reviewer_group",
                args.security_reviewer_group
                    .clone()
                    .or(file.roles.security_reviewer_group),
                "security-reviewers",
            )?,
            export,
            signing_key_file,
            retired_key_grace: Duration::from_secs(grace_hours * 3600),
            public_url,
            oidc,
        }))
    }

    /// `oidc.resource` defaults to the token audience when that is an absolute URI (RFC 8707
    /// wants one; a provider would refuse `scope-registry` as a resource).
    fn default_resource(mut self) -> Self {
        if let Some(oidc) = &mut self.oidc {
            match oidc.resource.as_deref() {
                None if is_absolute_uri(&self.audience) => {
                    oidc.resource = Some(self.audience.clone());
                }
                Some("") => oidc.resource = None,
                _ => {}
            }
        }
        self
    }

    /// Reads `oidc.client_secret_file`, if set: the error names the file and what is wrong,
    /// never its content.
    pub fn load_oidc_client_secret(&self) -> Result<Option<String>, ConfigError> {
        let Some(path) = self
            .oidc
            .as_ref()
            .and_then(|o| o.client_secret_file.as_ref())
        else {
            return Ok(None);
        };
        let setting = "oidc.client_secret_file";
        let text = std::fs::read_to_string(path)
            .map_err(|e| err(setting, format!("cannot read {}: {e}", path.display())))?;
        let secret = text.trim();
        if secret.is_empty() {
            return Err(err(setting, format!("{} is empty", path.display())));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            if let Ok(meta) = std::fs::metadata(path)
                && meta.permissions().mode() & 0o077 != 0
            {
                tracing::warn!(file = %path.display(), "the OIDC client secret file can be read by others than its owner (chmod 600 it)");
            }
        }
        Ok(Some(secret.to_owned()))
    }

    /// Reads `catalog.signing_key_file`, if set: the error names the file and what is wrong with
    /// it, never its content.
    pub fn load_signing_key(
        &self,
    ) -> Result<Option<crate::catalog::signing_keys::FileKey>, ConfigError> {
        let Some(path) = &self.signing_key_file else {
            return Ok(None);
        };
        crate::catalog::signing_keys::FileKey::read(path)
            .map(Some)
            .map_err(|e| {
                err(
                    "catalog.signing_key_file",
                    format!("{}: {e}", path.display()),
                )
            })
    }

    /// Reads the policy file, or the built-in policy.
    pub fn load_policy(&self) -> Result<scope_lint::Policy, ConfigError> {
        let Some(path) = &self.policy_file else {
            return Ok(scope_lint::Policy::default());
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| err("policy", format!("cannot read {}: {e}", path.display())))?;
        scope_lint::Policy::from_toml(&text)
            .map_err(|e| err("policy", format!("{}: {e}", path.display())))
    }
}

/// `[oidc]` from flags, environment and file; `None` when no key of it is set.
fn resolve_oidc(
    args: &ServeArgs,
    file: OidcFile,
    demo: bool,
    has_public_url: bool,
) -> Result<Option<OidcSettings>, ConfigError> {
    let issuer = args.oidc_issuer.clone().or(file.issuer);
    let client_id = args.oidc_client_id.clone().or(file.client_id);
    let client_secret_file = args
        .oidc_client_secret_file
        .clone()
        .or(file.client_secret_file);
    let any = issuer.is_some()
        || client_id.is_some()
        || client_secret_file.is_some()
        || file.scopes.is_some()
        || file.resource.is_some();
    if !any {
        return Ok(None);
    }
    if demo {
        return Err(err(
            "oidc.issuer",
            "demo mode signs people in only as its seeded personas; leave [oidc] unset",
        ));
    }
    let issuer = issuer.ok_or_else(|| {
        err(
            "oidc.issuer",
            "required with the other [oidc] settings: the OpenID provider's issuer",
        )
    })?;
    web_url("oidc.issuer", &issuer)?;
    let client_id = client_id.filter(|c| !c.trim().is_empty()).ok_or_else(|| {
        err(
            "oidc.client_id",
            "required: the registry's client id at the provider",
        )
    })?;
    if client_secret_file
        .as_ref()
        .is_some_and(|p| p.as_os_str().is_empty())
    {
        return Err(err("oidc.client_secret_file", "must not be empty"));
    }
    let scopes: Vec<String> = file
        .scopes
        .as_deref()
        .unwrap_or(DEFAULT_OIDC_SCOPES)
        .split_ascii_whitespace()
        .map(str::to_owned)
        .collect();
    if !scopes.iter().any(|s| s == "openid") {
        return Err(err(
            "oidc.scopes",
            "must include `openid` (sign-in needs an ID token)",
        ));
    }
    if let Some(bad) = scopes
        .iter()
        .find(|s| s.chars().any(|c| c.is_control() || c == '"' || c == '\\'))
    {
        return Err(err(
            "oidc.scopes",
            format!("{bad:?} is not a valid scope token"),
        ));
    }
    let resource = match file.resource {
        Some(r) if r.is_empty() => Some(String::new()),
        Some(r) if is_absolute_uri(&r) => Some(r),
        Some(r) => {
            return Err(err(
                "oidc.resource",
                format!("{r:?} is not an absolute URI (RFC 8707); \"\" sends none"),
            ));
        }
        None => None,
    };
    if !has_public_url {
        return Err(err(
            "public_url",
            "required with [oidc]: the registry's address as browsers reach it, such as \
             https://scopes.example.com (the provider redirects to <public_url>/auth/callback)",
        ));
    }
    Ok(Some(OidcSettings {
        issuer,
        client_id,
        client_secret_file,
        scopes,
        // `Some("")` is the explicit "send none"; `None` takes the default (`default_resource`).
        resource,
    }))
}

/// An https URL, or http on a loopback host (a provider or registry on this machine).
fn web_url(setting: &str, text: &str) -> Result<reqwest::Url, ConfigError> {
    let url = reqwest::Url::parse(text)
        .map_err(|e| err(setting, format!("{text:?} is not a URL: {e}")))?;
    let host = url.host_str().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        "http" => Err(err(
            setting,
            format!("{text:?} must use https (plain http only on a loopback address)"),
        )),
        _ => Err(err(setting, format!("{text:?} is not an http(s) URL"))),
    }
}

/// `public_url` as an origin, `scheme://host[:port]`: no path (the registry is served at the
/// root, which `__Host-` cookies need), query, fragment or credentials.
fn public_origin(text: &str) -> Result<String, ConfigError> {
    let url = web_url("public_url", text)?;
    if url.path() != "/"
        || url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err(err(
            "public_url",
            format!(
                "{text:?} must be only scheme, host and port, such as https://scopes.example.com"
            ),
        ));
    }
    Ok(url.origin().ascii_serialization())
}

fn is_absolute_uri(text: &str) -> bool {
    reqwest::Url::parse(text).is_ok()
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| err("config", format!("cannot read {}: {e}", path.display())))?;
    toml::from_str(&text).map_err(|e| {
        let line = e.span().map(|s| {
            text.get(..s.start)
                .unwrap_or_default()
                .matches('\n')
                .count()
                + 1
        });
        let at = line.map(|l| format!(" line {l}:")).unwrap_or_default();
        err(
            "config",
            format!("{}:{at} {}", path.display(), e.message().trim()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> ServeArgs {
        ServeArgs {
            token_issuer: Some("https://id.example.com".into()),
            token_jwks_uri: Some("https://id.example.com/jwks".into()),
            ..ServeArgs::default()
        }
    }

    #[test]
    fn defaults() {
        let s = Settings::resolve(&args(), FileConfig::default()).unwrap();
        assert_eq!(s.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(
            s.database,
            DatabaseUrl::Sqlite("./scope-registry.db".into())
        );
        assert_eq!(s.audience, "scope-registry");
        assert_eq!(s.groups_claim, "groups");
    }

    #[test]
    fn flags_override_the_file() {
        let file: FileConfig =
            toml::from_str("bind = \"127.0.0.1:9000\"\n[token]\naudience = \"from-file\"\n")
                .unwrap();
        let mut a = args();
        a.token_audience = Some("from-flag".into());
        let s = Settings::resolve(&a, file).unwrap();
        assert_eq!(s.bind.port(), 9000);
        assert_eq!(s.audience, "from-flag");
    }

    #[test]
    fn trusted_proxies_come_from_the_file_or_the_flags_and_are_checked() {
        let file = || -> FileConfig {
            toml::from_str("trusted_proxies = [\"10.0.0.0/8\", \"192.0.2.7\"]\n").unwrap()
        };
        let s = Settings::resolve(&args(), file()).unwrap();
        let nets: Vec<String> = s.trusted_proxies.iter().map(ToString::to_string).collect();
        assert_eq!(nets, ["10.0.0.0/8", "192.0.2.7/32"]);
        let mut a = args();
        a.trusted_proxies = vec!["fd00::/8".into()];
        let s = Settings::resolve(&a, file()).unwrap();
        assert_eq!(s.trusted_proxies.len(), 1);
        assert!(
            Settings::resolve(&args(), FileConfig::default())
                .unwrap()
                .trusted_proxies
                .is_empty()
        );
        a.trusted_proxies = vec!["proxy.internal".into()];
        let e = Settings::resolve(&a, FileConfig::default()).unwrap_err();
        assert_eq!(e.setting, "trusted_proxies");
        assert!(e.message.contains("proxy.internal"), "{e}");
    }

    #[test]
    fn errors_name_the_setting() {
        let mut a = args();
        a.bind = Some("nonsense".into());
        assert_eq!(
            Settings::resolve(&a, FileConfig::default())
                .unwrap_err()
                .setting,
            "bind"
        );
        let e = Settings::resolve(&ServeArgs::default(), FileConfig::default()).unwrap_err();
        assert_eq!(e.setting, "token.issuer");
        let mut a = args();
        a.database_url = Some("mysql://x".into());
        assert_eq!(
            Settings::resolve(&a, FileConfig::default())
                .unwrap_err()
                .setting,
            "database_url"
        );
        let file: FileConfig = toml::from_str("[token]\nleeway_seconds = 300\n").unwrap();
        assert_eq!(
            Settings::resolve(&args(), file).unwrap_err().setting,
            "token.leeway_seconds"
        );
    }

    #[test]
    fn demo_mode_is_loopback_only_and_trusts_only_itself() {
        let demo = ServeArgs {
            demo: true,
            bind: Some("0.0.0.0:8080".into()),
            ..ServeArgs::default()
        };
        assert_eq!(
            Settings::resolve(&demo, FileConfig::default())
                .unwrap_err()
                .setting,
            "bind"
        );
        let demo = ServeArgs {
            demo: true,
            ..ServeArgs::default()
        };
        assert_eq!(
            Settings::resolve(&demo, FileConfig::default())
                .unwrap()
                .tokens,
            TokenSource::Demo
        );
        let mut not_demo = args();
        not_demo.token_issuer = Some(DEMO_ISSUER.into());
        assert_eq!(
            Settings::resolve(&not_demo, FileConfig::default())
                .unwrap_err()
                .setting,
            "token.issuer"
        );
    }

    #[test]
    fn catalog_signing_settings() {
        let s = Settings::resolve(&args(), FileConfig::default()).unwrap();
        assert_eq!(s.signing_key_file, None);
        assert_eq!(s.retired_key_grace, Duration::from_secs(7 * 24 * 3600));
        let file: FileConfig = toml::from_str(
            "[catalog]\nsigning_key_file = \"/etc/registry/catalog.pem\"\nretired_key_grace_hours = 0\n",
        )
        .unwrap();
        let s = Settings::resolve(&args(), file).unwrap();
        assert_eq!(s.retired_key_grace, Duration::ZERO);
        assert_eq!(
            s.signing_key_file.as_deref(),
            Some(Path::new("/etc/registry/catalog.pem"))
        );
        let mut a = args();
        a.catalog_signing_key_file = Some("/run/secrets/catalog.pem".into());
        let file: FileConfig =
            toml::from_str("[catalog]\nsigning_key_file = \"/etc/x.pem\"\n").unwrap();
        let s = Settings::resolve(&a, file).unwrap();
        assert_eq!(
            s.signing_key_file.as_deref(),
            Some(Path::new("/run/secrets/catalog.pem"))
        );
        let file: FileConfig =
            toml::from_str("[catalog]\nretired_key_grace_hours = 100000\n").unwrap();
        assert_eq!(
            Settings::resolve(&args(), file).unwrap_err().setting,
            "catalog.retired_key_grace_hours"
        );
        let mut a = args();
        a.catalog_signing_key_file = Some(PathBuf::from("/nonexistent/catalog.pem"));
        let s = Settings::resolve(&a, FileConfig::default()).unwrap();
        let e = s.load_signing_key().unwrap_err();
        assert_eq!(e.setting, "catalog.signing_key_file");
        assert!(e.to_string().contains("/nonexistent/catalog.pem"), "{e}");
    }

    #[test]
    fn web_sign_in_settings() {
        // Without [oidc]: no sign-in, and no public URL needed.
        let s = Settings::resolve(&args(), FileConfig::default()).unwrap();
        assert_eq!(s.oidc, None);
        assert_eq!(s.public_url, None);

        let file: FileConfig = toml::from_str(
            "public_url = \"https://scopes.example.com/\"\n[token]\naudience = \"https://scopes.example.com/api\"\n\
             [oidc]\nissuer = \"https://id.example.com\"\nclient_id = \"scope-registry-web\"\n",
        )
        .unwrap();
        let s = Settings::resolve(&args(), file).unwrap();
        assert_eq!(s.public_url.as_deref(), Some("https://scopes.example.com"));
        let oidc = s.oidc.unwrap();
        assert_eq!(oidc.client_id, "scope-registry-web");
        assert_eq!(oidc.scopes[0], "openid");
        assert!(
            oidc.scopes
                .iter()
                .any(|s| s == "scope-registry:reviews:write")
        );
        // The resource defaults to the token audience when that is a URI …
        assert_eq!(
            oidc.resource.as_deref(),
            Some("https://scopes.example.com/api")
        );

        // … and to none when it is not (`scope-registry`), or when set to "".
        let mut a = args();
        a.public_url = Some("https://scopes.example.com".into());
        a.oidc_issuer = Some("https://id.example.com".into());
        a.oidc_client_id = Some("web".into());
        let s = Settings::resolve(&a, FileConfig::default()).unwrap();
        assert_eq!(s.oidc.unwrap().resource, None);
        let file: FileConfig =
            toml::from_str("[token]\naudience = \"https://r.test/\"\n[oidc]\nresource = \"\"\n")
                .unwrap();
        assert_eq!(
            Settings::resolve(&a, file).unwrap().oidc.unwrap().resource,
            None
        );

        // Demo mode: its own address, and no provider.
        let demo = ServeArgs {
            demo: true,
            ..ServeArgs::default()
        };
        let s = Settings::resolve(&demo, FileConfig::default()).unwrap();
        assert_eq!(s.public_url.as_deref(), Some("http://127.0.0.1:8080"));
        let demo = ServeArgs {
            demo: true,
            oidc_issuer: Some("https://id.example.com".into()),
            ..ServeArgs::default()
        };
        assert_eq!(
            Settings::resolve(&demo, FileConfig::default())
                .unwrap_err()
                .setting,
            "oidc.issuer"
        );
    }

    #[test]
    fn bad_web_sign_in_settings_are_named() {
        let setting = |a: &ServeArgs, file: &str| {
            Settings::resolve(a, toml::from_str(file).unwrap())
                .unwrap_err()
                .setting
        };
        let mut a = args();
        a.oidc_issuer = Some("https://id.example.com".into());
        a.oidc_client_id = Some("web".into());
        assert_eq!(setting(&a, ""), "public_url");
        for bad in [
            "http://scopes.example.com",
            "https://scopes.example.com/registry",
            "https://scopes.example.com/?x=1",
            "ftp://scopes.example.com",
            "not a url",
        ] {
            assert_eq!(
                setting(&a, &format!("public_url = {bad:?}")),
                "public_url",
                "{bad}"
            );
        }
        a.public_url = Some("https://scopes.example.com".into());
        assert!(Settings::resolve(&a, FileConfig::default()).is_ok());
        // http only on loopback.
        a.public_url = Some("http://127.0.0.1:8080".into());
        assert!(Settings::resolve(&a, FileConfig::default()).is_ok());
        a.oidc_issuer = Some("http://id.example.com".into());
        assert_eq!(setting(&a, ""), "oidc.issuer");
        a.oidc_issuer = Some("https://id.example.com".into());
        assert_eq!(
            setting(&a, "[oidc]\nscopes = \"profile email\"\n"),
            "oidc.scopes"
        );
        assert_eq!(
            setting(&a, "[oidc]\nresource = \"registry\"\n"),
            "oidc.resource"
        );
        a.oidc_client_id = None;
        assert_eq!(setting(&a, ""), "oidc.client_id");
        let mut a = args();
        a.oidc_client_id = Some("web".into());
        assert_eq!(setting(&a, ""), "oidc.issuer");
    }

    #[test]
    fn the_client_secret_file_is_read_and_checked() {
        let dir = std::env::temp_dir().join(format!("sr-oidc-secret-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut a = args();
        a.public_url = Some("https://scopes.example.com".into());
        a.oidc_issuer = Some("https://id.example.com".into());
        a.oidc_client_id = Some("web".into());
        let file = dir.join("secret");
        std::fs::write(&file, "s3cret\n").unwrap();
        a.oidc_client_secret_file = Some(file.clone());
        let s = Settings::resolve(&a, FileConfig::default()).unwrap();
        assert_eq!(
            s.load_oidc_client_secret().unwrap().as_deref(),
            Some("s3cret")
        );
        std::fs::write(&file, "\n").unwrap();
        let e = s.load_oidc_client_secret().unwrap_err();
        assert_eq!(e.setting, "oidc.client_secret_file");
        std::fs::remove_file(&file).unwrap();
        let e = s.load_oidc_client_secret().unwrap_err();
        assert!(e.to_string().contains("cannot read"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn unknown_file_keys_are_refused() {
        assert!(toml::from_str::<FileConfig>("bnd = \"x\"\n").is_err());
    }
}
