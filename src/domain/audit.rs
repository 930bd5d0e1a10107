//! The audit log: every business and security event — who, when, from where, what, why —
//! appended in the same transaction as the change it records (the database refuses updates and
//! deletes), readable by administrators, exportable as CSV.

use crate::db::AnyConnection;
use crate::db::schema::audit_events;
use crate::domain::clock;
use crate::domain::error::DomainResult;
use crate::domain::ids::UserId;
use chrono::NaiveDateTime;
use diesel::prelude::*;

crate::text_enum! {
    /// What happened.
    pub enum AuditAction ("audit action") {
        SignedIn = "signed-in",
        SignInFailed = "sign-in-failed",
        SignedOut = "signed-out",
        SignedUp = "signed-up",
        EmailVerified = "email-verified",
        PasswordResetRequested = "password-reset-requested",
        PasswordReset = "password-reset",
        PasswordChanged = "password-changed",
        OtherSessionsEnded = "other-sessions-ended",
        MemberCreated = "member-created",
        ProgrammeCreated = "programme-created",
        ApplicationSubmitted = "application-submitted",
        ApplicationApproved = "application-approved",
        ApplicationRejected = "application-rejected",
        ApplicationWithdrawn = "application-withdrawn",
        /// A funder sent an application back to its startup for changes.
        ApplicationChangesRequested = "application-changes-requested",
        UsageChecked = "usage-checked",
        /// A large usage file queued for checking in the background.
        UsageQueued = "usage-queued",
        UsagePosted = "usage-posted",
        UsageSubmitted = "usage-submitted",
        AccountErased = "account-erased",
        SecondFactorFailed = "second-factor-failed",
        RecoveryCodeUsed = "recovery-code-used",
        TwoFactorEnabled = "two-factor-enabled",
        TwoFactorDisabled = "two-factor-disabled",
        RecoveryCodesRenewed = "recovery-codes-renewed",
        MemberInvited = "member-invited",
        InvitationRevoked = "invitation-revoked",
        InvitationAccepted = "invitation-accepted",
        MemberRoleChanged = "member-role-changed",
        MemberRemoved = "member-removed",
        TwoFactorRequirementChanged = "two-factor-requirement-changed",
        InvoiceReceived = "invoice-received",
        CreditNoteReceived = "credit-note-received",
        CatalogueChanged = "catalogue-changed",
        SettlementRecorded = "settlement-recorded",
        UsageFlagged = "usage-flagged",
        InvoiceApproved = "invoice-approved",
        InvoiceDisputed = "invoice-disputed",
        ApiTokenCreated = "api-token-created",
        ApiTokenRevoked = "api-token-revoked",
        /// A startup's accounts, partner or linked enterprises or declared de minimis aid changed.
        CompanyProfileChanged = "company-profile-changed",
        /// A funder moved the end of a grant's validity.
        GrantExtended = "grant-extended",
        /// A funder revoked a grant; its unused credit was clawed back.
        GrantRevoked = "grant-revoked",
        /// A grant's validity ended; its unused credit was clawed back.
        GrantExpired = "grant-expired",
        /// Programme lifecycle: a draft edited, its rules set, opened (funded), its window
        /// extended or budget raised (with the reason), closed, archived.
        ProgrammeDraftEdited = "programme-draft-edited",
        ProgrammeEligibilitySet = "programme-eligibility-set",
        ProgrammeOpened = "programme-opened",
        ProgrammeClosingExtended = "programme-closing-extended",
        ProgrammeBudgetRaised = "programme-budget-raised",
        ProgrammeClosed = "programme-closed",
        ProgrammeArchived = "programme-archived",
        /// A funder approved an application that failed eligibility rules, with its reason.
        EligibilityOverridden = "eligibility-overridden",
        /// Co-funding: a funder invited to co-fund a programme, and a co-funder's commitment.
        CofunderInvited = "cofunder-invited",
        ProgrammeCofunded = "programme-cofunded",
        /// Review criteria and scale set, a reviewer assigned, a conflict of interest declared
        /// (or none), a review submitted.
        ReviewCriteriaSet = "review-criteria-set",
        ReviewerAssigned = "reviewer-assigned",
        ReviewConflictDeclared = "review-conflict-declared",
        ReviewCleared = "review-cleared",
        ReviewSubmitted = "review-submitted",
        /// A startup accepted an offer (with its de minimis declaration): the grant was awarded.
        OfferAccepted = "offer-accepted",
        /// A startup declined an offer; the budget it held was returned.
        OfferDeclined = "offer-declined",
        /// An offer lapsed (its deadline passed, or its programme was archived); the budget it
        /// held was returned.
        OfferLapsed = "offer-lapsed",
    }
}

