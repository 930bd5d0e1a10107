//! Applications for credits: a startup applies, the funder decides once (approve — an offer the
//! startup then accepts, which awards the grant, see `domain::offers` — or reject), or the
//! startup withdraws first.
//!
//! Before that, a startup may keep a draft (saved, edited, never shown to the funder) and submit
//! it when ready; a funder may ask for changes to a submitted application with a message, and the
//! startup edits and resubmits it. Every submission keeps a numbered revision of the content
//! (`application_revisions`), so what changed from one to the next can be shown.

use crate::db::AnyConnection;
use crate::db::schema::{application_revisions, applications, grants, organisations, programmes as programme_rows, users};
use crate::domain::access;
use crate::domain::clock;
use crate::domain::eu::de_minimis;
use crate::domain::error::{DomainError, DomainResult, FieldErrors, OrNotFound};
use crate::domain::grants::Grant;
use crate::domain::ids::{ApplicationId, OrgId, ProgrammeId, UserId};
use crate::domain::identity::{Member, OrgKind};
use crate::domain::paging::{PAGE_SIZE, Page, PageRequest};
use crate::domain::programmes::{self, Programme};
use crate::messages::{Arg, Message};
use crate::money::Amount;
use chrono::NaiveDateTime;
use diesel::prelude::*;

crate::text_enum! {
    /// An application's life: a draft (the startup's only), submitted, perhaps sent back for
    /// changes and resubmitted, then decided once (offered or rejected) or withdrawn; an offer is
    /// accepted (approved: the grant exists), declined, or lapses at its deadline.
    pub enum ApplicationStatus ("application status") {
        Draft = "draft",
        Submitted = "submitted",
        ChangesRequested = "changes_requested",
        Approved = "approved",
        Rejected = "rejected",
        Withdrawn = "withdrawn",
        Offered = "offered",
        Declined = "declined",
        Lapsed = "lapsed",
    }
}

impl ApplicationStatus {
    /// The one place that says which status may follow which.
    pub fn may_become(self, next: ApplicationStatus) -> bool {
        use ApplicationStatus::*;
        matches!(
            (self, next),
            (Draft, Submitted | Withdrawn)
                | (Submitted, Offered | Rejected | Withdrawn | ChangesRequested)
                | (ChangesRequested, Submitted | Withdrawn)
                | (Offered, Approved | Declined | Lapsed)
        )
    }

    /// The statuses a funder sees: every one but a draft.
    pub fn seen_by_funders() -> impl Iterator<Item = ApplicationStatus> {
        ApplicationStatus::ALL.iter().copied().filter(|s| *s != ApplicationStatus::Draft)
    }

    /// The startup may still edit the content (a draft, or one sent back for changes).
    pub fn is_editable(self) -> bool {
        matches!(self, ApplicationStatus::Draft | ApplicationStatus::ChangesRequested)
    }
}

/// The statuses that hold a startup's one open application to a programme.
const OPEN: [&str; 3] = ["draft", "submitted", "changes_requested"];


#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = applications)]
pub struct Application {
    pub id: ApplicationId,
    pub programme_id: ProgrammeId,
    pub startup_id: OrgId,
    pub provider_id: OrgId,
    pub requested: i64,
    pub purpose: String,
    pub hardware: String,
    #[diesel(deserialize_as = String)]
    pub status: ApplicationStatus,
    pub approved_amount: Option<i64>,
    pub decision_reason: Option<String>,
    pub decided_by: Option<UserId>,
    pub decided_at: Option<NaiveDateTime>,
    pub submitted_by: UserId,
    pub created_at: NaiveDateTime,
    /// The eligibility rules it failed at submission, one code per line; `None`: eligible.
    pub ineligible_reasons: Option<String>,
    /// Why the funder approved it although ineligible.
    pub override_reason: Option<String>,
    pub overridden_by: Option<UserId>,
    pub overridden_at: Option<NaiveDateTime>,
    /// An offer's deadline: accepted by then, or it lapses.
    pub offer_expires_at: Option<NaiveDateTime>,
    /// The ledger hold committing the offered amount, while offered.
    pub offer_hold_id: Option<i64>,
    /// Who accepted or declined the offer, and when (when it lapsed, for a lapse).
    pub responded_by: Option<UserId>,
    pub responded_at: Option<NaiveDateTime>,
    /// The SME category the approval was decided with (`micro`, `small`, `medium`, `large`), for
    /// the reserved quota (`domain::quota`); `None` when it could not be told.
    pub quota_category: Option<String>,
    /// The funder's last request for changes, who made it and when.
    pub change_request: Option<String>,
    pub change_requested_by: Option<UserId>,
    pub change_requested_at: Option<NaiveDateTime>,
}

impl Application {
    pub fn is_eligible(&self) -> bool {
        self.ineligible_reasons.is_none()
    }

