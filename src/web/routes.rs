//! The route table: every page's method, path, handler and the access-policy [`Action`] it
//! performs, in one list. Routes are registered only from here, and the session middleware
//! refuses any route whose (method, path) has no row, so a new page cannot skip the policy.

use crate::domain::access::Action;
use crate::domain::api_tokens::Scope;
use crate::web::api;
use crate::web::pages::*;
use actix_web::web;

/// One row of the table, for the policy and for tests that walk every route.
#[derive(Debug, Clone, Copy)]
pub struct RouteRule {
    pub method: &'static str,
    pub path: &'static str,
    pub action: Action,
}

macro_rules! route_table {
    ($($method:ident $path:literal $action:ident => $handler:path;)+) => {
        pub const ROUTES: &[RouteRule] = &[$(RouteRule { method: stringify!($method), path: $path, action: Action::$action }),+];

        /// Registers every route of the table (inside the session middleware's scope).
        pub fn register(scope: actix_web::Scope) -> actix_web::Scope {
            scope$(.route($path, web::$method().to($handler)))+
        }
    };
}

route_table! {
    get "/" ViewPublic => home::home;
    get "/login" SignIn => auth::login_form;
    post "/login" SignIn => auth::login;
    get "/login/code" SecondFactor => auth::code_form;
    post "/login/code" SecondFactor => auth::code;
    post "/logout" SignOut => auth::logout;
    get "/signup" SignUp => auth::signup_form;
    post "/signup" SignUp => auth::signup;
    get "/signup/sent" SignUp => auth::signup_sent;
    get "/verify" ViewPublic => auth::verify_form;
    post "/verify" ViewPublic => auth::verify;
    get "/password/forgot" ResetPassword => password::forgot_form;
    post "/password/forgot" ResetPassword => password::forgot;
    get "/password/forgot/sent" ResetPassword => password::forgot_sent;
    get "/password/reset" ResetPassword => password::reset_form;
    post "/password/reset" ResetPassword => password::reset;
    get "/account" ManageAccount => account::show;
    get "/notifications" ManageAccount => notifications::show;
    post "/notifications/read" ManageAccount => notifications::read_all;
    post "/notifications/mail" ManageAccount => notifications::choose_mail;
    post "/account/password" ManageAccount => account::change_password;
    post "/account/sessions/end-others" ManageAccount => account::end_other_sessions;
    get "/account/data.json" ManageAccount => account::personal_data;
    post "/account/erase" ManageAccount => account::erase;
    get "/account/two-factor" ManageAccount => two_factor::setup_form;
    post "/account/two-factor" ManageAccount => two_factor::enable;
    post "/account/two-factor/disable" ManageAccount => two_factor::disable;
    post "/account/two-factor/recovery-codes" ManageAccount => two_factor::renew_recovery_codes;
    get "/organisation" ViewMembers => members::show;
    post "/organisation/invitations" ManageMembers => members::invite;
    post "/organisation/invitations/{id}/revoke" ManageMembers => members::revoke_invitation;
    post "/organisation/members/{id}/role" ManageMembers => members::change_role;
    post "/organisation/members/{id}/remove" ManageMembers => members::remove;
    post "/organisation/two-factor" ManageMembers => members::require_two_factor;
    get "/organisation/api-tokens" ManageApiTokens => api_tokens::show;
    post "/organisation/api-tokens" ManageApiTokens => api_tokens::create;
    post "/organisation/api-tokens/{id}/revoke" ManageApiTokens => api_tokens::revoke;
    get "/api/docs" ViewPublic => crate::web::api::docs::page;
    get "/transparency" ViewPublic => transparency::page;
    get "/transparency.csv" ViewPublic => transparency::awards_csv;
    get "/transparency.json" ViewPublic => transparency::json;
    get "/transparency/spending.csv" ViewPublic => transparency::spending_csv;
    get "/transparency/awards.atom" ViewPublic => transparency::atom;
    get "/reports/sovereignty" ViewReports => reports::sovereignty;
    get "/invitations/accept" AcceptInvitation => members::accept_form;
    post "/invitations/accept" AcceptInvitation => members::accept;
    post "/language" ChooseLanguage => language::choose;
    get "/company" EditCompany => startup::company_form;
    post "/company" EditCompany => startup::save_company;
    get "/organisation/company" ViewCompanyProfile => company::show;
    post "/organisation/company" EditCompany => company::save_profile;
    post "/organisation/company/associates" EditCompany => company::add_associate;
    post "/organisation/company/associates/{id}/remove" EditCompany => company::remove_associate;
    post "/organisation/company/aid" EditCompany => company::add_aid;
    post "/organisation/company/aid/{id}/remove" EditCompany => company::remove_aid;
    get "/funder/de-minimis.csv" ExportDeMinimis => company::register_csv;
    get "/inbox" ViewApplicationInbox => inbox::show;
    get "/programmes" ListProgrammes => programmes::list;
    get "/programmes/new" CreateProgramme => programmes::new_form;
    post "/programmes" CreateProgramme => programmes::create;
    get "/programmes/{id}" ViewProgramme => programmes::show;
    get "/programmes/{id}/sovereignty" ViewReports => reports::programme_sovereignty;
    get "/programmes/{id}/entries" ViewReports => figures::programme_entries;
    get "/programmes/{id}/apply" Apply => startup::apply_form;
    post "/programmes/{id}/apply" Apply => startup::apply;
    get "/applications" ListOwnApplications => startup::applications;
    get "/applications/{id}" ViewApplication => applications::show;
    post "/applications/{id}/decide" DecideApplication => applications::decide;
    post "/applications/{id}/withdraw" WithdrawApplication => applications::withdraw;
    get "/applications/{id}/edit" Apply => startup::edit_form;
    post "/applications/{id}/edit" Apply => startup::edit;
    post "/applications/{id}/request-changes" DecideApplication => applications::request_changes;
    post "/applications/{id}/accept" RespondToOffer => offers::accept;
    post "/applications/{id}/decline" RespondToOffer => offers::decline;
    get "/grants/{id}" ViewGrant => grants::show;
    get "/grants/{id}/usage" ViewGrant => grants::usage;
    get "/grants/{id}/entries" ViewGrant => figures::grant_entries;
    post "/grants/{id}/flags" FlagUsage => grants::flag;
    get "/catalogue" ViewCatalogue => provider::catalogue;
    post "/catalogue" EditCatalogue => provider::add_offering;
    post "/catalogue/{id}/price" EditCatalogue => provider::change_price;
    post "/catalogue/{id}/withdraw" EditCatalogue => provider::withdraw_offering;
    get "/usage" ListUploads => provider::uploads;
    get "/usage/new" UploadUsage => provider::upload_form;
    post "/usage" UploadUsage => provider::upload;
    get "/usage/jobs/{id}" ViewUpload => provider::show_job;
    get "/usage/jobs/{id}/problems.csv" ViewUpload => provider::job_problems_csv;
    get "/usage/{id}" ViewUpload => provider::show_upload;
    post "/usage/{id}/confirm" ConfirmUpload => provider::confirm;
    post "/usage/{id}/invoice" UploadInvoice => invoices::upload;
    get "/invoices" ListInvoices => invoices::inbox;
    get "/invoices/{id}" ViewInvoice => invoices::show;
    post "/invoices/{id}/approve" DecideInvoice => invoices::approve;
    post "/invoices/{id}/dispute" DecideInvoice => invoices::dispute;
    post "/invoices/{id}/credit-notes" UploadInvoice => invoices::upload_credit_note;
    post "/settlements" RecordSettlement => invoices::record_settlement;
    get "/settlements/{id}" ViewSettlement => invoices::show_settlement;
    get "/settlements/{id}/pain.001.xml" ViewSettlement => invoices::pain_001;
    get "/admin" ViewAdministration => admin::overview;
    post "/admin/members" Administer => admin::create_member;
    get "/admin/audit" ViewAdministration => admin::audit_log;
    get "/admin/audit.csv" ViewAdministration => admin::audit_csv;
    get "/programmes/{id}/grants.{format}" ViewReports => exports::programme_grants;
    get "/programmes/{id}/sovereignty.{format}" ViewReports => exports::programme_sovereignty;
    get "/programmes/{id}/spending.{format}" ViewReports => exports::programme_spending;
    get "/programmes/{id}/journal.{format}" ViewReports => exports::programme_journal;
    get "/reports/sovereignty.{format}" ViewReports => exports::sovereignty_across;
    get "/reports/spending.{format}" ViewReports => exports::spending_across;
    get "/transparency/awards.{format}" ViewPublic => exports::transparency_awards;
    get "/grants/{id}/statement.{format}" ViewGrant => exports::grant_statement;
    get "/usage/{id}/lines.{format}" ViewUpload => exports::upload_lines;
    get "/funder/de-minimis.{format}" ExportDeMinimis => exports::de_minimis;
    post "/grants/{id}/extend" ManageGrant => grant_expiry::extend;
    post "/grants/{id}/revoke" ManageGrant => grant_expiry::revoke;
    get "/programmes/{id}/edit" ManageProgramme => programme_lifecycle::edit_form;
    post "/programmes/{id}/edit" ManageProgramme => programme_lifecycle::update;
    post "/programmes/{id}/eligibility" ManageProgramme => programme_lifecycle::set_eligibility;
    post "/programmes/{id}/open" ManageProgramme => programme_lifecycle::open;
    post "/programmes/{id}/extend" ManageProgramme => programme_lifecycle::extend;
    post "/programmes/{id}/raise" ManageProgramme => programme_lifecycle::raise;
    post "/programmes/{id}/close" ManageProgramme => programme_lifecycle::close;
    post "/programmes/{id}/archive" ManageProgramme => programme_lifecycle::archive;
    post "/programmes/{id}/cofunders" ManageProgramme => cofunding::invite;
    post "/programmes/{id}/cofund" CofundProgramme => cofunding::commit;
    get "/programmes/{id}/reviews" ManageReviews => reviews::manage;
    post "/programmes/{id}/criteria" ManageReviews => reviews::set_criteria;
    post "/programmes/{id}/reviewers" ManageReviews => reviews::assign;
    get "/programmes/{id}/ranking" ManageReviews => reviews::ranking;
    post "/programmes/{id}/ranking/reject" DecideApplication => reviews::reject_several;
    post "/programmes/{id}/ranking/approve" DecideApplication => reviews::approve_several;
    get "/reviews" Review => reviews::mine;
    get "/reviews/{id}" Review => reviews::assignment;
    post "/reviews/{id}/declare" Review => reviews::declare;
    post "/reviews/{id}/submit" Review => reviews::submit;
}

