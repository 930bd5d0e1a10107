use crate::domain::identity::{OrgKind, Organisation};
use crate::domain::grants::{self, Grant};
use crate::domain::applications::{self, ApplicationView};
use crate::domain::programmes::{self, Programme};
use crate::domain::usage::{self, Upload};
use crate::ledger;
use crate::money::Amount;
use crate::web::error::{AppError, AppResult};
use crate::web::layout::Layout;
use crate::web::session::Visitor;
use crate::web::{AppState, render};
use actix_web::{HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "pages/home/landing.html")]
struct Landing {
    layout: Layout,
    open: Vec<Programme>,
}

#[derive(Template)]
#[template(path = "pages/home/startup.html")]
struct StartupDashboard {
    layout: Layout,
    organisation: Organisation,
    applications: Vec<ApplicationView>,
    grants: Vec<(Grant, Amount)>,
    open: Vec<Programme>,
}

#[derive(Template)]
#[template(path = "pages/home/funder.html")]
struct FunderDashboard {
    layout: Layout,
    programmes: Vec<(Programme, Amount, i64)>,
}

#[derive(Template)]
#[template(path = "pages/home/provider.html")]
struct ProviderDashboard {
    layout: Layout,
    grants: Vec<(Grant, String, Amount)>,
    /// Links to the other pages of billable grants.
    pager: Option<crate::web::layout::Pager>,
    uploads: Vec<Upload>,
}

fn grant_balance(conn: &mut crate::db::AnyConnection, grant: &Grant) -> crate::domain::DomainResult<Amount> {
    Ok(ledger::find_account_by_code(conn, &grant.credits_account_code())?.map(|a| a.available()).unwrap_or_default())
}

pub async fn home(state: web::Data<AppState>, visitor: Visitor, query: web::Query<std::collections::HashMap<String, String>>) -> AppResult<HttpResponse> {
    let Some(member) = visitor.member.clone() else {
        let open = state.db(programmes::open_now).await?;
        return render(&Landing { layout: Layout::new(&visitor, "title-home"), open });
    };
    match member.kind() {
        OrgKind::Startup => {
            let org_id = member.org_id();
            let (applications, grants, open) = state
                .db(move |conn| {
                    let applications = applications::applications_of_startup(conn, org_id)?;
                    let mut with_balance = Vec::new();
                    for g in grants::grants_of_startup(conn, org_id)? {
                        let b = grant_balance(conn, &g)?;
                        with_balance.push((g, b));
                    }
                    Ok((applications, with_balance, programmes::open_now(conn)?))
                })
                .await?;
            render(&StartupDashboard { layout: Layout::new(&visitor, "title-dashboard"), organisation: member.organisation.clone(), applications, grants, open })
        }
        OrgKind::Funder => {
            let org_id = member.org_id();
            let cache = state.spend_cache.clone();
            let known = visitor.state_at;
            let programmes = state
                .kept_or_db(known, move |src| {
                    // Kept while neither the ledger nor the page state moves (see `SpendCache`).
                    let at = crate::domain::spending::ledger_state_or(known, src)?;
                    cache.dashboards.get_or_read_at(src, at, org_id, |conn| {
                        let mut rows = Vec::new();
                        for p in programmes::of_funder(conn, org_id)? {
                            let available = programmes::available(conn, &p)?;
                            let pending = applications::pending_count(conn, p.id)?;
                            rows.push((p, available, pending));
                        }
                        Ok(rows)
                    })
                })
                .await?;
            render(&FunderDashboard { layout: Layout::new(&visitor, "title-dashboard"), programmes })
        }
        OrgKind::Provider => {
            let org_id = member.org_id();
            let page = crate::domain::paging::PageRequest::parse(query.get("page").map(String::as_str));
            let (grants, uploads) = state
                .db(move |conn| {
                    // The latest uploads only: the full list is under Usage.
                    Ok((grants::billable_page(conn, org_id, page)?, usage::uploads_of(conn, org_id, crate::domain::paging::PageRequest::FIRST)?.items))
                })
                .await?;
            let pager = crate::web::layout::Pager::of(&grants, "/");
            render(&ProviderDashboard { layout: Layout::new(&visitor, "title-dashboard"), grants: grants.items, pager, uploads })
        }
        OrgKind::Platform => Ok(crate::web::redirect("/admin")),
    }
}

pub async fn not_found() -> AppResult<HttpResponse> {
    Err(AppError::NotFound)
}
