//! A startup's company profile — last closed accounts, partner and linked enterprises, de
//! minimis aid received elsewhere — and what the EU rules make of it: its SME category
//! ([`eu::sme`]) and its de minimis headroom ([`eu::de_minimis`]), checked when a funder awards
//! a grant and recorded per award for the national register.
//!
//! The *single undertaking* (Regulation (EU) 2023/2831, Art. 2(2)) is the startup, the
//! organisations of the platform whose registration number matches one of its declared linked
//! enterprises, and those that declared it as their linked enterprise. The ceiling is counted
//! in euros: awards of programmes in another currency are neither checked nor counted.

use crate::db::AnyConnection;
use crate::db::schema::{company_associates, company_profiles, de_minimis_awards, declared_aid, grants, organisations};
use crate::domain::clock;
use crate::domain::error::{DomainError, DomainResult, FieldErrors};
use crate::domain::eu::de_minimis::{self, Aid, AidSource, DeMinimisError, Headroom, Rules};
use crate::domain::eu::registration;
use crate::domain::eu::sme::{self, Associate, Basis, Declaration, Figures, Relation, SmeCategory, SmeError, Working};
use crate::domain::grants::{Grant, GrantStatus};
use crate::domain::identity::{self, Member, OrgKind, Organisation};
use crate::domain::ids::OrgId;
use crate::messages::{Arg, Message};
use crate::money::Amount;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use rust_decimal::Decimal;
use std::str::FromStr;

/// The currency the de minimis ceiling is counted in.
pub const AID_CURRENCY: &str = "EUR";
/// Enough for any real group; bounds the page and the form.
pub const MAX_ASSOCIATES: i64 = 50;
pub const MAX_DECLARED_AID: i64 = 200;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = company_profiles)]
struct ProfileRow {
    organisation_id: OrgId,
    accounts_year_end: NaiveDate,
    staff_awu: String,
    turnover: i64,
    balance_sheet: i64,
    public_body_control: bool,
    vat_number: Option<String>,
    updated_at: NaiveDateTime,
    founded_on: Option<NaiveDate>,
}

/// The company's own last closed accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub organisation_id: OrgId,
    pub accounts_year_end: NaiveDate,
    pub figures: Figures,
    pub public_body_control: bool,
    pub vat_number: Option<String>,
    pub updated_at: NaiveDateTime,
    /// When the company was founded (registered), for programmes with a maximum company age.
    pub founded_on: Option<NaiveDate>,
}

fn decimal(text: &str) -> DomainResult<Decimal> {
    Decimal::from_str(text).map_err(|_| DomainError::Internal(format!("stored decimal {text:?} does not parse")))
}

impl TryFrom<ProfileRow> for Profile {
    type Error = DomainError;
    fn try_from(r: ProfileRow) -> DomainResult<Profile> {
        Ok(Profile {
            organisation_id: r.organisation_id,
            accounts_year_end: r.accounts_year_end,
            figures: Figures { staff_awu: decimal(&r.staff_awu)?, turnover: Amount::from_cents(r.turnover), balance_sheet: Amount::from_cents(r.balance_sheet) },
            public_body_control: r.public_body_control,
            vat_number: r.vat_number,
            updated_at: r.updated_at,
            founded_on: r.founded_on,
        })
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = company_associates)]
struct AssociateRow {
    id: i64,
    relation: String,
    name: String,
    country: String,
    registration_number: String,
    capital_share: String,
    voting_share: String,
    staff_awu: String,
    turnover: i64,
    balance_sheet: i64,
}

/// A partner or linked enterprise as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAssociate {
    pub id: i64,
    pub country: String,
    pub registration_number: String,
    pub associate: Associate,
}

impl TryFrom<AssociateRow> for StoredAssociate {
    type Error = DomainError;
    fn try_from(r: AssociateRow) -> DomainResult<StoredAssociate> {
        Ok(StoredAssociate {
            id: r.id,
            country: r.country,
            registration_number: r.registration_number,
            associate: Associate {
                name: r.name,
                relation: r.relation.parse().map_err(|e| DomainError::Internal(format!("{e}")))?,
                capital_share: decimal(&r.capital_share)?,
                voting_share: decimal(&r.voting_share)?,
                figures: Figures { staff_awu: decimal(&r.staff_awu)?, turnover: Amount::from_cents(r.turnover), balance_sheet: Amount::from_cents(r.balance_sheet) },
            },
        })
    }
}