    /// The rules it failed at submission, each with its reason.
    pub fn ineligibility(&self) -> DomainResult<Vec<crate::domain::eligibility::Failure>> {
        crate::domain::eligibility::from_text(self.ineligible_reasons.as_deref()).map_err(|e| DomainError::Internal(e.to_string()))
    }

    pub fn requested(&self) -> Amount {
        Amount::from_cents(self.requested)
    }

    pub fn approved(&self) -> Option<Amount> {
        self.approved_amount.map(Amount::from_cents)
    }

    pub fn reference(&self) -> String {
        format!("APP-{}", self.id)
    }

    pub fn is_pending(&self) -> bool {
        self.status == ApplicationStatus::Submitted
    }

    pub fn is_draft(&self) -> bool {
        self.status == ApplicationStatus::Draft
    }

    pub fn is_editable(&self) -> bool {
        self.status.is_editable()
    }

    pub fn changes_requested(&self) -> bool {
        self.status == ApplicationStatus::ChangesRequested
    }

    /// An offer waiting for the startup's answer.
    pub fn is_offered(&self) -> bool {
        self.status == ApplicationStatus::Offered
    }
}


/// An application with the names a page needs next to it.
#[derive(Debug, Clone)]
pub struct ApplicationView {
    pub application: Application,
    pub programme: Programme,
    pub startup_name: String,
    pub provider_name: String,
    pub grant: Option<Grant>,
}

/// What a startup asks for, already parsed from the form (see `web::forms`).
#[derive(Debug, Clone)]
pub struct NewApplication {
    pub requested: Amount,
    pub purpose: String,
    pub hardware: String,
    pub provider_id: Option<OrgId>,
}

pub const HARDWARE_KINDS: &[&str] = &["GPU", "IPU", "OPU", "CPU"];
pub const MIN_PURPOSE_CHARS: usize = 20;
pub const MIN_REASON_CHARS: usize = 10;

/// An application as stored when it is first saved (a draft) or submitted.
#[derive(Insertable)]
#[diesel(table_name = applications)]
struct ApplicationRow<'a> {
    programme_id: ProgrammeId,
    startup_id: OrgId,
    provider_id: OrgId,
    requested: i64,
    purpose: &'a str,
    hardware: &'a str,
    status: &'static str,
    submitted_by: UserId,
    created_at: NaiveDateTime,
    ineligible_reasons: Option<String>,
}

/// One submission of an application as it was sent: the first is number 1, each resubmission
/// after a request for changes the next.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = application_revisions)]
pub struct Revision {
    pub id: i64,
    pub application_id: ApplicationId,
    pub number: i64,
    pub submitted_by: UserId,
    pub submitted_at: NaiveDateTime,
    pub requested: i64,
    pub purpose: String,
    pub hardware: String,
    pub provider_id: OrgId,
}

impl Revision {
    pub fn requested(&self) -> Amount {
        Amount::from_cents(self.requested)
    }
}

/// A revision with the names its history shows.
#[derive(Debug, Clone)]
pub struct RevisionView {
    pub revision: Revision,
    pub submitted_by_name: String,
    pub provider_name: String,
}

/// One field that differs between two revisions, as shown: its label key, old and new text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub label_key: &'static str,
    pub old: String,
    pub new: String,
}

/// What changed from `before` to `after`, field by field (amounts in `currency`'s notation is the
/// page's business: they are given here as plain decimal text).
pub fn changes_between(before: &RevisionView, after: &RevisionView) -> Vec<FieldChange> {
    let mut changes = Vec::new();
    let (b, a) = (&before.revision, &after.revision);
    if b.requested != a.requested {
        changes.push(FieldChange { label_key: "col-requested", old: b.requested().to_string(), new: a.requested().to_string() });
    }
    if b.purpose != a.purpose {
        changes.push(FieldChange { label_key: "application-purpose", old: b.purpose.clone(), new: a.purpose.clone() });
    }
    if b.hardware != a.hardware {
        changes.push(FieldChange { label_key: "col-hardware", old: b.hardware.clone(), new: a.hardware.clone() });
    }
    if b.provider_id != a.provider_id {
        changes.push(FieldChange { label_key: "field-provider", old: before.provider_name.clone(), new: after.provider_name.clone() });
    }
    changes
}

/// An application's revisions, oldest first.
pub fn revisions(conn: &mut AnyConnection, application_id: ApplicationId) -> DomainResult<Vec<RevisionView>> {
    let provider = diesel::alias!(organisations as provider_org);
    let rows: Vec<(Revision, String, String)> = application_revisions::table
        .inner_join(users::table.on(users::id.eq(application_revisions::submitted_by)))
        .inner_join(provider.on(provider.field(organisations::id).eq(application_revisions::provider_id)))
        .filter(application_revisions::application_id.eq(application_id))
        .order(application_revisions::number)
        .select((Revision::as_select(), users::display_name, provider.field(organisations::name)))
        .load(conn)?;
    Ok(rows.into_iter().map(|(revision, submitted_by_name, provider_name)| RevisionView { revision, submitted_by_name, provider_name }).collect())
}

