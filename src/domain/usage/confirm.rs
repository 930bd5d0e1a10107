//! Submitting a pending upload: one hold per grant (credits → provider payable, pending), all in
//! one transaction. The holds wait for the funder's decision on the provider's invoice.

use super::{UploadStatus, UploadView, view};
use crate::db::AnyConnection;
use crate::db::schema::{usage_charges, usage_uploads};
use crate::domain::clock;
use crate::domain::error::{DomainError, DomainResult};
use crate::domain::identity::{Member, OrgKind};
use crate::domain::ids::UploadId;
use crate::ledger::{self, EntryKind, Leg, LedgerError, Links, NewEntry, Side, chart};
use crate::messages::{Arg, Message};
use diesel::prelude::*;

/// Submits a pending upload: one hold per grant, all in one transaction; a grant that cannot
/// cover its hold refuses the whole submission.
pub fn confirm(conn: &mut AnyConnection, by: &Member, upload_id: UploadId) -> DomainResult<UploadView> {
    let pending = view(conn, by, upload_id)?;
    if by.kind() != OrgKind::Provider {
        return Err(DomainError::NotFound);
    }
    let provider_id = pending.upload.provider_id;
    let currency = pending.upload.currency.clone();
    crate::db::write_transaction(conn, |conn| -> DomainResult<()> {
        // The same file uploaded twice and confirmed twice: say so plainly (the ledger's
        // idempotency keys would refuse the second posting anyway).
        let twin: Option<UploadId> = usage_uploads::table
            .filter(usage_uploads::provider_id.eq(provider_id))
            .filter(usage_uploads::file_sha256.eq(&pending.upload.file_sha256))
            .filter(usage_uploads::status.ne(UploadStatus::Pending.as_str()))
            .select(usage_uploads::id)
            .first(conn)
            .optional()?;
        if let Some(twin) = twin {
            return Err(DomainError::Conflict(Message::new("upload-twin-posted").with("upload", twin)));
        }
        // A grant that expired or was revoked since the file was checked takes no more usage.
        crate::domain::grant_expiry::refuse_ended(conn, pending.charges.iter().filter(|c| c.amount.is_positive()).map(|c| c.grant_id))?;
        let changed = diesel::update(usage_uploads::table.filter(usage_uploads::id.eq(upload_id)).filter(usage_uploads::status.eq(UploadStatus::Pending.as_str())))
            .set((
                usage_uploads::status.eq(UploadStatus::Submitted.as_str()),
                usage_uploads::confirmed_by.eq(by.user.id),
                usage_uploads::confirmed_at.eq(clock::now()),
            ))
            .execute(conn)?;
        if changed == 0 {
            return Err(DomainError::Conflict(Message::new("upload-already-posted").with("upload", upload_id)));
        }
        let payable = ledger::open_account(conn, &chart::provider_payable(provider_id.get(), &currency))?;
        let now = clock::now();
        for charge in pending.charges.iter().filter(|c| c.amount.is_positive()) {
            let credits = ledger::find_account_by_code(conn, &chart::grant_credits(&charge.grant_code, charge.grant_id.get(), &currency).code)?
                .ok_or(DomainError::NotFound)?;
            let expires = now + chrono::Duration::days(i64::from(hold_days(conn, charge.grant_id)?));
            let result = ledger::hold(
                conn,
                &NewEntry {
                    idempotency_key: format!("usage-hold:{provider_id}:{}:grant:{}", pending.upload.file_sha256, charge.grant_code),
                    kind: EntryKind::Usage,
                    description: format!("Usage from {} ({} line(s)), held until the funder approves", pending.upload.filename, charge.lines),
                    effective_on: clock::today(),
                    actor: by.actor(),
                    links: Links { grant_id: Some(charge.grant_id.get()), usage_upload_id: Some(upload_id.get()), ..Links::default() },
                    legs: vec![
                        Leg { account_id: credits.id, side: Side::Debit, amount: charge.amount },
                        Leg { account_id: payable.id, side: Side::Credit, amount: charge.amount },
                    ],
                },
                Some(expires),
            );
            match result {
                Ok(held) => {
                    diesel::update(usage_charges::table.filter(usage_charges::upload_id.eq(upload_id)).filter(usage_charges::grant_id.eq(charge.grant_id)))
                        .set(usage_charges::hold_entry_id.eq(Some(held.entry_id)))
                        .execute(conn)?;
                    crate::domain::alerts::credits_used(conn, charge.grant_id)?;
                }
                Err(LedgerError::LimitExceeded { available, requested, currency, .. }) => {
                    return Err(DomainError::Conflict(
                        Message::new("upload-grant-cannot-pay")
                            .with("grant", &charge.grant_code)
                            .with("available", Arg::Money { cents: available.cents(), currency: currency.clone() })
                            .with("requested", Arg::Money { cents: requested.cents(), currency }),
                    ));
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    })?;
    view(conn, by, upload_id)
}


/// How long the programme of `grant_id` keeps usage held waiting for an approved invoice.
fn hold_days(conn: &mut AnyConnection, grant_id: crate::domain::ids::GrantId) -> DomainResult<i32> {
    use crate::db::schema::{grants, programmes};
    Ok(grants::table
        .inner_join(programmes::table.on(programmes::id.eq(grants::programme_id)))
        .filter(grants::id.eq(grant_id))
        .select(programmes::hold_days)
        .first(conn)?)
}
