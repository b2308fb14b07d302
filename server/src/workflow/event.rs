//! What happened to a change request: the entries of its timeline and of the audit log.

use serde::{Deserialize, Serialize};

use super::model::{ChangeRequestStatus, Verdict};

/// One thing an operation did. Operations return them in the order they happened; the caller
/// records them (timeline, audit log) in the same transaction as the new state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// The author replaced the items; `revision` is the new revision.
    Edited { revision: u32, base_version: u64 },
    /// Approvals that no longer count because the request changed.
    ApprovalsDismissed { count: u32 },
    /// The author submitted `revision` for review.
    Submitted { revision: u32 },
    /// The author (or an admin) withdrew the request.
    Withdrawn,
    /// A reviewer's earlier review was replaced by their new one.
    ReviewSuperseded { reviewer: String, previous: Verdict },
    /// A reviewer reviewed `revision`.
    Reviewed {
        reviewer: String,
        verdict: Verdict,
        revision: u32,
        security: bool,
    },
    /// The request was published as catalog `version`.
    Published { version: u64 },
    /// The status moved.
    StatusChanged {
        from: ChangeRequestStatus,
        to: ChangeRequestStatus,
    },
}

impl Event {
    /// A stable snake_case name for the event (the serde tag).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Edited { .. } => "edited",
            Self::ApprovalsDismissed { .. } => "approvals_dismissed",
            Self::Submitted { .. } => "submitted",
            Self::Withdrawn => "withdrawn",
            Self::ReviewSuperseded { .. } => "review_superseded",
            Self::Reviewed { .. } => "reviewed",
            Self::Published { .. } => "published",
            Self::StatusChanged { .. } => "status_changed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_serialize_with_their_kind_as_tag() {
        let events = [
            Event::Edited {
                revision: 2,
                base_version: 7,
            },
            Event::ApprovalsDismissed { count: 2 },
            Event::Submitted { revision: 1 },
            Event::Withdrawn,
            Event::ReviewSuperseded {
                reviewer: "bob".into(),
                previous: Verdict::Approve,
            },
            Event::Reviewed {
                reviewer: "bob".into(),
                verdict: Verdict::RequestChanges,
                revision: 1,
                security: false,
            },
            Event::Published { version: 8 },
            Event::StatusChanged {
                from: ChangeRequestStatus::Open,
                to: ChangeRequestStatus::ChangesRequested,
            },
        ];
        for event in &events {
            let json = serde_json::to_value(event).unwrap();
            assert_eq!(json["type"], event.kind());
            assert_eq!(&serde_json::from_value::<Event>(json).unwrap(), event);
        }
        assert_eq!(
            serde_json::to_string(&events[7]).unwrap(),
            r#"{"type":"status_changed","from":"open","to":"changes_requested"}"#
        );
    }
}
