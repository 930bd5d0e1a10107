//! The ledger's vocabulary: the enums stored as text, the rows read back, and what callers pass in.

use crate::db::schema::{ledger_accounts, ledger_entries, ledger_postings};
use crate::money::Amount;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Side {
    Debit,
    Credit,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Debit => "debit",
            Side::Credit => "credit",
        }
    }

    pub fn parse(text: &str) -> Option<Side> {
        match text {
            "debit" => Some(Side::Debit),
            "credit" => Some(Side::Credit),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitRule {
    None,
    DebitsMustNotExceedCredits,
    CreditsMustNotExceedDebits,
}

impl LimitRule {
    pub fn as_str(self) -> &'static str {
        match self {
            LimitRule::None => "none",
            LimitRule::DebitsMustNotExceedCredits => "debits_must_not_exceed_credits",
            LimitRule::CreditsMustNotExceedDebits => "credits_must_not_exceed_debits",
        }
    }

    pub fn parse(text: &str) -> LimitRule {
        match text {
            "debits_must_not_exceed_credits" => LimitRule::DebitsMustNotExceedCredits,
            "credits_must_not_exceed_debits" => LimitRule::CreditsMustNotExceedDebits,
            _ => LimitRule::None,
        }
    }
}

/// What an entry is for. Stored as text; the set grows with the flows of later features.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    Fund,
    Award,
    Usage,
    Reversal,
    Expiry,
    Settlement,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Fund => "fund",
            EntryKind::Award => "award",
            EntryKind::Usage => "usage",
            EntryKind::Reversal => "reversal",
            EntryKind::Expiry => "expiry",
            EntryKind::Settlement => "settlement",
        }
    }
}

/// Where an entry stands in the two-phase life of a transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// An ordinary entry: its postings move posted balances.
    Posted,
    /// A hold: its postings reserve funds in the pending totals until it is resolved.
    Pending,
    /// Resolves a hold by posting (at most) what it held; the rest is released.
    PostPending,
    /// Resolves a hold by releasing all of it.
    VoidPending,
    /// Resolves a hold whose time ran out, releasing all of it.
    ExpirePending,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Posted => "posted",
            Phase::Pending => "pending",
            Phase::PostPending => "post_pending",
            Phase::VoidPending => "void_pending",
            Phase::ExpirePending => "expire_pending",
        }
    }

    pub fn parse(text: &str) -> Option<Phase> {
        Some(match text {
            "posted" => Phase::Posted,
            "pending" => Phase::Pending,
            "post_pending" => Phase::PostPending,
            "void_pending" => Phase::VoidPending,
            "expire_pending" => Phase::ExpirePending,
            _ => return None,
        })
    }

    /// Entries whose postings move posted balances.
    pub(super) fn moves_posted(self) -> bool {
        matches!(self, Phase::Posted | Phase::PostPending)
    }

    pub(super) fn resolves(self) -> bool {
        matches!(self, Phase::PostPending | Phase::VoidPending | Phase::ExpirePending)
    }
}

#[derive(Debug, Clone, Queryable, Selectable, PartialEq, Eq)]
#[diesel(table_name = ledger_accounts)]
pub struct Account {
    pub id: i64,
    pub code: String,
    pub owner_kind: String,
    pub owner_id: i64,
    pub purpose: String,
    pub currency: String,
    pub normal_side: String,
    pub limit_rule: String,
    pub debits_posted: i64,
    pub credits_posted: i64,
    pub debits_pending: i64,
    pub credits_pending: i64,
    pub created_at: NaiveDateTime,
}

impl Account {
    /// Posted balance on the account's normal side.
    pub fn balance(&self) -> Amount {
        let cents = match Side::parse(&self.normal_side) {
            Some(Side::Debit) => self.debits_posted - self.credits_posted,
            _ => self.credits_posted - self.debits_posted,
        };
        Amount::from_cents(cents)
    }

    /// What a limited account can still give: posted balance less what is held.
    pub fn available(&self) -> Amount {
        match LimitRule::parse(&self.limit_rule) {
            LimitRule::DebitsMustNotExceedCredits => {
                Amount::from_cents(self.credits_posted - self.debits_posted - self.debits_pending)
            }
            LimitRule::CreditsMustNotExceedDebits => {
                Amount::from_cents(self.debits_posted - self.credits_posted - self.credits_pending)
            }
            LimitRule::None => self.balance(),
        }
    }

    /// The same account as the database would hold it if its limit were checked now.
    pub(super) fn breaks_limit(&self) -> bool {
        match LimitRule::parse(&self.limit_rule) {
            LimitRule::None => false,
            LimitRule::DebitsMustNotExceedCredits => self.debits_posted + self.debits_pending > self.credits_posted,
            LimitRule::CreditsMustNotExceedDebits => self.credits_posted + self.credits_pending > self.debits_posted,
        }
    }
}

/// An account to open (or find, if its code exists).
#[derive(Debug, Clone)]
pub struct AccountSpec {
    pub code: String,
    pub owner_kind: &'static str,
    pub owner_id: i64,
    pub purpose: &'static str,
    pub currency: String,
    pub normal_side: Side,
    pub limit: LimitRule,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Leg {
    pub account_id: i64,
    pub side: Side,
    pub amount: Amount,
}

/// Business objects an entry belongs to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Links {
    pub programme_id: Option<i64>,
    pub grant_id: Option<i64>,
    pub usage_upload_id: Option<i64>,
    pub reverses_entry_id: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewEntry {
    pub idempotency_key: String,
    pub kind: EntryKind,
    pub description: String,
    pub effective_on: NaiveDate,
    /// Who caused it: `user:42`, `token:7`, `cli`.
    pub actor: String,
    pub links: Links,
    pub legs: Vec<Leg>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Posted {
    pub entry_id: i64,
    /// True when the key had been used with the same payload: nothing was written.
    pub replayed: bool,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ledger_entries)]
pub struct Entry {
    pub id: i64,
    pub idempotency_key: String,
    pub payload_hash: String,
    pub kind: String,
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
    pub phase: String,
    pub resolves_entry_id: Option<i64>,
    pub expires_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ledger_postings)]
pub struct Posting {
    pub id: i64,
    pub entry_id: i64,
    pub account_id: i64,
    pub direction: String,
    pub amount: i64,
    pub currency: String,
}

/// The two-phase fields that the payload hash covers besides the business content.
pub struct Mechanics {
    pub phase: Phase,
    pub resolves: Option<i64>,
    pub expires_at: Option<NaiveDateTime>,
}
