//! The double-entry credit ledger.
//!
//! Accounts hold running totals; entries move amounts between accounts through two or more
//! postings that balance per currency. The module knows nothing of HTTP. Its guarantees:
//!
//! * **Balanced**: an entry whose debits differ from its credits in any currency is refused.
//! * **Never overdrawn**: an account with a balance limit refuses an entry that would break it.
//!   The check runs here *and* as a `CHECK` constraint in the database.
//! * **Append-only**: entries and postings are never updated or deleted; database triggers refuse
//!   it on both backends. Corrections are new, reversing entries.
//! * **Idempotent**: every entry carries a key. The same key with the same payload returns the
//!   first entry and writes nothing; with another payload it is refused as a conflict.
//! * **Tamper-evident**: each entry's hash covers its content and the previous entry's hash; the
//!   head of the chain is kept in `ledger_head`, so removing the newest entries is detected too.
//! * **Serialised writers**: [`post`] first writes the chain head row. On PostgreSQL that row lock
//!   orders all ledger writers (no lost update, no deadlock: it is the only lock taken first); on
//!   SQLite the caller's `BEGIN IMMEDIATE` already does.
//!
//! Callers run [`post`] inside [`crate::db::write_transaction`], together with the business
//! change it belongs to, so both commit or neither does.

mod accounts;
pub mod chart;
mod entries;
mod error;
pub mod export;
mod hash;
mod holds;
mod model;
mod post;
mod statement;
mod store;
mod verify;

pub use accounts::{account, all_accounts, find_account_by_code, open_account};
pub use entries::entry;
pub use error::LedgerError;
pub use hash::{payload_hash, GENESIS_HASH};
pub use holds::{expire_holds, hold, resolve_hold, Resolution};
pub use model::{Account, AccountSpec, Entry, EntryKind, Leg, LimitRule, Links, Mechanics, NewEntry, Phase, Posted, Posting, Side};
pub use post::{post, post_many, reverse};
pub use statement::{statement, StatementLine};
pub use verify::{verify, VerifyError, VerifyReport};
