//! The one access policy: who may do what, and which objects they may see.
//!
//! Every route names the [`Action`] it performs (`web::routes::ROUTES`); the web layer refuses a
//! request whose role may not perform it before any handler runs, and navigation shows only
//! what [`can`] allows. Domain services then check the object itself with the `may_…`
//! functions here: another organisation's object is answered as *not found*, so that its
//! existence does not leak.
//!
//! Two things decide what a signed-in person may do: what their organisation is ([`Role`]) and
//! their role inside it ([`MemberRole`]); [`permits`] asks both.

use crate::domain::identity::{Member, MemberRole, OrgKind};
use crate::domain::ids::OrgId;

/// Who is asking, as far as permissions go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Not signed in.
    Visitor,
    Startup,
    Funder,
    Provider,
    /// A platform administrator.
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Visitor, Role::Startup, Role::Funder, Role::Provider, Role::Admin];

    pub fn of(member: Option<&Member>) -> Role {
        match member.map(Member::kind) {
            None => Role::Visitor,
            Some(OrgKind::Startup) => Role::Startup,
            Some(OrgKind::Funder) => Role::Funder,
            Some(OrgKind::Provider) => Role::Provider,
            Some(OrgKind::Platform) => Role::Admin,
        }
    }
}

/// Everything a route can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Home page, sign-in and sign-up forms, language choice, static files.
    ViewPublic,
    SignIn,
    SignUp,
    ChooseLanguage,
    /// Asking for, and using, a password-reset link.
    ResetPassword,
    SignOut,
    /// One's own password, second factor and sessions.
    ManageAccount,
    /// The second step of signing in: a code from the authenticator app.
    SecondFactor,
    /// Opening an invitation link and joining an organisation.
    AcceptInvitation,
    /// The organisation's people and settings, to read.
    ViewMembers,
    /// Inviting, changing roles, removing, requiring a second factor.
    ManageMembers,
    EditCompany,
    /// A startup's company profile (accounts, partner and linked enterprises, de minimis aid),
    /// to read; changing it is `EditCompany`.
    ViewCompanyProfile,
    /// A funder's de minimis awards, for its national register.
    ExportDeMinimis,
    ListProgrammes,
    CreateProgramme,
    ViewProgramme,
    Apply,
    ListOwnApplications,
    ViewApplication,
    DecideApplication,
    WithdrawApplication,
    ViewGrant,
    ViewCatalogue,
    ListUploads,
    UploadUsage,
    ViewUpload,
    ConfirmUpload,
    /// A provider keeps its catalogue.
    EditCatalogue,
    /// A provider's invoice against its submitted usage.
    UploadInvoice,
    /// A funder's inbox, a provider's invoices.
    ListInvoices,
    ViewInvoice,
    /// Approving or disputing an invoice.
    DecideInvoice,
    /// A startup flags a usage line it does not recognise.
    FlagUsage,
    /// Recording the payment of approved invoices.
    RecordSettlement,
    ViewSettlement,
    /// The platform's overview and audit log, to read.
    ViewAdministration,
    /// Creating organisations and their first members.
    Administer,
    /// An organisation's API tokens: creating, listing, revoking (owners).
    ManageApiTokens,
    /// Reports across programmes, such as the sovereignty report: funders (their own
    /// programmes) and admins (all).
    ViewReports,
    /// A funder's applications across its programmes, filtered and searched.
    ViewApplicationInbox,
    /// Committing one's own budget to another funder's programme one was invited to co-fund.
    CofundProgramme,
    /// Extending or revoking a grant of one of the funder's programmes.
    ManageGrant,
    /// Run a programme's lifecycle: edit a draft and its eligibility rules, open, extend,
    /// raise, close, archive.
    ManageProgramme,
    /// A reviewer's assignments: declaring conflicts of interest, scoring (reviewers, programme
    /// managers and owners of a funder).
    Review,
    /// A programme's review criteria, assigning reviewers, the ranking (owners and programme
    /// managers of a funder).
    ManageReviews,
    /// A startup accepts (with its de minimis declaration) or declines an offer of credits.
    RespondToOffer,
}

