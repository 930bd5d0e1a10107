//! The company profile page (`/organisation/company`): the owner declares the last closed
//! accounts, partner and linked enterprises and other de minimis aid; every member reads them
//! with the SME category and the de minimis headroom worked out. And the funder's register
//! export (`/funder/de-minimis.csv`).

use crate::domain::audit::{self, AuditAction};
use crate::domain::company::{self, CompanyView, NewAid, NewAssociate, NewProfile};
use crate::domain::eu::sme::{Associate, Figures, Relation};
use crate::domain::identity::OrgKind;
use crate::domain::{DomainError, FieldErrors, clock};
use crate::i18n::Locale;
use crate::messages::Message;
use crate::web::error::AppResult;
use crate::web::flash;
use crate::web::forms::{self, countries};
use crate::web::layout::Layout;
use crate::web::pages::auth::Empty;
use crate::web::session::{CsrfForm, Visitor};
use crate::web::{AppState, path_id, render, unprocessable};
use actix_web::{HttpResponse, web};
use askama::Template;
use rust_decimal::Decimal;
use std::str::FromStr;

const PAGE: &str = "/organisation/company";

#[derive(serde::Deserialize, Default, Clone)]
#[serde(default)]
pub struct ProfileForm {
    accounts_year_end: String,
    staff_awu: String,
    turnover: String,
    balance_sheet: String,
    public_body_control: String,
    vat_number: String,
    founded_on: String,
}

#[derive(serde::Deserialize, Default, Clone)]
#[serde(default)]
pub struct AssociateForm {
    relation: String,
    associate_name: String,
    associate_country: String,
    associate_registration: String,
    capital_share: String,
    voting_share: String,
    associate_awu: String,
    associate_turnover: String,
    associate_balance_sheet: String,
}

#[derive(serde::Deserialize, Default, Clone)]
#[serde(default)]
pub struct AidForm {
    granted_on: String,
    aid_amount: String,
    granting_body: String,
}

#[derive(Template)]
#[template(path = "pages/company/profile.html")]
struct ProfilePage {
    layout: Layout,
    company: CompanyView,
    may_edit: bool,
    form: ProfileForm,
    associate: AssociateForm,
    aid: AidForm,
    errors: FieldErrors,
    countries: Vec<(&'static str, String)>,
    relations: &'static [Relation],
}

/// A decimal typed in `locale` (a comma or a point before the decimals), at least zero.
fn decimal(errors: &mut FieldErrors, field: &'static str, text: &str, locale: Locale, key: &'static str) -> Option<Decimal> {
    let cleaned: String = text.chars().filter(|c| !c.is_whitespace() && !matches!(c, '\u{a0}' | '\u{202f}')).collect();
    let cleaned = match locale {
        Locale::Fr => cleaned.replace(',', "."),
        // In English a comma groups thousands, unless it is the only separator.
        Locale::En if !cleaned.contains('.') && cleaned.matches(',').count() == 1 && cleaned.rsplit(',').next().is_some_and(|d| d.len() != 3) => cleaned.replace(',', "."),
        Locale::En => cleaned.replace(',', ""),
    };
    match Decimal::from_str(&cleaned) {
        Ok(d) if d >= Decimal::ZERO && d.scale() <= 6 => Some(d),
        _ => {
            errors.add(field, Message::new(key));
            None
        }
    }
}

fn percent(errors: &mut FieldErrors, field: &'static str, text: &str, locale: Locale) -> Option<Decimal> {
    let value = decimal(errors, field, text, locale, "company-percent-invalid")?;
    if value > Decimal::ONE_HUNDRED {
        errors.add(field, Message::new("company-percent-invalid"));
        return None;
    }
    Some(value)
}

/// Money in euros, at least zero.
fn euros(errors: &mut FieldErrors, field: &'static str, text: &str, locale: Locale) -> Option<crate::money::Amount> {
    forms::amount(errors, field, text, locale, company::AID_CURRENCY)
}

impl ProfileForm {
    fn of(company: &CompanyView, locale: Locale) -> ProfileForm {
        match &company.profile {
            None => ProfileForm::default(),
            Some(p) => ProfileForm {
                accounts_year_end: p.accounts_year_end.to_string(),
                staff_awu: crate::i18n::exact(locale, p.figures.staff_awu),
                turnover: crate::i18n::exact(locale, Decimal::new(p.figures.turnover.cents(), 2)),
                balance_sheet: crate::i18n::exact(locale, Decimal::new(p.figures.balance_sheet.cents(), 2)),
                public_body_control: if p.public_body_control { "on".into() } else { String::new() },
                vat_number: p.vat_number.clone().unwrap_or_default(),
                founded_on: p.founded_on.map(|d| d.to_string()).unwrap_or_default(),
            },
        }
    }

