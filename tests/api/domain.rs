//! The domain services called directly on a real database, without HTTP: the rules of
//! programmes, applications and decisions, and who may see what. Errors are checked by their
//! catalogue keys, not by their English wording.

use crate::both_backends;
use crate::helpers::{Backend, PASSWORD, TestDb, new_programme};
use computegrants::db::AnyConnection;
use computegrants::db::schema::{applications as application_rows, grants as grant_rows, ledger_entries, organisations, page_state, programmes as programme_rows};
use computegrants::domain::access;
use computegrants::domain::{ApplicationId, OrgId};
use computegrants::domain::applications::{self, ApplicationStatus, Decision, NewApplication};
use computegrants::domain::error::{DomainError, FieldErrors};
use computegrants::domain::grants;
use computegrants::domain::identity::{self, CompanyDetails, Member, OrgKind};
use computegrants::domain::programmes::{self, Programme};
use computegrants::ledger;
use computegrants::messages::Arg;
use computegrants::money::Amount;
use diesel::prelude::*;

/// Two of each kind of organisation, the first startup's company registered, in a fresh database.
struct World {
    _db: TestDb,
    conn: AnyConnection,
    funder: Member,
    other_funder: Member,
    startup: Member,
    other_startup: Member,
    provider: Member,
    other_provider: Member,
    admin: Member,
}

impl World {
    fn new(backend: Backend, test: &str) -> World {
        let db = TestDb::new(backend, test);
        let mut conn = db.connect();
        let mut member = |kind, org: &str, email: &str| identity::create_member(&mut conn, kind, org, email, "Test Person", PASSWORD).unwrap();
        let funder = member(OrgKind::Funder, "Funding Agency", "funder@agency.test");
        let other_funder = member(OrgKind::Funder, "Other Agency", "funder@other.test");
        let startup = member(OrgKind::Startup, "Lumen Labs", "founder@lumen.test");
        let other_startup = member(OrgKind::Startup, "Other Startup", "founder@other.test");
        let provider = member(OrgKind::Provider, "GPU Cloud", "billing@gpu.test");
        let other_provider = member(OrgKind::Provider, "Other Cloud", "billing@other.test");
        let admin = member(OrgKind::Platform, "Operations", "ops@platform.test");
        crate::helpers::add_catalogue(&mut conn, &provider);
        crate::helpers::add_catalogue(&mut conn, &other_provider);
        let details = CompanyDetails { legal_name: "Lumen Labs SAS", country: "FR", registration_number: "123 456 782" };
        identity::register_company(&mut conn, startup.org_id(), &details).unwrap();
        let startup = identity::member(&mut conn, startup.user.id).unwrap();
        World { _db: db, conn, funder, other_funder, startup, other_startup, provider, other_provider, admin }
    }

    /// An open programme of `funder`: `budget` and `max_award` in cents.
    fn programme(&mut self, budget: i64, max_award: i64) -> Programme {
        programmes::create(&mut self.conn, &self.funder, &new_programme(budget, max_award)).unwrap()
    }

    /// The first startup asks `programme` for `cents` of GPU time from the first provider.
    fn apply(&mut self, programme: &Programme, cents: i64) -> applications::Application {
        applications::apply(&mut self.conn, &self.startup, programme.id, &new_application(cents, self.provider.org_id())).unwrap()
    }

    fn decide(&mut self, application_id: ApplicationId, decision: Decision) -> Result<applications::ApplicationView, DomainError> {
        applications::decide(&mut self.conn, &self.funder, application_id, &decision)
    }

    /// Approves `application_id` for `cents` (an offer) and has the first startup accept it.
    fn award(&mut self, application_id: ApplicationId, cents: i64) -> Result<applications::ApplicationView, DomainError> {
        self.decide(application_id, Decision::Approve { amount: Amount::from_cents(cents) })?;
        let accepted = computegrants::domain::offers::Acceptance { declaration_confirmed: true };
        computegrants::domain::offers::accept(&mut self.conn, &self.startup, application_id, accepted, &Default::default())
    }

    /// Rows in the tables a decision writes to: applications decided, grants, ledger entries.
    fn written(&mut self) -> (i64, i64, i64) {
        let decided = application_rows::table
            .filter(application_rows::status.ne(ApplicationStatus::Submitted.as_str()))
            .count()
            .get_result(&mut self.conn)
            .unwrap();
        let grants = grant_rows::table.count().get_result(&mut self.conn).unwrap();
        let entries = ledger_entries::table.count().get_result(&mut self.conn).unwrap();
        (decided, grants, entries)
    }

    /// Every domain test ends with books that verify.
    fn verify(mut self) {
        ledger::verify(&mut self.conn).unwrap();
    }
}


