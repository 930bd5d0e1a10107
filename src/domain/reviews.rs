//! Reviews of applications: a programme's criteria (weights, one score scale), reviewers a
//! programme manager assigns to an application, the conflict-of-interest declaration a reviewer
//! makes before seeing the application, scores with a comment per criterion submitted once, and
//! the ranking by weighted average (exact decimals) from which the funder decides.

use crate::db::AnyConnection;
use crate::db::schema::{applications, organisations, programmes as programme_rows, review_assignments, review_criteria, review_scales, review_scores, users};
use crate::domain::applications::{Application, ApplicationStatus};
use crate::domain::clock;
use crate::domain::error::{DomainError, DomainResult, FieldErrors, OrNotFound};
use crate::domain::identity::{Member, MemberRole, OrgKind};
use crate::domain::ids::{ApplicationId, ProgrammeId, UserId};
use crate::domain::programmes::{self, Programme, ProgrammeStatus};
use crate::messages::Message;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use rust_decimal::Decimal;

crate::text_enum! {
    /// One reviewer on one application: assigned, then cleared (no conflict) or conflicted, then
    /// submitted once the scores are in.
    pub enum AssignmentStatus ("review assignment status") {
        Assigned = "assigned",
        Cleared = "cleared",
        Conflicted = "conflicted",
        Submitted = "submitted",
    }
}

impl AssignmentStatus {
    /// The one place that says which status may follow which.
    pub fn may_become(self, next: AssignmentStatus) -> bool {
        use AssignmentStatus::*;
        matches!((self, next), (Assigned, Cleared | Conflicted) | (Cleared, Submitted))
    }

    /// The reviewer may see the application's content.
    pub fn is_cleared(self) -> bool {
        matches!(self, AssignmentStatus::Cleared | AssignmentStatus::Submitted)
    }
}

/// The widest scale and the most criteria a programme may have; the longest name and comment.
pub const MAX_SCALE: i64 = 100;
pub const MAX_CRITERIA: usize = 10;
pub const MAX_WEIGHT: i64 = 100;
pub const MAX_NAME_CHARS: usize = 120;
pub const MAX_COMMENT_CHARS: usize = 5000;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = review_criteria)]
pub struct Criterion {
    pub id: i64,
    pub programme_id: ProgrammeId,
    pub position: i64,
    pub name: String,
    pub weight: i64,
}

/// A programme's criteria and scale (`None` until set).
#[derive(Debug, Clone)]
pub struct Criteria {
    pub scale: Option<(i64, i64)>,
    pub criteria: Vec<Criterion>,
    /// A score has been given: the criteria are frozen.
    pub frozen: bool,
}

impl Criteria {
    pub fn scale_min(&self) -> i64 {
        self.scale.map_or(0, |s| s.0)
    }
    pub fn scale_max(&self) -> i64 {
        self.scale.map_or(5, |s| s.1)
    }
    /// "Scores from 0 to 5".
    pub fn scale_message(&self) -> Message {
        Message::new("review-scale-value").with("min", self.scale_min()).with("max", self.scale_max())
    }
}

/// Criteria as a form gives them, already parsed.
#[derive(Debug, Clone)]
pub struct NewCriteria {
    pub scale_min: i64,
    pub scale_max: i64,
    /// Name and weight, in order.
    pub criteria: Vec<(String, i64)>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = review_assignments)]
pub struct Assignment {
    pub id: i64,
    pub application_id: ApplicationId,
    pub reviewer_id: UserId,
    pub assigned_by: UserId,
    pub assigned_at: NaiveDateTime,
    #[diesel(deserialize_as = String)]
    pub status: AssignmentStatus,
    pub conflict_note: Option<String>,
    pub declared_at: Option<NaiveDateTime>,
    pub submitted_at: Option<NaiveDateTime>,
    pub replaced_at: Option<NaiveDateTime>,
}

