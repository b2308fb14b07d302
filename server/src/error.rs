//! The API's one error type. Every variant maps to a status and a stable code and renders as RFC
//! 9457 `application/problem+json` with the request id. A 500 logs its cause and tells the client
//! only that something went wrong: never a cause, SQL, a path or a stack trace.

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde_json::{Map, Value, json};

use crate::observability::{SecurityEvent, current_request_id, record_security_event};

/// The media type of error bodies.
pub const PROBLEM_JSON: &str = "application/problem+json";

#[derive(Debug)]
pub enum ApiError {
    /// 400: the request is malformed (bad JSON, a bad query parameter).
    BadRequest { code: &'static str, detail: String },
    /// 401: no token, or a token that fails any check. One body whatever the cause.
    Unauthorized,
    /// 403: the token lacks the registry permission (scope) the operation needs.
    InsufficientScope { scope: &'static str },
    /// 403: the caller may see the object but not do this to it (a reviewer of their own request).
    Forbidden { code: &'static str, detail: String },
    /// 404: no such object, or one the caller may not see (the same answer for both).
    NotFound,
    /// 405, with the methods the resource has.
    MethodNotAllowed { allow: Vec<&'static str> },
    /// 409: the object's state does not allow this (a transition, a conflict with the catalog).
    Conflict {
        code: &'static str,
        detail: String,
        extra: Map<String, Value>,
    },
    /// 413: the body is larger than the limit.
    PayloadTooLarge { limit: usize },
    /// 415: the body is not JSON.
    UnsupportedMediaType,
    /// 422: well-formed but invalid (a field's value, lint errors that block a submission).
    Unprocessable {
        code: &'static str,
        detail: String,
        extra: Map<String, Value>,
    },
    /// 429: too many requests from this client.
    TooManyRequests { retry_after_secs: u64 },
    /// 503: the database is unavailable; nothing was changed.
    Unavailable,
    /// 503: the token issuer's keys could never be fetched, so no token can be checked.
    IssuerUnavailable,
    /// 500: a bug or an unexpected failure; the cause is logged, not shown.
    Internal(String),
}

impl ApiError {
    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::BadRequest {
            code,
            detail: detail.into(),
        }
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            detail: detail.into(),
            extra: Map::new(),
        }
    }

    pub fn unprocessable(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Unprocessable {
            code,
            detail: detail.into(),
            extra: Map::new(),
        }
    }

    pub fn forbidden(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Forbidden {
            code,
            detail: detail.into(),
        }
    }

    pub fn internal(cause: impl fmt::Display) -> Self {
        Self::Internal(cause.to_string())
    }

    /// Adds a member to the problem document (for example the lint findings).
    pub fn with(mut self, key: &str, value: Value) -> Self {
        if let Self::Conflict { extra, .. } | Self::Unprocessable { extra, .. } = &mut self {
            extra.insert(key.to_owned(), value);
        }
        self
    }

    /// The stable code clients can rely on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest { code, .. }
            | Self::Forbidden { code, .. }
            | Self::Conflict { code, .. }
            | Self::Unprocessable { code, .. } => code,
            Self::Unauthorized => "invalid_token",
            Self::InsufficientScope { .. } => "insufficient_scope",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed { .. } => "method_not_allowed",
            Self::PayloadTooLarge { .. } => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::TooManyRequests { .. } => "rate_limited",
            Self::Unavailable => "unavailable",
            Self::IssuerUnavailable => "issuer_unavailable",
            Self::Internal(_) => "internal_error",
        }
    }

    fn title(&self) -> &'static str {
        match self {
            Self::BadRequest { .. } => "Bad request",
            Self::Unauthorized => "Authentication required",
            Self::InsufficientScope { .. } | Self::Forbidden { .. } => "Forbidden",
            Self::NotFound => "Not found",
            Self::MethodNotAllowed { .. } => "Method not allowed",
            Self::Conflict { .. } => "Conflict",
            Self::PayloadTooLarge { .. } => "Payload too large",
            Self::UnsupportedMediaType => "Unsupported media type",
            Self::Unprocessable { .. } => "Unprocessable content",
            Self::TooManyRequests { .. } => "Too many requests",
            Self::Unavailable | Self::IssuerUnavailable => "Service unavailable",
            Self::Internal(_) => "Internal server error",
        }
    }

    pub fn detail(&self) -> String {
        match self {
            Self::BadRequest { detail, .. }
            | Self::Forbidden { detail, .. }
            | Self::Conflict { detail, .. }
            | Self::Unprocessable { detail, .. } => detail.clone(),
            Self::Unauthorized => "A valid bearer access token is required.".to_owned(),
            Self::InsufficientScope { scope } => {
                format!("The access token does not grant `{scope}`, which this operation needs.")
            }
            Self::NotFound => "No such resource.".to_owned(),
            Self::MethodNotAllowed { allow } => {
                format!("This resource allows {}.", allow.join(", "))
            }
            Self::PayloadTooLarge { limit } => {
                format!("The request body is larger than the limit of {limit} bytes.")
            }
            Self::UnsupportedMediaType => {
                "The request body must be JSON (Content-Type: application/json).".to_owned()
            }
            Self::TooManyRequests { retry_after_secs } => {
                format!("Too many requests; retry after {retry_after_secs} s.")
            }
            Self::Unavailable => {
                "The registry cannot reach its database; nothing was changed. Retry shortly."
                    .to_owned()
            }
            Self::IssuerUnavailable => {
                "The registry cannot fetch its token issuer's keys, so it cannot check tokens. Retry shortly."
                    .to_owned()
            }
            Self::Internal(_) => {
                "Something went wrong on our side. Quote the request id when reporting it."
                    .to_owned()
            }
        }
    }
}