/// Checks what a startup asks for. `submitting`: the rules of a submission too (programme open,
/// the programme's maximum award, the purpose's minimum length); a draft needs only a positive
/// amount, a known hardware kind and a provider. Returns the provider.
fn check(conn: &mut AnyConnection, programme: &Programme, new: &NewApplication, submitting: bool) -> DomainResult<OrgId> {
    let mut errors = FieldErrors::default();
    if submitting && !programme.is_open() {
        errors.add("programme", Message::new("apply-programme-not-open").with("name", &programme.name).with("phase", programme.phase_label()));
    }
    if !new.requested.is_positive() {
        errors.add("requested", Message::new("amount-not-positive"));
    } else if submitting && new.requested > programme.max_award() {
        errors.add("requested", Message::new("apply-over-max-award").with("max", Arg::money(programme.max_award(), &programme.currency)));
    }
    if submitting && new.purpose.trim().chars().count() < MIN_PURPOSE_CHARS {
        errors.add("purpose", Message::new("apply-purpose-too-short").with("min", MIN_PURPOSE_CHARS));
    }
    if !HARDWARE_KINDS.contains(&new.hardware.as_str()) {
        errors.add("hardware", Message::new("apply-hardware-missing"));
    }
    let provider_id = match new.provider_id {
        Some(id) => {
            let is_provider = organisations::table
                .filter(organisations::id.eq(id))
                .filter(organisations::kind.eq(OrgKind::Provider.as_str()))
                .count()
                .get_result::<i64>(conn)?
                == 1;
            is_provider.then_some(id)
        }
        None => None,
    };
    if provider_id.is_none() {
        errors.add("provider_id", Message::new("apply-provider-missing"));
    }
    errors.into_result()?;
    provider_id.ok_or_else(|| DomainError::invalid("provider_id", Message::new("apply-provider-missing")))
}

/// The eligibility rules of `programme` the startup `by` fails today with `hardware`, as stored.
fn ineligibility(conn: &mut AnyConnection, by: &Member, programme: &Programme, hardware: &str) -> DomainResult<Option<String>> {
    let rules = programme.eligibility()?;
    if rules.is_empty() {
        return Ok(None);
    }
    let (category, founded_on) = crate::domain::company::eligibility_facts(conn, by.org_id())?;
    let applicant = crate::domain::eligibility::Applicant { country: by.organisation.country.as_deref(), category, founded_on, hardware };
    Ok(crate::domain::eligibility::to_text(&crate::domain::eligibility::evaluate(&rules, &applicant, clock::today())))
}

/// The startup and programme a new application (draft or submitted) may be made for.
fn may_start(conn: &mut AnyConnection, by: &Member, programme_id: ProgrammeId) -> DomainResult<Programme> {
    if by.kind() != OrgKind::Startup {
        return Err(DomainError::Forbidden("only startups apply for credits"));
    }
    // A draft programme is not there for startups.
    let programme = programmes::visible_to(conn, by, programme_id)?;
    if !by.organisation.is_registered() {
        return Err(DomainError::Conflict(Message::new("apply-company-not-registered")));
    }
    let open: i64 = applications::table
        .filter(applications::programme_id.eq(programme.id))
        .filter(applications::startup_id.eq(by.org_id()))
        .filter(applications::status.eq_any(OPEN))
        .count()
        .get_result(conn)?;
    if open > 0 {
        return Err(DomainError::invalid("programme", Message::new("apply-already-open")));
    }
    // Nor while an offer of the programme awaits the startup's answer.
    let offered: i64 = applications::table
        .filter(applications::programme_id.eq(programme.id))
        .filter(applications::startup_id.eq(by.org_id()))
        .filter(applications::status.eq(ApplicationStatus::Offered.as_str()))
        .count()
        .get_result(conn)?;
    if offered > 0 {
        return Err(DomainError::invalid("programme", Message::new("apply-offer-open")));
    }
    Ok(programme)
}

fn insert(conn: &mut AnyConnection, row: &ApplicationRow) -> DomainResult<ApplicationId> {
    let inserted = diesel::insert_into(applications::table).values(row).returning(applications::id).get_result::<ApplicationId>(conn);
    // Two submissions racing past the check meet the unique index instead.
    match inserted {
        Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => Err(DomainError::invalid("programme", Message::new("apply-already-open"))),
        other => Ok(other?),
    }
}

