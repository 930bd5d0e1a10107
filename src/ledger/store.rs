//! Writing what the ledger decided. The rules (balance, limits, idempotency, hash chain) are
//! applied before this point; here a computed [`Plan`] is stored, all of it or none (the
//! caller's transaction). On PostgreSQL a plan of ordinary size is one statement: a chain of
//! data-modifying CTEs inserts the entries and their postings, moves the account totals and
//! advances the chain head, so a single-entry commit costs six round trips instead of eleven.
//! Large batches, and SQLite (where a statement is a function call), use plain statements.

use crate::db::{AnyConnection, CHUNK_ROWS};
use crate::db::schema::{ledger_entries, ledger_head, ledger_kind_totals, ledger_postings, spend_days};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Nullable, Text, Timestamp};
use std::collections::HashMap;

pub(super) struct EntryRow {
    pub key: String,
    pub payload_hash: String,
    pub kind: &'static str,
    pub description: String,
    pub effective_on: NaiveDate,
    pub actor: String,
    pub programme_id: Option<i64>,
    pub grant_id: Option<i64>,
    pub usage_upload_id: Option<i64>,
    pub reverses_entry_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub prev_hash: String,
    pub hash: String,
    pub phase: &'static str,
    pub resolves_entry_id: Option<i64>,
    pub expires_at: Option<NaiveDateTime>,
}

pub(super) struct PostingRow {
    /// The entry's idempotency key: ids exist only once the entries are inserted.
    pub key: String,
    pub account_id: i64,
    pub direction: &'static str,
    pub amount: i64,
    pub currency: String,
}

/// Changes to one account's four totals.
pub(super) struct AccountDelta {
    pub id: i64,
    pub debits_posted: i64,
    pub credits_posted: i64,
    pub debits_pending: i64,
    pub credits_pending: i64,
}

/// What one kind of posted entry adds to one account (`ledger_kind_totals`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct KindDelta {
    pub account_id: i64,
    pub kind: &'static str,
    pub debits: i64,
    pub credits: i64,
}

/// What the fresh entries add to one `spend_days` row (see `ledger::spend`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SpendDelta {
    pub key: super::spend::SpendKey,
    pub debits: i64,
    pub credits: i64,
}

pub(super) struct Plan {
    pub entries: Vec<EntryRow>,
    pub postings: Vec<PostingRow>,
    pub deltas: Vec<AccountDelta>,
    /// Posted movements by account and entry kind, one row per pair (sorted).
    pub kind_deltas: Vec<KindDelta>,
    /// Spend by programme, provider account, hardware kind and day, one row per key (sorted).
    pub spend_deltas: Vec<SpendDelta>,
    pub head_count: i64,
    pub head_hash: String,
}

/// Bound parameters per entry row: the widest row any batched insert writes.
const ENTRY_PARAMS: usize = 16;
const _: () = assert!(CHUNK_ROWS * ENTRY_PARAMS <= 32_766, "a chunk of ledger entries must fit SQLite's 32,766 bound parameters");
/// PostgreSQL allows 65,535 parameters a statement; plans larger than this go statement by statement.
const ONE_STATEMENT_MAX_PARAMS: usize = 30_000;

/// Stores the plan; returns the new entries' ids by idempotency key.
pub(super) fn execute(conn: &mut AnyConnection, plan: &Plan) -> QueryResult<HashMap<String, i64>> {
    let params = plan.entries.len() * ENTRY_PARAMS + plan.postings.len() * 5 + plan.deltas.len() * 5 + plan.kind_deltas.len() * 4 + plan.spend_deltas.len() * 6 + 2;
    match conn {
        AnyConnection::Postgresql(pg) if params <= ONE_STATEMENT_MAX_PARAMS => execute_pg_one_statement(pg, plan),
        _ => execute_statements(conn, plan),
    }
}

