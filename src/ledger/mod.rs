//! The double-entry credit ledger.
//!
//! Accounts hold running totals; entries move amounts between accounts through two or more
//! postings that balance per currency. The module knows nothing of HTTP.
//!
//! # Guarantees
//!
//! * **Balanced**: an entry whose debits differ from its credits in any currency is refused.
//! * **Never overdrawn**: an account with a balance limit refuses an entry that would break it,
//!   counting what is held as already spent. The check runs here *and* as a `CHECK` constraint
//!   in the database.
//! * **Idempotent**: every entry carries a key. The same key with the same payload returns the
//!   first entry and writes nothing; with another payload it is refused as a conflict.
//! * **Holds resolve once**: a hold reserves funds until it is posted (in full or in part),
//!   voided or expires; a unique index lets only one entry resolve it.
//! * **Tamper-evident**: each entry's hash covers its content and the previous entry's hash; the
//!   head of the chain is kept in `ledger_head`, so removing the newest entries is detected too.
//!   [`verify`] recomputes all of it.
//! * **Append-only**: entries and postings are never updated or deleted; database triggers refuse
//!   it on both backends. Corrections are new, reversing entries.
//! * **Serialised writers**: every write first writes the chain head row. On PostgreSQL that row
//!   lock orders all ledger writers (no lost update, no deadlock: it is the only lock taken
//!   first); on SQLite the caller's `BEGIN IMMEDIATE` already does.
//! * **Unknown values are errors**: a text column read back with a value this version does not
//!   know is [`LedgerError::UnknownValue`], never read as a default.
//!
//! Callers run every write inside [`crate::db::write_transaction`], together with the business
//! change it belongs to, so both commit or neither does. A refused batch writes nothing.
//!
//! # Fields
//!
//! [`NewEntry`], what a caller posts:
//!
//! | field | meaning |
//! |---|---|
//! | `idempotency_key` | Unique over the whole ledger. Derive it from the business event (`usage:{upload}:{grant}`), so a retry reuses it. |
//! | `kind` | [`EntryKind`]: what the entry is for. Stored as text. |
//! | `description` | Shown on statements and in exports. |
//! | `effective_on` | The business day of the movement (statements, journals). |
//! | `actor` | Who caused it: `user:42`, `token:7`, `cli`, `system`. |
//! | `links` | [`Links`]: `programme_id`, `grant_id`, `usage_upload_id`, `reverses_entry_id`, each optional. |
//! | `legs` | [`Leg`]s: `account_id`, `side` ([`Side`]), `amount` (positive). Their order does not matter. |
//!
//! The *payload* that tells a retry from a conflict is `kind`, `description`, `effective_on`,
//! `links` and `legs`, plus for two-phase entries the phase, the hold resolved and the expiry
//! ([`Mechanics`]); see [`payload_hash`]. `actor` is not part of it: a retry by someone else is
//! still a retry. The entry hash chains `prev_hash`, the key, the payload hash, `actor` and
//! `created_at`, starting from [`GENESIS_HASH`].
//!
//! [`AccountSpec`], what [`open_account`] opens: `code` (unique; an existing code is returned as
//! it is, the rest of the spec is not compared), `owner_kind` and `owner_id`, `purpose`,
//! `currency` (every posting to the account is in it), `normal_side` (the side that increases
//! its balance) and `limit` ([`LimitRule`]). [`chart`] names the accounts the application uses.
//!
//! [`Account`], as stored: the spec's fields, `created_at`, and four running totals in cents:
//! `debits_posted`, `credits_posted`, `debits_pending`, `credits_pending`. Its
//! [`balance`](Account::balance) is the posted total on its normal side; its
//! [`available`](Account::available) amount is that less what is held, for a limited account.
//!
//! [`Entry`], as stored: the fields above (links flattened, legs as postings), then `payload_hash`, `created_at`, `prev_hash`,
//! `hash`, `phase` ([`Phase`]), `resolves_entry_id` (the hold a resolution resolves) and
//! `expires_at` (a hold's deadline). [`Posting`] is one stored leg, with its account's currency.
//!
//! # Result codes, in order of precedence
//!
//! The first that applies is returned. [`LedgerError::Database`] can come from any step that
//! reads or writes.
//!
//! [`post`], [`post_many`] and [`hold`]. A batch is all or nothing, its entries taken in order:
//! an earlier entry's error wins, and a later entry may spend what an earlier one brought.
//!
//! 1. `TooFewPostings`: fewer than two legs (checked for every entry of the batch first).
//! 2. `NonPositiveAmount`: a leg moves zero or less (same pass).
//! 3. `UnknownValue`: an account the batch touches has a stored side or limit this version
//!    does not know.
//! 4. `IdempotencyConflict`: the key was used, in the ledger or earlier in the batch, with
//!    another payload. With the same payload the entry is a replay: `Posted { replayed: true }`
//!    with the first entry's id, and nothing below is checked.
//! 5. `UnknownAccount`: a leg names no account.
//! 6. `Amount`: a sum overflows.
//! 7. `Unbalanced`: debits differ from credits in a currency (the first currency in
//!    alphabetical order is named).
//! 8. `LimitExceeded`: an account, taken in leg order, would break its limit, counting what
//!    is held. `available` is what it had before this entry, `requested` what this entry takes.
//!
//! [`resolve_hold`]:
//!
//! 1. `NotAHold`: no entry has that id.
//! 2. `UnknownValue`: the entry's phase is unknown.
//! 3. `NotAHold`: the entry is not a hold (an ordinary entry, or a resolution).
//! 4. `UnknownValue`: a posting of the hold has an unknown direction.
//! 5. Posting part of a hold, `Resolution::Post(Some(amount))`: `Amount` if the held total
//!    overflows; `MoreThanHeld` if the hold has other than two postings and `amount` is not the
//!    whole of it; `NonPositiveAmount`; `MoreThanHeld` if `amount` exceeds what is held.
//! 6. `UnknownValue`: the hold's kind is unknown (the resolution takes the hold's kind).
//! 7. A replay of this resolution (same key, same payload) returns the first answer;
//!    `IdempotencyConflict` if the key was used for something else.
//! 8. `AlreadyResolved`: another entry resolved the hold.
//! 9. `HoldExpired`: posting a hold past its `expires_at` (voiding one is allowed).
//! 10. Then [`post`]'s codes 3 and 5 to 8.
//!
//! The resolution is dated today and its description names the hold, both part of its payload:
//! a retry on a later day is a conflict, not a replay.
//!
//! [`resolve_holds`] resolves many holds as one batch, all or none: steps 1 to 6 for every hold
//! in order, then steps 7 to 9 for every hold in order, then the batch is written as by
//! [`post_many`]. For one hold it is [`resolve_hold`]. [`hold_many`] is to [`hold`] what
//! [`post_many`] is to [`post`].
//!
//! [`reverse`]:
//!
//! 1. `Database(NotFound)`: no entry has that id.
//! 2. `UnknownValue`: the entry's phase is unknown.
//! 3. `NotReversible`: the entry is a hold or a resolution (resolve or void holds instead).
//! 4. `UnknownValue`: a posting has an unknown direction.
//! 5. Then [`post`]'s codes from 3 on, for the mirrored entry keyed `reverse:{id}`: reversing
//!    twice replays the first reversal (the same day, with the same reason), and a reversal
//!    obeys limits like any entry.
//!
//! [`expire_holds`]: `UnknownValue` if any due hold has an unknown kind or direction (then no
//! hold is expired), then [`post`]'s codes from 3 on. It returns how many holds it released.
//!
//! [`statement`]: `UnknownAccount`, `UnknownValue` (side or direction), `Amount`.
//!
//! [`verify`] returns a [`VerifyError`] at the first problem, in this order: an account with an
//! unknown side or limit; then entry by entry, oldest first, everything about the entry (its
//! phase and kind, postings, balance, payload hash, chain, the hold it resolves); postings
//! that belong to no entry; then account by account, stored totals against the fold of the
//! postings, and limits; then debits against credits per currency; then the chain head.

mod accounts;
pub mod chart;
mod entries;
mod error;
pub mod export;
mod hash;
mod holds;
mod model;
mod post;
pub mod spend;
mod statement;
mod store;
mod verify;

pub use accounts::{account, accounts_by_codes, all_accounts, find_account_by_code, open_account};
pub use entries::entry;
pub use error::LedgerError;
pub use hash::{payload_hash, GENESIS_HASH};
pub use holds::{expire_holds, hold, hold_many, resolve_hold, resolve_holds, HoldResolution, Resolution};
pub use model::{Account, AccountSpec, Entry, EntryKind, Leg, LimitRule, Links, Mechanics, NewEntry, Phase, Posted, Posting, Side};
pub use post::{post, post_many, reverse};
pub use statement::{statement, statement_page, StatementLine};
pub use verify::{verify, VerifyError, VerifyReport};
