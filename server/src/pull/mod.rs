//! `scope-registry pull`: the pull agent. It keeps one file in sync with the registry's catalog in
//! one format, for an authorization server that loads its scopes from a file (or through a reload
//! command): client-credentials token, conditional GET, signature check, atomic write, the last
//! good file kept on any failure, `--exec` after a change, `--watch` to follow new versions.

mod token;
mod verify;

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{ACCEPT_ENCODING, AUTHORIZATION, CONTENT_ENCODING, ETAG, IF_NONE_MATCH};

use crate::catalog::formats::Format;
use crate::handlers::catalog::{CATALOG_SIGNATURE, CATALOG_STALE, CATALOG_VERSION};
use crate::observability::LogFormat;
use token::{ClientCredentials, TokenSource};
use verify::TrustedKeys;

const EXIT_CODES: &str = "\
Exit status (without --watch):
  0  the file holds the registry's current catalog (written now, or already current)
  1  the catalog could not be fetched, verified or written; the file was left as it was
  2  usage or configuration error
  3  the file was updated but the --exec command failed
With --watch the agent runs until stopped; errors are logged and retried with backoff.";

/// Keep a file in sync with the registry's catalog.
#[derive(clap::Args, Debug)]
#[command(after_help = EXIT_CODES)]
pub struct PullArgs {
    /// The registry's base URL, e.g. https://scopes.example.com.
    #[arg(long, env = "SCOPE_REGISTRY_URL", value_name = "URL")]
    pub registry: reqwest::Url,
    /// Format: canonical, keycloak, okta, auth0, entra, cognito, curity, rfc8414 or openapi.
    #[arg(long, default_value = "canonical", value_name = "FORMAT")]
    pub format: Format,
    /// The file to keep in sync (written atomically: temporary file, fsync, rename).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// OAuth2 token endpoint: get the registry token with client credentials.
    #[arg(long, value_name = "URL", requires_all = ["client_id", "client_secret_file"])]
    pub token_url: Option<reqwest::Url>,
    /// OAuth2 client id (with --token-url).
    #[arg(long, env = "SCOPE_REGISTRY_PULL_CLIENT_ID", value_name = "ID")]
    pub client_id: Option<String>,
    /// File holding the client secret (with --token-url); never given on the command line.
    #[arg(long, value_name = "FILE")]
    pub client_secret_file: Option<PathBuf>,
    /// Scope to ask the token endpoint for; repeat for several.
    #[arg(
        long = "scope",
        value_name = "SCOPE",
        default_value = "scope-registry:catalog:read"
    )]
    pub scopes: Vec<String>,
    /// RFC 8707 resource indicator for the token request (the registry's audience), where the
    /// issuer needs one to issue a JWT access token for the registry.
    #[arg(long, value_name = "URI")]
    pub resource: Option<String>,
    /// Another token request parameter, NAME=VALUE (e.g. audience=… for Auth0); repeatable.
    #[arg(long = "token-param", value_name = "NAME=VALUE", value_parser = name_value)]
    pub token_params: Vec<(String, String)>,
    /// Instead of client credentials: a file holding a bearer token, read before each request.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["token_url", "client_id", "client_secret_file"])]
    pub token_file: Option<PathBuf>,
    /// Trust only the keys in this JWK Set file [default: the keys the registry publishes at
    /// /.well-known/catalog-keys.json].
    #[arg(long, value_name = "FILE")]
    pub catalog_keys: Option<PathBuf>,
    /// Run this command (with sh -c) after the file changed. It gets SCOPE_REGISTRY_CATALOG_FILE,
    /// SCOPE_REGISTRY_CATALOG_VERSION and SCOPE_REGISTRY_CATALOG_FORMAT in its environment.
    #[arg(long, value_name = "CMD")]
    pub exec: Option<String>,
    /// Keep running: wait for each new version (long poll) and write it as it comes.
    #[arg(long)]
    pub watch: bool,
    /// With --watch: the longest wait between retries after an error, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub max_backoff: u64,
    /// PEM file of CA certificates to trust besides the built-in roots (private CAs).
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Refuse a catalog larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 64 << 20)]
    pub max_bytes: u64,
    /// Allow plain http:// to a host that is not loopback (tokens and catalog unprotected).
    #[arg(long)]
    pub allow_insecure_http: bool,
    /// Log format on stderr.
    #[arg(long, value_enum, default_value = "text")]
    pub log_format: LogFormat,
}

