//! The language switcher: a small form on every page, without JavaScript.

use crate::domain::identity;
use crate::i18n::Locale;
use crate::web::AppState;
use crate::web::error::AppResult;
use crate::web::flash;
use crate::web::session::{CsrfForm, language_cookie, local_path};
use actix_web::{HttpResponse, web};

#[derive(serde::Deserialize)]
pub struct LanguageForm {
    lang: String,
    #[serde(default)]
    back: String,
}

/// Remembers the choice (a cookie, and the member's preference when signed in) and returns to
/// the page it was made on.
pub async fn choose(state: web::Data<AppState>, CsrfForm(form, visitor): CsrfForm<LanguageForm>) -> AppResult<HttpResponse> {
    let locale = Locale::parse(&form.lang).unwrap_or_default();
    if let Some(member) = &visitor.member {
        let user_id = member.user.id;
        state.db(move |conn| identity::set_locale(conn, user_id, locale.code())).await?;
    }
    let back = local_path(&form.back).unwrap_or("/");
    let secure = state.settings.secure_cookies;
    Ok(HttpResponse::SeeOther()
        .insert_header(("Location", back))
        .cookie(language_cookie(locale, secure))
        .cookie(flash::cookie("flash-language-changed", secure))
        .finish())
}
