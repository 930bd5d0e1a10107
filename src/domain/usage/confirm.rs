//! Submitting a pending upload: one hold per grant (credits → provider payable, pending), all in
//! one transaction. The holds wait for the funder's decision on the provider's invoice.

use super::{UploadStatus, UploadView, view};
use crate::db::AnyConnection;
use crate::db::schema::usage_uploads;
use crate::domain::clock;
use crate::domain::error::{DomainError, DomainResult};
use crate::domain::identity::{Member, OrgKind};
use crate::db::CHUNK_ROWS;
use crate::domain::ids::{GrantId, UploadId};
use crate::ledger::{self, EntryKind, Leg, LedgerError, Links, NewEntry, Side, chart};
use crate::messages::{Arg, Message};
use diesel::prelude::*;
use std::collections::HashMap;

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
        let charged: Vec<&super::Charge> = pending.charges.iter().filter(|c| c.amount.is_positive()).collect();
        // Every grant's account and hold period in one read each, the holds in one ledger
        // write: a file over thousands of grants costs a handful of round trips, not thousands.
        let codes: Vec<String> = charged.iter().map(|c| chart::grant_credits(&c.grant_code, c.grant_id.get(), &currency).code).collect();
        let accounts = ledger::accounts_by_codes(conn, &codes)?;
        let grant_ids: Vec<GrantId> = charged.iter().map(|c| c.grant_id).collect();
        let days = hold_days(conn, &grant_ids)?;
        let now = clock::now();
        let mut entries = Vec::with_capacity(charged.len());
        for (charge, code) in charged.iter().zip(&codes) {
            let credits = accounts.get(code).ok_or(DomainError::NotFound)?;
            let expires = now + chrono::Duration::days(i64::from(*days.get(&charge.grant_id).ok_or(DomainError::NotFound)?));
            let entry = NewEntry {
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
            };
            entries.push((entry, Some(expires)));
        }
        let holds: Vec<(&NewEntry, Option<chrono::NaiveDateTime>)> = entries.iter().map(|(entry, expires)| (entry, *expires)).collect();
        let held = match ledger::hold_many(conn, &holds) {
            Ok(held) => held,
            Err(LedgerError::LimitExceeded { account, available, requested, currency }) => {
                let grant = charged.iter().zip(&codes).find(|(_, code)| **code == account).map(|(c, _)| c.grant_code.clone()).unwrap_or(account);
                return Err(DomainError::Conflict(
                    Message::new("upload-grant-cannot-pay")
                        .with("grant", grant)
                        .with("available", Arg::Money { cents: available.cents(), currency: currency.clone() })
                        .with("requested", Arg::Money { cents: requested.cents(), currency }),
                ));
            }
            Err(e) => return Err(e.into()),
        };
        let hold_of: Vec<(GrantId, i64)> = charged.iter().zip(&held).map(|(c, h)| (c.grant_id, h.entry_id)).collect();
        record_holds(conn, upload_id, &hold_of)?;
        crate::domain::alerts::credits_used_many(conn, &grant_ids)?;
        Ok(())
    })?;
    view(conn, by, upload_id)
}


/// How long each grant's programme keeps usage held waiting for an approved invoice, by grant.
fn hold_days(conn: &mut AnyConnection, grant_ids: &[GrantId]) -> DomainResult<HashMap<GrantId, i32>> {
    use crate::db::schema::{grants, programmes};
    let mut days = HashMap::with_capacity(grant_ids.len());
    for chunk in grant_ids.chunks(CHUNK_ROWS) {
        let rows: Vec<(GrantId, i32)> = grants::table
            .inner_join(programmes::table.on(programmes::id.eq(grants::programme_id)))
            .filter(grants::id.eq_any(chunk))
            .select((grants::id, programmes::hold_days))
            .load(conn)?;
        days.extend(rows);
    }
    Ok(days)
}

/// Notes on each charge of the upload the hold made for it, a thousand charges per statement.
fn record_holds(conn: &mut AnyConnection, upload_id: UploadId, hold_of: &[(GrantId, i64)]) -> DomainResult<()> {
    for chunk in hold_of.chunks(CHUNK_ROWS) {
        // Only integers read from the database go into the text, so nothing needs quoting.
        let cases: String = chunk.iter().map(|(grant, hold)| format!(" WHEN {grant} THEN {hold}")).collect();
        let grants: Vec<String> = chunk.iter().map(|(grant, _)| grant.to_string()).collect();
        let sql = format!(
            "UPDATE usage_charges SET hold_entry_id = CASE grant_id{cases} END WHERE upload_id = {upload_id} AND grant_id IN ({})",
            grants.join(",")
        );
        let changed = diesel::sql_query(sql).execute(conn)?;
        if changed != chunk.len() {
            return Err(DomainError::Internal(format!("{changed} charges of upload {upload_id} took {} holds", chunk.len())));
        }
    }
    Ok(())
}