fn name_value(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_owned(), value.to_owned())),
        _ => Err(format!("expected NAME=VALUE, not {s:?}")),
    }
}

/// Why one pull failed. The file is never touched when there is one.
#[derive(Debug, thiserror::Error)]
pub enum PullError {
    #[error("token: {0}")]
    Token(String),
    #[error("{0}")]
    Registry(String),
    /// The registry refused the token (401): a cached one is dropped.
    #[error("{0}")]
    Unauthorized(String),
    #[error("signature: {0}")]
    Signature(String),
    #[error("cannot write {file}: {error}")]
    Write { file: String, error: std::io::Error },
}

/// What the registry holds now, as far as the file is concerned.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Current {
    version: Option<u64>,
    etag: Option<String>,
}

#[derive(Debug)]
enum Outcome {
    Unchanged { version: Option<u64> },
    Updated { version: u64 },
}

/// The agent: one file, one format, one registry.
#[derive(Debug)]
struct Agent {
    http: reqwest::Client,
    catalog_url: reqwest::Url,
    watch_url: reqwest::Url,
    format: Format,
    out: PathBuf,
    token: TokenSource,
    keys: TrustedKeys,
    current: Current,
    max_bytes: u64,
}

/// Runs the pull agent; its exit status (see [`EXIT_CODES`]).
pub fn run(args: PullArgs) -> Result<ExitCode, String> {
    crate::observability::init_logging(args.log_format);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start: {e}"))?;
    runtime.block_on(async move {
        let mut agent = Agent::new(&args)?;
        if args.watch {
            agent.watch(args.exec.as_deref(), args.max_backoff).await;
            Ok(ExitCode::SUCCESS)
        } else {
            Ok(agent.once(args.exec.as_deref()).await)
        }
    })
}

fn require_tls(what: &str, url: &reqwest::Url, allowed: bool) -> Result<(), String> {
    let host = url.host_str().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback || allowed => Ok(()),
        "http" => Err(format!(
            "{what} {url} is plain http to a host that is not loopback: tokens and the catalog \
             would travel unprotected (use https, or --allow-insecure-http)"
        )),
        other => Err(format!("{what} {url}: unsupported scheme {other}")),
    }
}

