//! What every page's frame needs — who is signed in, their navigation, the CSRF token, the
//! language and the flash message — and the formatting helpers templates call
//! (`layout.t("key")`, `layout.money(…)`, `layout.date(…)`), so that every word on a page comes
//! from the catalogues.

use crate::domain::FieldErrors;
use crate::domain::access::{self, Action, Role};
use crate::i18n::{self, Locale};
use crate::messages::Message;
use crate::money::Amount;
use crate::web::session::Visitor;
use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;


pub struct NavItem {
    pub label: String,
    pub href: &'static str,
}

/// Navigation per role: a link appears only where the access policy lets its action through.
const NAV: &[(&str, &str, Action, &[Role])] = &[
    ("nav-dashboard", "/", Action::ViewPublic, &[Role::Startup, Role::Funder, Role::Provider, Role::Admin]),
    ("nav-programmes", "/programmes", Action::ListProgrammes, &[Role::Funder, Role::Admin]),
    ("nav-open-programmes", "/programmes", Action::ListProgrammes, &[Role::Startup]),
    ("nav-new-programme", "/programmes/new", Action::CreateProgramme, &[Role::Funder]),
    ("nav-applications", "/applications", Action::ListOwnApplications, &[Role::Startup]),
    ("nav-company", "/company", Action::EditCompany, &[Role::Startup]),
    ("nav-company-profile", "/organisation/company", Action::ViewCompanyProfile, &[Role::Startup]),
    ("nav-uploads", "/usage", Action::ListUploads, &[Role::Provider]),
    ("nav-upload", "/usage/new", Action::UploadUsage, &[Role::Provider]),
    ("nav-catalogue", "/catalogue", Action::ViewCatalogue, &[Role::Startup, Role::Provider]),
    ("nav-inbox", "/inbox", Action::ViewApplicationInbox, &[Role::Funder, Role::Admin]),
    ("nav-my-reviews", "/reviews", Action::Review, &[Role::Funder]),
    ("nav-sovereignty", "/reports/sovereignty", Action::ViewReports, &[Role::Funder, Role::Admin]),
    ("nav-invoices", "/invoices", Action::ListInvoices, &[Role::Funder, Role::Provider, Role::Admin]),
    ("nav-admin", "/admin", Action::ViewAdministration, &[Role::Admin]),
    ("nav-organisation", "/organisation", Action::ViewMembers, &[Role::Startup, Role::Funder, Role::Provider, Role::Admin]),
    ("nav-notifications", "/notifications", Action::ManageAccount, &[Role::Startup, Role::Funder, Role::Provider, Role::Admin]),
    ("nav-account", "/account", Action::ManageAccount, &[Role::Startup, Role::Funder, Role::Provider, Role::Admin]),
    ("nav-sign-in", "/login", Action::SignIn, &[Role::Visitor]),
    ("nav-sign-up", "/signup", Action::SignUp, &[Role::Visitor]),
];

/// What the person may change, so that pages offer only the buttons that will work (the
/// policy itself still refuses the rest).
#[derive(Debug, Clone, Copy, Default)]
pub struct Allowed {
    pub create_programme: bool,
    pub decide: bool,
    pub apply: bool,
    pub withdraw: bool,
    pub upload: bool,
    pub confirm_upload: bool,
    pub edit_company: bool,
    pub administer: bool,
    pub upload_invoice: bool,
    pub decide_invoice: bool,
    pub edit_catalogue: bool,
    pub record_settlement: bool,
    pub flag_usage: bool,
}

impl Allowed {
    fn of(member: Option<&crate::domain::identity::Member>) -> Allowed {
        let may = |action| access::permits(member, action);
        Allowed {
            create_programme: may(Action::CreateProgramme),
            decide: may(Action::DecideApplication),
            apply: may(Action::Apply),
            withdraw: may(Action::WithdrawApplication),
            upload: may(Action::UploadUsage),
            confirm_upload: may(Action::ConfirmUpload),
            edit_company: may(Action::EditCompany),
            administer: may(Action::Administer),
            upload_invoice: may(Action::UploadInvoice),
            decide_invoice: may(Action::DecideInvoice),
            edit_catalogue: may(Action::EditCatalogue),
            record_settlement: may(Action::RecordSettlement),
            flag_usage: may(Action::FlagUsage),
        }
    }
}