/// One operation of the JSON API (paths under `/api/v1`): the access-policy action it performs
/// and the token scope it needs (`None`: public, the API's description).
#[derive(Debug, Clone, Copy)]
pub struct ApiRouteRule {
    pub method: &'static str,
    pub path: &'static str,
    pub action: Action,
    pub scope: Option<Scope>,
}

macro_rules! api_route_table {
    ($($method:ident $path:literal $action:ident $scope:expr => $handler:path;)+) => {
        pub const API_ROUTES: &[ApiRouteRule] = &[$(ApiRouteRule { method: stringify!($method), path: $path, action: Action::$action, scope: $scope }),+];

        /// Registers every API operation (inside the API's guard).
        pub fn register_api(scope: actix_web::Scope) -> actix_web::Scope {
            scope$(.route($path, web::$method().to($handler)))+
        }
    };
}

api_route_table! {
    get "/openapi.json" ViewPublic None => api::docs::openapi_json;
    post "/usage-files" UploadUsage Some(Scope::UsageWrite) => api::handlers::push_usage_file;
    get "/usage-files/{id}" ViewUpload Some(Scope::UsageWrite) => api::handlers::usage_file;
    post "/invoices" UploadInvoice Some(Scope::InvoicesWrite) => api::handlers::send_invoice;
    get "/invoices/{id}" ViewInvoice Some(Scope::InvoicesRead) => api::handlers::invoice;
    post "/invoices/{id}/approve" DecideInvoice Some(Scope::DecisionsWrite) => api::handlers::approve_invoice;
    post "/invoices/{id}/dispute" DecideInvoice Some(Scope::DecisionsWrite) => api::handlers::dispute_invoice;
    get "/grants" ViewGrant Some(Scope::GrantsRead) => api::handlers::list_grants;
    get "/grants/{code}" ViewGrant Some(Scope::GrantsRead) => api::handlers::grant;
    get "/catalogue" ViewCatalogue Some(Scope::CatalogueRead) => api::handlers::list_catalogue;
    put "/catalogue" EditCatalogue Some(Scope::CatalogueWrite) => api::handlers::replace_catalogue;
    get "/programmes" ListProgrammes Some(Scope::ProgrammesRead) => api::handlers::list_programmes;
    post "/programmes" CreateProgramme Some(Scope::ProgrammesWrite) => api::handlers::create_programme;
    get "/programmes/{id}/applications" ViewApplication Some(Scope::ProgrammesRead) => api::handlers::programme_applications;
    get "/programmes/{id}/report" ViewProgramme Some(Scope::ReportsRead) => api::handlers::programme_report;
    post "/applications" Apply Some(Scope::ApplicationsWrite) => api::handlers::apply;
    get "/applications/{id}" ViewApplication Some(Scope::ProgrammesRead) => api::handlers::application;
    post "/applications/{id}/decision" DecideApplication Some(Scope::DecisionsWrite) => api::handlers::decide_application;
    post "/settlements" RecordSettlement Some(Scope::SettlementsWrite) => api::handlers::record_settlement;
    get "/settlements/{id}" ViewSettlement Some(Scope::SettlementsWrite) => api::handlers::settlement;
    get "/settlements/{id}/pain.001.xml" ViewSettlement Some(Scope::SettlementsWrite) => api::handlers::settlement_pain_001;
    post "/applications/{id}/accept" RespondToOffer Some(Scope::ApplicationsWrite) => api::handlers::accept_offer;
    post "/applications/{id}/decline" RespondToOffer Some(Scope::ApplicationsWrite) => api::handlers::decline_offer;
}

/// The API operation matching `method` and `pattern` (relative to `/api/v1`), if there is one.
pub fn api_rule(method: &str, pattern: &str) -> Option<ApiRouteRule> {
    API_ROUTES.iter().find(|r| r.method.eq_ignore_ascii_case(method) && r.path == pattern).copied()
}

/// The action of the route matching `method` (`GET`, `POST` …) and `pattern`, if it has one.
pub fn action_of(method: &str, pattern: &str) -> Option<Action> {
    ROUTES.iter().find(|r| r.method.eq_ignore_ascii_case(method) && r.path == pattern).map(|r| r.action)
}