/// Stores the application's content as it is now as its next revision.
fn record_revision(conn: &mut AnyConnection, application: &Application, by: UserId, at: NaiveDateTime) -> DomainResult<i64> {
    let last: Option<i64> = application_revisions::table
        .filter(application_revisions::application_id.eq(application.id))
        .select(diesel::dsl::max(application_revisions::number))
        .first(conn)?;
    let number = last.unwrap_or(0).checked_add(1).ok_or_else(|| DomainError::Internal("revision number overflow".into()))?;
    diesel::insert_into(application_revisions::table)
        .values((
            application_revisions::application_id.eq(application.id),
            application_revisions::number.eq(number),
            application_revisions::submitted_by.eq(by),
            application_revisions::submitted_at.eq(at),
            application_revisions::requested.eq(application.requested),
            application_revisions::purpose.eq(&application.purpose),
            application_revisions::hardware.eq(&application.hardware),
            application_revisions::provider_id.eq(application.provider_id),
        ))
        .execute(conn)?;
    Ok(number)
}

/// A startup applies to an open programme (submits at once; see [`save_draft`] and [`submit`]).
pub fn apply(conn: &mut AnyConnection, by: &Member, programme_id: ProgrammeId, new: &NewApplication) -> DomainResult<Application> {
    let programme = may_start(conn, by, programme_id)?;
    let provider_id = check(conn, &programme, new, true)?;
    // Eligibility: every failing rule is kept with the application (not refused: the funder
    // sees the reasons and may override one with a recorded reason).
    let ineligible_reasons = ineligibility(conn, by, &programme, &new.hardware)?;
    let now = clock::now();
    let row = ApplicationRow {
        programme_id: programme.id,
        startup_id: by.org_id(),
        provider_id,
        requested: new.requested.cents(),
        purpose: new.purpose.trim(),
        hardware: &new.hardware,
        status: ApplicationStatus::Submitted.as_str(),
        submitted_by: by.user.id,
        created_at: now,
        ineligible_reasons,
    };
    crate::db::write_transaction(conn, |conn| {
        let id = insert(conn, &row)?;
        let application = get_application(conn, id)?;
        record_revision(conn, &application, by.user.id, now)?;
        Ok(application)
    })
}

/// A startup saves a draft application to a programme: only its own people see it, it can be
/// edited ([`edit`]) and submitted later ([`submit`]), when the programme's rules apply.
pub fn save_draft(conn: &mut AnyConnection, by: &Member, programme_id: ProgrammeId, new: &NewApplication) -> DomainResult<Application> {
    let programme = may_start(conn, by, programme_id)?;
    let provider_id = check(conn, &programme, new, false)?;
    let row = ApplicationRow {
        programme_id: programme.id,
        startup_id: by.org_id(),
        provider_id,
        requested: new.requested.cents(),
        purpose: new.purpose.trim(),
        hardware: &new.hardware,
        status: ApplicationStatus::Draft.as_str(),
        submitted_by: by.user.id,
        created_at: clock::now(),
        ineligible_reasons: None,
    };
    let id = insert(conn, &row)?;
    get_application(conn, id)
}

/// The startup's own application it may still edit (a draft, or sent back for changes).
fn editable(conn: &mut AnyConnection, by: &Member, application_id: ApplicationId) -> DomainResult<ApplicationView> {
    if by.kind() != OrgKind::Startup {
        return Err(DomainError::NotFound);
    }
    let current = application_for(conn, by, application_id)?;
    if !current.application.is_editable() {
        return Err(DomainError::Conflict(Message::new("application-not-editable").with("reference", current.application.reference())));
    }
    Ok(current)
}