pub struct Layout {
    pub title: String,
    pub allowed: Allowed,
    pub csrf: String,
    pub user_name: Option<String>,
    pub org_name: Option<String>,
    pub nav: Vec<NavItem>,
    pub locale: Locale,
    /// A short confirmation of what the previous request did.
    pub flash: Option<String>,
    /// This page's path and query, where the language switcher returns.
    pub here: String,
}

impl Layout {
    /// A page whose title is a catalogue key.
    pub fn new(visitor: &Visitor, title_key: &str) -> Layout {
        Layout::titled(visitor, i18n::text(visitor.locale, title_key))
    }

    /// A page whose title is a worded message (with arguments).
    pub fn message(visitor: &Visitor, title: &Message) -> Layout {
        Layout::titled(visitor, i18n::message(visitor.locale, title))
    }

    pub fn titled(visitor: &Visitor, title: String) -> Layout {
        let role = Role::of(visitor.member.as_ref());
        let nav = NAV
            .iter()
            .filter(|(_, _, action, roles)| roles.contains(&role) && access::permits(visitor.member.as_ref(), *action))
            .map(|(key, href, _, _)| NavItem { label: i18n::text(visitor.locale, key), href })
            .collect();
        Layout {
            title,
            allowed: Allowed::of(visitor.member.as_ref()),
            csrf: visitor.csrf().to_string(),
            user_name: visitor.member.as_ref().map(|m| m.user.display_name.clone()),
            org_name: visitor.member.as_ref().map(|m| m.organisation.name.clone()),
            nav,
            locale: visitor.locale,
            flash: visitor.flash.map(|key| i18n::text(visitor.locale, key)),
            here: visitor.here.clone(),
        }
    }

    pub fn lang(&self) -> &'static str {
        self.locale.code()
    }

    /// The language the switcher offers: the one not in use.
    pub fn other_locale(&self) -> &'static str {
        match self.locale {
            Locale::En => "fr",
            Locale::Fr => "en",
        }
    }

    pub fn t(&self, key: &str) -> String {
        i18n::text(self.locale, key)
    }

    /// A key with one text argument.
    pub fn t1(&self, key: &'static str, name: &'static str, value: impl std::fmt::Display) -> String {
        i18n::message(self.locale, &Message::new(key).with(name, value.to_string()))
    }

    /// A key with one count argument (plural forms).
    pub fn tn(&self, key: &'static str, name: &'static str, n: impl TryInto<i64>) -> String {
        i18n::message(self.locale, &Message::new(key).with(name, n.try_into().unwrap_or(i64::MAX)))
    }

    pub fn msg(&self, message: impl AsRef<Message>) -> String {
        i18n::message(self.locale, message.as_ref())
    }

    /// The first error of a form field, worded.
    pub fn error(&self, errors: &FieldErrors, field: &str) -> Option<String> {
        errors.get(field).map(|m| self.msg(m))
    }

    pub fn money(&self, amount: impl Value<Amount>, currency: &str) -> String {
        i18n::money(self.locale, amount.value().cents(), currency)
    }

    pub fn cents(&self, cents: impl Value<i64>, currency: &str) -> String {
        i18n::money(self.locale, cents.value(), currency)
    }

    /// An exact decimal kept as text (usage costs), grouped per locale; unchanged if not a number.
    pub fn exact(&self, text: &str) -> String {
        match text.parse::<Decimal>() {
            Ok(d) => i18n::exact(self.locale, d),
            Err(_) => text.to_string(),
        }
    }

    pub fn exact_money(&self, text: &str, currency: &str) -> String {
        match text.parse::<Decimal>() {
            Ok(d) => i18n::exact_money(self.locale, d, currency),
            Err(_) => format!("{text} {currency}"),
        }
    }

    pub fn decimal(&self, value: impl Value<Decimal>) -> String {
        i18n::exact(self.locale, value.value())
    }

    pub fn count(&self, n: impl TryInto<i64>) -> String {
        i18n::count(self.locale, n.try_into().unwrap_or(i64::MAX))
    }

    pub fn date(&self, day: impl Value<NaiveDate>) -> String {
        i18n::date(self.locale, day.value())
    }

    /// A month (given by any of its days) as people read it: `Nov 2026`.
    pub fn month(&self, day: impl Value<NaiveDate>) -> String {
        crate::web::pages::reports::month(self.locale, day.value())
    }

    pub fn datetime(&self, at: impl Value<NaiveDateTime>) -> String {
        i18n::datetime(self.locale, at.value())
    }

    /// A status or kind shown to people: the catalogue's word for `prefix-value`.
    pub fn label(&self, prefix: &str, value: impl std::fmt::Display) -> String {
        i18n::text(self.locale, &format!("{prefix}-{value}"))
    }
}

