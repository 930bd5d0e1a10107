//! The chart of accounts: which ledger account each business object owns, named in one place.

use crate::ledger::{AccountSpec, LimitRule, Side};

/// Source of the funder's programme budgets (debit-normal, unlimited).
pub fn funder_commitments(funder_id: i64, currency: &str) -> AccountSpec {
    AccountSpec {
        code: format!("funder:{funder_id}:commitments:{currency}"),
        owner_kind: "funder",
        owner_id: funder_id,
        purpose: "commitments",
        currency: currency.to_string(),
        normal_side: Side::Debit,
        limit: LimitRule::None,
    }
}

/// Budget not yet awarded: can never go below zero, so a programme never awards more than it has.
pub fn programme_available(programme_id: i64, currency: &str) -> AccountSpec {
    AccountSpec {
        code: format!("programme:{programme_id}:available"),
        owner_kind: "programme",
        owner_id: programme_id,
        purpose: "available",
        currency: currency.to_string(),
        normal_side: Side::Credit,
        limit: LimitRule::DebitsMustNotExceedCredits,
    }
}

/// A startup's spendable credit under one grant: never overdrawn.
pub fn grant_credits(grant_code: &str, grant_id: i64, currency: &str) -> AccountSpec {
    AccountSpec {
        code: format!("grant:{grant_code}:credits"),
        owner_kind: "grant",
        owner_id: grant_id,
        purpose: "credits",
        currency: currency.to_string(),
        normal_side: Side::Credit,
        limit: LimitRule::DebitsMustNotExceedCredits,
    }
}

/// Usage charged by a provider, owed to it by the funders.
pub fn provider_payable(provider_id: i64, currency: &str) -> AccountSpec {
    AccountSpec {
        code: format!("provider:{provider_id}:payable:{currency}"),
        owner_kind: "provider",
        owner_id: provider_id,
        purpose: "payable",
        currency: currency.to_string(),
        normal_side: Side::Credit,
        limit: LimitRule::None,
    }
}

/// What a funder has paid out to providers for approved usage.
pub fn funder_settled(funder_id: i64, currency: &str) -> AccountSpec {
    AccountSpec {
        code: format!("funder:{funder_id}:settled:{currency}"),
        owner_kind: "funder",
        owner_id: funder_id,
        purpose: "settled",
        currency: currency.to_string(),
        normal_side: Side::Credit,
        limit: LimitRule::None,
    }
}

/// Credit that lapsed or was revoked: a grant's unused credit when it expires or is revoked,
/// unless the programme takes it back into its available budget (see `domain::grant_expiry`).
pub fn programme_expired(programme_id: i64, currency: &str) -> AccountSpec {
    AccountSpec {
        code: format!("programme:{programme_id}:expired"),
        owner_kind: "programme",
        owner_id: programme_id,
        purpose: "expired",
        currency: currency.to_string(),
        normal_side: Side::Credit,
        limit: LimitRule::None,
    }
}

/// Budget committed to offers awaiting the startups' acceptance: the counterpart of each offer's
/// hold on `programme_available` (pending only: the hold is voided on acceptance, decline or
/// lapse, so its posted balance stays zero).
pub fn programme_offered(programme_id: i64, currency: &str) -> AccountSpec {
    AccountSpec {
        code: format!("programme:{programme_id}:offered"),
        owner_kind: "programme",
        owner_id: programme_id,
        purpose: "offered",
        currency: currency.to_string(),
        normal_side: Side::Credit,
        limit: LimitRule::None,
    }
}
