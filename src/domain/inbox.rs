//! A funder's applications across all its programmes, filtered by status and programme and
//! searched by company name or reference, a page at a time, in one query per page.

use crate::db::AnyConnection;
use crate::db::schema::{applications, grants, organisations, programmes};
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

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InboxFilter {
    pub status: Option<ApplicationStatus>,
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
            .into_boxed();
        if let Some(funder) = funder {
            q = q.filter(programmes::funder_id.eq(funder));
        }
        if let Some(status) = filter.status {
            q = q.filter(applications::status.eq(status.as_str()));
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
    fn references_are_read_with_or_without_their_prefix() {
        assert_eq!(reference("APP-17"), Some(17));
        assert_eq!(reference("app-17"), Some(17));
        assert_eq!(reference(" 17 "), Some(17));
        assert_eq!(reference("Lumen"), None);
        assert_eq!(reference("0"), None);
    }
}