impl Agent {
    fn new(args: &PullArgs) -> Result<Self, String> {
        require_tls("--registry", &args.registry, args.allow_insecure_http)?;
        let mut http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("scope-registry-pull/", env!("CARGO_PKG_VERSION")));
        if let Some(file) = &args.ca_file {
            let pem = std::fs::read(file)
                .map_err(|e| format!("cannot read --ca-file {}: {e}", file.display()))?;
            for cert in reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| format!("--ca-file {}: {e}", file.display()))?
            {
                http = http.add_root_certificate(cert);
            }
        }
        let http = http.build().map_err(|e| format!("HTTP client: {e}"))?;
        let token = match (&args.token_url, &args.token_file) {
            (Some(token_url), None) => {
                require_tls("--token-url", token_url, args.allow_insecure_http)?;
                let (Some(client_id), Some(secret_file)) =
                    (&args.client_id, &args.client_secret_file)
                else {
                    return Err("--token-url needs --client-id and --client-secret-file".into());
                };
                let client_secret = std::fs::read_to_string(secret_file)
                    .map_err(|e| {
                        format!(
                            "cannot read --client-secret-file {}: {e}",
                            secret_file.display()
                        )
                    })?
                    .trim()
                    .to_owned();
                if client_secret.is_empty() {
                    return Err(format!(
                        "--client-secret-file {} is empty",
                        secret_file.display()
                    ));
                }
                let mut params = args.token_params.clone();
                if let Some(resource) = &args.resource {
                    params.push(("resource".into(), resource.clone()));
                }
                TokenSource::client_credentials(
                    ClientCredentials {
                        token_url: token_url.clone(),
                        client_id: client_id.clone(),
                        client_secret,
                        scopes: args.scopes.clone(),
                        params,
                    },
                    http.clone(),
                )
            }
            (None, Some(file)) => TokenSource::File(file.clone()),
            _ => {
                return Err(
                    "the registry needs a token: give --token-url, --client-id and \
                     --client-secret-file (client credentials), or --token-file"
                        .into(),
                );
            }
        };
        let base = if args.registry.path().ends_with('/') {
            args.registry.clone()
        } else {
            let mut with_slash = args.registry.clone();
            with_slash.set_path(&format!("{}/", args.registry.path()));
            with_slash
        };
        let url = |path: &str| {
            base.join(path)
                .map_err(|e| format!("--registry {}: {e}", args.registry))
        };
        let keys = match &args.catalog_keys {
            Some(file) => TrustedKeys::pinned(file.clone())?,
            None => TrustedKeys::Published {
                url: url(".well-known/catalog-keys.json")?,
                keys: None,
                fetched: None,
            },
        };
        // The file already there, if any: its digest is the ETag to send, so an unchanged
        // catalog costs a 304 even on the agent's first request.
        let etag = std::fs::read(&args.out)
            .ok()
            .map(|bytes| crate::catalog::etag(&bytes));
        Ok(Self {
            catalog_url: url("api/v1/catalog")?,
            watch_url: url("api/v1/catalog/watch")?,
            http,
            format: args.format,
            out: args.out.clone(),
            token,
            keys,
            current: Current {
                version: None,
                etag,
            },
            max_bytes: args.max_bytes,
        })
    }

    /// One pull; the exit status for cron.
    async fn once(&mut self, exec: Option<&str>) -> ExitCode {
        match self.pull(None).await {
            Ok(Outcome::Unchanged { version }) => {
                tracing::info!(version, file = %self.out.display(), format = %self.format, "catalog unchanged");
                ExitCode::SUCCESS
            }
            Ok(Outcome::Updated { version }) => match exec.map(|c| self.exec(c, version)) {
                Some(Err(e)) => {
                    tracing::error!(version, error = %e, "--exec failed after the catalog was updated");
                    ExitCode::from(3)
                }
                _ => ExitCode::SUCCESS,
            },
            Err(e) => {
                self.log_failure(&e);
                ExitCode::from(1)
            }
        }
    }

    /// Follows the registry until stopped: each new version is written as it comes; errors are
    /// retried with exponential backoff and jitter, the file left as it was.
    async fn watch(&mut self, exec: Option<&str>, max_backoff: u64) {
        let mut failures = 0u32;
        loop {
            let after = self.current.version;
            match self.pull(after).await {
                Ok(Outcome::Updated { version }) => {
                    failures = 0;
                    if let Some(Err(e)) = exec.map(|c| self.exec(c, version)) {
                        tracing::error!(version, error = %e, "--exec failed after the catalog was updated");
                    }
                }
                Ok(Outcome::Unchanged { version }) => {
                    failures = 0;
                    if after.is_none() {
                        tracing::info!(version, file = %self.out.display(), format = %self.format, "catalog unchanged; watching");
                    }
                }
                Err(e) => {
                    self.log_failure(&e);
                    failures = failures.saturating_add(1);
                    let wait = backoff(failures, max_backoff);
                    tracing::info!(
                        retry_in_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                        "retrying"
                    );
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    fn log_failure(&self, error: &PullError) {
        if self.out.exists() {
            tracing::error!(error = %error, file = %self.out.display(), "pull failed; keeping the last good file");
        } else {
            tracing::error!(error = %error, file = %self.out.display(), "pull failed; no file written");
        }
    }

    /// One request: the catalog (conditional on the file's ETag), or with `after`, a long poll
    /// for the next version. A new catalog is verified and written before this returns.
    async fn pull(&mut self, after: Option<u64>) -> Result<Outcome, PullError> {
        let token = self.token.token().await?;
        let mut request = match after {
            None => self
                .http
                .get(self.catalog_url.clone())
                .query(&[("format", self.format.as_str())])
                .timeout(Duration::from_secs(60)),
            Some(version) => self
                .http
                .get(self.watch_url.clone())
                .query(&[
                    ("format", self.format.as_str()),
                    ("after", &version.to_string()),
                    ("timeout", "50"),
                ])
                .timeout(Duration::from_secs(70)),
        };
        request = request
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .header(ACCEPT_ENCODING, "gzip");
        if let Some(etag) = &self.current.etag {
            request = request.header(IF_NONE_MATCH, etag.clone());
        }
        let response = request.send().await.map_err(|e| {
            PullError::Registry(format!(
                "cannot reach the registry at {}: {}",
                self.catalog_url,
                chain(&e)
            ))
        })?;
        let status = response.status();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let version = header(CATALOG_VERSION).and_then(|v| v.parse::<u64>().ok());
        if header(CATALOG_STALE).is_some() {
            tracing::warn!(
                version,
                "the registry says its catalog may be stale (it cannot reach its database)"
            );
        }
        match status {
            StatusCode::NOT_MODIFIED => {
                if after.is_none() {
                    self.current.version = version.or(self.current.version);
                }
                return Ok(Outcome::Unchanged {
                    version: self.current.version.or(version),
                });
            }
            StatusCode::OK => {}
            StatusCode::UNAUTHORIZED => {
                self.token.invalidate();
                return Err(PullError::Unauthorized(format!(
                    "the registry refused the token (401): {}",
                    problem(response).await
                )));
            }
            other => {
                return Err(PullError::Registry(format!(
                    "the registry answered {other}: {}",
                    problem(response).await
                )));
            }
        }
        let version = version.ok_or_else(|| {
            PullError::Registry("the registry's answer has no Catalog-Version header".into())
        })?;
        let signature = header(CATALOG_SIGNATURE).ok_or_else(|| {
            PullError::Signature("the registry's answer carries no Catalog-Signature".into())
        })?;
        let gzipped =
            header(CONTENT_ENCODING.as_str()).is_some_and(|v| v.eq_ignore_ascii_case("gzip"));
        let served_etag = header(ETAG.as_str());
        let raw = read_limited(response, self.max_bytes).await?;
        let body = if gzipped {
            gunzip(&raw, self.max_bytes)?
        } else {
            raw
        };
        let kid = self.keys.verify(&self.http, &signature, &body).await?;
        if let Some(known) = self.current.version
            && version < known
        {
            // Another replica behind the same address has not caught up yet: never go back.
            tracing::warn!(
                version,
                known,
                "the registry served an older version than the file holds; ignored"
            );
            return Ok(Outcome::Unchanged {
                version: Some(known),
            });
        }
        let etag = crate::catalog::etag(&body);
        if served_etag.as_deref().is_some_and(|t| t != etag) {
            tracing::debug!(served = ?served_etag, computed = %etag, "ETag differs from the body's digest");
        }
        if self.current.etag.as_deref() == Some(etag.as_str()) && after.is_none() {
            self.current.version = Some(version);
            return Ok(Outcome::Unchanged {
                version: Some(version),
            });
        }
        write_atomically(&self.out, &body).map_err(|error| PullError::Write {
            file: self.out.display().to_string(),
            error,
        })?;
        let previous = self.current.version;
        self.current = Current {
            version: Some(version),
            etag: Some(etag),
        };
        tracing::info!(version, previous, format = %self.format, file = %self.out.display(), bytes = body.len(), key = %kid, "catalog updated");
        Ok(Outcome::Updated { version })
    }

    fn exec(&self, command: &str, version: u64) -> Result<(), String> {
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(command)
            .env("SCOPE_REGISTRY_CATALOG_FILE", &self.out)
            .env("SCOPE_REGISTRY_CATALOG_VERSION", version.to_string())
            .env("SCOPE_REGISTRY_CATALOG_FORMAT", self.format.as_str())
            .stdin(std::process::Stdio::null())
            .status()
            .map_err(|e| format!("cannot run sh -c {command:?}: {e}"))?;
        if status.success() {
            tracing::info!(version, command, "--exec ran");
            Ok(())
        } else {
            Err(format!("sh -c {command:?} exited with {status}"))
        }
    }
}

/// The wait before retry number `failures`: doubling from 1 s up to `max` seconds, with the upper
/// half randomised so that many agents do not retry in step.
fn backoff(failures: u32, max: u64) -> Duration {
    let cap_ms = 1000u64
        .saturating_mul(1u64 << failures.saturating_sub(1).min(16))
        .min(max.saturating_mul(1000));
    let half = cap_ms / 2;
    let jitter = getrandom::u64().unwrap_or(0) % (half + 1);
    Duration::from_millis(half + jitter)
}

fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// The `detail` of a problem+json answer (or the start of whatever came).
async fn problem(response: reqwest::Response) -> String {
    let Ok(body) = read_limited(response, 64 << 10).await else {
        return "(no readable body)".into();
    };
    match serde_json::from_slice::<serde_json::Value>(&body) {
        Ok(v) => match (v["code"].as_str(), v["detail"].as_str()) {
            (Some(code), Some(detail)) => format!("{code}: {detail}"),
            (None, Some(detail)) => detail.to_owned(),
            _ => v.to_string().chars().take(300).collect(),
        },
        Err(_) => String::from_utf8_lossy(&body).chars().take(300).collect(),
    }
}

/// The body, refusing more than `limit` bytes (whatever Content-Length says).
pub(crate) async fn read_limited(
    mut response: reqwest::Response,
    limit: u64,
) -> Result<Vec<u8>, PullError> {
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| PullError::Registry(format!("reading the answer: {}", chain(&e))))?
    {
        if (body.len() + chunk.len()) as u64 > limit {
            return Err(PullError::Registry(format!(
                "the answer is larger than {limit} bytes (--max-bytes)"
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn gunzip(bytes: &[u8], limit: u64) -> Result<Vec<u8>, PullError> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .take(limit.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| PullError::Registry(format!("the gzip body does not decompress: {e}")))?;
    if out.len() as u64 > limit {
        return Err(PullError::Registry(format!(
            "the answer is larger than {limit} bytes (--max-bytes)"
        )));
    }
    Ok(out)
}

/// Replaces `path` with `bytes` so that a reader sees the old file or the new one, never a part:
/// a temporary file in the same directory, written and fsynced, renamed over `path`, and the
/// directory fsynced. An existing file's permissions are kept.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file name"))?;
    let temporary = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let _ = std::fs::remove_file(&temporary);
    let result = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temporary)?;
        if let Ok(existing) = std::fs::metadata(path) {
            file.set_permissions(existing.permissions())?;
        }
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temporary, path)?;
        std::fs::File::open(&dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter_in_the_upper_half() {
        for failures in 1..40 {
            let cap = (1000u64 << (failures - 1).min(16)).min(60_000);
            let wait = backoff(failures, 60).as_millis() as u64;
            assert!(
                wait >= cap / 2 && wait <= cap,
                "{failures}: {wait} vs {cap}"
            );
        }
    }

    #[test]
    fn plain_http_only_to_loopback() {
        let url = |s: &str| reqwest::Url::parse(s).unwrap();
        assert!(require_tls("x", &url("http://127.0.0.1:8080"), false).is_ok());
        assert!(require_tls("x", &url("http://localhost:8080"), false).is_ok());
        assert!(require_tls("x", &url("http://[::1]:8080"), false).is_ok());
        assert!(require_tls("x", &url("https://scopes.example.com"), false).is_ok());
        let refused = require_tls("x", &url("http://scopes.example.com"), false).unwrap_err();
        assert!(refused.contains("--allow-insecure-http"), "{refused}");
        assert!(require_tls("x", &url("http://scopes.example.com"), true).is_ok());
        assert!(require_tls("x", &url("ftp://scopes.example.com"), true).is_err());
    }

    #[test]
    fn atomic_write_replaces_whole_files_and_keeps_permissions() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = std::env::temp_dir().join(format!("pull-write-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("catalog.json");
        write_atomically(&file, b"one").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomically(&file, b"two").unwrap();
        assert_eq!(std::fs::read(&file).unwrap(), b"two");
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o640
        );
        let leftovers: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file left behind");
        assert!(write_atomically(&dir.join("missing-dir/catalog.json"), b"x").is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn gunzip_refuses_bombs() {
        let big = vec![b'a'; 10_000];
        let gz = crate::catalog::gzip(&big).unwrap();
        assert_eq!(gunzip(&gz, 10_000).unwrap().len(), 10_000);
        assert!(gunzip(&gz, 9_999).is_err());
    }
}
