//! The API described: an OpenAPI 3.1 document generated from the handlers and their types
//! (`utoipa`), never written by hand, and a server-rendered page for people.

use super::handlers;
use crate::web::AppState;
use crate::web::error::AppResult;
use crate::web::layout::Layout;
use crate::web::session::Visitor;
use actix_web::{HttpResponse, web};
use askama::Template;
use utoipa::OpenApi;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// What every operation can answer, whatever its handler: the guard's refusals (401, 403, 429
/// with `Retry-After`), an unreadable query or `Idempotency-Key` (400), an unknown path id (404);
/// and every error is `application/problem+json`, as it is sent.
struct Problems;

impl utoipa::Modify for Problems {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::{Content, HeaderBuilder, Ref, RefOr, ResponseBuilder};
        let retry_after = || {
            let seconds = utoipa::openapi::ObjectBuilder::new().schema_type(utoipa::openapi::schema::Type::Integer).minimum(Some(1));
            HeaderBuilder::new().schema(seconds).description(Some("Seconds to wait")).build()
        };
        let problem = |description: &str| RefOr::T(ResponseBuilder::new().description(description).content("application/problem+json", Content::new(Some(Ref::from_schema_name("ProblemDocument")))).build());
        for item in openapi.paths.paths.values_mut() {
            for (post, op) in [(false, item.get.as_mut()), (true, item.post.as_mut()), (true, item.put.as_mut())] {
                let Some(op) = op else { continue };
                if op.security.is_none() {
                    continue;
                }
                let params = op.parameters.as_deref().unwrap_or_default();
                let has_query = params.iter().any(|p| p.parameter_in == ParameterIn::Query);
                let has_path = params.iter().any(|p| p.parameter_in == ParameterIn::Path);
                // A file sent as the body: any bytes, read by the operation (never JSON-typed).
                if let Some(body) = op.request_body.as_mut() {
                    for (kind, content) in body.content.iter_mut() {
                        if kind != "application/json" {
                            let binary = utoipa::openapi::ObjectBuilder::new()
                                .schema_type(utoipa::openapi::schema::Type::String)
                                .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Binary)));
                            content.schema = Some(RefOr::T(binary.into()));
                        }
                    }
                }
                let responses = &mut op.responses.responses;
                let mut add = |status: &str, description: &str| {
                    responses.entry(status.to_string()).or_insert_with(|| problem(description));
                };
                add("401", "No valid token");
                add("403", "The token lacks the scope");
                add("429", "Too many requests");
                if post || has_query {
                    add("400", "The request cannot be read");
                }
                if has_path {
                    add("404", "Not found");
                }
                if let Some(RefOr::T(response)) = responses.get_mut("429") {
                    response.headers.entry("Retry-After".to_string()).or_insert_with(retry_after);
                }
                for (status, response) in responses.iter_mut() {
                    if !status.starts_with('4') && !status.starts_with('5') {
                        continue;
                    }
                    if let RefOr::T(response) = response {
                        if let Some(content) = response.content.shift_remove("application/json") {
                            response.content.insert("application/problem+json".to_string(), content);
                        }
                    }
                }
            }
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "ComputeGrants API", description = "Usage files, invoices, grants, catalogue, programmes and decisions, with bearer tokens created by an organisation's owner. Errors are RFC 9457 problem documents worded in the language of Accept-Language."),
    paths(
        handlers::push_usage_file,
        handlers::usage_file,
        handlers::send_invoice,
        handlers::invoice,
        handlers::approve_invoice,
        handlers::dispute_invoice,
        handlers::list_grants,
        handlers::grant,
        handlers::list_catalogue,
        handlers::list_programmes,
        handlers::programme_applications,
        handlers::decide_application,
        handlers::replace_catalogue,
        handlers::create_programme,
        handlers::programme_report,
        handlers::apply,
        handlers::application,
        handlers::record_settlement,
        handlers::settlement,
        handlers::settlement_pain_001,
        handlers::accept_offer,
        handlers::decline_offer,
    ),
    components(schemas(super::ProblemDocument, super::ProblemDetail)),
    modifiers(&BearerAuth, &Problems)
)]
pub struct ApiDoc;

/// The document, built once.
pub fn document() -> &'static utoipa::openapi::OpenApi {
    static DOC: std::sync::OnceLock<utoipa::openapi::OpenApi> = std::sync::OnceLock::new();
    DOC.get_or_init(ApiDoc::openapi)
}

pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(document().to_json().unwrap_or_default())
}

/// One operation, for the page.
pub struct Operation {
    pub method: String,
    pub path: String,
    pub summary: String,
    pub scope: String,
    pub request: Option<String>,
    pub responses: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "pages/api/docs.html")]
struct DocsPage {
    layout: Layout,
    operations: Vec<Operation>,
    schemas: Vec<(String, String)>,
}

fn reference(content: &utoipa::openapi::Content) -> String {
    serde_json::to_value(&content.schema).ok().map(|v| describe(&v)).unwrap_or_default()
}

/// A schema in a few words: its `$ref` name, or the item type of a page.
fn describe(v: &serde_json::Value) -> String {
    if let Some(r) = v.get("$ref").and_then(|r| r.as_str()) {
        return r.rsplit('/').next().unwrap_or(r).to_string();
    }
    if let Some(t) = v.get("type").and_then(|t| t.as_str()) {
        return t.to_string();
    }
    if let Some(props) = v.get("properties").and_then(|p| p.as_object()) {
        let fields: Vec<String> = props.iter().map(|(k, v)| format!("{k}: {}", describe(v))).collect();
        return format!("{{ {} }}", fields.join(", "));
    }
    if let Some(items) = v.get("items") {
        return format!("[{}]", describe(items));
    }
    "object".into()
}

pub fn operations() -> Vec<Operation> {
    let doc = document();
    let mut out = Vec::new();
    for (path, item) in &doc.paths.paths {
        let relative = path.strip_prefix(super::PREFIX).unwrap_or(path);
        for (method, op) in [("get", &item.get), ("post", &item.post), ("put", &item.put)] {
            let Some(op) = op else { continue };
            let scope = crate::web::routes::api_rule(method, relative).and_then(|r| r.scope).map(|s| s.as_str().to_string()).unwrap_or_default();
            let request = op.request_body.as_ref().map(|b| b.content.iter().map(|(kind, c)| format!("{kind} {}", reference(c))).collect::<Vec<_>>().join(", "));
            let responses = op
                .responses
                .responses
                .iter()
                .map(|(status, r)| {
                    let body = match r {
                        utoipa::openapi::RefOr::T(r) => r.content.values().map(reference).collect::<Vec<_>>().join(", "),
                        utoipa::openapi::RefOr::Ref(r) => r.ref_location.clone(),
                    };
                    (status.clone(), body)
                })
                .collect();
            out.push(Operation {
                method: method.to_uppercase(),
                path: path.clone(),
                summary: op.summary.clone().or_else(|| op.description.clone()).unwrap_or_default(),
                scope,
                request,
                responses,
            });
        }
    }
    out
}

pub async fn page(_state: web::Data<AppState>, visitor: Visitor) -> AppResult<HttpResponse> {
    let schemas = document()
        .components
        .as_ref()
        .map(|c| c.schemas.iter().map(|(name, s)| (name.clone(), serde_json::to_value(s).map(|v| describe(&v)).unwrap_or_default())).collect())
        .unwrap_or_default();
    crate::web::render(&DocsPage { layout: Layout::new(&visitor, "title-api-docs"), operations: operations(), schemas })
}