    fn parse(&self, locale: Locale) -> Result<NewProfile, FieldErrors> {
        let mut errors = forms::texts(&[("vat_number", &self.vat_number, forms::SHORT_CHARS)]);
        let year_end = forms::date(&mut errors, "accounts_year_end", &self.accounts_year_end);
        let staff = decimal(&mut errors, "staff_awu", &self.staff_awu, locale, "company-awu-invalid");
        let turnover = euros(&mut errors, "turnover", &self.turnover, locale);
        let balance = euros(&mut errors, "balance_sheet", &self.balance_sheet, locale);
        let founded_on = match self.founded_on.trim() {
            "" => None,
            typed => forms::date(&mut errors, "founded_on", typed),
        };
        match (year_end, staff, turnover, balance) {
            (Some(accounts_year_end), Some(staff_awu), Some(turnover), Some(balance_sheet)) if errors.is_empty() => Ok(NewProfile {
                accounts_year_end,
                figures: Figures { staff_awu, turnover, balance_sheet },
                public_body_control: !self.public_body_control.is_empty(),
                vat_number: self.vat_number.clone(),
                founded_on,
            }),
            _ => Err(errors),
        }
    }
}

impl AssociateForm {
    fn parse(&self, locale: Locale) -> Result<NewAssociate, FieldErrors> {
        let mut errors = forms::texts(&[
            ("associate_name", &self.associate_name, forms::NAME_CHARS),
            ("associate_country", &self.associate_country, forms::SHORT_CHARS),
            ("associate_registration", &self.associate_registration, forms::SHORT_CHARS),
        ]);
        let relation: Option<Relation> = self.relation.parse().ok();
        if relation.is_none() {
            errors.add("relation", Message::new("company-relation-missing"));
        }
        let capital = percent(&mut errors, "capital_share", &self.capital_share, locale);
        let voting = percent(&mut errors, "voting_share", &self.voting_share, locale);
        let staff = decimal(&mut errors, "associate_awu", &self.associate_awu, locale, "company-awu-invalid");
        let turnover = euros(&mut errors, "associate_turnover", &self.associate_turnover, locale);
        let balance = euros(&mut errors, "associate_balance_sheet", &self.associate_balance_sheet, locale);
        match (relation, capital, voting, staff, turnover, balance) {
            (Some(relation), Some(capital_share), Some(voting_share), Some(staff_awu), Some(turnover), Some(balance_sheet)) if errors.is_empty() => Ok(NewAssociate {
                country: self.associate_country.clone(),
                registration_number: self.associate_registration.clone(),
                associate: Associate {
                    name: self.associate_name.clone(),
                    relation,
                    capital_share,
                    voting_share,
                    figures: Figures { staff_awu, turnover, balance_sheet },
                },
            }),
            _ => Err(errors),
        }
    }
}

impl AidForm {
    fn parse(&self, locale: Locale) -> Result<NewAid, FieldErrors> {
        let mut errors = forms::texts(&[("granting_body", &self.granting_body, forms::NAME_CHARS)]);
        let granted_on = forms::date(&mut errors, "granted_on", &self.granted_on);
        let amount = euros(&mut errors, "aid_amount", &self.aid_amount, locale);
        match (granted_on, amount) {
            (Some(granted_on), Some(amount)) if errors.is_empty() => Ok(NewAid { granted_on, amount, granting_body: self.granting_body.clone() }),
            _ => Err(errors),
        }
    }
}

/// The page's forms as typed, when one of them is shown again with its errors.
#[derive(Default)]
struct Typed {
    profile: Option<ProfileForm>,
    associate: AssociateForm,
    aid: AidForm,
}

async fn page(state: &AppState, visitor: &Visitor, typed: Typed, errors: FieldErrors) -> AppResult<ProfilePage> {
    let org_id = visitor.member_of(OrgKind::Startup)?.org_id();
    let rules = state.settings.de_minimis;
    let company = state.db(move |conn| company::company_view(conn, org_id, &rules, clock::today())).await?;
    Ok(ProfilePage {
        layout: Layout::new(visitor, "title-company-profile"),
        may_edit: crate::domain::access::permits(visitor.member.as_ref(), crate::domain::access::Action::EditCompany),
        form: typed.profile.unwrap_or_else(|| ProfileForm::of(&company, visitor.locale)),
        associate: typed.associate,
        aid: typed.aid,
        company,
        errors,
        countries: countries(visitor.locale),
        relations: &[Relation::Partner, Relation::Linked],
    })
}

pub async fn show(state: web::Data<AppState>, visitor: Visitor) -> AppResult<HttpResponse> {
    render(&page(&state, &visitor, Typed::default(), FieldErrors::default()).await?)
}

fn saved(state: &AppState) -> HttpResponse {
    flash::redirect(PAGE, "flash-company-profile-saved", state.settings.secure_cookies)
}

/// Runs a change and logs it (`detail`, locale-free) in the same transaction; its field errors
/// show the page again with what was typed.
async fn change<T: Send + 'static>(
    state: &AppState,
    visitor: &Visitor,
    typed: Typed,
    detail: String,
    work: impl FnOnce(&mut crate::db::AnyConnection) -> crate::domain::DomainResult<T> + Send + 'static,
) -> AppResult<HttpResponse> {
    let actor = visitor.actor();
    let subject = visitor.member()?.org_id();
    let result = state
        .run(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let done = work(conn)?;
                audit::record(conn, &actor, AuditAction::CompanyProfileChanged, Some(format!("organisation:{subject}")), Some(&detail))?;
                Ok(done)
            })
        })
        .await?;
    match result {
        Ok(_) => Ok(saved(state)),
        Err(DomainError::Invalid(errors)) => unprocessable(&page(state, visitor, typed, errors).await?),
        Err(e) => Err(e.into()),
    }
}