/// May `role` perform `action` at all (objects are checked separately)?
pub fn can(role: Role, action: Action) -> bool {
    use Action::*;
    use Role::*;
    match action {
        ViewPublic | ChooseLanguage | ResetPassword | AcceptInvitation => true,
        SignIn | SignUp | SecondFactor => role == Visitor,
        SignOut | ManageAccount | ListProgrammes | ViewProgramme | ViewCatalogue | ViewMembers | ManageMembers => role != Visitor,
        EditCompany | ViewCompanyProfile | Apply | ListOwnApplications | WithdrawApplication => role == Startup,
        ExportDeMinimis => role == Funder,
        CreateProgramme | DecideApplication => role == Funder,
        ViewApplication => matches!(role, Startup | Funder | Admin),
        ViewGrant => matches!(role, Startup | Funder | Provider | Admin),
        ListUploads | UploadUsage | ConfirmUpload => role == Provider,
        ViewUpload => matches!(role, Provider | Admin),
        UploadInvoice | EditCatalogue => role == Provider,
        ListInvoices | ViewInvoice => matches!(role, Funder | Provider | Admin),
        DecideInvoice | RecordSettlement => role == Funder,
        FlagUsage => role == Startup,
        ViewSettlement | ViewReports | ViewApplicationInbox => matches!(role, Funder | Admin),
        CofundProgramme => role == Funder,
        ViewAdministration | Administer => role == Admin,
        ManageApiTokens => matches!(role, Startup | Funder | Provider),
        ManageGrant => role == Funder,
        ManageProgramme => role == Funder,
        Review | ManageReviews => role == Funder,
        RespondToOffer => role == Startup,
    }
}

/// May a member with `duty` inside their organisation perform `action` (their organisation's
/// kind is checked by [`can`])? Reading is everyone's; changing is shared out by role.
pub fn duty_allows(duty: MemberRole, action: Action) -> bool {
    use Action::*;
    use MemberRole::*;
    match action {
        ViewPublic | SignIn | SignUp | SecondFactor | ChooseLanguage | ResetPassword | AcceptInvitation | SignOut | ManageAccount => true,
        ListProgrammes | ViewProgramme | ListOwnApplications | ViewApplication | ViewGrant | ViewCatalogue | ListUploads | ViewUpload | ViewMembers
        | ViewAdministration | ListInvoices | ViewInvoice | ViewSettlement | ViewReports | ViewCompanyProfile | ExportDeMinimis | ViewApplicationInbox => true,
        ManageMembers | EditCompany | Administer | ManageApiTokens => duty == Owner,
        CreateProgramme | DecideApplication => matches!(duty, Owner | ProgrammeManager),
        Apply | WithdrawApplication => matches!(duty, Owner | Member),
        FlagUsage => matches!(duty, Owner | Member | Billing),
        UploadUsage | ConfirmUpload | UploadInvoice => matches!(duty, Owner | Billing | Member),
        CofundProgramme => matches!(duty, Owner | ProgrammeManager),
        DecideInvoice => matches!(duty, Owner | ProgrammeManager | Billing),
        EditCatalogue | RecordSettlement => matches!(duty, Owner | Billing),
        ManageGrant => matches!(duty, Owner | ProgrammeManager),
        ManageProgramme => matches!(duty, Owner | ProgrammeManager),
        Review => matches!(duty, Owner | ProgrammeManager | Reviewer),
        ManageReviews => matches!(duty, Owner | ProgrammeManager),
        // Whoever may apply may answer the offer made on the application.
        RespondToOffer => matches!(duty, Owner | Member),
    }
}

/// The whole policy for a request: the organisation's kind, then the person's role in it.
pub fn permits(member: Option<&Member>, action: Action) -> bool {
    can(Role::of(member), action) && member.is_none_or(|m| duty_allows(m.role(), action))
}

/// The member's organisation is `org_id`.
fn own(member: &Member, org_id: OrgId) -> bool {
    member.org_id() == org_id
}

/// Programmes are public calls: any signed-in organisation sees them, except that a funder sees
/// only its own.
pub fn may_view_programme(member: &Member, funder_id: OrgId) -> bool {
    match member.kind() {
        OrgKind::Funder => own(member, funder_id),
        _ => true,
    }
}

/// A programme's applications, report and decisions: its funder, and admins to read.
pub fn may_manage_programme(member: &Member, funder_id: OrgId) -> bool {
    match member.kind() {
        OrgKind::Funder => own(member, funder_id),
        OrgKind::Platform => true,
        _ => false,
    }
}

/// An application: the startup that made it, the programme's funder, admins.
pub fn may_view_application(member: &Member, startup_id: OrgId, funder_id: OrgId) -> bool {
    match member.kind() {
        OrgKind::Startup => own(member, startup_id),
        OrgKind::Funder => own(member, funder_id),
        OrgKind::Platform => true,
        OrgKind::Provider => false,
    }
}

/// A funder's reviewer sees an application only once they have declared, on their assignment
/// to it, that they have no conflict of interest (`domain::reviews`); owners, programme managers
/// and auditors see their funder's applications as before.
pub fn needs_review_clearance(member: &Member) -> bool {
    member.kind() == OrgKind::Funder && member.role() == MemberRole::Reviewer
}