fn execute_statements(conn: &mut AnyConnection, plan: &Plan) -> QueryResult<HashMap<String, i64>> {
    let rows: Vec<_> = plan
        .entries
        .iter()
        .map(|e| {
            (
                ledger_entries::idempotency_key.eq(&e.key),
                ledger_entries::payload_hash.eq(&e.payload_hash),
                ledger_entries::kind.eq(e.kind),
                ledger_entries::description.eq(&e.description),
                ledger_entries::effective_on.eq(e.effective_on),
                ledger_entries::actor.eq(&e.actor),
                ledger_entries::programme_id.eq(e.programme_id),
                ledger_entries::grant_id.eq(e.grant_id),
                ledger_entries::usage_upload_id.eq(e.usage_upload_id),
                ledger_entries::reverses_entry_id.eq(e.reverses_entry_id),
                ledger_entries::created_at.eq(e.created_at),
                ledger_entries::prev_hash.eq(&e.prev_hash),
                ledger_entries::hash.eq(&e.hash),
                (
                    ledger_entries::phase.eq(e.phase),
                    ledger_entries::resolves_entry_id.eq(e.resolves_entry_id),
                    ledger_entries::expires_at.eq(e.expires_at),
                ),
            )
        })
        .collect();
    for chunk in rows.chunks(CHUNK_ROWS) {
        crate::on_backend!(conn, c => diesel::insert_into(ledger_entries::table).values(chunk).execute(c))?;
    }
    let keys: Vec<&str> = plan.entries.iter().map(|e| e.key.as_str()).collect();
    let mut ids: HashMap<String, i64> = HashMap::with_capacity(keys.len());
    for chunk in keys.chunks(CHUNK_ROWS) {
        let found: Vec<(String, i64)> = ledger_entries::table
            .filter(ledger_entries::idempotency_key.eq_any(chunk))
            .select((ledger_entries::idempotency_key, ledger_entries::id))
            .load(conn)?;
        ids.extend(found);
    }
    let postings: Vec<_> = plan
        .postings
        .iter()
        .map(|p| {
            (
                ledger_postings::entry_id.eq(ids[&p.key]),
                ledger_postings::account_id.eq(p.account_id),
                ledger_postings::direction.eq(p.direction),
                ledger_postings::amount.eq(p.amount),
                ledger_postings::currency.eq(&p.currency),
            )
        })
        .collect();
    for chunk in postings.chunks(CHUNK_ROWS) {
        crate::on_backend!(conn, c => diesel::insert_into(ledger_postings::table).values(chunk).execute(c))?;
    }
    add_account_deltas(conn, &plan.deltas)?;
    add_kind_totals(conn, &plan.kind_deltas)?;
    add_spend_days(conn, &plan.spend_deltas)?;
    diesel::update(ledger_head::table.find(1))
        .set((ledger_head::entry_count.eq(plan.head_count), ledger_head::last_hash.eq(&plan.head_hash)))
        .execute(conn)?;
    Ok(ids)
}

/// Accounts updated per statement: each adds four `WHEN` arms to the text.
const ACCOUNTS_PER_UPDATE: usize = 250;

/// Adds each account's movements to its running totals, a few hundred accounts per statement
/// (an invoice over thousands of grants moves thousands of accounts). The deltas keep the
/// order `plan` gave them, so row locks are taken in id order.
fn add_account_deltas(conn: &mut AnyConnection, deltas: &[AccountDelta]) -> QueryResult<()> {
    for chunk in deltas.chunks(ACCOUNTS_PER_UPDATE) {
        // Only integers computed here go into the text, so nothing needs quoting.
        let column = |name: &str, of: fn(&AccountDelta) -> i64| {
            let arms: String = chunk.iter().map(|d| format!(" WHEN {} THEN {}", d.id, of(d))).collect();
            format!("{name} = {name} + CASE id{arms} ELSE 0 END")
        };
        let ids: Vec<String> = chunk.iter().map(|d| d.id.to_string()).collect();
        let sql = format!(
            "UPDATE ledger_accounts SET {}, {}, {}, {} WHERE id IN ({})",
            column("debits_posted", |d| d.debits_posted),
            column("credits_posted", |d| d.credits_posted),
            column("debits_pending", |d| d.debits_pending),
            column("credits_pending", |d| d.credits_pending),
            ids.join(",")
        );
        let changed = diesel::sql_query(sql).execute(conn)?;
        if changed != chunk.len() {
            return Err(diesel::result::Error::NotFound);
        }
    }
    Ok(())
}

/// Adds posted movements to the per-kind totals, creating the rows a kind's first posting needs.
fn add_kind_totals(conn: &mut AnyConnection, deltas: &[KindDelta]) -> QueryResult<()> {
    use diesel::upsert::excluded;
    let rows: Vec<_> = deltas
        .iter()
        .map(|d| (ledger_kind_totals::account_id.eq(d.account_id), ledger_kind_totals::kind.eq(d.kind), ledger_kind_totals::debits.eq(d.debits), ledger_kind_totals::credits.eq(d.credits)))
        .collect();
    for chunk in rows.chunks(CHUNK_ROWS) {
        crate::on_backend!(conn, c => diesel::insert_into(ledger_kind_totals::table)
            .values(chunk)
            .on_conflict((ledger_kind_totals::account_id, ledger_kind_totals::kind))
            .do_update()
            .set((
                ledger_kind_totals::debits.eq(ledger_kind_totals::debits + excluded(ledger_kind_totals::debits)),
                ledger_kind_totals::credits.eq(ledger_kind_totals::credits + excluded(ledger_kind_totals::credits)),
            ))
            .execute(c))?;
    }
    Ok(())
}