pub async fn save_profile(state: web::Data<AppState>, CsrfForm(form, visitor): CsrfForm<ProfileForm>) -> AppResult<HttpResponse> {
    let member = visitor.member_of(OrgKind::Startup)?.clone();
    let typed = Typed { profile: Some(form.clone()), ..Typed::default() };
    let new = match form.parse(visitor.locale) {
        Ok(new) => new,
        Err(errors) => return unprocessable(&page(&state, &visitor, typed, errors).await?),
    };
    let detail = format!("accounts to {}: {} AWU, turnover {}, balance sheet {}, public bodies {}", new.accounts_year_end, new.figures.staff_awu, new.figures.turnover, new.figures.balance_sheet, new.public_body_control);
    change(&state, &visitor, typed, detail, move |conn| company::save_profile(conn, &member, &new)).await
}

pub async fn add_associate(state: web::Data<AppState>, CsrfForm(form, visitor): CsrfForm<AssociateForm>) -> AppResult<HttpResponse> {
    let member = visitor.member_of(OrgKind::Startup)?.clone();
    let typed = Typed { associate: form.clone(), ..Typed::default() };
    let new = match form.parse(visitor.locale) {
        Ok(new) => new,
        Err(errors) => return unprocessable(&page(&state, &visitor, typed, errors).await?),
    };
    let detail = format!("{} enterprise added: {} ({} {}), holding {} %", new.associate.relation, new.associate.name, new.country, new.registration_number, new.associate.holding());
    change(&state, &visitor, typed, detail, move |conn| company::add_associate(conn, &member, &new)).await
}