/// A startup changes its draft, or its application sent back for changes; the status stays.
pub fn edit(conn: &mut AnyConnection, by: &Member, application_id: ApplicationId, new: &NewApplication) -> DomainResult<Application> {
    let current = editable(conn, by, application_id)?;
    let provider_id = check(conn, &current.programme, new, false)?;
    let changed = diesel::update(
        applications::table.filter(applications::id.eq(application_id)).filter(applications::status.eq(current.application.status.as_str())),
    )
    .set((
        applications::requested.eq(new.requested.cents()),
        applications::purpose.eq(new.purpose.trim()),
        applications::hardware.eq(&new.hardware),
        applications::provider_id.eq(provider_id),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Err(DomainError::Conflict(Message::new("application-not-editable").with("reference", current.application.reference())));
    }
    get_application(conn, application_id)
}

/// A startup submits its draft, or resubmits its application after a request for changes: the
/// programme's rules (open, maximum award) apply now, eligibility is evaluated now, and the
/// content is kept as the next revision. Returns the application and its revision number.
pub fn submit(conn: &mut AnyConnection, by: &Member, application_id: ApplicationId) -> DomainResult<(Application, i64)> {
    let current = editable(conn, by, application_id)?;
    let a = &current.application;
    let new = NewApplication { requested: a.requested(), purpose: a.purpose.clone(), hardware: a.hardware.clone(), provider_id: Some(a.provider_id) };
    check(conn, &current.programme, &new, true)?;
    let ineligible_reasons = ineligibility(conn, by, &current.programme, &a.hardware)?;
    let from = a.status;
    debug_assert!(from.may_become(ApplicationStatus::Submitted));
    let now = clock::now();
    crate::db::write_transaction(conn, |conn| {
        let changed = diesel::update(applications::table.filter(applications::id.eq(application_id)).filter(applications::status.eq(from.as_str())))
            .set((applications::status.eq(ApplicationStatus::Submitted.as_str()), applications::ineligible_reasons.eq(&ineligible_reasons)))
            .execute(conn);
        match changed {
            Ok(0) => return Err(DomainError::Conflict(Message::new("application-not-editable").with("reference", a.reference()))),
            Ok(_) => {}
            Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => {
                return Err(DomainError::invalid("programme", Message::new("apply-already-open")));
            }
            Err(e) => return Err(e.into()),
        }
        let application = get_application(conn, application_id)?;
        let number = record_revision(conn, &application, by.user.id, now)?;
        Ok((application, number))
    })
}

/// A funder sends a submitted application back to its startup for changes, saying which
/// (at least [`MIN_REASON_CHARS`]); no decision can be made until the startup resubmits.
pub fn request_changes(conn: &mut AnyConnection, by: &Member, application_id: ApplicationId, message: &str) -> DomainResult<ApplicationView> {
    if by.kind() != OrgKind::Funder {
        return Err(DomainError::NotFound);
    }
    let current = application_for(conn, by, application_id)?;
    if current.programme.status == programmes::ProgrammeStatus::Archived {
        return Err(DomainError::Conflict(Message::new("programme-archived-read-only")));
    }
    let message = message.trim();
    if message.chars().count() < MIN_REASON_CHARS {
        return Err(DomainError::invalid("message", Message::new("changes-message-too-short").with("min", MIN_REASON_CHARS)));
    }
    debug_assert!(ApplicationStatus::Submitted.may_become(ApplicationStatus::ChangesRequested));
    let now = clock::now();
    crate::db::write_transaction(conn, |conn| {
        let changed = diesel::update(applications::table.filter(applications::id.eq(application_id)).filter(applications::status.eq(ApplicationStatus::Submitted.as_str())))
            .set((
                applications::status.eq(ApplicationStatus::ChangesRequested.as_str()),
                applications::change_request.eq(message),
                applications::change_requested_by.eq(by.user.id),
                applications::change_requested_at.eq(now),
            ))
            .execute(conn)?;
        if changed == 0 {
            return Err(DomainError::Conflict(Message::new("changes-not-pending").with("reference", current.application.reference())));
        }
        let alert = Message::new("alert-changes-requested").with("reference", current.application.reference()).with("programme", current.programme.name.as_str()).with("message", message);
        let event = format!("changes-requested:{}:{}", application_id, now.and_utc().timestamp_micros());
        for person in crate::domain::identity::members_of(conn, current.application.startup_id)? {
            crate::domain::alerts::raise(conn, person.id, crate::domain::alerts::AlertKind::ChangesRequested, &event, &alert, &format!("/applications/{application_id}"))?;
        }
        Ok(())
    })?;
    application_for(conn, by, application_id)
}


fn get_application(conn: &mut AnyConnection, id: ApplicationId) -> DomainResult<Application> {
    applications::table.find(id).select(Application::as_select()).first(conn).or_not_found()
}

/// The application as `viewer` may see it, or `NotFound` (never `Forbidden`, so that the
/// existence of other organisations' applications does not leak).
pub fn application_for(conn: &mut AnyConnection, viewer: &Member, id: ApplicationId) -> DomainResult<ApplicationView> {
    let application = get_application(conn, id)?;
    let programme = programmes::get(conn, application.programme_id)?;
    if !access::may_view_application(viewer, application.startup_id, programme.funder_id) {
        return Err(DomainError::NotFound);
    }
    // A draft is the startup's alone: no funder, reviewer or administrator sees it.
    if application.is_draft() && viewer.org_id() != application.startup_id {
        return Err(DomainError::NotFound);
    }
    // A reviewer sees the company and content only after declaring no conflict of interest.
    if access::needs_review_clearance(viewer) && !crate::domain::reviews::has_cleared(conn, viewer.user.id, id)? {
        return Err(DomainError::NotFound);
    }
    view(conn, application, programme)
}

fn org_name(conn: &mut AnyConnection, id: OrgId) -> DomainResult<String> {
    Ok(organisations::table.find(id).select(organisations::name).first(conn)?)
}

fn view(conn: &mut AnyConnection, application: Application, programme: Programme) -> DomainResult<ApplicationView> {
    let startup_name = org_name(conn, application.startup_id)?;
    let provider_name = org_name(conn, application.provider_id)?;
    let grant = grants::table
        .filter(grants::application_id.eq(application.id))
        .select(Grant::as_select())
        .first(conn)
        .optional()?;
    Ok(ApplicationView { application, programme, startup_name, provider_name, grant })
}

/// A startup's applications, newest first, with their programme, names and grant in one query
/// (not three more per application).
pub fn applications_of_startup(conn: &mut AnyConnection, startup_id: OrgId) -> DomainResult<Vec<ApplicationView>> {
    let provider = diesel::alias!(organisations as provider_org);
    let rows: Vec<(Application, Programme, String, String, Option<Grant>)> = applications::table
        .inner_join(programme_rows::table)
        .inner_join(organisations::table.on(organisations::id.eq(applications::startup_id)))
        .inner_join(provider.on(provider.field(organisations::id).eq(applications::provider_id)))
        .left_join(grants::table.on(grants::application_id.eq(applications::id)))
        .filter(applications::startup_id.eq(startup_id))
        .order(applications::id.desc())
        .select((Application::as_select(), Programme::as_select(), organisations::name, provider.field(organisations::name), Option::<Grant>::as_select()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(application, programme, startup_name, provider_name, grant)| ApplicationView { application, programme, startup_name, provider_name, grant })
        .collect())
}

/// One page of a programme's applications, newest first, read in SQL.
pub fn applications_page(conn: &mut AnyConnection, programme_id: ProgrammeId, window: crate::domain::Window) -> DomainResult<Vec<ApplicationView>> {
    let programme = programmes::get(conn, programme_id)?;
    let mut query = applications::table
        .filter(applications::programme_id.eq(programme_id))
        .filter(applications::status.ne(ApplicationStatus::Draft.as_str()))
        .order(applications::id.desc())
        .limit(window.take)
        .select(Application::as_select())
        .into_boxed();
    if let Some(after) = window.after {
        query = query.filter(applications::id.lt(after));
    }
    let rows: Vec<Application> = query.load(conn)?;
    rows.into_iter().map(|a| view(conn, a, programme.clone())).collect()
}

pub fn applications_to_programme(conn: &mut AnyConnection, programme_id: ProgrammeId) -> DomainResult<Vec<ApplicationView>> {
    applications_with_names(conn, programme_id, None)
}

/// A page of a programme's applications, oldest first, and how many there are.
pub fn page_to_programme(conn: &mut AnyConnection, programme_id: ProgrammeId, page: PageRequest) -> DomainResult<Page<ApplicationView>> {
    let total: i64 = applications::table
        .filter(applications::programme_id.eq(programme_id))
        .filter(applications::status.ne(ApplicationStatus::Draft.as_str()))
        .count()
        .get_result(conn)?;
    let items = applications_with_names(conn, programme_id, Some(page))?;
    Ok(Page { items, number: page.number, total })
}

/// A programme's applications (all, or one page; never drafts) with their startup's and provider's names and
/// their grant, in one query rather than three per application.
fn applications_with_names(conn: &mut AnyConnection, programme_id: ProgrammeId, page: Option<PageRequest>) -> DomainResult<Vec<ApplicationView>> {
    let programme = programmes::get(conn, programme_id)?;
    let provider = diesel::alias!(organisations as provider_org);
    let mut query = applications::table
        .inner_join(organisations::table.on(organisations::id.eq(applications::startup_id)))
        .inner_join(provider.on(provider.field(organisations::id).eq(applications::provider_id)))
        .left_join(grants::table.on(grants::application_id.eq(applications::id)))
        .filter(applications::programme_id.eq(programme_id))
        .filter(applications::status.ne(ApplicationStatus::Draft.as_str()))
        .order(applications::id)
        .select((Application::as_select(), organisations::name, provider.field(organisations::name), Option::<Grant>::as_select()))
        .into_boxed();
    if let Some(page) = page {
        query = query.limit(PAGE_SIZE).offset(page.offset());
    }
    let rows: Vec<(Application, String, String, Option<Grant>)> = query.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(application, startup_name, provider_name, grant)| ApplicationView { application, programme: programme.clone(), startup_name, provider_name, grant })
        .collect())
}