fn new_application(cents: i64, provider_id: OrgId) -> NewApplication {
    NewApplication {
        requested: Amount::from_cents(cents),
        purpose: "Training a multilingual language model for public services.".into(),
        hardware: "GPU".into(),
        provider_id: Some(provider_id),
    }
}

/// The catalogue keys of field errors, field by field.
fn keys(errors: &FieldErrors) -> Vec<(&'static str, &'static str)> {
    errors.0.iter().map(|(field, message)| (*field, message.key)).collect()
}

fn invalid_keys(result: Result<impl std::fmt::Debug, DomainError>) -> Vec<(&'static str, &'static str)> {
    match result {
        Err(DomainError::Invalid(errors)) => keys(&errors),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

fn conflict_key(result: Result<impl std::fmt::Debug, DomainError>) -> &'static str {
    match result {
        Err(DomainError::Conflict(message)) => message.key,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

fn programmes_are_validated_then_created_with_their_budget(backend: Backend) {
    let mut w = World::new(backend, "programmes_are_validated_then_created_with_their_budget");
    assert!(programmes::validate(&new_programme(100_000, 60_000)).is_empty());
    let mut bad = new_programme(50_000, 60_000);
    bad.name = "  ".into();
    bad.currency = "XYZ".into();
    bad.closes_on = bad.opens_on - chrono::Duration::days(1);
    assert_eq!(
        keys(&programmes::validate(&bad)),
        [
            ("name", "programme-name-missing"),
            ("currency", "currency-unsupported"),
            ("max_award", "programme-max-award-over-budget"),
            ("closes_on", "programme-closes-before-opening"),
        ]
    );
    let mut unfunded = new_programme(0, 0);
    unfunded.name = "x".repeat(programmes::MAX_NAME_CHARS + 1);
    assert_eq!(
        keys(&programmes::validate(&unfunded)),
        [("name", "programme-name-too-long"), ("budget", "amount-not-positive"), ("max_award", "amount-not-positive")]
    );

    // Refused, whoever asks: nothing is written.
    assert_eq!(invalid_keys(programmes::create(&mut w.conn, &w.funder, &bad)), keys(&programmes::validate(&bad)));
    assert!(matches!(programmes::create(&mut w.conn, &w.startup, &new_programme(100_000, 60_000)), Err(DomainError::Forbidden(_))));
    assert_eq!(programme_rows::table.count().get_result::<i64>(&mut w.conn).unwrap(), 0);
    assert_eq!(w.written(), (0, 0, 0));

    // Created: the whole budget is available in the ledger from the first moment.
    let programme = w.programme(100_000, 60_000);
    assert_eq!((programme.funder_id, programme.name.as_str(), programme.budget), (w.funder.org_id(), "Compute Call", 100_000));
    assert_eq!(programmes::available(&mut w.conn, &programme).unwrap(), Amount::from_cents(100_000));
    assert_eq!(w.written(), (0, 0, 1));
    w.verify();
}

fn applications_are_checked_before_they_are_stored(backend: Backend) {
    let mut w = World::new(backend, "applications_are_checked_before_they_are_stored");
    let programme = w.programme(100_000, 60_000);
    let provider = w.provider.org_id();
    let apply = |w: &mut World, by: &Member, new: &NewApplication| applications::apply(&mut w.conn, by, programme.id, new);
    let (funder, other_startup) = (w.funder.clone(), w.other_startup.clone());
    assert!(matches!(apply(&mut w, &funder, &new_application(10_000, provider)), Err(DomainError::Forbidden(_))));
    assert_eq!(conflict_key(apply(&mut w, &other_startup, &new_application(10_000, provider))), "apply-company-not-registered");
    let startup = w.startup.clone();
    let mut wrong = new_application(60_001, w.funder.org_id());
    wrong.purpose = "GPUs".into();
    wrong.hardware = "TPU".into();
    let problems = invalid_keys(apply(&mut w, &startup, &wrong));
    assert_eq!(
        problems,
        [
            ("requested", "apply-over-max-award"),
            ("purpose", "apply-purpose-too-short"),
            ("hardware", "apply-hardware-missing"),
            ("provider_id", "apply-provider-missing"),
        ],
        "a funder is not a provider"
    );
    assert_eq!(application_rows::table.count().get_result::<i64>(&mut w.conn).unwrap(), 0);
    let application = w.apply(&programme, 60_000);
    assert_eq!((application.status, application.startup_id, application.provider_id), (ApplicationStatus::Submitted, w.startup.org_id(), provider));
    w.verify();
}

fn an_application_is_decided_once(backend: Backend) {
    let mut w = World::new(backend, "an_application_is_decided_once");
    let programme = w.programme(100_000, 60_000);
    let first = w.apply(&programme, 50_000);
    let invalid = invalid_keys(w.decide(first.id, Decision::Approve { amount: Amount::from_cents(50_001) }));
    assert_eq!(invalid, [("amount", "decide-over-requested")]);
    assert_eq!(invalid_keys(w.decide(first.id, Decision::Reject { reason: "short".into() })), [("reason", "decide-reason-too-short")]);
    // Another funder cannot decide (nor learn that the application exists).
    let other_funder = w.other_funder.clone();
    assert!(matches!(applications::decide(&mut w.conn, &other_funder, first.id, &Decision::Reject { reason: "not ours to decide".into() }), Err(DomainError::NotFound)));

    // An approval is an offer: the amount is committed, no grant until the startup accepts.
    let offered = w.decide(first.id, Decision::Approve { amount: Amount::from_cents(40_000) }).unwrap();
    assert_eq!((offered.application.status, offered.application.approved_amount, offered.grant.is_none()), (ApplicationStatus::Offered, Some(40_000), true));
    assert_eq!(programmes::available(&mut w.conn, &programme).unwrap(), Amount::from_cents(60_000));
    let accepted = computegrants::domain::offers::Acceptance { declaration_confirmed: true };
    let startup = w.startup.clone();
    let approved = computegrants::domain::offers::accept(&mut w.conn, &startup, first.id, accepted, &Default::default()).unwrap();
    assert_eq!((approved.application.status, approved.application.approved_amount), (ApplicationStatus::Approved, Some(40_000)));
    assert_eq!(approved.grant.as_ref().map(|g| g.amount), Some(40_000));
    let before = w.written();
    assert_eq!(conflict_key(w.decide(first.id, Decision::Reject { reason: "changed our mind".into() })), "decide-already-decided");
    assert_eq!(conflict_key(w.decide(first.id, Decision::Approve { amount: Amount::from_cents(40_000) })), "decide-already-decided");
    let startup = w.startup.clone();
    assert_eq!(conflict_key(applications::withdraw(&mut w.conn, &startup, first.id)), "withdraw-not-pending");
    assert_eq!(w.written(), before, "refused decisions and withdrawals write nothing");

    // Withdrawn first: then there is nothing left to decide.
    let second = w.apply(&programme, 10_000);
    applications::withdraw(&mut w.conn, &startup, second.id).unwrap();
    assert_eq!(conflict_key(w.decide(second.id, Decision::Approve { amount: Amount::from_cents(10_000) })), "decide-already-decided");
    assert_eq!(conflict_key(applications::withdraw(&mut w.conn, &startup, second.id)), "withdraw-not-pending");
    w.verify();
}

fn approval_beyond_the_remaining_budget_writes_nothing(backend: Backend) {
    let mut w = World::new(backend, "approval_beyond_the_remaining_budget_writes_nothing");
    let programme = w.programme(100_000, 80_000);
    let first = w.apply(&programme, 80_000);
    w.decide(first.id, Decision::Approve { amount: Amount::from_cents(80_000) }).unwrap();
    // Another startup applies (the first has an open offer, so it may not apply again).
    let details = CompanyDetails { legal_name: "Other Startup SAS", country: "FR", registration_number: "732 829 320" };
    identity::register_company(&mut w.conn, w.other_startup.org_id(), &details).unwrap();
    let other = identity::member(&mut w.conn, w.other_startup.user.id).unwrap();
    let provider = w.provider.org_id();
    let second = applications::apply(&mut w.conn, &other, programme.id, &new_application(80_000, provider)).unwrap();
    let before = w.written();
    match w.decide(second.id, Decision::Approve { amount: Amount::from_cents(20_001) }) {
        Err(DomainError::Invalid(errors)) => {
            let message = errors.get("amount").expect("the amount is what is wrong");
            assert_eq!(message.key, "decide-budget-exhausted");
            assert_eq!(message.arg("available"), Some(&Arg::Money { cents: 20_000, currency: "EUR".into() }));
        }
        other => panic!("expected the budget to be exhausted, got {other:?}"),
    }
    assert_eq!(w.written(), before, "no decision, grant or ledger entry was written");
    let still = applications::application_for(&mut w.conn, &other, second.id).unwrap();
    assert_eq!((still.application.status, still.grant.is_none()), (ApplicationStatus::Submitted, true));
    assert_eq!(programmes::available(&mut w.conn, &programme).unwrap(), Amount::from_cents(20_000));
    // What is left can still be awarded, to the cent.
    w.decide(second.id, Decision::Approve { amount: Amount::from_cents(20_000) }).unwrap();
    assert_eq!(programmes::available(&mut w.conn, &programme).unwrap(), Amount::ZERO);
    w.verify();
}

fn other_organisations_objects_are_not_visible(backend: Backend) {
    let mut w = World::new(backend, "other_organisations_objects_are_not_visible");
    let programme = w.programme(100_000, 60_000);
    let application = w.apply(&programme, 30_000);
    let grant = w.award(application.id, 30_000).unwrap().grant.unwrap();
    let (startup, provider, funder) = (application.startup_id, grant.provider_id, programme.funder_id);

    let may_view_application = |m: &Member| access::may_view_application(m, startup, funder);
    let may_view_grant = |m: &Member| access::may_view_grant(m, startup, provider, funder);
    for (who, member, application, grant) in [
        ("its startup", &w.startup, true, true),
        ("its funder", &w.funder, true, true),
        ("its provider", &w.provider, false, true),
        ("an admin", &w.admin, true, true),
        ("another startup", &w.other_startup, false, false),
        ("another funder", &w.other_funder, false, false),
        ("another provider", &w.other_provider, false, false),
    ] {
        assert_eq!(may_view_application(member), application, "{who} viewing the application");
        assert_eq!(may_view_grant(member), grant, "{who} viewing the grant");
    }

    // The services apply the policy: other organisations' objects are not found.
    let others = [w.other_startup.clone(), w.other_funder.clone(), w.other_provider.clone()];
    for other in &others {
        assert!(matches!(applications::application_for(&mut w.conn, other, application.id), Err(DomainError::NotFound)), "{}", other.organisation.name);
        assert!(matches!(grants::grant_for(&mut w.conn, other, grant.id), Err(DomainError::NotFound)), "{}", other.organisation.name);
    }
    let provider_member = w.provider.clone();
    assert_eq!(grants::grant_for(&mut w.conn, &provider_member, grant.id).unwrap().id, grant.id);
    assert!(matches!(applications::application_for(&mut w.conn, &provider_member, application.id), Err(DomainError::NotFound)));
    let other_funder = w.other_funder.clone();
    assert!(matches!(programmes::visible_to(&mut w.conn, &other_funder, programme.id), Err(DomainError::NotFound)));
    w.verify();
}

/// A transaction that moved the page state early (an organisation renamed) and then needs an
/// application's row, beside a withdrawal of that application, which locks the row first: both
/// commit. On PostgreSQL the page state's triggers once took its row at the rename, so the
/// withdrawal waited for it while holding the row the transaction needed: a deadlock.
fn a_withdrawal_beside_a_write_that_moved_the_page_state_first_both_commit(backend: Backend) {
    let mut w = World::new(backend, "a_withdrawal_beside_a_write_that_moved_the_page_state_first_both_commit");
    let programme = w.programme(100_000, 60_000);
    let application = w.apply(&programme, 10_000);
    let version = |conn: &mut AnyConnection| page_state::table.find(1).select(page_state::version).first::<i64>(conn).unwrap();
    let before = version(&mut w.conn);
    let (startup, funder, mut other) = (w.startup.clone(), w.funder.org_id(), w._db.connect());
    let withdrawal = computegrants::db::write_transaction(&mut w.conn, |conn| -> Result<_, diesel::result::Error> {
        diesel::update(organisations::table.find(funder.get())).set(organisations::name.eq("Funding Agency Renamed")).execute(conn)?;
        let withdrawal = std::thread::spawn(move || applications::withdraw(&mut other, &startup, application.id));
        // Time for the withdrawal to lock the application's row (and, on SQLite, to wait for the
        // write lock this transaction holds).
        std::thread::sleep(std::time::Duration::from_millis(500));
        diesel::update(application_rows::table.find(application.id.get())).set(application_rows::status.eq(application_rows::status)).execute(conn)?;
        Ok(withdrawal)
    })
    .expect("the transaction that renamed first commits");
    withdrawal.join().unwrap().expect("the withdrawal commits");
    let status: String = application_rows::table.find(application.id.get()).select(application_rows::status).first(&mut w.conn).unwrap();
    assert_eq!(status, ApplicationStatus::Withdrawn.as_str());
    let moved = version(&mut w.conn) - before;
    match backend {
        // Once per transaction, at its commit.
        Backend::Postgres => assert_eq!(moved, 2),
        // Once per statement (one writer at a time: no lock order to keep).
        Backend::Sqlite => assert_eq!(moved, 3),
    }
    w.verify();
}

both_backends!(
    sync programmes_are_validated_then_created_with_their_budget,
    applications_are_checked_before_they_are_stored,
    an_application_is_decided_once,
    approval_beyond_the_remaining_budget_writes_nothing,
    other_organisations_objects_are_not_visible,
    a_withdrawal_beside_a_write_that_moved_the_page_state_first_both_commit
);
