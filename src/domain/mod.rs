//! Business rules. Nothing here knows about HTTP: handlers call these functions.

pub mod access;
pub mod alerts;

/// One page of a list read in SQL, newest (highest id) first: rows whose id is below `after`,
/// `take` at most (callers ask one more than they show, to know whether another page follows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub after: Option<i64>,
    pub take: i64,
}
pub mod api_tokens;
pub mod applications;
pub mod burn_down;
pub mod audit;
pub mod identity;
pub mod inbox;
pub mod catalogue;
pub mod clock;
pub mod cofunding;
pub mod company;
pub mod credit_notes;
pub mod demo;
pub mod demo_scale;
pub mod error;
pub mod eu;
pub mod grant_usage;
pub mod grants;
pub mod ids;
pub mod invoicing;
pub mod notifications;
pub mod outbox;
pub mod paging;
pub mod programmes;
pub mod reports;
pub mod settlements;
pub mod sovereignty;
pub mod spending;
pub mod status;
pub mod transparency;
pub mod usage;
pub mod grant_expiry;
pub mod eligibility;

pub use error::{DomainError, DomainResult, FieldErrors};
pub use ids::{ApplicationId, GrantId, OrgId, ProgrammeId, UploadId, UserId};
pub mod journal;
pub mod table;
pub mod reviews;
pub mod offers;
pub mod quota;
pub mod figures;
