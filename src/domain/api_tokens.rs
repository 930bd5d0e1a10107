//! API tokens: how an organisation's machines (a provider's billing system, a funder's grant
//! tool) call the JSON API. A token belongs to an organisation, carries scopes that narrow what
//! the organisation may do (the access policy still decides first), may expire and can be
//! revoked. Only the SHA-256 of its secret is stored; the secret is shown once.
//!
//! A request with a token acts as a member of the organisation with the owner's duties, narrowed
//! by the token's scopes, and everything it changes is recorded as `api-token:NAME`.

use crate::db::AnyConnection;
use crate::db::schema::{api_idempotency, api_tokens};
use crate::domain::clock;
use crate::domain::error::{DomainError, DomainResult, FieldErrors};
use crate::domain::identity::{self, Member, MemberRole, OrgKind, Organisation};
use crate::domain::ids::{OrgId, UserId};
use crate::messages::Message;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

crate::text_enum! {
    /// What a token may be used for, on top of what its organisation may do.
    pub enum Scope ("API scope") {
        /// Push usage files and follow their checks.
        UsageWrite = "usage:write",
        /// Read invoices (a provider's own, a funder's inbox).
        InvoicesRead = "invoices:read",
        /// Send invoices.
        InvoicesWrite = "invoices:write",
        /// Read grants and their statements.
        GrantsRead = "grants:read",
        /// Read providers' catalogues.
        CatalogueRead = "catalogue:read",
        /// Keep one's own catalogue (replace it as a whole).
        CatalogueWrite = "catalogue:write",
        /// Read programmes and their applications.
        ProgrammesRead = "programmes:read",
        /// Create programmes.
        ProgrammesWrite = "programmes:write",
        /// Decide applications, approve or dispute invoices.
        DecisionsWrite = "decisions:write",
        /// Read programme reports.
        ReportsRead = "reports:read",
        /// Apply to programmes, follow one's applications.
        ApplicationsWrite = "applications:write",
        /// Record the payment of approved invoices.
        SettlementsWrite = "settlements:write",
    }
}

impl Scope {
    /// The scopes a token of an organisation of `kind` can carry: those its organisation can use.
    pub fn offered_in(kind: OrgKind) -> &'static [Scope] {
        use Scope::*;
        match kind {
            OrgKind::Provider => &[UsageWrite, InvoicesRead, InvoicesWrite, GrantsRead, CatalogueRead, CatalogueWrite],
            OrgKind::Funder => &[ProgrammesRead, ProgrammesWrite, DecisionsWrite, SettlementsWrite, InvoicesRead, GrantsRead, CatalogueRead, ReportsRead],
            OrgKind::Startup => &[GrantsRead, ProgrammesRead, CatalogueRead, ApplicationsWrite],
            OrgKind::Platform => &[],
        }
    }

    /// Its catalogue key, for the settings page.
    pub fn label_key(self) -> String {
        format!("api-scope-{}", self.as_str().replace(':', "-"))
    }
}

/// Longest token name kept.
pub const MAX_NAME: usize = 100;
/// What every secret starts with, so that a leaked one is recognisable (secret scanners).
pub const SECRET_PREFIX: &str = "cg_";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
pub struct ApiToken {
    pub id: i64,
    pub organisation_id: OrgId,
    pub name: String,
    pub scopes: String,
    pub secret_hash: String,
    pub created_by: Option<UserId>,
    pub created_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

impl ApiToken {
    pub fn scopes(&self) -> Vec<Scope> {
        self.scopes.split_whitespace().filter_map(|s| s.parse().ok()).collect()
    }

    pub fn has(&self, scope: Scope) -> bool {
        self.scopes.split_whitespace().any(|s| s == scope.as_str())
    }

    pub fn is_active(&self, now: &NaiveDateTime) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|e| *now < e)
    }

    /// The last day it works, as chosen.
    pub fn expires_on(&self) -> Option<NaiveDate> {
        self.expires_at.map(|e| (e - chrono::Duration::days(1)).date())
    }
}

/// A token to create.
#[derive(Debug, Clone, Default)]
pub struct NewToken {
    pub name: String,
    pub scopes: Vec<Scope>,
    /// The last day the token works; none: until revoked.
    pub expires_on: Option<NaiveDate>,
}

pub fn validate(kind: OrgKind, new: &NewToken) -> FieldErrors {
    let mut errors = FieldErrors::default();
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        errors.add("name", Message::new("api-token-name-invalid").with("max", MAX_NAME as i64));
    }
    if new.scopes.is_empty() || new.scopes.iter().any(|s| !Scope::offered_in(kind).contains(s)) {
        errors.add("scopes", Message::new("api-token-scopes-invalid"));
    }
    if let Some(day) = new.expires_on {
        if day < clock::today() || !crate::domain::programmes::is_sane_date(day) {
            errors.add("expires_on", Message::new("api-token-expiry-invalid"));
        }
    }
    errors
}