/// A grant: its startup, the provider that bills it, its programme's funder, admins.
pub fn may_view_grant(member: &Member, startup_id: OrgId, provider_id: OrgId, funder_id: OrgId) -> bool {
    match member.kind() {
        OrgKind::Startup => own(member, startup_id),
        OrgKind::Provider => own(member, provider_id),
        OrgKind::Funder => own(member, funder_id),
        OrgKind::Platform => true,
    }
}

/// Extending or revoking a grant: only the funder that owns its programme (admins read, they
/// do not change grants).
pub fn may_manage_grant(member: &Member, funder_id: OrgId) -> bool {
    member.kind() == OrgKind::Funder && own(member, funder_id)
}

/// A usage upload: the provider that sent it, admins.
pub fn may_view_upload(member: &Member, provider_id: OrgId) -> bool {
    match member.kind() {
        OrgKind::Provider => own(member, provider_id),
        OrgKind::Platform => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visitors_only_see_public_pages_and_sign_in() {
        for action in [Action::ListProgrammes, Action::Apply, Action::ViewGrant, Action::Administer, Action::SignOut] {
            assert!(!can(Role::Visitor, action), "{action:?}");
        }
        assert!(can(Role::Visitor, Action::SignIn) && can(Role::Visitor, Action::ViewPublic));
        assert!(!can(Role::Funder, Action::SignUp), "a signed-in person does not sign up again");
    }

    #[test]
    fn an_auditor_reads_everything_and_changes_nothing() {
        for action in [Action::ListProgrammes, Action::ViewApplication, Action::ViewGrant, Action::ViewUpload, Action::ViewAdministration, Action::ViewMembers] {
            assert!(duty_allows(MemberRole::Auditor, action), "{action:?}");
        }
        for action in [Action::CreateProgramme, Action::DecideApplication, Action::Apply, Action::UploadUsage, Action::ConfirmUpload, Action::ManageMembers, Action::Administer, Action::EditCompany] {
            assert!(!duty_allows(MemberRole::Auditor, action), "{action:?}");
        }
    }

    #[test]
    fn roles_share_out_the_changes() {
        assert!(duty_allows(MemberRole::ProgrammeManager, Action::DecideApplication));
        assert!(!duty_allows(MemberRole::Reviewer, Action::DecideApplication), "a reviewer reviews, the manager decides");
        assert!(duty_allows(MemberRole::Billing, Action::UploadUsage) && !duty_allows(MemberRole::Billing, Action::Apply));
        assert!(!duty_allows(MemberRole::Member, Action::ManageMembers) && duty_allows(MemberRole::Owner, Action::ManageMembers));
    }

    #[test]
    fn a_startup_reads_its_company_profile_and_only_its_owner_changes_it() {
        assert!(can(Role::Startup, Action::ViewCompanyProfile) && !can(Role::Funder, Action::ViewCompanyProfile));
        for duty in [MemberRole::Owner, MemberRole::Member, MemberRole::Auditor] {
            assert!(duty_allows(duty, Action::ViewCompanyProfile), "{duty:?}");
        }
        assert!(duty_allows(MemberRole::Owner, Action::EditCompany) && !duty_allows(MemberRole::Member, Action::EditCompany));
        assert!(can(Role::Funder, Action::ExportDeMinimis) && !can(Role::Startup, Action::ExportDeMinimis) && !can(Role::Provider, Action::ExportDeMinimis));
        assert!(duty_allows(MemberRole::Reviewer, Action::ExportDeMinimis), "every funder member reads the register");
    }

    #[test]
    fn each_role_does_only_its_own_work() {
        assert!(can(Role::Funder, Action::DecideApplication) && !can(Role::Startup, Action::DecideApplication));
        assert!(can(Role::Startup, Action::Apply) && !can(Role::Funder, Action::Apply));
        assert!(can(Role::Provider, Action::UploadUsage) && !can(Role::Admin, Action::UploadUsage));
        assert!(can(Role::Admin, Action::Administer) && !can(Role::Funder, Action::Administer));
    }

    #[test]
    fn reviewers_review_and_managers_run_the_reviews() {
        assert!(can(Role::Funder, Action::Review) && !can(Role::Startup, Action::Review) && !can(Role::Admin, Action::ManageReviews));
        for duty in [MemberRole::Owner, MemberRole::ProgrammeManager, MemberRole::Reviewer] {
            assert!(duty_allows(duty, Action::Review), "{duty:?}");
        }
        assert!(!duty_allows(MemberRole::Auditor, Action::Review) && !duty_allows(MemberRole::Billing, Action::Review));
        assert!(duty_allows(MemberRole::ProgrammeManager, Action::ManageReviews) && !duty_allows(MemberRole::Reviewer, Action::ManageReviews));
    }
}