/// Adds spend to its days, creating the rows a day's first spend needs.
fn add_spend_days(conn: &mut AnyConnection, deltas: &[SpendDelta]) -> QueryResult<()> {
    use diesel::upsert::excluded;
    let rows: Vec<_> = deltas
        .iter()
        .map(|d| {
            (
                spend_days::programme_id.eq(d.key.programme_id),
                spend_days::account_id.eq(d.key.account_id),
                spend_days::hardware_kind.eq(&d.key.hardware_kind),
                spend_days::day.eq(d.key.day),
                spend_days::debits.eq(d.debits),
                spend_days::credits.eq(d.credits),
            )
        })
        .collect();
    for chunk in rows.chunks(CHUNK_ROWS) {
        crate::on_backend!(conn, c => diesel::insert_into(spend_days::table)
            .values(chunk)
            .on_conflict((spend_days::programme_id, spend_days::account_id, spend_days::hardware_kind, spend_days::day))
            .do_update()
            .set((
                spend_days::debits.eq(spend_days::debits + excluded(spend_days::debits)),
                spend_days::credits.eq(spend_days::credits + excluded(spend_days::credits)),
            ))
            .execute(c))?;
    }
    Ok(())
}

#[derive(QueryableByName)]
struct KeyAndId {
    #[diesel(sql_type = Text)]
    idempotency_key: String,
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// One value to bind, in statement order.
enum Param<'a> {
    Text(&'a str),
    BigInt(i64),
    OptBigInt(Option<i64>),
    Date(NaiveDate),
    Timestamp(NaiveDateTime),
    OptTimestamp(Option<NaiveDateTime>),
}

/// Appends `(a, b, …), (c, d, …)` for the given rows of placeholders.
fn push_values(sql: &mut String, rows: impl IntoIterator<Item = Vec<String>>) {
    for (n, row) in rows.into_iter().enumerate() {
        if n > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        sql.push_str(&row.join(", "));
        sql.push(')');
    }
}

fn execute_pg_one_statement(conn: &mut diesel::PgConnection, plan: &Plan) -> QueryResult<HashMap<String, i64>> {
    let mut params: Vec<Param<'_>> = Vec::new();
    /// Adds a parameter and returns its typed placeholder.
    fn place<'a>(params: &mut Vec<Param<'a>>, p: Param<'a>, cast: &str) -> String {
        params.push(p);
        format!("${}::{cast}", params.len())
    }
    let mut sql = String::from(
        "WITH e AS (INSERT INTO ledger_entries (idempotency_key, payload_hash, kind, description, effective_on, actor, \
         programme_id, grant_id, usage_upload_id, reverses_entry_id, created_at, prev_hash, hash, phase, resolves_entry_id, expires_at) VALUES ",
    );
    let entry_rows: Vec<Vec<String>> = plan
        .entries
        .iter()
        .map(|e| {
            vec![
                place(&mut params, Param::Text(&e.key), "text"),
                place(&mut params, Param::Text(&e.payload_hash), "text"),
                place(&mut params, Param::Text(e.kind), "text"),
                place(&mut params, Param::Text(&e.description), "text"),
                place(&mut params, Param::Date(e.effective_on), "date"),
                place(&mut params, Param::Text(&e.actor), "text"),
                place(&mut params, Param::OptBigInt(e.programme_id), "int8"),
                place(&mut params, Param::OptBigInt(e.grant_id), "int8"),
                place(&mut params, Param::OptBigInt(e.usage_upload_id), "int8"),
                place(&mut params, Param::OptBigInt(e.reverses_entry_id), "int8"),
                place(&mut params, Param::Timestamp(e.created_at), "timestamp"),
                place(&mut params, Param::Text(&e.prev_hash), "text"),
                place(&mut params, Param::Text(&e.hash), "text"),
                place(&mut params, Param::Text(e.phase), "text"),
                place(&mut params, Param::OptBigInt(e.resolves_entry_id), "int8"),
                place(&mut params, Param::OptTimestamp(e.expires_at), "timestamp"),
            ]
        })
        .collect();
    push_values(&mut sql, entry_rows);
    sql.push_str(" RETURNING id, idempotency_key)");
    if !plan.postings.is_empty() {
        sql.push_str(
            ", p AS (INSERT INTO ledger_postings (entry_id, account_id, direction, amount, currency) \
             SELECT e.id, v.column2, v.column3, v.column4, v.column5 FROM (VALUES ",
        );
        let rows: Vec<Vec<String>> = plan
            .postings
            .iter()
            .map(|p| {
                vec![
                    place(&mut params, Param::Text(&p.key), "text"),
                    place(&mut params, Param::BigInt(p.account_id), "int8"),
                    place(&mut params, Param::Text(p.direction), "text"),
                    place(&mut params, Param::BigInt(p.amount), "int8"),
                    place(&mut params, Param::Text(&p.currency), "text"),
                ]
            })
            .collect();
        push_values(&mut sql, rows);
        sql.push_str(") AS v JOIN e ON e.idempotency_key = v.column1)");
    }
    if !plan.deltas.is_empty() {
        sql.push_str(
            ", a AS (UPDATE ledger_accounts SET debits_posted = ledger_accounts.debits_posted + v.column2, \
             credits_posted = ledger_accounts.credits_posted + v.column3, debits_pending = ledger_accounts.debits_pending + v.column4, \
             credits_pending = ledger_accounts.credits_pending + v.column5 FROM (VALUES ",
        );
        let rows: Vec<Vec<String>> = plan
            .deltas
            .iter()
            .map(|d| {
                [d.id, d.debits_posted, d.credits_posted, d.debits_pending, d.credits_pending]
                    .into_iter()
                    .map(|v| place(&mut params, Param::BigInt(v), "int8"))
                    .collect()
            })
            .collect();
        push_values(&mut sql, rows);
        sql.push_str(") AS v WHERE ledger_accounts.id = v.column1)");
    }
    if !plan.kind_deltas.is_empty() {
        sql.push_str(", k AS (INSERT INTO ledger_kind_totals (account_id, kind, debits, credits) VALUES ");
        let rows: Vec<Vec<String>> = plan
            .kind_deltas
            .iter()
            .map(|d| {
                vec![
                    place(&mut params, Param::BigInt(d.account_id), "int8"),
                    place(&mut params, Param::Text(d.kind), "text"),
                    place(&mut params, Param::BigInt(d.debits), "int8"),
                    place(&mut params, Param::BigInt(d.credits), "int8"),
                ]
            })
            .collect();
        push_values(&mut sql, rows);
        sql.push_str(
            " ON CONFLICT (account_id, kind) DO UPDATE SET debits = ledger_kind_totals.debits + EXCLUDED.debits, \
             credits = ledger_kind_totals.credits + EXCLUDED.credits)",
        );
    }
    if !plan.spend_deltas.is_empty() {
        sql.push_str(", s AS (INSERT INTO spend_days (programme_id, account_id, hardware_kind, day, debits, credits) VALUES ");
        let rows: Vec<Vec<String>> = plan
            .spend_deltas
            .iter()
            .map(|d| {
                vec![
                    place(&mut params, Param::BigInt(d.key.programme_id), "int8"),
                    place(&mut params, Param::BigInt(d.key.account_id), "int8"),
                    place(&mut params, Param::Text(&d.key.hardware_kind), "text"),
                    place(&mut params, Param::Date(d.key.day), "date"),
                    place(&mut params, Param::BigInt(d.debits), "int8"),
                    place(&mut params, Param::BigInt(d.credits), "int8"),
                ]
            })
            .collect();
        push_values(&mut sql, rows);
        sql.push_str(
            " ON CONFLICT (programme_id, account_id, hardware_kind, day) DO UPDATE SET debits = spend_days.debits + EXCLUDED.debits, \
             credits = spend_days.credits + EXCLUDED.credits)",
        );
    }
    let count = place(&mut params, Param::BigInt(plan.head_count), "int8");
    let hash = place(&mut params, Param::Text(&plan.head_hash), "text");
    sql.push_str(&format!(", h AS (UPDATE ledger_head SET entry_count = {count}, last_hash = {hash} WHERE id = 1) SELECT idempotency_key, id FROM e"));

    let mut query = diesel::sql_query(sql).into_boxed::<Pg>();
    for p in params {
        query = match p {
            Param::Text(v) => query.bind::<Text, _>(v),
            Param::BigInt(v) => query.bind::<BigInt, _>(v),
            Param::OptBigInt(v) => query.bind::<Nullable<BigInt>, _>(v),
            Param::Date(v) => query.bind::<Date, _>(v),
            Param::Timestamp(v) => query.bind::<Timestamp, _>(v),
            Param::OptTimestamp(v) => query.bind::<Nullable<Timestamp>, _>(v),
        };
    }
    let rows: Vec<KeyAndId> = query.load(conn)?;
    Ok(rows.into_iter().map(|r| (r.idempotency_key, r.id)).collect())
}
