//! The audit log: append-only, hash-chained, written in the same transaction as the change it
//! records. Each event's hash is SHA-256 over the previous hash and the event's canonical JSON,
//! so changing, removing or reordering any event breaks every link after it.

use diesel::QueryResult;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::db::DbConnection;
use crate::db::models::audit_event::{self, AuditEventRow};

/// The hash before the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What is being recorded.
#[derive(Clone, Debug)]
pub struct NewEvent<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub target_type: &'a str,
    pub target_id: &'a str,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

fn hash(prev_hash: &str, row: &AuditEventRow) -> String {
    // Canonical: serde_json writes object keys in a fixed (sorted) order.
    let body = json!({
        "seq": row.seq,
        "at": row.at,
        "actor": row.actor,
        "action": row.action,
        "target_type": row.target_type,
        "target_id": row.target_id,
        "before": row.before,
        "after": row.after,
    });
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(body.to_string().as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Appends an event. Call it inside [`DbConnection::write`], the transaction of the change.
pub fn record(
    conn: &mut DbConnection,
    now_ms: i64,
    event: NewEvent<'_>,
) -> QueryResult<AuditEventRow> {
    let last = audit_event::last(conn)?;
    let (seq, prev_hash) = match last {
        Some(l) => (l.seq + 1, l.hash),
        None => (1, GENESIS.to_owned()),
    };
    let mut row = AuditEventRow {
        seq,
        at: now_ms,
        actor: event.actor.to_owned(),
        action: event.action.to_owned(),
        target_type: event.target_type.to_owned(),
        target_id: event.target_id.to_owned(),
        before: event.before.map(|v| v.to_string()),
        after: event.after.map(|v| v.to_string()),
        prev_hash: prev_hash.clone(),
        hash: String::new(),
    };
    row.hash = hash(&prev_hash, &row);
    audit_event::insert(conn, &row)?;
    Ok(row)
}

/// The outcome of checking the chain.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Verification {
    /// Events checked.
    pub events: u64,
    /// The first broken link, if any.
    pub broken: Option<BrokenLink>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct BrokenLink {
    pub seq: i64,
    pub reason: String,
}

/// Walks the whole chain, a page at a time.
pub fn verify(conn: &mut DbConnection) -> QueryResult<Verification> {
    let mut expected_prev = GENESIS.to_owned();
    let mut expected_seq = 1;
    let mut events = 0;
    loop {
        let page = audit_event::page(conn, expected_seq - 1, 1000)?;
        if page.is_empty() {
            return Ok(Verification {
                events,
                broken: None,
            });
        }
        for row in page {
            let broken = |reason: String| {
                Ok(Verification {
                    events,
                    broken: Some(BrokenLink {
                        seq: row.seq,
                        reason,
                    }),
                })
            };
            if row.seq != expected_seq {
                return broken(format!(
                    "expected event {expected_seq} next, found {}: an event is missing",
                    row.seq
                ));
            }
            if row.prev_hash != expected_prev {
                return broken("its prev_hash is not the hash of the event before it".to_owned());
            }
            if hash(&row.prev_hash, &row) != row.hash {
                return broken(
                    "its content does not match its hash: the event was altered".to_owned(),
                );
            }
            expected_prev = row.hash.clone();
            expected_seq += 1;
            events += 1;
        }
    }
}
