//! A funder's applications across all its programmes, filtered by status and programme and
//! searched by company name or reference, a page at a time, in one query per page. Drafts are
//! the startup's alone and never listed.

use crate::db::AnyConnection;
use crate::db::schema::{applications, grants, organisations, programmes, review_assignments};
use crate::domain::applications::{Application, ApplicationStatus, ApplicationView};
use crate::domain::error::{DomainError, DomainResult};
use crate::domain::grants::Grant;
use crate::domain::identity::{Member, OrgKind};
use crate::domain::ids::ProgrammeId;
use crate::domain::paging::{PAGE_SIZE, Page, PageRequest};
use crate::domain::programmes::Programme;
use diesel::prelude::*;

/// The longest search text taken into account.
pub const MAX_SEARCH_CHARS: usize = 100;

diesel::define_sql_function! { fn lower(text: diesel::sql_types::Text) -> diesel::sql_types::Text; }

/// A state the inbox can be filtered by: a status, or where a submitted application stands in
/// its review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboxState {
    /// Submitted, with a reviewer's assignment not yet submitted.
    AwaitingReview,
    /// Submitted, with no review pending.
    AwaitingDecision,
    Status(ApplicationStatus),
}

impl InboxState {
    /// Every state offered, in the filter's order (never drafts).
    pub fn all() -> Vec<InboxState> {
        let mut all = vec![InboxState::AwaitingReview, InboxState::AwaitingDecision];
        all.extend(ApplicationStatus::seen_by_funders().map(InboxState::Status));
        all
    }

