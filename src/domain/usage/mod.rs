//! Provider usage files: read, checked against the grants they charge, previewed, then posted.
//!
//! Upload: the file (of any size: it is streamed, never held whole) is read and every line checked (grant exists, is billable by this provider,
//! is active over the charge period, currency matches, the grant can pay). A file with any
//! problem is refused whole and nothing is stored. A clean file is stored as a *pending* upload
//! with its lines and per-grant charges, and shown for review. Submission holds each grant's
//! charge in the ledger (credits → provider payable, pending), in one transaction; a grant that
//! can no longer cover its hold refuses the whole file. The provider's invoice then asks the
//! funder to approve (the holds are posted) or dispute (they are voided): `domain::invoicing`.

mod confirm;
pub mod jobs;
pub mod lines;
mod queries;
pub mod rounding;
pub mod source;
pub mod stored_problems;
mod upload;

pub use confirm::confirm;
pub use jobs::{JobPhase, JobStatus, UsageJob};
pub use queries::{lines_of, uploads_of, view};
pub use source::Source;
pub use upload::{MAX_USAGE_FILE_BYTES, Watch, upload, upload_from};

use crate::db::schema::usage_uploads;
use crate::domain::ids::{GrantId, OrgId, UploadId, UserId};
use crate::formats::Problems;
use crate::money::Amount;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use rust_decimal::Decimal;

crate::text_enum! {
    /// An upload is checked and kept as pending, submitted (its charges held), then approved or
    /// disputed through invoices.
    pub enum UploadStatus ("upload status") {
        Pending = "pending",
        Submitted = "submitted",
        Approved = "approved",
        Disputed = "disputed",
        /// Its holds ran out before an invoice for it was approved: released.
        Expired = "expired",
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = usage_uploads)]
pub struct Upload {
    pub id: UploadId,
    pub provider_id: OrgId,
    pub filename: String,
    pub file_sha256: String,
    pub currency: String,
    pub total_cost: String,
    pub line_count: i64,
    #[diesel(deserialize_as = String)]
    pub status: UploadStatus,
    pub uploaded_by: UserId,
    pub created_at: NaiveDateTime,
    pub confirmed_by: Option<UserId>,
    pub confirmed_at: Option<NaiveDateTime>,
}

/// What one upload charges one grant.
#[derive(Debug, Clone)]
pub struct Charge {
    pub grant_id: GrantId,
    pub grant_code: String,
    pub startup_name: String,
    pub lines: u64,
    pub exact: Decimal,
    pub amount: Amount,
    pub available: Amount,
}

#[derive(Debug, Clone)]
pub struct UploadView {
    pub upload: Upload,
    pub charges: Vec<Charge>,
}

/// A refused file: every problem found, nothing stored.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub filename: String,
    pub lines: u64,
    pub problems: Problems,
}

pub enum UploadOutcome {
    Pending(UploadView),
    Refused(Refusal),
}

