//! Applications for credits: a startup applies, the funder decides once (approve — an offer the
//! startup then accepts, which awards the grant, see `domain::offers` — or reject), or the
//! startup withdraws first.

use crate::db::AnyConnection;
use crate::db::schema::{applications, grants, organisations, programmes as programme_rows};
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
    /// An application's life: submitted, then decided once (offered or rejected) or withdrawn;
    /// an offer is accepted (approved: the grant exists), declined, or lapses at its deadline.
    pub enum ApplicationStatus ("application status") {
        Submitted = "submitted",
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
        matches!((self, next), (Submitted, Offered | Rejected | Withdrawn) | (Offered, Approved | Declined | Lapsed))
    }
}


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

/// An application as stored when it is submitted.
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

/// A startup applies to an open programme.
pub fn apply(conn: &mut AnyConnection, by: &Member, programme_id: ProgrammeId, new: &NewApplication) -> DomainResult<Application> {
    if by.kind() != OrgKind::Startup {
        return Err(DomainError::Forbidden("only startups apply for credits"));
    }
    // A draft is not there for startups.
    let programme = programmes::visible_to(conn, by, programme_id)?;
    if !by.organisation.is_registered() {
        return Err(DomainError::Conflict(Message::new("apply-company-not-registered")));
    }
    let mut errors = FieldErrors::default();
    if !programme.is_open() {
        errors.add("programme", Message::new("apply-programme-not-open").with("name", &programme.name).with("phase", programme.phase_label()));
    }
    if !new.requested.is_positive() {
        errors.add("requested", Message::new("amount-not-positive"));
    } else if new.requested > programme.max_award() {
        errors.add("requested", Message::new("apply-over-max-award").with("max", Arg::money(programme.max_award(), &programme.currency)));
    }
    let purpose = new.purpose.trim();
    if purpose.chars().count() < MIN_PURPOSE_CHARS {
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
    let open: i64 = applications::table
        .filter(applications::programme_id.eq(programme.id))
        .filter(applications::startup_id.eq(by.org_id()))
        .filter(applications::status.eq(ApplicationStatus::Submitted.as_str()))
        .count()
        .get_result(conn)?;
    if open > 0 {
        errors.add("programme", Message::new("apply-already-open"));
    }
    errors.into_result()?;
    let provider_id = provider_id.ok_or_else(|| DomainError::invalid("provider_id", Message::new("apply-provider-missing")))?;
    // Eligibility: every failing rule is kept with the application (not refused: the funder
    // sees the reasons and may override one with a recorded reason).
    let rules = programme.eligibility()?;
    let ineligible_reasons = if rules.is_empty() {
        None
    } else {
        let (category, founded_on) = crate::domain::company::eligibility_facts(conn, by.org_id())?;
        let applicant = crate::domain::eligibility::Applicant { country: by.organisation.country.as_deref(), category, founded_on, hardware: &new.hardware };
        crate::domain::eligibility::to_text(&crate::domain::eligibility::evaluate(&rules, &applicant, clock::today()))
    };
    let row = ApplicationRow {
        programme_id: programme.id,
        startup_id: by.org_id(),
        provider_id,
        requested: new.requested.cents(),
        purpose,
        hardware: &new.hardware,
        status: ApplicationStatus::Submitted.as_str(),
        submitted_by: by.user.id,
        created_at: clock::now(),
        ineligible_reasons,
    };
    let inserted = diesel::insert_into(applications::table)
        .values(&row)
        .returning(applications::id)
        .get_result::<ApplicationId>(conn);
    // Two submissions racing past the check above meet the unique index instead.
    let id = match inserted {
        Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => {
            return Err(DomainError::invalid("programme", Message::new("apply-already-open")));
        }
        other => other?,
    };
    get_application(conn, id)
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
    let total: i64 = applications::table.filter(applications::programme_id.eq(programme_id)).count().get_result(conn)?;
    let items = applications_with_names(conn, programme_id, Some(page))?;
    Ok(Page { items, number: page.number, total })
}

/// A programme's applications (all, or one page) with their startup's and provider's names and
/// their grant, in one query rather than three per application.
fn applications_with_names(conn: &mut AnyConnection, programme_id: ProgrammeId, page: Option<PageRequest>) -> DomainResult<Vec<ApplicationView>> {
    let programme = programmes::get(conn, programme_id)?;
    let provider = diesel::alias!(organisations as provider_org);
    let mut query = applications::table
        .inner_join(organisations::table.on(organisations::id.eq(applications::startup_id)))
        .inner_join(provider.on(provider.field(organisations::id).eq(applications::provider_id)))
        .left_join(grants::table.on(grants::application_id.eq(applications::id)))
        .filter(applications::programme_id.eq(programme_id))
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


/// A startup withdraws its own application before a decision.
pub fn withdraw(conn: &mut AnyConnection, by: &Member, application_id: ApplicationId) -> DomainResult<()> {
    let current = application_for(conn, by, application_id)?;
    if by.kind() != OrgKind::Startup {
        return Err(DomainError::NotFound);
    }
    let changed = diesel::update(
        applications::table
            .filter(applications::id.eq(current.application.id))
            .filter(applications::status.eq(ApplicationStatus::Submitted.as_str())),
    )
    .set(applications::status.eq(ApplicationStatus::Withdrawn.as_str()))
    .execute(conn)?;
    if changed == 0 {
        return Err(DomainError::Conflict(Message::new("withdraw-not-pending")));
    }
    Ok(())
}

