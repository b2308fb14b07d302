//! Request ids, structured logs, Prometheus metrics and security events.
//!
//! Every request gets an id (a well-formed `X-Request-Id` from the caller, or a new one), echoed
//! in the response, attached to every log line of the request and to every problem document.
//! Security-relevant events are counted and logged under the OWASP logging vocabulary names, so
//! someone probing the API shows up on a dashboard (`ops/prometheus/alerts.yml` alerts on them).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, ResponseError};
use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use tracing::Instrument;

use crate::error::ApiError;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being handled, or `-` outside a request.
pub fn current_request_id() -> String {
    REQUEST_ID
        .try_with(Clone::clone)
        .unwrap_or_else(|_| "-".to_owned())
}

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// A caller's id is kept only if it is short and plain, so it cannot forge log lines.
fn request_id_from(req: &ServiceRequest) -> String {
    req.headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            (8..=64).contains(&v.len())
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map_or_else(|| uuid::Uuid::new_v4().simple().to_string(), str::to_owned)
}

/// Security events, named as in the OWASP Logging Vocabulary.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
#[expect(
    non_camel_case_types,
    reason = "label values are the OWASP vocabulary names"
)]
pub enum SecurityEventName {
    authn_token_invalid,
    authz_fail,
    input_validation_fail,
    malicious_excess_404,
    excess_rate_limit_exceeded,
    sequence_fail,
    malicious_csrf,
}

/// A security event to count and log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecurityEvent {
    AuthnTokenInvalid,
    AuthzFail,
    InputValidationFail,
    MaliciousExcess404,
    ExcessRateLimitExceeded,
    SequenceFail,
    MaliciousCsrf,
}

impl SecurityEvent {
    fn name(self) -> SecurityEventName {
        match self {
            Self::AuthnTokenInvalid => SecurityEventName::authn_token_invalid,
            Self::AuthzFail => SecurityEventName::authz_fail,
            Self::InputValidationFail => SecurityEventName::input_validation_fail,
            Self::MaliciousExcess404 => SecurityEventName::malicious_excess_404,
            Self::ExcessRateLimitExceeded => SecurityEventName::excess_rate_limit_exceeded,
            Self::SequenceFail => SecurityEventName::sequence_fail,
            Self::MaliciousCsrf => SecurityEventName::malicious_csrf,
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EventLabels {
    event: SecurityEventName,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HttpLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ActionLabels {
    action: String,
}

/// The registry's metrics, process-wide.
pub struct Metrics {
    registry: Registry,
    requests: Family<HttpLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    security_events: Family<EventLabels, Counter>,
    workflow: Family<ActionLabels, Counter>,
    catalog_version: Gauge,
}

pub static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let mut registry = Registry::with_prefix("scope_registry");
    let requests = Family::<HttpLabels, Counter>::default();
    registry.register(
        "http_requests",
        "HTTP requests by method, route and status",
        requests.clone(),
    );
    let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
        Histogram::new(exponential_buckets(0.0005, 2.0, 16))
    });
    registry.register(
        "http_request_duration_seconds",
        "HTTP request latency",
        latency.clone(),
    );
    let security_events = Family::<EventLabels, Counter>::default();
    registry.register(
        "security_events",
        "Security events by OWASP logging vocabulary name",
        security_events.clone(),
    );
    // Every event shows up (at zero) from the start, so alert rules can rate() them.
    for event in [
        SecurityEventName::authn_token_invalid,
        SecurityEventName::authz_fail,
        SecurityEventName::input_validation_fail,
        SecurityEventName::malicious_excess_404,
        SecurityEventName::excess_rate_limit_exceeded,
        SecurityEventName::sequence_fail,
        SecurityEventName::malicious_csrf,
    ] {
        let _ = security_events.get_or_create(&EventLabels { event });
    }
    let workflow = Family::<ActionLabels, Counter>::default();
    registry.register(
        "workflow_transitions",
        "Change-request workflow actions",
        workflow.clone(),
    );
    let catalog_version = Gauge::default();
    registry.register(
        "catalog_version",
        "The current catalog version",
        catalog_version.clone(),
    );
    Metrics {
        registry,
        requests,
        latency,
        security_events,
        workflow,
        catalog_version,
    }
});

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Metrics {
    /// The Prometheus text exposition.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }

    pub fn workflow_action(&self, action: &str) {
        self.workflow
            .get_or_create(&ActionLabels {
                action: action.to_owned(),
            })
            .inc();
    }

    pub fn set_catalog_version(&self, version: i64) {
        self.catalog_version.set(version);
    }

    /// How many times `event` has been recorded (for tests).
    pub fn security_event_count(&self, event: SecurityEvent) -> u64 {
        self.security_events
            .get_or_create(&EventLabels {
                event: event.name(),
            })
            .get()
    }
}

/// Counts a security event and logs it with the request id.
pub fn record_security_event(event: SecurityEvent) {
    METRICS
        .security_events
        .get_or_create(&EventLabels {
            event: event.name(),
        })
        .inc();
    tracing::warn!(security_event = ?event.name(), request_id = %current_request_id(), "security event");
}

/// Per-client counts in fixed one-minute windows: 404s (probing), failed authentications
/// (token guessing) and sign-ins started (each stores a pending login until it expires). Past the
/// limit, a client's 404s are flagged, its requests refused with 429 for the rest of the window,
/// and its further sign-ins refused.
#[derive(Debug, Default)]
pub struct ClientWatch {
    windows: Mutex<HashMap<IpAddr, ClientWindow>>,
}

