//! The ledger's vocabulary: the enums stored as text, the rows read back, and what callers pass in.

use super::LedgerError;
use crate::db::schema::{ledger_accounts, ledger_entries, ledger_postings};
use crate::money::Amount;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

crate::text_enum! {
    #[derive(PartialOrd, Ord)]
    pub enum Side ("posting side") {
        Debit = "debit",
        Credit = "credit",
    }
}

crate::text_enum! {
    pub enum LimitRule ("limit rule") {
        None = "none",
        DebitsMustNotExceedCredits = "debits_must_not_exceed_credits",
        CreditsMustNotExceedDebits = "credits_must_not_exceed_debits",
    }
}

crate::text_enum! {
    /// What an entry is for. Stored as text; the set grows with the flows of later features.
    pub enum EntryKind ("entry kind") {
        Fund = "fund",
        Award = "award",
        Usage = "usage",
        Reversal = "reversal",
        Expiry = "expiry",
        Settlement = "settlement",
        /// A provider's credit note: payable back to a grant's credits.
        CreditNote = "credit-note",
        /// An offer of credits awaiting the startup's acceptance: a hold on the programme's
        /// available budget (see `domain::offers`).
        Offer = "offer",
    }
}

crate::text_enum! {
    /// Where an entry stands in the two-phase life of a transfer.
    pub enum Phase ("entry phase") {
        /// An ordinary entry: its postings move posted balances.
        Posted = "posted",
        /// A hold: its postings reserve funds in the pending totals until it is resolved.
        Pending = "pending",
        /// Resolves a hold by posting (at most) what it held; the rest is released.
        PostPending = "post_pending",
        /// Resolves a hold by releasing all of it.
        VoidPending = "void_pending",
        /// Resolves a hold whose time ran out, releasing all of it.
        ExpirePending = "expire_pending",
    }
}

impl Phase {
    /// Entries whose postings move posted balances.
    pub(super) fn moves_posted(self) -> bool {
        matches!(self, Phase::Posted | Phase::PostPending)
    }

    pub(super) fn resolves(self) -> bool {
        matches!(self, Phase::PostPending | Phase::VoidPending | Phase::ExpirePending)
    }
}

/// Gives each enum the `parse` it had before `text_enum!`: `None` for text it does not know.
macro_rules! parse_or_none {
    ($($name:ident),+) => {
        $(impl $name {
            pub fn parse(text: &str) -> Option<$name> {
                text.parse().ok()
            }
        })+
    };
}
parse_or_none!(Side, LimitRule, EntryKind, Phase);

/// Reads a value stored as text, refusing one this code does not know. A default would misread
/// the books without a word: a newer version's kind re-posted as usage, a credit read as a debit.
pub(super) fn decode<T: std::str::FromStr>(column: &'static str, value: &str) -> Result<T, LedgerError> {
    value.parse().map_err(|_| LedgerError::UnknownValue { column, value: value.to_string() })
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
    /// The account's normal side, as stored.
    pub fn side(&self) -> Result<Side, LedgerError> {
        decode("ledger_accounts.normal_side", &self.normal_side)
    }

    /// The account's balance limit, as stored.
    pub fn limit(&self) -> Result<LimitRule, LedgerError> {
        decode("ledger_accounts.limit_rule", &self.limit_rule)
    }

    /// Refuses a row whose side or limit this code does not know. Every read of accounts in the
    /// ledger goes through here, so the figures below, which cannot fail, never meet one.
    pub(super) fn checked(self) -> Result<Account, LedgerError> {
        self.side()?;
        self.limit()?;
        Ok(self)
    }

    /// The side of an account that was [`checked`](Account::checked) when read.
    ///
    /// # Panics
    /// On an unknown side: only an `Account` built by hand, not read through the ledger, has one.
    pub(super) fn known_side(&self) -> Side {
        self.side().unwrap_or_else(|e| panic!("{e} (accounts are checked when read)"))
    }

    /// The limit of an account that was [`checked`](Account::checked) when read; panics as
    /// [`known_side`](Account::known_side) does.
    fn known_limit(&self) -> LimitRule {
        self.limit().unwrap_or_else(|e| panic!("{e} (accounts are checked when read)"))
    }

    /// Posted balance on the account's normal side.
    ///
    /// # Panics
    /// On an unknown normal side, which an account read through the ledger never has.
    pub fn balance(&self) -> Amount {
        let cents = match self.known_side() {
            Side::Debit => self.debits_posted - self.credits_posted,
            Side::Credit => self.credits_posted - self.debits_posted,
        };
        Amount::from_cents(cents)
    }

    /// What a limited account can still give: posted balance less what is held.
    ///
    /// # Panics
    /// On an unknown side or limit, which an account read through the ledger never has.
    pub fn available(&self) -> Amount {
        match self.known_limit() {
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
        match self.known_limit() {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_kind_is_refused_not_defaulted() {
        // Before, any unknown kind read back as `Usage`.
        match decode::<EntryKind>("ledger_entries.kind", "refund") {
            Err(LedgerError::UnknownValue { column, value }) => {
                assert_eq!((column, value.as_str()), ("ledger_entries.kind", "refund"));
            }
            other => panic!("expected UnknownValue, got {other:?}"),
        }
        assert!(EntryKind::parse("").is_none());
        assert!(EntryKind::parse("Usage").is_none(), "stored values are lower case; no guessing");
    }

    #[test]
    fn every_stored_value_reads_back_as_itself() {
        for kind in EntryKind::ALL {
            assert_eq!(EntryKind::parse(kind.as_str()), Some(*kind));
        }
        for phase in Phase::ALL {
            assert_eq!(Phase::parse(phase.as_str()), Some(*phase));
        }
        for rule in LimitRule::ALL {
            assert_eq!(LimitRule::parse(rule.as_str()), Some(*rule));
        }
        for side in Side::ALL {
            assert_eq!(Side::parse(side.as_str()), Some(*side));
        }
    }

    fn account(normal_side: &str, limit_rule: &str) -> Account {
        Account {
            id: 1,
            code: "grant:G-1:credits".into(),
            owner_kind: "grant".into(),
            owner_id: 1,
            purpose: "credits".into(),
            currency: "EUR".into(),
            normal_side: normal_side.into(),
            limit_rule: limit_rule.into(),
            debits_posted: 0,
            credits_posted: 500,
            debits_pending: 0,
            credits_pending: 0,
            created_at: NaiveDateTime::default(),
        }
    }

    #[test]
    fn an_account_with_an_unknown_side_or_limit_is_refused_when_read() {
        // Before, an unknown limit read as `None` (unlimited) and an unknown side as credit.
        assert!(matches!(account("credit", "no_limit").checked(), Err(LedgerError::UnknownValue { column: "ledger_accounts.limit_rule", .. })));
        assert!(matches!(account("Credit", "none").checked(), Err(LedgerError::UnknownValue { column: "ledger_accounts.normal_side", .. })));
        let good = account("credit", "debits_must_not_exceed_credits").checked().unwrap();
        assert_eq!(good.available(), Amount::from_cents(500));
    }
}
