//! Property test: random sequences of ledger operations against a simple model. After every
//! operation the stored balances equal the model's, nothing is overdrawn, and `verify` passes.

use crate::both_backends;
use crate::helpers::{Backend, TestDb, entry};
use computegrants::db::{self, AnyConnection};
use computegrants::ledger::{self, AccountSpec, LedgerError, LimitRule, Resolution, Side};
use computegrants::money::Amount;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::collections::HashMap;

#[derive(Debug, Clone)]
enum Op {
    /// Move `cents` from account `from` to account `to` (indexes into the four accounts).
    Post { from: usize, to: usize, cents: i64, key: u8 },
    Hold { from: usize, to: usize, cents: i64, key: u8 },
    /// Resolve the n-th hold made so far (if any): post `part` percent of it, or void it.
    Resolve { nth: usize, percent: Option<u8> },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..4usize, 0..4usize, 1..5_000i64, any::<u8>()).prop_map(|(from, to, cents, key)| Op::Post { from, to, cents, key }),
        2 => (0..4usize, 0..4usize, 1..5_000i64, any::<u8>()).prop_map(|(from, to, cents, key)| Op::Hold { from, to, cents, key }),
        2 => (0..8usize, proptest::option::of(1..=100u8)).prop_map(|(nth, percent)| Op::Resolve { nth, percent }),
    ]
}

/// Account 0 is an unlimited source; 1 and 2 may not be overdrawn; 3 is an unlimited sink.
const LIMITED: [bool; 4] = [false, true, true, false];

#[derive(Default, Clone, Debug, PartialEq)]
struct Model {
    debits: [i64; 4],
    credits: [i64; 4],
    pending_debits: [i64; 4],
    pending_credits: [i64; 4],
    /// Holds by entry id: (from, to, cents), removed when resolved.
    holds: Vec<(i64, usize, usize, i64)>,
    keys: HashMap<String, (usize, usize, i64, bool)>,
}

impl Model {
    fn can_debit(&self, i: usize, cents: i64) -> bool {
        !LIMITED[i] || self.debits[i] + self.pending_debits[i] + cents <= self.credits[i]
    }
}

fn run(conn: &mut AnyConnection, ids: &[i64; 4], ops: &[Op], case: usize) -> Result<(), TestCaseError> {
    let mut m = Model::default();
    // Fund the limited accounts from the source so there is something to spend.
    for (n, target) in [1usize, 2].into_iter().enumerate() {
        let e = entry(format!("c{case}-fund{n}")).transfer(ids[0], ids[target], 20_000).build();
        db::write_transaction(conn, |c| ledger::post(c, &e)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        m.debits[0] += 20_000;
        m.credits[target] += 20_000;
    }
    for (step, op) in ops.iter().enumerate() {
        match op {
            Op::Post { from, to, cents, key } | Op::Hold { from, to, cents, key } if from != to => {
                let is_hold = matches!(op, Op::Hold { .. });
                let key = format!("c{case}-k{key}");
                let e = entry(&key).transfer(ids[*from], ids[*to], *cents).build();
                let result = db::write_transaction(conn, |c| if is_hold { ledger::hold(c, &e, None) } else { ledger::post(c, &e) });
                match (m.keys.get(&key).cloned(), result) {
                    (Some(first), Ok(p)) => prop_assert!(p.replayed && first == (*from, *to, *cents, is_hold), "step {step}: replay"),
                    (Some(_), Err(LedgerError::IdempotencyConflict(_))) => {}
                    (None, Ok(p)) => {
                        prop_assert!(!p.replayed);
                        prop_assert!(m.can_debit(*from, *cents), "step {step}: ledger allowed an overdraw");
                        if is_hold {
                            m.pending_debits[*from] += cents;
                            m.pending_credits[*to] += cents;
                            m.holds.push((p.entry_id, *from, *to, *cents));
                        } else {
                            m.debits[*from] += cents;
                            m.credits[*to] += cents;
                        }
                        m.keys.insert(key, (*from, *to, *cents, is_hold));
                    }
                    (None, Err(LedgerError::LimitExceeded { .. })) => prop_assert!(!m.can_debit(*from, *cents), "step {step}: refused a legal spend"),
                    (_, other) => return Err(TestCaseError::fail(format!("step {step}: unexpected {other:?}"))),
                }
            }
            Op::Resolve { nth, percent } if !m.holds.is_empty() => {
                let (hold_id, from, to, cents) = m.holds[nth % m.holds.len()];
                let resolution = match percent {
                    Some(p) => Resolution::Post(Some(Amount::from_cents((cents * i64::from(*p) / 100).max(1)))),
                    None => Resolution::Void,
                };
                let posted_cents = match &resolution {
                    Resolution::Post(Some(a)) => a.cents(),
                    _ => 0,
                };
                let key = format!("c{case}-r{hold_id}");
                db::write_transaction(conn, |c| ledger::resolve_hold(c, hold_id, resolution, &key, "model")).map_err(|e| TestCaseError::fail(format!("step {step}: {e}")))?;
                m.pending_debits[from] -= cents;
                m.pending_credits[to] -= cents;
                m.debits[from] += posted_cents;
                m.credits[to] += posted_cents;
                m.holds.retain(|h| h.0 != hold_id);
            }
            _ => continue,
        }
        for (i, id) in ids.iter().enumerate() {
            let a = ledger::account(conn, *id).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!((a.debits_posted, a.credits_posted, a.debits_pending, a.credits_pending), (m.debits[i], m.credits[i], m.pending_debits[i], m.pending_credits[i]), "step {} account {}", step, i);
            prop_assert!(!LIMITED[i] || !a.available().is_negative());
        }
        ledger::verify(conn).map_err(|e| TestCaseError::fail(format!("step {step}: verify: {e}")))?;
    }
    Ok(())
}

fn random_operations_keep_every_invariant(backend: Backend) {
    // Fewer cases on PostgreSQL, where every operation is a network round trip.
    let cases = match backend {
        Backend::Sqlite => 64,
        Backend::Postgres => 24,
    };
    let db = TestDb::new(backend, "random_operations_keep_every_invariant");
    // proptest's runner takes a shared closure: the connection and case counter live in cells.
    let conn = std::cell::RefCell::new(db.connect());
    let case = std::cell::Cell::new(0usize);
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    runner
        .run(&proptest::collection::vec(op(), 1..40), |ops| {
            case.set(case.get() + 1);
            let case = case.get();
            let mut conn = conn.borrow_mut();
            // Fresh accounts per case, in the same database: the chain and verify span them all.
            let mut ids = [0i64; 4];
            for (i, id) in ids.iter_mut().enumerate() {
                let spec = AccountSpec {
                    code: format!("case{case}:acct{i}"),
                    owner_kind: "grant",
                    owner_id: i as i64,
                    purpose: "model",
                    currency: "EUR".into(),
                    normal_side: if i == 0 { Side::Debit } else { Side::Credit },
                    limit: if LIMITED[i] { LimitRule::DebitsMustNotExceedCredits } else { LimitRule::None },
                };
                *id = db::write_transaction(&mut conn, |c| ledger::open_account(c, &spec)).unwrap().id;
            }
            run(&mut conn, &ids, &ops, case)
        })
        .unwrap();
}

both_backends!(sync random_operations_keep_every_invariant);
