//! What every page's frame needs: who is signed in, their navigation, the CSRF token.

use crate::domain::accounts::OrgKind;
use crate::web::session::Visitor;

pub struct Layout {
    pub title: String,
    pub csrf: String,
    pub user_name: Option<String>,
    pub org_name: Option<String>,
    pub nav: Vec<(&'static str, &'static str)>,
}

impl Layout {
    pub fn new(title: impl Into<String>, visitor: &Visitor) -> Layout {
        let nav = match visitor.member.as_ref().map(|m| m.kind()) {
            Some(OrgKind::Funder) => vec![("Dashboard", "/"), ("Programmes", "/programmes"), ("New programme", "/programmes/new")],
            Some(OrgKind::Startup) => vec![("Dashboard", "/"), ("Open programmes", "/programmes"), ("Applications", "/applications"), ("Company", "/company")],
            Some(OrgKind::Provider) => vec![("Dashboard", "/"), ("Usage uploads", "/usage"), ("Upload usage", "/usage/new"), ("Catalogue", "/catalogue")],
            Some(OrgKind::Platform) => vec![("Dashboard", "/"), ("Administration", "/admin"), ("Programmes", "/programmes")],
            None => vec![("Sign in", "/login"), ("Register your startup", "/signup")],
        };
        Layout {
            title: title.into(),
            csrf: visitor.csrf().to_string(),
            user_name: visitor.member.as_ref().map(|m| m.user.display_name.clone()),
            org_name: visitor.member.as_ref().map(|m| m.organisation.name.clone()),
            nav,
        }
    }
}