/// For logs and the command line: includes an internal error's cause, which a response never does.
impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Internal(cause) => write!(f, "internal error: {cause}"),
            _ => write!(f, "{}: {}", self.code(), self.detail()),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::InsufficientScope { .. } | Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable | Self::IssuerUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let request_id = current_request_id();
        match self {
            Self::Internal(cause) => {
                tracing::error!(%cause, request_id = %request_id, "internal error");
            }
            Self::Unavailable => tracing::warn!(request_id = %request_id, "database unavailable"),
            Self::IssuerUnavailable => {
                tracing::warn!(request_id = %request_id, "token issuer keys unavailable");
            }
            _ => {}
        }
        match self {
            Self::Unauthorized => record_security_event(SecurityEvent::AuthnTokenInvalid),
            Self::Conflict {
                code: "invalid_transition",
                ..
            } => {
                record_security_event(SecurityEvent::SequenceFail);
            }
            // Counted as `malicious_csrf` where it is detected (`auth::session`).
            Self::Forbidden {
                code: crate::auth::session::CSRF_PROBLEM,
                ..
            } => {}
            Self::InsufficientScope { .. } | Self::Forbidden { .. } => {
                record_security_event(SecurityEvent::AuthzFail);
            }
            Self::BadRequest { .. }
            | Self::PayloadTooLarge { .. }
            | Self::UnsupportedMediaType
            | Self::Unprocessable { .. } => {
                record_security_event(SecurityEvent::InputValidationFail)
            }
            Self::TooManyRequests { .. } => {
                record_security_event(SecurityEvent::ExcessRateLimitExceeded);
            }
            _ => {}
        }
        let mut body = Map::new();
        body.insert(
            "type".into(),
            json!(format!("tag:scope-registry,2026:problem:{}", self.code())),
        );
        body.insert("title".into(), json!(self.title()));
        body.insert("status".into(), json!(status.as_u16()));
        body.insert("detail".into(), json!(self.detail()));
        body.insert("code".into(), json!(self.code()));
        body.insert("request_id".into(), json!(request_id));
        if let Self::Conflict { extra, .. } | Self::Unprocessable { extra, .. } = self {
            for (k, v) in extra {
                body.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        let mut response = HttpResponse::build(status);
        response.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        response.insert_header((header::CACHE_CONTROL, "no-store"));
        match self {
            Self::Unauthorized => {
                response.insert_header((
                    header::WWW_AUTHENTICATE,
                    r#"Bearer realm="scope-registry", error="invalid_token""#,
                ));
            }
            Self::InsufficientScope { scope } => {
                if let Ok(v) = HeaderValue::from_str(&format!(
                    r#"Bearer realm="scope-registry", error="insufficient_scope", scope="{scope}""#
                )) {
                    response.insert_header((header::WWW_AUTHENTICATE, v));
                }
            }
            Self::MethodNotAllowed { allow } => {
                if let Ok(v) = HeaderValue::from_str(&allow.join(", ")) {
                    response.insert_header((header::ALLOW, v));
                }
            }
            Self::TooManyRequests { retry_after_secs } => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            Self::Unavailable | Self::IssuerUnavailable => {
                response.insert_header((header::RETRY_AFTER, "5"));
            }
            _ => {}
        }
        response.body(Value::Object(body).to_string())
    }
}

/// Refuses text with NUL characters anywhere in a request body: valid JSON, but no database
/// stores it as text (PostgreSQL refuses it), so both backends refuse it the same way up front.
pub fn forbid_nul<T: serde::Serialize>(input: &T) -> Result<(), ApiError> {
    let text = serde_json::to_string(input).unwrap_or_default();
    if text.contains("\\u0000") {
        return Err(ApiError::unprocessable(
            "invalid_text",
            "Text must not contain NUL characters.",
        ));
    }
    Ok(())
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::Error as E;
        match e {
            E::NotFound => Self::NotFound,
            // A broken connection mid-request: the transaction was rolled back.
            E::DatabaseError(diesel::result::DatabaseErrorKind::ClosedConnection, _)
            | E::BrokenTransactionManager => Self::Unavailable,
            // SQLite held by another process past the busy timeout: retry later, nothing changed.
            E::DatabaseError(_, info) if info.message().contains("database is locked") => {
                Self::Unavailable
            }
            other => Self::internal(format!("database: {other}")),
        }
    }
}

impl From<diesel::r2d2::PoolError> for ApiError {
    fn from(_: diesel::r2d2::PoolError) -> Self {
        Self::Unavailable
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::internal(format!("blocking task: {e}"))
    }
}

/// An RFC 9457 problem document, as every error is answered (for the OpenAPI document).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// `tag:scope-registry,2026:problem:<code>`.
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    /// What went wrong, for people.
    pub detail: String,
    /// Stable, for programs: `invalid_token`, `insufficient_scope`, `not_found`, `lint_errors`, …
    pub code: String,
    /// Quote it when reporting a problem: it is in the registry's logs.
    pub request_id: String,
}