pub async fn remove_associate(state: web::Data<AppState>, path: web::Path<String>, CsrfForm(_, visitor): CsrfForm<Empty>) -> AppResult<HttpResponse> {
    let member = visitor.member_of(OrgKind::Startup)?.clone();
    let id: i64 = path_id(&path)?;
    change(&state, &visitor, Typed::default(), format!("enterprise {id} removed"), move |conn| company::remove_associate(conn, &member, id)).await
}

pub async fn add_aid(state: web::Data<AppState>, CsrfForm(form, visitor): CsrfForm<AidForm>) -> AppResult<HttpResponse> {
    let member = visitor.member_of(OrgKind::Startup)?.clone();
    let typed = Typed { aid: form.clone(), ..Typed::default() };
    let new = match form.parse(visitor.locale) {
        Ok(new) => new,
        Err(errors) => return unprocessable(&page(&state, &visitor, typed, errors).await?),
    };
    let detail = format!("de minimis aid declared: EUR {} granted on {} by {}", new.amount, new.granted_on, new.granting_body);
    change(&state, &visitor, typed, detail, move |conn| company::add_declared_aid(conn, &member, &new)).await
}

pub async fn remove_aid(state: web::Data<AppState>, path: web::Path<String>, CsrfForm(_, visitor): CsrfForm<Empty>) -> AppResult<HttpResponse> {
    let member = visitor.member_of(OrgKind::Startup)?.clone();
    let id: i64 = path_id(&path)?;
    change(&state, &visitor, Typed::default(), format!("declared aid {id} removed"), move |conn| company::remove_declared_aid(conn, &member, id)).await
}

/// The funder's awards as its national register wants them.
pub async fn register_csv(state: web::Data<AppState>, visitor: Visitor) -> AppResult<HttpResponse> {
    let funder_id = visitor.member_of(OrgKind::Funder)?.org_id();
    let body = state.db(move |conn| company::register_csv(conn, funder_id)).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", "attachment; filename=\"de-minimis-awards.csv\""))
        .body(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_read_in_the_page_language() {
        let mut errors = FieldErrors::default();
        assert_eq!(decimal(&mut errors, "f", "7,5", Locale::Fr, "k"), Some(Decimal::new(75, 1)));
        assert_eq!(decimal(&mut errors, "f", "7.5", Locale::En, "k"), Some(Decimal::new(75, 1)));
        assert_eq!(decimal(&mut errors, "f", "1,250", Locale::En, "k"), Some(Decimal::from(1250)));
        assert_eq!(decimal(&mut errors, "f", "12 500,25", Locale::Fr, "k"), Some(Decimal::new(1_250_025, 2)));
        assert!(errors.is_empty());
        assert_eq!(decimal(&mut errors, "f", "-1", Locale::En, "k"), None);
        assert_eq!(decimal(&mut errors, "f", "lots", Locale::En, "k"), None);
        assert_eq!(percent(&mut errors, "f", "100.01", Locale::En), None);
        assert_eq!(errors.0.len(), 3);
    }

    #[test]
    fn the_saved_accounts_shown_in_the_form_read_back_the_same() {
        for locale in [Locale::En, Locale::Fr] {
            let mut errors = FieldErrors::default();
            let cents = 600_000_050;
            let shown = crate::i18n::exact(locale, Decimal::new(cents, 2));
            assert_eq!(euros(&mut errors, "f", &shown, locale).map(|a| a.cents()), Some(cents), "{locale:?} {shown}");
            let awu = Decimal::new(12345, 1);
            let shown = crate::i18n::exact(locale, awu);
            assert_eq!(decimal(&mut errors, "f", &shown, locale, "k"), Some(awu), "{locale:?} {shown}");
            assert!(errors.is_empty(), "{errors}");
        }
    }
}