#[derive(Debug)]
struct ClientWindow {
    started: Instant,
    not_found: u32,
    unauthorized: u32,
    logins: u32,
    flagged_404: bool,
}

impl ClientWindow {
    fn starting(now: Instant) -> Self {
        Self {
            started: now,
            not_found: 0,
            unauthorized: 0,
            logins: 0,
            flagged_404: false,
        }
    }
}

const WINDOW: Duration = Duration::from_secs(60);
const MAX_404_PER_WINDOW: u32 = 30;
const MAX_401_PER_WINDOW: u32 = 30;
/// Sign-ins one client may start per window: far above what people behind one address do, and
/// it bounds the pending logins one client can leave in the database to 600 (10 minutes each).
pub const MAX_LOGINS_PER_WINDOW: u32 = 60;
/// Bound on the clients tracked at once; older windows are dropped first.
const MAX_CLIENTS: usize = 10_000;

impl ClientWatch {
    fn with_window<T>(&self, ip: IpAddr, f: impl FnOnce(&mut ClientWindow) -> T) -> T {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        if windows.len() >= MAX_CLIENTS {
            windows.retain(|_, w| now.duration_since(w.started) < WINDOW);
        }
        let window = windows
            .entry(ip)
            .or_insert_with(|| ClientWindow::starting(now));
        if now.duration_since(window.started) >= WINDOW {
            *window = ClientWindow::starting(now);
        }
        f(window)
    }

    /// Seconds until the client may retry, if it is over the limit of failed authentications.
    fn limited(&self, ip: IpAddr) -> Option<u64> {
        self.with_window(ip, |w| {
            (w.unauthorized >= MAX_401_PER_WINDOW)
                .then(|| WINDOW.saturating_sub(w.started.elapsed()).as_secs().max(1))
        })
    }

    /// Counts a sign-in started by the client; past the limit, the seconds until it may start
    /// another.
    pub fn start_login(&self, ip: IpAddr) -> Option<u64> {
        self.with_window(ip, |w| {
            if w.logins >= MAX_LOGINS_PER_WINDOW {
                return Some(WINDOW.saturating_sub(w.started.elapsed()).as_secs().max(1));
            }
            w.logins += 1;
            None
        })
    }

    fn observe(&self, ip: IpAddr, status: u16) {
        let flag = self.with_window(ip, |w| match status {
            404 => {
                w.not_found += 1;
                if w.not_found > MAX_404_PER_WINDOW && !w.flagged_404 {
                    w.flagged_404 = true;
                    return true;
                }
                false
            }
            401 => {
                w.unauthorized += 1;
                false
            }
            _ => false,
        });
        if flag {
            record_security_event(SecurityEvent::MaliciousExcess404);
        }
    }
}

pub static CLIENTS: LazyLock<ClientWatch> = LazyLock::new(ClientWatch::default);

/// The middleware: request id, span, rate limit, metrics, security counters.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let id = request_id_from(&req);
    let method = req.method().to_string();
    // Behind trusted proxies, the address they forwarded for (`crate::client`).
    let ip = {
        let trusted = req
            .app_data::<actix_web::web::Data<crate::state::AppState>>()
            .map_or(&[][..], |state| state.settings.trusted_proxies.as_slice());
        crate::client::client_ip(req.head(), req.peer_addr(), trusted)
    };
    let span =
        tracing::info_span!("request", request_id = %id, method = %method, path = %req.path());
    let started = Instant::now();
    let limited = ip.and_then(|ip| CLIENTS.limited(ip));
    // A NUL in the path or query cannot be stored or looked up as text: refused up front.
    let nul = req.uri().to_string().to_ascii_lowercase().contains("%00");
    let result = REQUEST_ID
        .scope(id.clone(), async move {
            match limited {
                None if nul => {
                    let response = ApiError::bad_request(
                        "invalid_text",
                        "The path and query must not contain NUL characters.",
                    )
                    .error_response();
                    Ok(req.into_response(response))
                }
                Some(retry_after_secs) => {
                    let response = ApiError::TooManyRequests { retry_after_secs }.error_response();
                    Ok(req.into_response(response))
                }
                None => next
                    .call(req)
                    .await
                    .map(ServiceResponse::map_into_boxed_body),
            }
        })
        .instrument(span.clone())
        .await;
    let mut response = result?;
    let status = response.status().as_u16();
    let route = response
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    METRICS
        .requests
        .get_or_create(&HttpLabels {
            method: method.clone(),
            route: route.clone(),
            status,
        })
        .inc();
    METRICS
        .latency
        .get_or_create(&RouteLabels { method, route })
        .observe(started.elapsed().as_secs_f64());
    if let Some(ip) = ip {
        CLIENTS.observe(ip, status);
    }
    if let Ok(value) = HeaderValue::from_str(&id) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
    }
    span.in_scope(|| {
        tracing::info!(
            status,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "request"
        );
    });
    Ok(response)
}

/// Log output format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// Sets up `tracing` (`RUST_LOG` filters, default `info`).
pub fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Colours only for a person at a terminal, not in log files or a journal.
    let colours = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colours)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init(),
    };
}