/// Parses `a,b` or `a b` into scopes; `None` when one is unknown.
pub fn parse_scopes(text: &str) -> Option<Vec<Scope>> {
    let mut scopes = Vec::new();
    for part in text.split([',', ' ']).map(str::trim).filter(|p| !p.is_empty()) {
        let scope: Scope = part.parse().ok()?;
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    Some(scopes)
}

/// Creates a token for `org`; returns it with its secret, which is not kept.
pub fn create(conn: &mut AnyConnection, org: &Organisation, created_by: Option<UserId>, new: &NewToken) -> DomainResult<(ApiToken, String)> {
    validate(org.kind(), new).into_result()?;
    let secret = format!("{SECRET_PREFIX}{}", identity::random_token());
    let scopes: Vec<&str> = new.scopes.iter().map(|s| s.as_str()).collect();
    let expires_at = new.expires_on.and_then(|d| d.succ_opt()).and_then(|d| d.and_hms_opt(0, 0, 0));
    let token = diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::organisation_id.eq(org.id),
            api_tokens::name.eq(new.name.trim()),
            api_tokens::scopes.eq(scopes.join(" ")),
            api_tokens::secret_hash.eq(identity::sha256_hex(&secret)),
            api_tokens::created_by.eq(created_by),
            api_tokens::created_at.eq(clock::now()),
            api_tokens::expires_at.eq(expires_at),
        ))
        .returning(api_tokens::id)
        .get_result::<i64>(conn)?;
    let token = api_tokens::table.find(token).select(ApiToken::as_select()).first(conn)?;
    Ok((token, secret))
}

/// An organisation's tokens, newest first, revoked ones included (to show when they stopped).
pub fn tokens_of(conn: &mut AnyConnection, org_id: OrgId) -> DomainResult<Vec<ApiToken>> {
    Ok(api_tokens::table.filter(api_tokens::organisation_id.eq(org_id)).order(api_tokens::id.desc()).select(ApiToken::as_select()).load(conn)?)
}

/// Revokes one of `by`'s organisation's tokens; another organisation's is not found.
pub fn revoke(conn: &mut AnyConnection, by: &Member, id: i64) -> DomainResult<ApiToken> {
    let token: ApiToken = api_tokens::table
        .find(id)
        .filter(api_tokens::organisation_id.eq(by.org_id()))
        .select(ApiToken::as_select())
        .first(conn)
        .optional()?
        .ok_or(DomainError::NotFound)?;
    if token.revoked_at.is_none() {
        diesel::update(api_tokens::table.find(id)).set(api_tokens::revoked_at.eq(clock::now())).execute(conn)?;
    }
    Ok(token)
}

/// "Last used" is written at most this often per token, so a busy token does not write on every request.
const LAST_USED_EVERY_SECONDS: i64 = 60;

/// The token whose secret is `secret` and the member it acts as, if it is known, not revoked and
/// not expired. The member is the token's creator while they belong to the organisation, else
/// one of its owners, with an owner's duties (the scopes narrow them) and no saved language.
pub fn authenticate(conn: &mut AnyConnection, secret: &str) -> DomainResult<Option<(ApiToken, Member)>> {
    if !secret.starts_with(SECRET_PREFIX) || secret.len() > 200 {
        return Ok(None);
    }
    let hash = identity::sha256_hex(secret);
    let Some(token) = api_tokens::table.filter(api_tokens::secret_hash.eq(&hash)).select(ApiToken::as_select()).first(conn).optional()? else {
        return Ok(None);
    };
    let now = clock::now();
    if !token.is_active(&now) || !identity::constant_time_eq(token.secret_hash.as_bytes(), hash.as_bytes()) {
        return Ok(None);
    }
    let people = identity::members_of(conn, token.organisation_id)?;
    let acting = people
        .iter()
        .find(|u| Some(u.id) == token.created_by)
        .or_else(|| people.iter().find(|u| u.role == MemberRole::Owner))
        .or_else(|| people.first());
    let Some(acting) = acting else { return Ok(None) };
    let mut member = identity::member(conn, acting.id)?;
    member.user.role = MemberRole::Owner;
    member.user.locale = None;
    member.api_token = Some(token.name.clone());
    if token.last_used_at.is_none_or(|t| (now - t).num_seconds() >= LAST_USED_EVERY_SECONDS) {
        diesel::update(api_tokens::table.find(token.id)).set(api_tokens::last_used_at.eq(now)).execute(conn)?;
    }
    Ok(Some((token, member)))
}

