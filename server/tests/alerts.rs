//! The shipped Prometheus alert rules (`ops/prometheus/alerts.yml`, tested by `promtool test rules`
//! in the test command) watch series the registry really exposes.

mod common;

use actix_web::http::Method;
use common::{Backend, TestApp};

#[actix_web::test]
async fn every_alerted_security_event_is_exposed_by_the_registry() {
    let rules = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ops/prometheus/alerts.yml"),
    )
    .unwrap();
    let app = TestApp::start(Backend::Sqlite).await;
    let metrics = app.call(Method::GET, "/metrics", None, None).await.text();
    let mut alerted = Vec::new();
    for part in rules
        .split("scope_registry_security_events_total{event=\"")
        .skip(1)
    {
        let event = part.split('"').next().unwrap();
        let series = format!("scope_registry_security_events_total{{event=\"{event}\"}}");
        assert!(metrics.contains(&series), "/metrics lacks {series}");
        alerted.push(event.to_owned());
    }
    for event in [
        "authn_token_invalid",
        "authz_fail",
        "input_validation_fail",
        "malicious_excess_404",
        "excess_rate_limit_exceeded",
        "sequence_fail",
        "malicious_csrf",
    ] {
        assert!(
            alerted.iter().any(|a| a == event),
            "no alert rule for {event}"
        );
    }
}
