//! What a ledger operation can refuse, and why.

use crate::money::{Amount, AmountError};
use chrono::NaiveDateTime;

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("an entry needs at least two postings")]
    TooFewPostings,
    #[error("every posting must move a positive amount")]
    NonPositiveAmount,
    #[error("the entry does not balance in {currency}: debits {debits}, credits {credits}")]
    Unbalanced { currency: String, debits: Amount, credits: Amount },
    #[error("no ledger account with id {0}")]
    UnknownAccount(i64),
    #[error("{account} has {available} {currency} available; {requested} {currency} was asked for")]
    LimitExceeded { account: String, currency: String, available: Amount, requested: Amount },
    #[error("idempotency key {0} was already used for a different entry")]
    IdempotencyConflict(String),
    #[error("entry {0} is not an ordinary posted entry and cannot be reversed (resolve or void holds instead)")]
    NotReversible(i64),
    #[error("entry {0} is not a hold")]
    NotAHold(i64),
    #[error("hold {0} was already resolved by entry {1}")]
    AlreadyResolved(i64, i64),
    #[error("hold {0} expired at {1}")]
    HoldExpired(i64, NaiveDateTime),
    #[error("cannot post {requested} from hold {hold}, which holds {held}")]
    MoreThanHeld { hold: i64, held: Amount, requested: Amount },
    /// A text column holds a value this version does not know (written by a newer version, or by
    /// hand). The operation stops rather than read it as some default.
    #[error("the ledger holds {value:?} in {column}, which this version does not know")]
    UnknownValue { column: &'static str, value: String },
    #[error("amount error: {0}")]
    Amount(#[from] AmountError),
    #[error("ledger storage error: {0}")]
    Database(#[from] diesel::result::Error),
}