/// The first answer given to `key` for this token: the request's SHA-256, status and body.
pub fn idempotent_answer(conn: &mut AnyConnection, token_id: i64, key: &str) -> DomainResult<Option<(String, i32, String)>> {
    Ok(api_idempotency::table
        .find((token_id, key))
        .select((api_idempotency::request_sha256, api_idempotency::status, api_idempotency::body))
        .first(conn)
        .optional()?)
}

/// What a request finds under its `Idempotency-Key` when it claims it.
#[derive(Debug, PartialEq)]
pub enum KeyClaim {
    /// The key is new: this request holds it until it keeps its answer or releases it.
    Claimed,
    /// Another request holds it and has not answered yet.
    InProgress { request_sha256: String },
    /// A request answered under it: (its request's SHA-256, status, body).
    Answered { request_sha256: String, status: i32, body: String },
}

/// Status of a claimed key's row until its answer is kept.
const IN_PROGRESS: i32 = 0;

/// Minutes after which a claim with no answer is taken as abandoned (its server stopped).
pub const STALE_CLAIM_MINUTES: i64 = 15;

/// Claims `key` for this token before the work, so that two requests racing with one new key
/// cannot both do it: the primary key (token, key) lets one insert win; the other finds the
/// claim (in progress) or the answer.
pub fn claim_key(conn: &mut AnyConnection, token_id: i64, key: &str, request_sha256: &str) -> DomainResult<KeyClaim> {
    // A claim released between our insert and our read: try again (a few times at most).
    for _ in 0..3 {
        let inserted = diesel::insert_into(api_idempotency::table)
            .values((
                api_idempotency::token_id.eq(token_id),
                api_idempotency::idempotency_key.eq(key),
                api_idempotency::request_sha256.eq(request_sha256),
                api_idempotency::status.eq(IN_PROGRESS),
                api_idempotency::body.eq(""),
                api_idempotency::created_at.eq(clock::now()),
            ))
            .execute(conn);
        match inserted {
            Ok(_) => return Ok(KeyClaim::Claimed),
            Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => {}
            Err(e) => return Err(e.into()),
        }
        // A claim older than any request can run is left by a server that stopped mid-request:
        // free it, so that the key is not refused for ever.
        let stale = clock::now() - chrono::Duration::minutes(STALE_CLAIM_MINUTES);
        diesel::delete(
            api_idempotency::table.find((token_id, key)).filter(api_idempotency::status.eq(IN_PROGRESS)).filter(api_idempotency::created_at.lt(stale)),
        )
        .execute(conn)?;
        match idempotent_answer(conn, token_id, key)? {
            Some((request_sha256, IN_PROGRESS, _)) => return Ok(KeyClaim::InProgress { request_sha256 }),
            Some((request_sha256, status, body)) => return Ok(KeyClaim::Answered { request_sha256, status, body }),
            None => continue,
        }
    }
    Err(crate::domain::DomainError::Conflict(crate::messages::Message::new("api-idempotency-key-in-progress")))
}

/// Keeps the answer to a claimed `key`, ending the claim.
pub fn keep_answer(conn: &mut AnyConnection, token_id: i64, key: &str, request_sha256: &str, status: i32, body: &str) -> DomainResult<()> {
    let updated = diesel::update(api_idempotency::table.find((token_id, key)).filter(api_idempotency::status.eq(IN_PROGRESS)))
        .set((api_idempotency::request_sha256.eq(request_sha256), api_idempotency::status.eq(status), api_idempotency::body.eq(body)))
        .execute(conn)?;
    if updated > 0 {
        return Ok(());
    }
    // The claim is gone (released): keep the answer anyway; the first kept wins when two race.
    let inserted = diesel::insert_into(api_idempotency::table)
        .values((
            api_idempotency::token_id.eq(token_id),
            api_idempotency::idempotency_key.eq(key),
            api_idempotency::request_sha256.eq(request_sha256),
            api_idempotency::status.eq(status),
            api_idempotency::body.eq(body),
            api_idempotency::created_at.eq(clock::now()),
        ))
        .execute(conn);
    match inserted {
        Ok(_) | Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Releases a claim whose request ended without an answer to keep (refused, failed), so that
/// the same key can be tried again.
pub fn release_key(conn: &mut AnyConnection, token_id: i64, key: &str) -> DomainResult<()> {
    diesel::delete(api_idempotency::table.find((token_id, key)).filter(api_idempotency::status.eq(IN_PROGRESS))).execute(conn)?;
    Ok(())
}