/// Who and from where, as the request saw it.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub user_id: Option<UserId>,
    /// `user:12`, or the address typed at a failed sign-in, or `anonymous`.
    pub label: String,
    pub address: Option<String>,
    pub request_id: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
pub struct AuditEvent {
    pub id: i64,
    pub at: NaiveDateTime,
    pub actor_user_id: Option<UserId>,
    pub actor: String,
    pub address: Option<String>,
    pub request_id: Option<String>,
    #[diesel(deserialize_as = String)]
    pub action: AuditAction,
    pub subject: Option<String>,
    pub detail: Option<String>,
}

/// A stable pseudonym for an e-mail address typed at a failed sign-in: `email:` and the first
/// 16 hex digits of its SHA-256. Attempts on one address group together; the address itself
/// is not kept.
pub fn pseudonym(email: &str) -> String {
    let digest = crate::domain::identity::sha256_hex(email);
    format!("email:{}", &digest[..16])
}

/// Appends one event; call it inside the transaction of the change it records.
pub fn record(conn: &mut AnyConnection, actor: &Actor, action: AuditAction, subject: Option<String>, detail: Option<&str>) -> DomainResult<()> {
    let detail: Option<String> = detail.map(|d| d.chars().take(2000).collect());
    diesel::insert_into(audit_events::table)
        .values((
            audit_events::at.eq(clock::now()),
            audit_events::actor_user_id.eq(actor.user_id),
            audit_events::actor.eq(&actor.label),
            audit_events::address.eq(&actor.address),
            audit_events::request_id.eq(&actor.request_id),
            audit_events::action.eq(action.as_str()),
            audit_events::subject.eq(subject),
            audit_events::detail.eq(detail),
        ))
        .execute(conn)?;
    Ok(())
}

/// Events newest first, `limit` at most, older than `before` when given (for paging).
pub fn events(conn: &mut AnyConnection, limit: i64, before: Option<i64>) -> DomainResult<Vec<AuditEvent>> {
    let mut query = audit_events::table.order(audit_events::id.desc()).limit(limit).select(AuditEvent::as_select()).into_boxed();
    if let Some(before) = before {
        query = query.filter(audit_events::id.lt(before));
    }
    Ok(query.load(conn)?)
}

/// A spreadsheet cell that starts like a formula (`= + - @`, tab, carriage return) is prefixed
/// with an apostrophe, so that opening the export never runs what someone typed.
pub fn neutralise_formula(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{cell}") } else { cell.to_string() }
}

/// The whole log as CSV, oldest first.
pub fn export_csv(conn: &mut AnyConnection) -> DomainResult<Vec<u8>> {
    let rows: Vec<AuditEvent> = audit_events::table.order(audit_events::id).select(AuditEvent::as_select()).load(conn)?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut write = |record: &[String]| out.write_record(record).map_err(|e| crate::domain::DomainError::Internal(e.to_string()));
    write(&["id", "at_utc", "actor_user_id", "actor", "address", "request_id", "action", "subject", "detail"].map(String::from))?;
    for e in rows {
        write(&[
            e.id.to_string(),
            e.at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
            e.actor_user_id.map(|u| u.to_string()).unwrap_or_default(),
            neutralise_formula(&e.actor),
            neutralise_formula(e.address.as_deref().unwrap_or("")),
            e.request_id.unwrap_or_default(),
            e.action.as_str().to_string(),
            neutralise_formula(e.subject.as_deref().unwrap_or("")),
            neutralise_formula(e.detail.as_deref().unwrap_or("")),
        ])?;
    }
    out.into_inner().map_err(|e| crate::domain::DomainError::Internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn formulas_are_neutralised_in_exports() {
        assert_eq!(super::neutralise_formula("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(super::neutralise_formula("-2+3"), "'-2+3");
        assert_eq!(super::neutralise_formula("Lumen Labs"), "Lumen Labs");
    }
}