/// A value a template may hold as `T`, `&T` or `&&T` (askama passes fields and loop items by
/// reference, method results by value).
pub trait Value<T> {
    fn value(&self) -> T;
}

impl<T: Copy> Value<T> for T {
    fn value(&self) -> T {
        *self
    }
}

impl<T: Copy> Value<T> for &T {
    fn value(&self) -> T {
        **self
    }
}

impl<T: Copy> Value<T> for &&T {
    fn value(&self) -> T {
        ***self
    }
}

/// Links to a list's other pages, and which items this one shows.
#[derive(Debug, Clone)]
pub struct Pager {
    pub first: i64,
    pub last: i64,
    /// How many in all, when counting them is cheap enough to show.
    pub total: Option<i64>,
    pub previous: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// For `page` of the list at `base` (a path without query); `None` when it all fits on one page.
    pub fn of<T>(page: &crate::domain::paging::Page<T>, base: &str) -> Option<Pager> {
        Pager::of_param(page, base, "page")
    }

    /// Like [`Pager::of`], for a page whose number is in the query parameter `param` (a page
    /// with two lists pages each under its own name).
    pub fn of_param<T>(page: &crate::domain::paging::Page<T>, base: &str, param: &str) -> Option<Pager> {
        if !page.has_previous() && !page.has_next() {
            return None;
        }
        Some(Pager {
            first: page.first_shown(),
            last: page.last_shown(),
            total: Some(page.total),
            previous: page.has_previous().then(|| format!("{base}?{param}={}", page.previous())),
            next: page.has_next().then(|| format!("{base}?{param}={}", page.next())),
        })
    }

    /// Like [`Pager::of`], keeping a list's filters (`filters`: an encoded query string) in
    /// the links.
    pub fn of_filtered<T>(page: &crate::domain::paging::Page<T>, base: &str, filters: &str) -> Option<Pager> {
        let mut pager = Pager::of(page, base)?;
        if !filters.is_empty() {
            let with = |href: String| href.replacen('?', &format!("?{filters}&"), 1);
            pager.previous = pager.previous.map(with);
            pager.next = pager.next.map(with);
        }
        Some(pager)
    }

    /// For a list read without counting it (page `page` holds `shown` items; `more` when others
    /// follow); `None` when it all fits on one page.
    pub fn open_ended(page: crate::domain::paging::PageRequest, shown: usize, more: bool, base: &str) -> Option<Pager> {
        let has_previous = page.number > 1;
        if !has_previous && !more {
            return None;
        }
        let first = page.offset() + 1;
        Some(Pager {
            first,
            last: page.offset() + i64::try_from(shown).unwrap_or(0),
            total: None,
            previous: has_previous.then(|| format!("{base}?page={}", page.number - 1)),
            next: more.then(|| format!("{base}?page={}", page.number + 1)),
        })
    }

    /// "Showing 51–100 of 3,500" (or "Showing 51–100" uncounted), in the page's language.
    pub fn showing(&self) -> Message {
        match self.total {
            Some(total) => Message::new("pager-showing").with("first", self.first).with("last", self.last).with("total", total),
            None => Message::new("pager-showing-open").with("first", self.first).with("last", self.last),
        }
    }
}