/// An assignment with what its list shows: the programme and the application's reference (never
/// the company before the reviewer has cleared it).
#[derive(Debug, Clone)]
pub struct AssignmentView {
    pub assignment: Assignment,
    pub programme: Programme,
    pub reference: String,
    pub reviewer_name: String,
}

/// A score as a reviewer gives it.
#[derive(Debug, Clone)]
pub struct Score {
    pub criterion_id: i64,
    pub score: i64,
    pub comment: String,
}

/// Who may be assigned: the funder's reviewers, programme managers and owners.
fn may_review(role: MemberRole) -> bool {
    matches!(role, MemberRole::Reviewer | MemberRole::ProgrammeManager | MemberRole::Owner)
}

/// A programme this funder member manages (its owners and programme managers), or `NotFound`.
fn managed(conn: &mut AnyConnection, by: &Member, programme_id: ProgrammeId) -> DomainResult<Programme> {
    if !matches!(by.role(), MemberRole::Owner | MemberRole::ProgrammeManager) {
        return Err(DomainError::NotFound);
    }
    programmes::managed_by(conn, by, programme_id)
}

fn any_score(conn: &mut AnyConnection, programme_id: ProgrammeId) -> DomainResult<bool> {
    let n: i64 = review_scores::table
        .inner_join(review_criteria::table)
        .filter(review_criteria::programme_id.eq(programme_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// A programme's criteria and scale, in order.
pub fn criteria_of(conn: &mut AnyConnection, programme_id: ProgrammeId) -> DomainResult<Criteria> {
    let scale = review_scales::table
        .find(programme_id)
        .select((review_scales::scale_min, review_scales::scale_max))
        .first::<(i64, i64)>(conn)
        .optional()?;
    let criteria = review_criteria::table
        .filter(review_criteria::programme_id.eq(programme_id))
        .order(review_criteria::position)
        .select(Criterion::as_select())
        .load(conn)?;
    let frozen = any_score(conn, programme_id)?;
    Ok(Criteria { scale, criteria, frozen })
}

/// The problems with criteria as typed: a scale within 0..=[`MAX_SCALE`] with at least two
/// points, one to [`MAX_CRITERIA`] named criteria, each with a weight from 1 to [`MAX_WEIGHT`].
pub fn validate_criteria(new: &NewCriteria) -> FieldErrors {
    let mut errors = FieldErrors::default();
    if new.scale_min < 0 || new.scale_max > MAX_SCALE || new.scale_max <= new.scale_min {
        errors.add("scale", Message::new("review-scale-invalid").with("max", MAX_SCALE));
    }
    if new.criteria.is_empty() || new.criteria.len() > MAX_CRITERIA {
        errors.add("criteria", Message::new("review-criteria-count").with("max", MAX_CRITERIA as i64));
    }
    for (name, weight) in &new.criteria {
        let chars = name.trim().chars().count();
        if chars == 0 || chars > MAX_NAME_CHARS {
            errors.add("criteria", Message::new("review-criterion-name-invalid").with("max", MAX_NAME_CHARS as i64));
        }
        if !(1..=MAX_WEIGHT).contains(weight) {
            errors.add("criteria", Message::new("review-weight-invalid").with("name", name.trim()).with("max", MAX_WEIGHT));
        }
    }
    errors
}

/// Owners and programme managers set a programme's criteria and scale while it is a draft or
/// open and no score has been given; after the first score they are frozen.
pub fn set_criteria(conn: &mut AnyConnection, by: &Member, programme_id: ProgrammeId, new: &NewCriteria) -> DomainResult<Criteria> {
    let programme = managed(conn, by, programme_id)?;
    if !matches!(programme.status, ProgrammeStatus::Draft | ProgrammeStatus::Open) {
        return Err(DomainError::Conflict(Message::new("review-criteria-programme-closed")));
    }
    validate_criteria(new).into_result()?;
    crate::db::write_transaction(conn, |conn| {
        // Checked inside the transaction, so a score given meanwhile freezes them.
        if any_score(conn, programme_id)? {
            return Err(DomainError::Conflict(Message::new("review-criteria-frozen")));
        }
        diesel::delete(review_criteria::table.filter(review_criteria::programme_id.eq(programme_id))).execute(conn)?;
        diesel::delete(review_scales::table.filter(review_scales::programme_id.eq(programme_id))).execute(conn)?;
        diesel::insert_into(review_scales::table)
            .values((review_scales::programme_id.eq(programme_id), review_scales::scale_min.eq(new.scale_min), review_scales::scale_max.eq(new.scale_max)))
            .execute(conn)?;
        for (position, (name, weight)) in new.criteria.iter().enumerate() {
            diesel::insert_into(review_criteria::table)
                .values((
                    review_criteria::programme_id.eq(programme_id),
                    review_criteria::position.eq(position as i64),
                    review_criteria::name.eq(name.trim()),
                    review_criteria::weight.eq(*weight),
                ))
                .execute(conn)?;
        }
        Ok(())
    })?;
    criteria_of(conn, programme_id)
}

/// The funder's people who may be assigned as reviewers.
pub fn possible_reviewers(conn: &mut AnyConnection, by: &Member) -> DomainResult<Vec<(UserId, String)>> {
    let people = crate::domain::identity::members_of(conn, by.org_id())?;
    Ok(people.into_iter().filter(|u| may_review(u.role)).map(|u| (u.id, u.display_name)).collect())
}

fn application_in(conn: &mut AnyConnection, programme: &Programme, application_id: ApplicationId) -> DomainResult<Application> {
    applications::table
        .find(application_id)
        .filter(applications::programme_id.eq(programme.id))
        .select(Application::as_select())
        .first(conn)
        .or_not_found()
}

/// A programme manager assigns a reviewer of the funder to an application awaiting a decision.
/// Assigning someone while a conflicted assignment waits for a replacement replaces it.
pub fn assign(conn: &mut AnyConnection, by: &Member, programme_id: ProgrammeId, application_id: ApplicationId, reviewer_id: UserId) -> DomainResult<Assignment> {
    let programme = managed(conn, by, programme_id)?;
    let application = application_in(conn, &programme, application_id)?;
    if application.status != ApplicationStatus::Submitted {
        return Err(DomainError::Conflict(Message::new("review-application-decided").with("reference", application.reference())));
    }
    let reviewer: Option<(String, i64)> = users::table
        .find(reviewer_id)
        .filter(users::organisation_id.eq(by.org_id()))
        .filter(users::removed_at.is_null())
        .select((users::role, users::id))
        .first(conn)
        .optional()?;
    let role_ok = reviewer.and_then(|(role, _)| role.parse::<MemberRole>().ok()).is_some_and(may_review);
    if !role_ok {
        return Err(DomainError::invalid("reviewer_id", Message::new("review-reviewer-invalid")));
    }
    let now = clock::now();
    let id = crate::db::write_transaction(conn, |conn| {
        let inserted = diesel::insert_into(review_assignments::table)
            .values((
                review_assignments::application_id.eq(application_id),
                review_assignments::reviewer_id.eq(reviewer_id),
                review_assignments::assigned_by.eq(by.user.id),
                review_assignments::assigned_at.eq(now),
                review_assignments::status.eq(AssignmentStatus::Assigned.as_str()),
            ))
            .returning(review_assignments::id)
            .get_result::<i64>(conn);
        let id = match inserted {
            Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => {
                return Err(DomainError::invalid("reviewer_id", Message::new("review-already-assigned")));
            }
            other => other?,
        };
        // The oldest conflicted assignment still waiting is replaced by this one.
        let waiting: Option<i64> = review_assignments::table
            .filter(review_assignments::application_id.eq(application_id))
            .filter(review_assignments::status.eq(AssignmentStatus::Conflicted.as_str()))
            .filter(review_assignments::replaced_at.is_null())
            .order(review_assignments::id)
            .select(review_assignments::id)
            .first(conn)
            .optional()?;
        if let Some(conflicted) = waiting {
            diesel::update(review_assignments::table.find(conflicted)).set(review_assignments::replaced_at.eq(now)).execute(conn)?;
        }
        // The reviewer is told, in the same transaction (mailed unless they opted out). The
        // message names the programme and reference only: the company is shown after clearing.
        let message = Message::new("alert-review-assigned").with("reference", application.reference()).with("programme", programme.name.as_str());
        crate::domain::alerts::raise(conn, reviewer_id, crate::domain::alerts::AlertKind::ReviewAssigned, &format!("review-assigned:{id}"), &message, &format!("/reviews/{id}"))?;
        Ok(id)
    })?;
    get_assignment(conn, id)
}

fn get_assignment(conn: &mut AnyConnection, id: i64) -> DomainResult<Assignment> {
    review_assignments::table.find(id).select(Assignment::as_select()).first(conn).or_not_found()
}

/// The assignment, if it is `by`'s and not conflicted (a declared conflict hides it from then
/// on); anything else is `NotFound`.
pub fn own_assignment(conn: &mut AnyConnection, by: &Member, id: i64) -> DomainResult<AssignmentView> {
    if by.kind() != OrgKind::Funder {
        return Err(DomainError::NotFound);
    }
    let assignment = get_assignment(conn, id)?;
    if assignment.reviewer_id != by.user.id || assignment.status == AssignmentStatus::Conflicted {
        return Err(DomainError::NotFound);
    }
    let application: Application = applications::table.find(assignment.application_id).select(Application::as_select()).first(conn)?;
    let programme = programmes::get(conn, application.programme_id)?;
    if programme.funder_id != by.org_id() {
        return Err(DomainError::NotFound);
    }
    Ok(AssignmentView { reference: application.reference(), programme, reviewer_name: by.user.display_name.clone(), assignment })
}

/// A reviewer's assignments, newest first, without the conflicted ones.
pub fn assignments_of(conn: &mut AnyConnection, by: &Member) -> DomainResult<Vec<AssignmentView>> {
    if by.kind() != OrgKind::Funder {
        return Ok(Vec::new());
    }
    let rows: Vec<(Assignment, ApplicationId, Programme)> = review_assignments::table
        .inner_join(applications::table.inner_join(programme_rows::table))
        .filter(review_assignments::reviewer_id.eq(by.user.id))
        .filter(review_assignments::status.ne(AssignmentStatus::Conflicted.as_str()))
        .filter(programme_rows::funder_id.eq(by.org_id()))
        .order(review_assignments::id.desc())
        .select((Assignment::as_select(), applications::id, Programme::as_select()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(assignment, app_id, programme)| AssignmentView { reference: format!("APP-{app_id}"), programme, reviewer_name: by.user.display_name.clone(), assignment })
        .collect())
}

/// The reviewer declares, before seeing the application, whether they have a conflict of
/// interest. A conflict hides the application from them and asks the manager for another reviewer.
pub fn declare(conn: &mut AnyConnection, by: &Member, id: i64, conflict: bool, note: &str) -> DomainResult<Assignment> {
    let current = own_assignment(conn, by, id)?;
    let next = if conflict { AssignmentStatus::Conflicted } else { AssignmentStatus::Cleared };
    if !current.assignment.status.may_become(next) {
        return Err(DomainError::Conflict(Message::new("review-already-declared")));
    }
    let note = note.trim();
    if note.chars().count() > MAX_COMMENT_CHARS {
        return Err(DomainError::invalid("note", Message::new("review-comment-too-long").with("max", MAX_COMMENT_CHARS as i64)));
    }
    let note = (conflict && !note.is_empty()).then_some(note);
    let changed = diesel::update(review_assignments::table.find(id).filter(review_assignments::status.eq(AssignmentStatus::Assigned.as_str())))
        .set((review_assignments::status.eq(next.as_str()), review_assignments::conflict_note.eq(note), review_assignments::declared_at.eq(clock::now())))
        .execute(conn)?;
    if changed == 0 {
        return Err(DomainError::Conflict(Message::new("review-already-declared")));
    }
    get_assignment(conn, id)
}

/// Has this person cleared (declared no conflict on) an assignment to the application?
pub fn has_cleared(conn: &mut AnyConnection, reviewer: UserId, application_id: ApplicationId) -> DomainResult<bool> {
    let n: i64 = review_assignments::table
        .filter(review_assignments::reviewer_id.eq(reviewer))
        .filter(review_assignments::application_id.eq(application_id))
        .filter(review_assignments::status.eq_any([AssignmentStatus::Cleared.as_str(), AssignmentStatus::Submitted.as_str()]))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// The reviewer's own scores on an assignment (never anyone else's), by criterion.
pub fn own_scores(conn: &mut AnyConnection, by: &Member, id: i64) -> DomainResult<Vec<Score>> {
    own_assignment(conn, by, id)?;
    let rows: Vec<(i64, i64, String)> = review_scores::table
        .filter(review_scores::assignment_id.eq(id))
        .select((review_scores::criterion_id, review_scores::score, review_scores::comment))
        .load(conn)?;
    Ok(rows.into_iter().map(|(criterion_id, score, comment)| Score { criterion_id, score, comment }).collect())
}

/// The reviewer submits a score and comment for every criterion, within the scale; once only.
pub fn submit(conn: &mut AnyConnection, by: &Member, id: i64, scores: &[Score]) -> DomainResult<Assignment> {
    let current = own_assignment(conn, by, id)?;
    if !current.assignment.status.may_become(AssignmentStatus::Submitted) {
        let key = if current.assignment.status == AssignmentStatus::Submitted { "review-already-submitted" } else { "review-not-cleared" };
        return Err(DomainError::Conflict(Message::new(key)));
    }
    let criteria = criteria_of(conn, current.programme.id)?;
    let Some((min, max)) = criteria.scale.filter(|_| !criteria.criteria.is_empty()) else {
        return Err(DomainError::Conflict(Message::new("review-no-criteria")));
    };
    let mut errors = FieldErrors::default();
    for criterion in &criteria.criteria {
        match scores.iter().find(|s| s.criterion_id == criterion.id) {
            None => errors.add("scores", Message::new("review-score-missing").with("criterion", &criterion.name)),
            Some(s) => {
                if !(min..=max).contains(&s.score) {
                    errors.add("scores", Message::new("review-score-out-of-scale").with("criterion", &criterion.name).with("min", min).with("max", max));
                }
                if s.comment.trim().chars().count() > MAX_COMMENT_CHARS {
                    errors.add("scores", Message::new("review-comment-too-long").with("max", MAX_COMMENT_CHARS as i64));
                }
            }
        }
    }
    if scores.iter().any(|s| !criteria.criteria.iter().any(|c| c.id == s.criterion_id)) {
        errors.add("scores", Message::new("review-score-unknown-criterion"));
    }
    errors.into_result()?;
    crate::db::write_transaction(conn, |conn| {
        let changed = diesel::update(review_assignments::table.find(id).filter(review_assignments::status.eq(AssignmentStatus::Cleared.as_str())))
            .set((review_assignments::status.eq(AssignmentStatus::Submitted.as_str()), review_assignments::submitted_at.eq(clock::now())))
            .execute(conn)?;
        if changed == 0 {
            return Err(DomainError::Conflict(Message::new("review-already-submitted")));
        }
        for s in scores {
            diesel::insert_into(review_scores::table)
                .values((
                    review_scores::assignment_id.eq(id),
                    review_scores::criterion_id.eq(s.criterion_id),
                    review_scores::score.eq(s.score),
                    review_scores::comment.eq(s.comment.trim()),
                ))
                .execute(conn)?;
        }
        Ok(())
    })?;
    get_assignment(conn, id)
}

/// A weighted average kept as the exact fraction it is (weighted sum over sum of weights), so
/// that 5/3 is compared and rounded exactly, never through a float or a truncated decimal.
#[derive(Debug, Clone, Copy)]
pub struct Average {
    sum: i128,
    weights: i128,
}

impl Average {
    /// Rounded to two decimals for display, halves away from zero (scores are never negative).
    pub fn shown(&self) -> Decimal {
        let hundredths = (self.sum * 200 + self.weights) / (self.weights * 2);
        Decimal::try_from_i128_with_scale(hundredths, 2).unwrap_or(Decimal::MAX)
    }
}

impl PartialEq for Average {
    fn eq(&self, other: &Average) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}
impl Eq for Average {}
impl PartialOrd for Average {
    fn partial_cmp(&self, other: &Average) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
/// a/b against c/d as a·d against c·b (both denominators positive).
impl Ord for Average {
    fn cmp(&self, other: &Average) -> std::cmp::Ordering {
        (self.sum * other.weights).cmp(&(other.sum * self.weights))
    }
}

/// The weighted average of submitted reviews: the sum over reviews and criteria of weight ×
/// score, divided by the sum of weights over the same; exact. `None` without any score (or,
/// impossible within the limits, on overflow). Each item is (weight, score).
pub fn weighted_average(reviews: &[Vec<(i64, i64)>]) -> Option<Average> {
    let mut sum: i128 = 0;
    let mut weights: i128 = 0;
    for review in reviews {
        for &(weight, score) in review {
            sum = sum.checked_add(i128::from(weight).checked_mul(i128::from(score))?)?;
            weights = weights.checked_add(i128::from(weight))?;
        }
    }
    // Keeps `shown` and `cmp` within range.
    if weights <= 0 || sum > i128::from(i64::MAX) || weights > i128::from(i64::MAX) {
        return None;
    }
    Some(Average { sum, weights })
}

/// One application's reviews, as the manager sees them.
#[derive(Debug, Clone)]
pub struct ReviewerLine {
    pub assignment_id: i64,
    pub reviewer_name: String,
    pub status: AssignmentStatus,
    /// Conflicted and not yet replaced by another reviewer.
    pub needs_replacement: bool,
}

/// A line of the ranking.
#[derive(Debug, Clone)]
pub struct Ranked {
    pub application: Application,
    pub startup_name: String,
    pub reviewers: Vec<ReviewerLine>,
    pub submitted: i64,
    /// Exact; `None` before the first submitted review.
    pub average: Option<Average>,
}

impl Ranked {
    pub fn needs_another_reviewer(&self) -> bool {
        self.reviewers.iter().any(|r| r.needs_replacement)
    }

    pub fn shown_average(&self) -> Option<Decimal> {
        self.average.map(|a| a.shown())
    }
}

/// A programme's applications ranked by weighted average (highest first, those without a
/// submitted review last, then oldest first), with their reviewers.
pub fn ranking(conn: &mut AnyConnection, by: &Member, programme_id: ProgrammeId) -> DomainResult<(Programme, Vec<Ranked>)> {
    let programme = managed(conn, by, programme_id)?;
    let rows: Vec<(Application, String)> = applications::table
        .inner_join(organisations::table.on(organisations::id.eq(applications::startup_id)))
        .filter(applications::programme_id.eq(programme_id))
        .filter(applications::status.ne(ApplicationStatus::Draft.as_str()))
        .order(applications::id)
        .select((Application::as_select(), organisations::name))
        .load(conn)?;
    let assignments: Vec<(Assignment, String)> = review_assignments::table
        .inner_join(applications::table)
        .inner_join(users::table.on(users::id.eq(review_assignments::reviewer_id)))
        .filter(applications::programme_id.eq(programme_id))
        .order(review_assignments::id)
        .select((Assignment::as_select(), users::display_name))
        .load(conn)?;
    let scores: Vec<(i64, i64, i64)> = review_scores::table
        .inner_join(review_criteria::table)
        .inner_join(review_assignments::table)
        .filter(review_criteria::programme_id.eq(programme_id))
        .filter(review_assignments::status.eq(AssignmentStatus::Submitted.as_str()))
        .select((review_scores::assignment_id, review_criteria::weight, review_scores::score))
        .load(conn)?;
    let mut ranked: Vec<Ranked> = rows
        .into_iter()
        .map(|(application, startup_name)| {
            let mine: Vec<&(Assignment, String)> = assignments.iter().filter(|(a, _)| a.application_id == application.id).collect();
            let reviews: Vec<Vec<(i64, i64)>> = mine
                .iter()
                .filter(|(a, _)| a.status == AssignmentStatus::Submitted)
                .map(|(a, _)| scores.iter().filter(|(id, _, _)| *id == a.id).map(|&(_, w, s)| (w, s)).collect())
                .collect();
            let reviewers = mine
                .iter()
                .map(|(a, name)| ReviewerLine {
                    assignment_id: a.id,
                    reviewer_name: name.clone(),
                    status: a.status,
                    needs_replacement: a.status == AssignmentStatus::Conflicted && a.replaced_at.is_none(),
                })
                .collect();
            Ranked { startup_name, reviewers, submitted: reviews.len() as i64, average: weighted_average(&reviews), application }
        })
        .collect();
    ranked.sort_by(|a, b| b.average.is_some().cmp(&a.average.is_some()).then(b.average.cmp(&a.average)).then(a.application.id.cmp(&b.application.id)));
    Ok((programme, ranked))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_three_and_one_scores_four_and_two_make_three_and_a_half() {
        let average = weighted_average(&[vec![(3, 4), (1, 2)]]).unwrap();
        assert_eq!(average.shown().to_string(), "3.50");
        assert_eq!(average, weighted_average(&[vec![(1, 3), (1, 4)]]).unwrap(), "14/4 is 7/2");
    }

    #[test]
    fn the_average_is_exact_and_rounded_only_for_display() {
        // (1×1 + 2×2) / 3 = 5/3: shown as 1.67, compared exactly.
        let five_thirds = weighted_average(&[vec![(1, 1), (2, 2)]]).unwrap();
        assert_eq!(five_thirds.shown().to_string(), "1.67");
        let just_below = weighted_average(&[vec![(333, 2), (167, 1)]]).unwrap(); // 833/500 = 1.666 < 5/3
        assert!(just_below < five_thirds && just_below.shown() == five_thirds.shown(), "equal once rounded, not before");
        // 1/9 = 0.111… → 0.11; halves round away from zero: 1/8 = 0.125 → 0.13.
        assert_eq!(weighted_average(&[vec![(8, 0), (1, 1)]]).unwrap().shown().to_string(), "0.11");
        assert_eq!(weighted_average(&[vec![(7, 0), (1, 1)]]).unwrap().shown().to_string(), "0.13");
        // Two reviews average over both: (4 + 2) / 2 with equal weights.
        assert_eq!(weighted_average(&[vec![(2, 4)], vec![(2, 2)]]).unwrap().shown().to_string(), "3.00");
        assert_eq!(weighted_average(&[]), None);
    }

    #[test]
    fn statuses_move_forward_only() {
        use AssignmentStatus::*;
        assert!(Assigned.may_become(Cleared) && Assigned.may_become(Conflicted) && Cleared.may_become(Submitted));
        assert!(!Conflicted.may_become(Cleared) && !Submitted.may_become(Cleared) && !Assigned.may_become(Submitted));
        assert!("pending".parse::<AssignmentStatus>().is_err());
    }

    #[test]
    fn criteria_need_a_scale_names_and_positive_weights() {
        let ok = NewCriteria { scale_min: 0, scale_max: 5, criteria: vec![("Impact".into(), 3), ("Team".into(), 1)] };
        assert!(validate_criteria(&ok).is_empty());
        let bad = NewCriteria { scale_min: 5, scale_max: 5, criteria: vec![("".into(), 0)] };
        let errors = validate_criteria(&bad);
        assert!(errors.has("scale") && errors.has("criteria"));
        assert!(validate_criteria(&NewCriteria { criteria: vec![], ..ok }).has("criteria"));
    }
}
