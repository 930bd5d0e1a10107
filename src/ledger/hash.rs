//! The hash chain: what an entry means, and how each entry seals the one before it.

use super::{Leg, Links, Mechanics, Phase};
use crate::domain::clock;
use chrono::{NaiveDate, NaiveDateTime};
use sha2::{Digest, Sha256};

pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Hash of what an entry *means*: used to tell an idempotent retry from a conflicting reuse of a
/// key, and chained into the entry's hash. Legs are sorted so that order does not matter.
pub fn payload_hash(kind: &str, description: &str, effective_on: NaiveDate, links: &Links, legs: &[Leg], mechanics: &Mechanics) -> String {
    let mut sorted: Vec<(i64, &str, i64)> = legs.iter().map(|l| (l.account_id, l.side.as_str(), l.amount.cents())).collect();
    sorted.sort_unstable();
    let mut h = Sha256::new();
    h.update(format!("kind={kind}\ndescription={description}\neffective_on={effective_on}\n"));
    h.update(format!(
        "programme={:?}\ngrant={:?}\nupload={:?}\nreverses={:?}\n",
        links.programme_id, links.grant_id, links.usage_upload_id, links.reverses_entry_id
    ));
    // Ordinary entries hash as they did before holds existed, so old chains still verify.
    if mechanics.phase != Phase::Posted || mechanics.resolves.is_some() || mechanics.expires_at.is_some() {
        h.update(format!(
            "phase={}\nresolves={:?}\nexpires_at={:?}\n",
            mechanics.phase.as_str(),
            mechanics.resolves,
            mechanics.expires_at.as_ref().map(clock::canonical)
        ));
    }
    for (account, side, cents) in sorted {
        h.update(format!("leg={account}:{side}:{cents}\n"));
    }
    hex::encode(h.finalize())
}

pub(super) fn entry_hash(prev_hash: &str, key: &str, payload_hash: &str, actor: &str, created_at: &NaiveDateTime) -> String {
    let mut h = Sha256::new();
    h.update(format!(
        "prev={prev_hash}\nkey={key}\npayload={payload_hash}\nactor={actor}\ncreated_at={}\n",
        clock::canonical(created_at)
    ));
    hex::encode(h.finalize())
}