/// De minimis aid the company declares having received from another body.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = declared_aid)]
pub struct DeclaredAid {
    pub id: i64,
    pub organisation_id: OrgId,
    pub granted_on: NaiveDate,
    pub amount: i64,
    pub granting_body: String,
}

impl DeclaredAid {
    pub fn amount(&self) -> Amount {
        Amount::from_cents(self.amount)
    }
}

/// The accounts as typed, parsed by the web layer.
#[derive(Debug, Clone)]
pub struct NewProfile {
    pub accounts_year_end: NaiveDate,
    pub figures: Figures,
    pub public_body_control: bool,
    pub vat_number: String,
    /// When the company was founded; optional.
    pub founded_on: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct NewAssociate {
    pub country: String,
    pub registration_number: String,
    pub associate: Associate,
}

#[derive(Debug, Clone)]
pub struct NewAid {
    pub granted_on: NaiveDate,
    pub amount: Amount,
    pub granting_body: String,
}

/// Words an SME rule's refusal.
pub fn sme_message(e: &SmeError) -> Message {
    match e {
        SmeError::PartnerHoldingOutOfRange { name, holding } => Message::new("sme-partner-holding").with("name", name).with("holding", *holding),
        SmeError::ShareOutOfRange { name, holding } => Message::new("sme-share-out-of-range").with("name", name).with("holding", *holding),
        SmeError::Negative => Message::new("sme-negative"),
        SmeError::Overflow => Message::new("sme-overflow"),
    }
}

fn startup_owner(by: &Member) -> DomainResult<OrgId> {
    if by.kind() != OrgKind::Startup {
        return Err(DomainError::Forbidden("only a startup keeps a company profile"));
    }
    Ok(by.org_id())
}

/// The form fields of a set of figures: the company's own, or an associate's.
struct FigureFields {
    staff_awu: &'static str,
    turnover: &'static str,
    balance_sheet: &'static str,
}

const OWN_FIELDS: FigureFields = FigureFields { staff_awu: "staff_awu", turnover: "turnover", balance_sheet: "balance_sheet" };
const ASSOCIATE_FIELDS: FigureFields = FigureFields { staff_awu: "associate_awu", turnover: "associate_turnover", balance_sheet: "associate_balance_sheet" };

fn check_figures(errors: &mut FieldErrors, figures: &Figures, fields: &FigureFields) {
    if figures.staff_awu < Decimal::ZERO {
        errors.add(fields.staff_awu, Message::new("company-awu-invalid"));
    }
    if figures.turnover.is_negative() {
        errors.add(fields.turnover, Message::new("company-amount-negative"));
    }
    if figures.balance_sheet.is_negative() {
        errors.add(fields.balance_sheet, Message::new("company-amount-negative"));
    }
}

/// The owner saves the company's last closed accounts (replacing the previous ones).
pub fn save_profile(conn: &mut AnyConnection, by: &Member, new: &NewProfile) -> DomainResult<()> {
    let org_id = startup_owner(by)?;
    let mut errors = FieldErrors::default();
    if new.accounts_year_end > clock::today() {
        errors.add("accounts_year_end", Message::new("company-year-end-future"));
    }
    check_figures(&mut errors, &new.figures, &OWN_FIELDS);
    if new.founded_on.is_some_and(|d| d > clock::today() || !crate::domain::programmes::is_sane_date(d)) {
        errors.add("founded_on", Message::new("company-founded-on-invalid"));
    }
    let vat = match new.vat_number.trim() {
        "" => None,
        typed => match registration::VatNumber::parse(typed) {
            Ok(v) => Some(v.text()),
            Err(e) => {
                errors.add("vat_number", e.message());
                None
            }
        },
    };
    errors.into_result()?;
    let now = clock::now();
    crate::db::write_transaction(conn, |conn| {
        diesel::delete(company_profiles::table.find(org_id)).execute(conn)?;
        diesel::insert_into(company_profiles::table)
            .values((
                company_profiles::organisation_id.eq(org_id),
                company_profiles::accounts_year_end.eq(new.accounts_year_end),
                company_profiles::staff_awu.eq(new.figures.staff_awu.normalize().to_string()),
                company_profiles::turnover.eq(new.figures.turnover.cents()),
                company_profiles::balance_sheet.eq(new.figures.balance_sheet.cents()),
                company_profiles::public_body_control.eq(new.public_body_control),
                company_profiles::vat_number.eq(vat),
                company_profiles::updated_by.eq(Some(by.user.id)),
                company_profiles::updated_at.eq(now),
                company_profiles::founded_on.eq(new.founded_on),
            ))
            .execute(conn)?;
        Ok::<(), DomainError>(())
    })
}

/// The owner declares a partner or linked enterprise.
pub fn add_associate(conn: &mut AnyConnection, by: &Member, new: &NewAssociate) -> DomainResult<()> {
    let org_id = startup_owner(by)?;
    let a = &new.associate;
    let mut errors = FieldErrors::default();
    if a.name.trim().is_empty() {
        errors.add("associate_name", Message::new("associate-name-missing"));
    }
    if !identity::COUNTRIES.contains(&new.country.as_str()) {
        errors.add("associate_country", Message::new("company-country-missing"));
    }
    let registration_number = if new.registration_number.trim().is_empty() {
        errors.add("associate_registration", Message::new("registration-empty"));
        String::new()
    } else {
        match registration::company_number(&new.country, &new.registration_number) {
            Ok(checked) => checked.unwrap_or_else(|| new.registration_number.trim().to_string()),
            Err(e) => {
                errors.add("associate_registration", e.message());
                String::new()
            }
        }
    };
    check_figures(&mut errors, &a.figures, &ASSOCIATE_FIELDS);
    // The SME rules' own checks of the holding (Annex, Art. 3(2)).
    if let Err(e) = sme::categorise(&Declaration { associates: vec![a.clone()], ..Declaration::default() }) {
        match e {
            SmeError::PartnerHoldingOutOfRange { .. } | SmeError::ShareOutOfRange { .. } => errors.add("capital_share", sme_message(&e)),
            SmeError::Negative => {}
            SmeError::Overflow => errors.add("associate_turnover", sme_message(&e)),
        }
    }
    errors.into_result()?;
    let count: i64 = company_associates::table.filter(company_associates::organisation_id.eq(org_id)).count().get_result(conn)?;
    if count >= MAX_ASSOCIATES {
        return Err(DomainError::invalid("associate_name", Message::new("company-associate-limit").with("max", MAX_ASSOCIATES)));
    }
    diesel::insert_into(company_associates::table)
        .values((
            company_associates::organisation_id.eq(org_id),
            company_associates::relation.eq(a.relation.as_str()),
            company_associates::name.eq(a.name.trim()),
            company_associates::country.eq(&new.country),
            company_associates::registration_number.eq(&registration_number),
            company_associates::capital_share.eq(a.capital_share.normalize().to_string()),
            company_associates::voting_share.eq(a.voting_share.normalize().to_string()),
            company_associates::staff_awu.eq(a.figures.staff_awu.normalize().to_string()),
            company_associates::turnover.eq(a.figures.turnover.cents()),
            company_associates::balance_sheet.eq(a.figures.balance_sheet.cents()),
            company_associates::created_at.eq(clock::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The owner removes one of its declared enterprises. Removing one that is already gone (or
/// is another organisation's, which is never touched) changes nothing, and says nothing either.
pub fn remove_associate(conn: &mut AnyConnection, by: &Member, id: i64) -> DomainResult<()> {
    let org_id = startup_owner(by)?;
    diesel::delete(company_associates::table.filter(company_associates::id.eq(id)).filter(company_associates::organisation_id.eq(org_id))).execute(conn)?;
    Ok(())
}

/// The owner declares de minimis aid received from another body (in euros).
pub fn add_declared_aid(conn: &mut AnyConnection, by: &Member, new: &NewAid) -> DomainResult<()> {
    let org_id = startup_owner(by)?;
    let mut errors = FieldErrors::default();
    if new.granted_on > clock::today() {
        errors.add("granted_on", Message::new("aid-date-future"));
    }
    if !new.amount.is_positive() {
        errors.add("aid_amount", Message::new("amount-not-positive"));
    }
    if new.granting_body.trim().is_empty() {
        errors.add("granting_body", Message::new("aid-body-missing"));
    }
    errors.into_result()?;
    let count: i64 = declared_aid::table.filter(declared_aid::organisation_id.eq(org_id)).count().get_result(conn)?;
    if count >= MAX_DECLARED_AID {
        return Err(DomainError::invalid("granting_body", Message::new("company-associate-limit").with("max", MAX_DECLARED_AID)));
    }
    diesel::insert_into(declared_aid::table)
        .values((
            declared_aid::organisation_id.eq(org_id),
            declared_aid::granted_on.eq(new.granted_on),
            declared_aid::amount.eq(new.amount.cents()),
            declared_aid::granting_body.eq(new.granting_body.trim()),
            declared_aid::created_by.eq(Some(by.user.id)),
            declared_aid::created_at.eq(clock::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Like [`remove_associate`], for declared aid.
pub fn remove_declared_aid(conn: &mut AnyConnection, by: &Member, id: i64) -> DomainResult<()> {
    let org_id = startup_owner(by)?;
    diesel::delete(declared_aid::table.filter(declared_aid::id.eq(id)).filter(declared_aid::organisation_id.eq(org_id))).execute(conn)?;
    Ok(())
}

fn profile_of(conn: &mut AnyConnection, org_id: OrgId) -> DomainResult<Option<Profile>> {
    let row: Option<ProfileRow> = company_profiles::table.find(org_id).select(ProfileRow::as_select()).first(conn).optional()?;
    row.map(Profile::try_from).transpose()
}

fn associates_of(conn: &mut AnyConnection, org_id: OrgId) -> DomainResult<Vec<StoredAssociate>> {
    let rows: Vec<AssociateRow> =
        company_associates::table.filter(company_associates::organisation_id.eq(org_id)).order(company_associates::id).select(AssociateRow::as_select()).load(conn)?;
    rows.into_iter().map(StoredAssociate::try_from).collect()
}

fn declared_aid_of(conn: &mut AnyConnection, org_ids: &[OrgId]) -> DomainResult<Vec<DeclaredAid>> {
    Ok(declared_aid::table
        .filter(declared_aid::organisation_id.eq_any(org_ids))
        .order((declared_aid::granted_on, declared_aid::id))
        .select(DeclaredAid::as_select())
        .load(conn)?)
}

/// The single undertaking of `org_id` (see the module's notes), the startup first. Numbers are
/// compared by [`registration::company_key`], so a SIREN matches the same company's SIRET or
/// VAT number.
pub fn single_undertaking(conn: &mut AnyConnection, org_id: OrgId) -> DomainResult<Vec<Organisation>> {
    let me = identity::organisation(conn, org_id)?;
    let my_key = me.registration_number.as_deref().map(registration::company_key).filter(|k| !k.is_empty());
    let mut members = vec![me];
    // Every declared link of the platform: few rows (at most MAX_ASSOCIATES per startup).
    let links: Vec<(OrgId, String)> = company_associates::table
        .filter(company_associates::relation.eq(Relation::Linked.as_str()))
        .select((company_associates::organisation_id, company_associates::registration_number))
        .load(conn)?;
    // Linked enterprises it declared that are organisations here.
    let declared_keys: Vec<String> = links.iter().filter(|(by, _)| *by == org_id).map(|(_, n)| registration::company_key(n)).filter(|k| !k.is_empty()).collect();
    if !declared_keys.is_empty() {
        for org in identity::organisations_of_kind(conn, OrgKind::Startup)? {
            let key = org.registration_number.as_deref().map(registration::company_key).unwrap_or_default();
            if org.id != org_id && !key.is_empty() && declared_keys.contains(&key) && !members.iter().any(|m| m.id == org.id) {
                members.push(org);
            }
        }
    }
    // Those that declared it as their linked enterprise.
    if let Some(mine) = my_key {
        for (by, number) in &links {
            if *by != org_id && registration::company_key(number) == mine && !members.iter().any(|m| m.id == *by) {
                members.push(identity::organisation(conn, *by)?);
            }
        }
    }
    Ok(members)
}

/// Every de minimis aid of the single undertaking of `org_id`: declared, and awarded here in euros.
pub fn aid_of_undertaking(conn: &mut AnyConnection, org_id: OrgId) -> DomainResult<Vec<Aid>> {
    let members = single_undertaking(conn, org_id)?;
    let ids: Vec<OrgId> = members.iter().map(|m| m.id).collect();
    let name_of = |id: OrgId| members.iter().find(|m| m.id == id).map(|m| m.name.clone()).unwrap_or_default();
    let mut aids: Vec<Aid> = declared_aid_of(conn, &ids)?
        .into_iter()
        .map(|d| Aid { granted_on: d.granted_on, amount: d.amount(), beneficiary: name_of(d.organisation_id), source: AidSource::Declared { granting_body: d.granting_body } })
        .collect();
    let awarded: Vec<Grant> = grants::table
        .filter(grants::startup_id.eq_any(&ids))
        .filter(grants::currency.eq(AID_CURRENCY))
        .select(Grant::as_select())
        .load(conn)?;
    for grant in awarded {
        let amount = if grant.status == GrantStatus::Active { grant.amount() } else { drawn_before_it_ended(conn, &grant)? };
        aids.push(Aid { granted_on: grant.valid_from, amount, beneficiary: name_of(grant.startup_id), source: AidSource::Platform { grant_code: grant.code } });
    }
    Ok(aids)
}

/// The aid an ended grant (expired or revoked) conferred: the credits its startup drew — spent,
/// or held for an invoice still to be approved — and not those that lapsed or were taken back
/// unused (see the notes of `eu::de_minimis`). Read from the grant's own ledger figures, so a
/// credit note or a released hold after the end counts at once, before any sweep.
fn drawn_before_it_ended(conn: &mut AnyConnection, grant: &Grant) -> DomainResult<Amount> {
    use crate::domain::figures::Figure;
    let figures = crate::domain::figures::grant_figures_of(conn, grant)?;
    let of = |wanted: Figure| crate::domain::figures::figure_in(&figures, wanted);
    of(Figure::Spent).checked_add(of(Figure::Held)).map_err(|e| DomainError::Internal(e.to_string()))
}

/// Words a de minimis refusal with its figures.
pub fn de_minimis_message(e: &DeMinimisError, rules: &Rules) -> Message {
    match e {
        DeMinimisError::CeilingCrossed { aid_in_window, award, ceiling, headroom, .. } => Message::new("de-minimis-ceiling-crossed")
            .with("aid", Arg::money(*aid_in_window, AID_CURRENCY))
            .with("award", Arg::money(*award, AID_CURRENCY))
            .with("ceiling", Arg::money(*ceiling, AID_CURRENCY))
            .with("headroom", Arg::money(*headroom, AID_CURRENCY))
            .with("years", i64::from(rules.years)),
        DeMinimisError::Overflow | DeMinimisError::DateOutOfRange(_) => Message::new("de-minimis-overflow"),
    }
}

/// Art. 3(2) at the award: may `amount` (in `currency`) be granted today to `startup_id`?
/// Refused as an `amount` field error with the figures. Awards in another currency than the
/// euro pass (see the module's notes). Call inside the award's write transaction: on
/// PostgreSQL the undertaking's rows are locked first, so that two awards to it are counted
/// one after the other (SQLite's writer lock already serialises them).
pub fn check_award(conn: &mut AnyConnection, rules: &Rules, startup_id: OrgId, amount: Amount, currency: &str) -> DomainResult<()> {
    if currency != AID_CURRENCY {
        return Ok(());
    }
    // A no-op update of a non-key column of each member of the single undertaking, in id order
    // (so two awards never wait on each other crosswise): row locks that serialise awards to
    // the same undertaking without blocking rows that merely reference its organisations.
    let mut ids: Vec<OrgId> = single_undertaking(conn, startup_id)?.iter().map(|o| o.id).collect();
    ids.sort();
    for id in ids {
        diesel::update(organisations::table.find(id)).set(organisations::name.eq(organisations::name)).execute(conn)?;
    }
    let aids = aid_of_undertaking(conn, startup_id)?;
    match de_minimis::check_award(rules, &aids, clock::today(), amount) {
        Ok(_) => Ok(()),
        Err(e) => Err(DomainError::invalid("amount", de_minimis_message(&e, rules))),
    }
}

/// The SME category from a profile and its enterprises; `None` without a profile.
pub fn sme_working(profile: Option<&Profile>, associates: &[StoredAssociate]) -> Option<Result<Working, SmeError>> {
    let profile = profile?;
    Some(sme::categorise(&Declaration {
        own: profile.figures,
        public_body_control: profile.public_body_control,
        associates: associates.iter().map(|a| a.associate.clone()).collect(),
    }))
}

/// Everything the company page and the decision form show.
#[derive(Debug, Clone)]
pub struct CompanyView {
    pub organisation: Organisation,
    pub profile: Option<Profile>,
    pub associates: Vec<StoredAssociate>,
    pub declared: Vec<DeclaredAid>,
    pub sme: Option<Result<Working, Message>>,
    pub de_minimis: Result<Headroom, Message>,
    pub rules: Rules,
}

impl CompanyView {
    pub fn category(&self) -> Option<SmeCategory> {
        self.working().map(|w| w.category)
    }

    pub fn working(&self) -> Option<&Working> {
        match &self.sme {
            Some(Ok(w)) => Some(w),
            _ => None,
        }
    }

    /// Why the declaration cannot be counted, if it cannot.
    pub fn sme_problem(&self) -> Option<&Message> {
        match &self.sme {
            Some(Err(m)) => Some(m),
            _ => None,
        }
    }

    /// The rule that decided the category, worded.
    pub fn basis(&self) -> Option<Message> {
        let w = self.working()?;
        Some(match w.basis {
            Basis::PublicBodies => Message::new("sme-basis-public"),
            Basis::Threshold(None) => Message::new("sme-basis-none"),
            Basis::Threshold(Some(_)) => Message::new("sme-basis-threshold").with("category", w.category.as_str()),
        })
    }

    pub fn headroom(&self) -> Option<&Headroom> {
        self.de_minimis.as_ref().ok()
    }

    /// The window, the aid in it, the ceiling and what is left, worded.
    pub fn headroom_message(&self) -> Message {
        match &self.de_minimis {
            Ok(h) => Message::new("de-minimis-window")
                .with("from", h.window_from)
                .with("to", h.window_to)
                .with("aid", Arg::money(h.aid_in_window, AID_CURRENCY))
                .with("ceiling", Arg::money(h.ceiling, AID_CURRENCY))
                .with("headroom", Arg::money(h.headroom, AID_CURRENCY)),
            Err(m) => m.clone(),
        }
    }

    /// The regulation's ceiling and period, for the page's introduction.
    pub fn rules_message(&self) -> Message {
        Message::new("de-minimis-intro").with("ceiling", Arg::money(self.rules.ceiling, AID_CURRENCY)).with("years", i64::from(self.rules.years))
    }
}

/// The company of `org_id` as of `on`.
pub fn company_view(conn: &mut AnyConnection, org_id: OrgId, rules: &Rules, on: NaiveDate) -> DomainResult<CompanyView> {
    let organisation = identity::organisation(conn, org_id)?;
    let profile = profile_of(conn, org_id)?;
    let associates = associates_of(conn, org_id)?;
    let declared = declared_aid_of(conn, &[org_id])?;
    let sme = sme_working(profile.as_ref(), &associates).map(|r| r.map_err(|e| sme_message(&e)));
    let aids = aid_of_undertaking(conn, org_id)?;
    let de_minimis = de_minimis::headroom(rules, &aids, on).map_err(|e| de_minimis_message(&e, rules));
    Ok(CompanyView { organisation, profile, associates, declared, sme, de_minimis, rules: *rules })
}

/// What a central register needs of one award (Regulation (EU) 2023/2831, Art. 6).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = de_minimis_awards)]
pub struct AwardRecord {
    pub aid_id: String,
    pub beneficiary_name: String,
    pub beneficiary_identifier: String,
    pub beneficiary_country: String,
    pub sme_category: Option<String>,
    pub amount: i64,
    pub currency: String,
    pub granted_on: NaiveDate,
    pub granting_authority: String,
    pub regulation: String,
}

/// Records an award for the register, in the award's transaction: the beneficiary as it is
/// registered today (legal name, registration number, VAT number when declared).
pub fn record_award(conn: &mut AnyConnection, grant: &Grant, funder_id: OrgId) -> DomainResult<()> {
    let startup = identity::organisation(conn, grant.startup_id)?;
    let funder = identity::organisation(conn, funder_id)?;
    let profile = profile_of(conn, startup.id)?;
    let associates = associates_of(conn, startup.id)?;
    let category = sme_working(profile.as_ref(), &associates).and_then(Result::ok).map(|w| w.category.as_str());
    let identifier = match (&startup.registration_number, profile.as_ref().and_then(|p| p.vat_number.clone())) {
        (Some(reg), Some(vat)) => format!("{reg} / {vat}"),
        (Some(reg), None) => reg.clone(),
        (None, Some(vat)) => vat,
        (None, None) => String::new(),
    };
    diesel::insert_into(de_minimis_awards::table)
        .values((
            de_minimis_awards::grant_id.eq(grant.id),
            de_minimis_awards::aid_id.eq(&grant.code),
            de_minimis_awards::beneficiary_id.eq(startup.id),
            de_minimis_awards::beneficiary_name.eq(startup.legal_name.clone().unwrap_or_else(|| startup.name.clone())),
            de_minimis_awards::beneficiary_identifier.eq(identifier),
            de_minimis_awards::beneficiary_country.eq(startup.country.clone().unwrap_or_default()),
            de_minimis_awards::sme_category.eq(category),
            de_minimis_awards::amount.eq(grant.amount),
            de_minimis_awards::currency.eq(&grant.currency),
            de_minimis_awards::granted_on.eq(grant.valid_from),
            de_minimis_awards::granting_authority_id.eq(funder.id),
            de_minimis_awards::granting_authority.eq(funder.legal_name.clone().unwrap_or_else(|| funder.name.clone())),
            de_minimis_awards::regulation.eq(de_minimis::REGULATION),
            de_minimis_awards::programme_id.eq(grant.programme_id),
            de_minimis_awards::recorded_at.eq(clock::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The register's columns: machine key and kind.
const REGISTER_COLUMNS: [(&str, crate::domain::table::Kind); 10] = {
    use crate::domain::table::Kind::*;
    [
        ("aid_id", Text),
        ("beneficiary_name", Text),
        ("beneficiary_identifier", Text),
        ("beneficiary_country", Text),
        ("sme_category", Text),
        ("amount", Money),
        ("currency", Text),
        ("granted_on", Date),
        ("granting_authority", Text),
        ("regulation", Text),
    ]
};

/// A funder's awards for its national register, oldest first, as a table to download; `header`
/// words each column from its machine key.
pub fn register_table(conn: &mut AnyConnection, funder_id: OrgId, name: &str, header: impl Fn(&'static str) -> String) -> DomainResult<crate::domain::table::Table> {
    use crate::domain::table::{Cell, Column, Table};
    let rows: Vec<AwardRecord> = de_minimis_awards::table
        .filter(de_minimis_awards::granting_authority_id.eq(funder_id))
        .order(de_minimis_awards::grant_id)
        .select(AwardRecord::as_select())
        .load(conn)?;
    let mut table = Table::new(name, REGISTER_COLUMNS.iter().map(|(key, kind)| Column::new(key, header(key), *kind)).collect());
    for r in rows {
        table.push(vec![
            Cell::Text(r.aid_id),
            Cell::Text(r.beneficiary_name),
            Cell::Text(r.beneficiary_identifier),
            Cell::Text(r.beneficiary_country),
            r.sme_category.map(Cell::Text).unwrap_or(Cell::Empty),
            Cell::money(Amount::from_cents(r.amount), &r.currency),
            Cell::Text(r.currency),
            Cell::Date(r.granted_on),
            Cell::Text(r.granting_authority),
            Cell::Text(r.regulation),
        ]);
    }
    Ok(table)
}

/// The register as its CSV file: the machine keys as headers, formulas neutralised.
pub fn register_csv(conn: &mut AnyConnection, funder_id: OrgId) -> DomainResult<Vec<u8>> {
    register_table(conn, funder_id, "de-minimis", |key| key.to_string())?.render(crate::domain::table::Format::Csv).map_err(|e| DomainError::Internal(e.to_string()))
}

/// What a programme's eligibility rules need of a company: its SME category (when a profile
/// can be counted) and its founding date (when the profile gives one).
pub fn eligibility_facts(conn: &mut AnyConnection, org_id: OrgId) -> DomainResult<(Option<SmeCategory>, Option<NaiveDate>)> {
    let profile = profile_of(conn, org_id)?;
    let associates = associates_of(conn, org_id)?;
    let category = sme_working(profile.as_ref(), &associates).and_then(Result::ok).map(|w| w.category);
    Ok((category, profile.and_then(|p| p.founded_on)))
}

/// The SME category of every startup holding a grant of `programme` (as their profiles say
/// today), in a few queries whatever their number (not one per startup); a startup without a profile, or whose
/// declaration cannot be categorised, has none.
pub fn categories_in_programme(conn: &mut AnyConnection, programme: crate::domain::ids::ProgrammeId) -> DomainResult<std::collections::HashMap<OrgId, Option<SmeCategory>>> {
    let startups: Vec<OrgId> = grants::table.filter(grants::programme_id.eq(programme)).select(grants::startup_id).distinct().load(conn)?;
    let mut profiles: Vec<ProfileRow> = Vec::new();
    let mut associates: Vec<(OrgId, AssociateRow)> = Vec::new();
    // In slices, so that no query carries more parameters than a backend takes.
    for chunk in startups.chunks(500) {
        profiles.extend(company_profiles::table.filter(company_profiles::organisation_id.eq_any(chunk)).select(ProfileRow::as_select()).load::<ProfileRow>(conn)?);
        associates.extend(
            company_associates::table
                .filter(company_associates::organisation_id.eq_any(chunk))
                .order(company_associates::id)
                .select((company_associates::organisation_id, AssociateRow::as_select()))
                .load::<(OrgId, AssociateRow)>(conn)?,
        );
    }
    let mut by_org: std::collections::HashMap<OrgId, Vec<StoredAssociate>> = std::collections::HashMap::new();
    for (org, row) in associates {
        by_org.entry(org).or_default().push(StoredAssociate::try_from(row)?);
    }
    let mut profiles: std::collections::HashMap<OrgId, Profile> = profiles.into_iter().map(|r| Profile::try_from(r).map(|p| (p.organisation_id, p))).collect::<DomainResult<_>>()?;
    Ok(startups
        .into_iter()
        .map(|org| {
            let profile = profiles.remove(&org);
            let category = sme_working(profile.as_ref(), by_org.get(&org).map(Vec::as_slice).unwrap_or(&[])).and_then(Result::ok).map(|w| w.category);
            (org, category)
        })
        .collect())
}

/// A programme's grants by their startup's SME category: (category, grants, awarded), micro
/// first, unknown last.
pub fn grants_by_category(conn: &mut AnyConnection, programme: crate::domain::ids::ProgrammeId) -> DomainResult<Vec<(Option<SmeCategory>, i64, Amount)>> {
    let categories = categories_in_programme(conn, programme)?;
    let awards: Vec<(OrgId, i64)> = grants::table.filter(grants::programme_id.eq(programme)).select((grants::startup_id, grants::amount)).load(conn)?;
    let mut groups: Vec<(Option<SmeCategory>, i64, Amount)> = Vec::new();
    for (startup, amount) in awards {
        let category = categories.get(&startup).copied().flatten();
        let slot = match groups.iter().position(|(c, _, _)| *c == category) {
            Some(i) => i,
            None => {
                groups.push((category, 0, Amount::ZERO));
                groups.len() - 1
            }
        };
        let (_, count, total) = &mut groups[slot];
        *count = count.saturating_add(1);
        *total = total.checked_add(Amount::from_cents(amount)).map_err(|_| DomainError::Internal("awards out of range".into()))?;
    }
    // Micro, small, medium, large, then unknown.
    groups.sort_by_key(|(c, _, _)| c.map(|c| SmeCategory::ALL.iter().position(|x| *x == c).unwrap_or(usize::MAX)).unwrap_or(usize::MAX));
    Ok(groups)
}