/// How many of a programme's applications wait for a decision.
pub fn pending_count(conn: &mut AnyConnection, programme_id: ProgrammeId) -> DomainResult<i64> {
    Ok(applications::table
        .filter(applications::programme_id.eq(programme_id))
        .filter(applications::status.eq(ApplicationStatus::Submitted.as_str()))
        .count()
        .get_result(conn)?)
}

#[derive(Debug, Clone)]
pub enum Decision {
    Approve { amount: Amount },
    Reject { reason: String },
}

/// A funder decides on an application of one of its programmes. Approval makes an offer that
/// commits its amount of the programme's budget in the same transaction (the startup accepts it
/// to get the grant, see `domain::offers`); an application is decided once.
pub fn decide(conn: &mut AnyConnection, by: &Member, application_id: ApplicationId, decision: &Decision) -> DomainResult<ApplicationView> {
    decide_with(conn, by, application_id, decision, &de_minimis::Rules::default())
}

/// [`decide`] under the de minimis `rules` of the settings. The de minimis check runs when the
/// startup accepts the offer, with its declaration confirmed (`offers::accept`), not here.
pub fn decide_with(conn: &mut AnyConnection, by: &Member, application_id: ApplicationId, decision: &Decision, rules: &de_minimis::Rules) -> DomainResult<ApplicationView> {
    decide_overriding(conn, by, application_id, decision, rules, None)
}