    pub fn as_str(self) -> &'static str {
        match self {
            InboxState::AwaitingReview => "awaiting-review",
            InboxState::AwaitingDecision => "awaiting-decision",
            InboxState::Status(s) => s.as_str(),
        }
    }

    /// The state a filter's value names; a draft is not one.
    pub fn parse(text: &str) -> Option<InboxState> {
        match text {
            "awaiting-review" => Some(InboxState::AwaitingReview),
            "awaiting-decision" => Some(InboxState::AwaitingDecision),
            other => other.parse::<ApplicationStatus>().ok().filter(|s| *s != ApplicationStatus::Draft).map(InboxState::Status),
        }
    }

    /// The catalogue key naming it.
    pub fn label_key(self) -> String {
        match self {
            InboxState::AwaitingReview => "inbox-awaiting-review".into(),
            InboxState::AwaitingDecision => "inbox-awaiting-decision".into(),
            InboxState::Status(s) => format!("status-{}", s.as_str()),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InboxFilter {
    pub status: Option<InboxState>,
    pub programme: Option<ProgrammeId>,
    /// Part of the company's name (any case), or an application's reference (`APP-17`, `17`).
    pub search: Option<String>,
}

/// `text` with LIKE's wildcards taken literally (escaped with `\`).
fn like_pattern(text: &str) -> String {
    let mut pattern = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// An application reference the search may name: `APP-17`, `app-17` or `17`.
fn reference(text: &str) -> Option<i64> {
    let t = text.trim();
    let digits = t.strip_prefix("APP-").or_else(|| t.strip_prefix("app-")).unwrap_or(t);
    digits.parse::<i64>().ok().filter(|n| *n > 0)
}

/// The applications `viewer` may review, newest first: a funder's to its own programmes, an
/// administrator's to all.
pub fn inbox(conn: &mut AnyConnection, viewer: &Member, filter: &InboxFilter, page: PageRequest) -> DomainResult<Page<ApplicationView>> {
    let funder = match viewer.kind() {
        OrgKind::Funder => Some(viewer.org_id()),
        OrgKind::Platform => None,
        _ => return Err(DomainError::NotFound),
    };
    // A reviewer sees applications through their assignments only (`domain::reviews`).
    if crate::domain::access::needs_review_clearance(viewer) {
        return Ok(Page { items: Vec::new(), number: page.number, total: 0 });
    }
    let provider = diesel::alias!(organisations as provider_org);
    let query = || {
        let mut q = applications::table
            .inner_join(programmes::table.on(programmes::id.eq(applications::programme_id)))
            .inner_join(organisations::table.on(organisations::id.eq(applications::startup_id)))
            .filter(applications::status.ne(ApplicationStatus::Draft.as_str()))
            .into_boxed();
        if let Some(funder) = funder {
            q = q.filter(programmes::funder_id.eq(funder));
        }
        // Applications with a reviewer's assignment still to be submitted (a replaced one no longer counts).
        let pending_review = || {
            review_assignments::table
                .filter(review_assignments::status.ne(crate::domain::reviews::AssignmentStatus::Submitted.as_str()))
                .filter(review_assignments::replaced_at.is_null())
                .select(review_assignments::application_id)
        };
        match filter.status {
            None => {}
            Some(InboxState::Status(status)) => q = q.filter(applications::status.eq(status.as_str())),
            Some(InboxState::AwaitingReview) => {
                q = q.filter(applications::status.eq(ApplicationStatus::Submitted.as_str())).filter(applications::id.eq_any(pending_review()));
            }
            Some(InboxState::AwaitingDecision) => {
                q = q.filter(applications::status.eq(ApplicationStatus::Submitted.as_str())).filter(diesel::dsl::not(applications::id.eq_any(pending_review())));
            }
        }
        if let Some(programme) = filter.programme {
            q = q.filter(applications::programme_id.eq(programme));
        }
        if let Some(search) = filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            let search: String = search.chars().take(MAX_SEARCH_CHARS).collect();
            let by_name = lower(organisations::name).like(like_pattern(&search)).escape('\\');
            q = match reference(&search) {
                Some(id) => q.filter(by_name.or(applications::id.eq(id))),
                None => q.filter(by_name),
            };
        }
        q
    };
    let total: i64 = query().count().get_result(conn)?;
    let rows: Vec<(Application, Programme, String, String, Option<Grant>)> = query()
        .inner_join(provider.on(provider.field(organisations::id).eq(applications::provider_id)))
        .left_join(grants::table.on(grants::application_id.eq(applications::id)))
        .order(applications::id.desc())
        .limit(PAGE_SIZE)
        .offset(page.offset())
        .select((Application::as_select(), Programme::as_select(), organisations::name, provider.field(organisations::name), Option::<Grant>::as_select()))
        .load(conn)?;
    let items = rows
        .into_iter()
        .map(|(application, programme, startup_name, provider_name, grant)| ApplicationView { application, programme, startup_name, provider_name, grant })
        .collect();
    Ok(Page { items, number: page.number, total })
}

/// The programmes a funder's inbox can be filtered by: its own (every one for an admin).
pub fn programmes_of(conn: &mut AnyConnection, viewer: &Member) -> DomainResult<Vec<(ProgrammeId, String)>> {
    let mut q = programmes::table.order(programmes::name).select((programmes::id, programmes::name)).into_boxed();
    match viewer.kind() {
        OrgKind::Funder => q = q.filter(programmes::funder_id.eq(viewer.org_id())),
        OrgKind::Platform => {}
        _ => return Err(DomainError::NotFound),
    }
    Ok(q.load(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_in_a_search_are_taken_literally() {
        assert_eq!(like_pattern("Lumen"), "%lumen%");
        assert_eq!(like_pattern("100%_a\\b"), "%100\\%\\_a\\\\b%");
    }

    #[test]
    fn inbox_states_read_back_and_never_name_a_draft() {
        for state in InboxState::all() {
            assert_eq!(InboxState::parse(state.as_str()), Some(state));
        }
        assert_eq!(InboxState::parse("draft"), None);
        assert!(!InboxState::all().contains(&InboxState::Status(ApplicationStatus::Draft)));
    }

    #[test]
    fn references_are_read_with_or_without_their_prefix() {
        assert_eq!(reference("APP-17"), Some(17));
        assert_eq!(reference("app-17"), Some(17));
        assert_eq!(reference(" 17 "), Some(17));
        assert_eq!(reference("Lumen"), None);
        assert_eq!(reference("0"), None);
    }
}