/// [`decide_with`], where the approval of an application that failed eligibility rules needs
/// `override_reason` (at least [`MIN_REASON_CHARS`]): without it the approval is refused and
/// nothing is written; with it the reason, who and when are stored with the application.
pub fn decide_overriding(conn: &mut AnyConnection, by: &Member, application_id: ApplicationId, decision: &Decision, _rules: &de_minimis::Rules, override_reason: Option<&str>) -> DomainResult<ApplicationView> {
    if by.kind() != OrgKind::Funder {
        return Err(DomainError::NotFound);
    }
    let current = application_for(conn, by, application_id)?;
    let currency = current.programme.currency.as_str();
    if current.programme.status == programmes::ProgrammeStatus::Archived {
        return Err(DomainError::Conflict(Message::new("programme-archived-read-only")));
    }
    // Sent back for changes: decided only once the startup has resubmitted.
    if current.application.changes_requested() {
        return Err(DomainError::Conflict(Message::new("decide-changes-requested").with("reference", current.application.reference())));
    }
    let mut errors = FieldErrors::default();
    let override_reason = override_reason.map(str::trim).filter(|r| !r.is_empty());
    let overriding = matches!(decision, Decision::Approve { .. }) && !current.application.is_eligible();
    if overriding && override_reason.is_none_or(|r| r.chars().count() < MIN_REASON_CHARS) {
        errors.add("override_reason", Message::new("decide-ineligible-needs-override").with("min", MIN_REASON_CHARS));
    }
    match decision {
        Decision::Approve { amount } => {
            if !amount.is_positive() {
                errors.add("amount", Message::new("amount-not-positive"));
            }
            if *amount > current.application.requested() {
                errors.add("amount", Message::new("decide-over-requested").with("requested", Arg::money(current.application.requested(), currency)));
            }
            if *amount > current.programme.max_award() {
                errors.add("amount", Message::new("apply-over-max-award").with("max", Arg::money(current.programme.max_award(), currency)));
            }
        }
        Decision::Reject { reason } => {
            if reason.trim().chars().count() < MIN_REASON_CHARS {
                errors.add("reason", Message::new("decide-reason-too-short").with("min", MIN_REASON_CHARS));
            }
        }
    }
    errors.into_result()?;
    let programme = current.programme.clone();
    let now = clock::now();
    crate::db::write_transaction(conn, |conn| {
        // The reserved quota (`domain::quota`): checked first, under the programme row's lock,
        // with the category the approval is decided with (recorded below, so that a later
        // profile edit does not move this award between pots).
        let quota_category = match decision {
            Decision::Approve { amount } => {
                let (category, _) = crate::domain::company::eligibility_facts(conn, current.application.startup_id)?;
                crate::domain::quota::check_offer(conn, &programme, application_id, category, *amount)?;
                category.map(|c| c.as_str())
            }
            Decision::Reject { .. } => None,
        };
        let (status, approved, reason) = match decision {
            Decision::Approve { amount } => (ApplicationStatus::Offered, Some(amount.cents()), None),
            Decision::Reject { reason } => (ApplicationStatus::Rejected, None, Some(reason.trim())),
        };
        debug_assert!(ApplicationStatus::Submitted.may_become(status));
        let changed = diesel::update(
            applications::table.filter(applications::id.eq(application_id)).filter(applications::status.eq(ApplicationStatus::Submitted.as_str())),
        )
        .set((
            applications::status.eq(status.as_str()),
            applications::approved_amount.eq(approved),
            applications::decision_reason.eq(reason),
            applications::decided_by.eq(by.user.id),
            applications::decided_at.eq(now),
            applications::quota_category.eq(quota_category),
        ))
        .execute(conn)?;
        if changed == 0 {
            return Err(DomainError::Conflict(Message::new("decide-already-decided").with("reference", current.application.reference())));
        }
        if overriding {
            diesel::update(applications::table.filter(applications::id.eq(application_id)))
                .set((
                    applications::override_reason.eq(override_reason),
                    applications::overridden_by.eq(by.user.id),
                    applications::overridden_at.eq(now),
                ))
                .execute(conn)?;
        }
        if let Decision::Approve { amount } = decision {
            crate::domain::offers::commit(conn, by, &current.application, &programme, *amount, now)?;
        }
        Ok(())
    })?;
    application_for(conn, by, application_id)
}

/// The most applications approved at once (bounds the work of one request and transaction).
pub const MAX_BULK: usize = 200;

/// Approves several applications of one programme at once, each for its amount, through the
/// same path as a single decision (offers with their holds, the startup told): all or none, in
/// one transaction. The first refusal (budget, max award, ineligible without an override,
/// already decided, not found) rolls everything back and is returned as `Invalid` on
/// `application`, naming the application and its company, then the reason.
pub fn approve_several(conn: &mut AnyConnection, by: &Member, programme_id: ProgrammeId, items: &[(ApplicationId, Amount)], rules: &de_minimis::Rules) -> DomainResult<Vec<ApplicationView>> {
    if items.is_empty() {
        return Err(DomainError::invalid("application", Message::new("review-bulk-none-chosen")));
    }
    if items.len() > MAX_BULK {
        return Err(DomainError::invalid("application", Message::new("review-bulk-not-pending")));
    }
    // Names for the refusal, read before anything is written.
    let mut names: Vec<(ApplicationId, String, String)> = Vec::with_capacity(items.len());
    for &(id, _) in items {
        match application_for(conn, by, id) {
            Ok(view) if view.application.programme_id == programme_id => names.push((id, view.application.reference(), view.startup_name)),
            Ok(_) | Err(DomainError::NotFound) => return Err(DomainError::invalid("application", Message::new("review-bulk-not-pending"))),
            Err(e) => return Err(e),
        }
    }
    crate::db::write_transaction(conn, |conn| {
        let mut views = Vec::with_capacity(items.len());
        for (&(id, amount), (_, reference, startup)) in items.iter().zip(&names) {
            let reasons = match decide_overriding(conn, by, id, &Decision::Approve { amount }, rules, None) {
                Ok(view) => {
                    views.push(view);
                    continue;
                }
                Err(DomainError::Invalid(errors)) => errors.0.into_iter().map(|(_, m)| m).collect(),
                Err(DomainError::Conflict(m)) => vec![m],
                Err(DomainError::NotFound) => vec![Message::new("review-bulk-not-pending")],
                Err(e) => return Err(e),
            };
            let mut errors = FieldErrors::default();
            errors.add("application", Message::new("review-bulk-refused").with("reference", reference.as_str()).with("startup", startup.as_str()));
            for reason in reasons {
                errors.add("application", reason);
            }
            return Err(DomainError::Invalid(errors));
        }
        Ok(views)
    })
}

/// A startup withdraws its own application before a decision (a draft, submitted, or sent back
/// for changes).
pub fn withdraw(conn: &mut AnyConnection, by: &Member, application_id: ApplicationId) -> DomainResult<()> {
    let current = application_for(conn, by, application_id)?;
    if by.kind() != OrgKind::Startup {
        return Err(DomainError::NotFound);
    }
    // One statement: PostgreSQL moves `page_state` at commit, after this row's lock (see the
    // migration page_state_at_commit), so there is one lock order with every other writer.
    let changed = diesel::update(
        applications::table
            .filter(applications::id.eq(current.application.id))
            .filter(applications::status.eq_any(OPEN)),
    )
    .set(applications::status.eq(ApplicationStatus::Withdrawn.as_str()))
    .execute(conn)?;
    if changed == 0 {
        return Err(DomainError::Conflict(Message::new("withdraw-not-pending")));
    }
    Ok(())
}


/// A submitted review of an application that scored an earlier revision than the latest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarlierReview {
    pub reviewer_name: String,
    pub submitted_at: NaiveDateTime,
    /// The revision that was current when the review was submitted.
    pub revision: i64,
}

/// The application's submitted reviews that scored a revision older than the latest one of
/// `revisions` (oldest first); they stay attached to the application.
pub fn earlier_reviews(conn: &mut AnyConnection, application_id: ApplicationId, revisions: &[RevisionView]) -> DomainResult<Vec<EarlierReview>> {
    use crate::db::schema::review_assignments;
    let Some(latest) = revisions.last().map(|r| r.revision.number) else { return Ok(Vec::new()) };
    let reviews: Vec<(String, Option<NaiveDateTime>)> = review_assignments::table
        .inner_join(users::table.on(users::id.eq(review_assignments::reviewer_id)))
        .filter(review_assignments::application_id.eq(application_id))
        .filter(review_assignments::status.eq(crate::domain::reviews::AssignmentStatus::Submitted.as_str()))
        .order(review_assignments::id)
        .select((users::display_name, review_assignments::submitted_at))
        .load(conn)?;
    Ok(reviews
        .into_iter()
        .filter_map(|(reviewer_name, at)| {
            let at = at?;
            let revision = revisions.iter().rev().find(|r| r.revision.submitted_at <= at).map(|r| r.revision.number)?;
            (revision < latest).then_some(EarlierReview { reviewer_name, submitted_at: at, revision })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_are_submitted_and_changes_requested_go_back_to_submitted() {
        use ApplicationStatus::*;
        assert!(Draft.may_become(Submitted) && Draft.may_become(Withdrawn));
        assert!(!Draft.may_become(Offered) && !Draft.may_become(ChangesRequested));
        assert!(Submitted.may_become(ChangesRequested));
        assert!(ChangesRequested.may_become(Submitted) && !ChangesRequested.may_become(Offered) && !ChangesRequested.may_become(Rejected));
        assert!(ApplicationStatus::seen_by_funders().all(|s| s != Draft));
    }
}
