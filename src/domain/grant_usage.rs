//! What a grant's credit was used for — by month, by service and by SKU — and when it runs out at
//! the current rate.
//!
//! The figures come from the usage lines providers submitted against the grant (uploads that are
//! submitted or approved: held or spent), summed exactly in decimals and rounded to the minor
//! unit only once per figure. The ledger posts each upload's total per grant rounded once, so a
//! breakdown can differ from the statement's "spent + held" by a few cents; the statement is
//! the account, this is its explanation.
//!
//! The run-out projection divides what is left by the average daily use over the last
//! [`RATE_WINDOW_DAYS`] days of use (by the day the compute ran, not the day it was billed).

use crate::db::AnyConnection;
use crate::db::schema::{usage_lines, usage_uploads};
use crate::domain::error::{DomainError, DomainResult};
use crate::domain::grants::{self, Grant};
use crate::domain::identity::Member;
use crate::domain::ids::GrantId;
use crate::money::Amount;
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// How far back the daily rate of use looks.
pub const RATE_WINDOW_DAYS: i64 = 90;

/// A projection further out than this is "not in sight" rather than a date.
const HORIZON_DAYS: i64 = 100 * 366;

/// One SKU's use in one month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkuMonth {
    /// The first day of the month.
    pub month: NaiveDate,
    pub service: String,
    /// The provider's SKU, when its lines named one.
    pub sku: Option<String>,
    pub lines: i64,
    pub amount: Amount,
}

/// When the grant's credit runs out at the current rate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunOut {
    /// No use in the rate window: nothing to project from.
    NoRecentUse,
    /// Nothing is left to spend.
    Exhausted,
    /// The credit lasts until `on`, before the grant's end.
    On { on: NaiveDate, per_day: Amount },
    /// The grant ends first, with about `left` unused at the current rate.
    OutlastsGrant { left: Amount, per_day: Amount },
}

#[derive(Debug, Clone)]
pub struct GrantUsage {
    pub grant: Grant,
    pub by_month: Vec<(NaiveDate, Amount)>,
    /// Largest first.
    pub by_service: Vec<(String, Amount)>,
    /// Newest month first, then largest amount.
    pub by_sku: Vec<SkuMonth>,
    pub run_out: RunOut,
}

/// The usage breakdown of a grant its viewer may see (see [`grants::grant_for`]), with the
/// projection from `available` (what is left to spend) as of `today`, kept in `cache` while
/// nothing it depends on moves (access is checked on every call).
pub fn of_grant(conn: &mut AnyConnection, cache: &crate::domain::spending::SpendCache, viewer: &Member, grant_id: GrantId, available: Amount, today: NaiveDate) -> DomainResult<GrantUsage> {
    let grant = grants::grant_for(conn, viewer, grant_id)?;
    let summary = cache.grant_usage.get_or_read(conn, (grant_id, today, available.cents()), |conn| read_summary(conn, &grant, available, today))?;
    Ok(GrantUsage { grant, by_month: summary.by_month, by_service: summary.by_service, by_sku: summary.by_sku, run_out: summary.run_out })
}

/// Reads the grant's submitted usage lines and summarises them.
fn read_summary(conn: &mut AnyConnection, grant: &Grant, available: Amount, today: NaiveDate) -> DomainResult<Summary> {
    let rows: Vec<(NaiveDateTime, String, Option<String>, String)> = usage_lines::table
        .inner_join(usage_uploads::table.on(usage_uploads::id.eq(usage_lines::upload_id)))
        .filter(usage_lines::grant_id.eq(grant.id))
        .filter(usage_uploads::status.eq_any(["submitted", "approved"]))
        .filter(usage_lines::currency.eq(&grant.currency))
        .select((usage_lines::charge_period_start, usage_lines::service_name, usage_lines::sku_id, usage_lines::billed_cost))
        .load(conn)?;
    let lines = rows.into_iter().map(|(start, service, sku, cost)| {
        let cost: Decimal = cost.parse().map_err(|_| DomainError::Internal(format!("usage line cost {cost:?} is not a decimal")))?;
        Ok(Line { day: start.date(), service, sku, cost })
    });
    let lines = lines.collect::<DomainResult<Vec<Line>>>()?;
    summarise(&lines, available, today, grant.valid_until)
}

/// A usage line as the breakdown needs it.
#[derive(Debug, Clone)]
pub struct Line {
    pub day: NaiveDate,
    pub service: String,
    pub sku: Option<String>,
    pub cost: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub by_month: Vec<(NaiveDate, Amount)>,
    pub by_service: Vec<(String, Amount)>,
    pub by_sku: Vec<SkuMonth>,
    pub run_out: RunOut,
}

fn first_of_month(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

fn overflow() -> DomainError {
    DomainError::Internal("usage figures out of range".into())
}

fn add(sum: &mut Decimal, cost: Decimal) -> DomainResult<()> {
    *sum = sum.checked_add(cost).ok_or_else(overflow)?;
    Ok(())
}

fn rounded(sum: Decimal) -> DomainResult<Amount> {
    Amount::from_decimal(sum.round_dp_with_strategy(crate::money::SCALE, rust_decimal::RoundingStrategy::MidpointNearestEven)).map_err(|_| overflow())
}

/// The breakdown and projection of `lines` (pure: no database, no clock).
pub fn summarise(lines: &[Line], available: Amount, today: NaiveDate, valid_until: NaiveDate) -> DomainResult<Summary> {
    let mut months: BTreeMap<NaiveDate, Decimal> = BTreeMap::new();
    let mut services: BTreeMap<&str, Decimal> = BTreeMap::new();
    let mut skus: BTreeMap<(NaiveDate, &str, Option<&str>), (i64, Decimal)> = BTreeMap::new();
    let window_start = today.checked_sub_signed(chrono::Duration::days(RATE_WINDOW_DAYS)).unwrap_or(NaiveDate::MIN);
    let mut recent = Decimal::ZERO;
    let mut first_recent: Option<NaiveDate> = None;
    for line in lines {
        let month = first_of_month(line.day);
        add(months.entry(month).or_default(), line.cost)?;
        add(services.entry(line.service.as_str()).or_default(), line.cost)?;
        let sku = skus.entry((month, line.service.as_str(), line.sku.as_deref())).or_default();
        sku.0 = sku.0.saturating_add(1);
        add(&mut sku.1, line.cost)?;
        if line.day > window_start && line.day <= today {
            add(&mut recent, line.cost)?;
            first_recent = Some(first_recent.map_or(line.day, |d| d.min(line.day)));
        }
    }
    let by_month = months.into_iter().map(|(m, s)| Ok((m, rounded(s)?))).collect::<DomainResult<Vec<_>>>()?;
    let mut by_service = services.into_iter().map(|(s, sum)| Ok((s.to_string(), rounded(sum)?))).collect::<DomainResult<Vec<_>>>()?;
    by_service.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut by_sku = skus
        .into_iter()
        .map(|((month, service, sku), (lines, sum))| Ok(SkuMonth { month, service: service.to_string(), sku: sku.map(str::to_string), lines, amount: rounded(sum)? }))
        .collect::<DomainResult<Vec<_>>>()?;
    by_sku.sort_by(|a, b| b.month.cmp(&a.month).then_with(|| b.amount.cmp(&a.amount)).then_with(|| a.service.cmp(&b.service)).then_with(|| a.sku.cmp(&b.sku)));
    let run_out = project(available, recent, first_recent, today, valid_until)?;
    Ok(Summary { by_month, by_service, by_sku, run_out })
}

/// `available` spent at the rate of `recent` over the days since `first_recent` (at most the
/// window), from `today`.
fn project(available: Amount, recent: Decimal, first_recent: Option<NaiveDate>, today: NaiveDate, valid_until: NaiveDate) -> DomainResult<RunOut> {
    if !available.is_positive() {
        return Ok(RunOut::Exhausted);
    }
    let Some(first) = first_recent else { return Ok(RunOut::NoRecentUse) };
    if recent <= Decimal::ZERO {
        return Ok(RunOut::NoRecentUse);
    }
    // A grant used for a week is judged over that week, not over ninety days.
    let days = ((today - first).num_days() + 1).clamp(1, RATE_WINDOW_DAYS);
    let per_day = recent.checked_div(Decimal::from(days)).ok_or_else(overflow)?;
    let per_day_amount = rounded(per_day)?;
    let days_left = available.to_decimal().checked_div(per_day).ok_or_else(overflow)?.floor();
    let days_left = i64::try_from(days_left).unwrap_or(i64::MAX).min(HORIZON_DAYS);
    let on = today.checked_add_signed(chrono::Duration::days(days_left)).unwrap_or(NaiveDate::MAX);
    if on < valid_until {
        return Ok(RunOut::On { on, per_day: per_day_amount });
    }
    let days_to_end = (valid_until - today).num_days().max(0);
    let use_to_end = per_day.checked_mul(Decimal::from(days_to_end)).ok_or_else(overflow)?;
    let left = available.to_decimal().checked_sub(use_to_end).ok_or_else(overflow)?.max(Decimal::ZERO);
    Ok(RunOut::OutlastsGrant { left: rounded(left)?, per_day: per_day_amount })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn line(d: &str, service: &str, sku: Option<&str>, cost: &str) -> Line {
        Line { day: day(d), service: service.into(), sku: sku.map(Into::into), cost: cost.parse().unwrap() }
    }

    #[test]
    fn sums_exactly_and_rounds_once_per_figure() {
        // Three lines of 0.333333 make 0.999999: one cent rounded once, not three times zero.
        let lines = [line("2026-10-02", "GPU", Some("H100"), "0.333333"), line("2026-10-03", "GPU", Some("H100"), "0.333333"), line("2026-10-04", "GPU", Some("H100"), "0.333333")];
        let s = summarise(&lines, Amount::from_cents(10_000), day("2026-11-01"), day("2027-12-31")).unwrap();
        assert_eq!(s.by_month, vec![(day("2026-10-01"), Amount::from_cents(100))]);
        assert_eq!(s.by_service, vec![("GPU".to_string(), Amount::from_cents(100))]);
        assert_eq!(s.by_sku, vec![SkuMonth { month: day("2026-10-01"), service: "GPU".into(), sku: Some("H100".into()), lines: 3, amount: Amount::from_cents(100) }]);
    }

    #[test]
    fn groups_by_month_service_and_sku_newest_and_largest_first() {
        let lines = [
            line("2026-09-30", "Storage", None, "5"),
            line("2026-10-01", "GPU", Some("A100"), "10"),
            line("2026-10-15", "GPU", Some("H100"), "40"),
            line("2026-10-20", "Storage", None, "1.5"),
        ];
        let s = summarise(&lines, Amount::from_cents(1), day("2026-11-01"), day("2027-12-31")).unwrap();
        assert_eq!(s.by_month, vec![(day("2026-09-01"), Amount::from_cents(500)), (day("2026-10-01"), Amount::from_cents(5_150))]);
        assert_eq!(s.by_service, vec![("GPU".to_string(), Amount::from_cents(5_000)), ("Storage".to_string(), Amount::from_cents(650))]);
        let order: Vec<(NaiveDate, Option<&str>)> = s.by_sku.iter().map(|r| (r.month, r.sku.as_deref())).collect();
        assert_eq!(order, vec![(day("2026-10-01"), Some("H100")), (day("2026-10-01"), Some("A100")), (day("2026-10-01"), None), (day("2026-09-01"), None)]);
    }

    #[test]
    fn projects_run_out_from_the_recent_daily_rate() {
        // 10 days of use at €100 a day (1 to 10 November), €1,000 left on the 10th: 10 more days.
        let lines: Vec<Line> = (1..=10).map(|d| line(&format!("2026-11-{d:02}"), "GPU", None, "100")).collect();
        let s = summarise(&lines, Amount::from_cents(100_000), day("2026-11-10"), day("2027-06-30")).unwrap();
        assert_eq!(s.run_out, RunOut::On { on: day("2026-11-20"), per_day: Amount::from_cents(10_000) });
    }

    #[test]
    fn use_on_one_day_is_that_day_s_rate() {
        let lines = [line("2026-11-10", "GPU", None, "150")];
        let s = summarise(&lines, Amount::from_cents(85_000), day("2026-11-10"), day("2027-06-30")).unwrap();
        assert_eq!(s.run_out, RunOut::On { on: day("2026-11-15"), per_day: Amount::from_cents(15_000) });
    }

    #[test]
    fn a_grant_that_ends_first_says_what_would_be_left() {
        let lines: Vec<Line> = (1..=10).map(|d| line(&format!("2026-11-{d:02}"), "GPU", None, "100")).collect();
        // €10,000 left, €100 a day, 20 days to the end: about €8,000 unused.
        let s = summarise(&lines, Amount::from_cents(1_000_000), day("2026-11-10"), day("2026-11-30")).unwrap();
        assert_eq!(s.run_out, RunOut::OutlastsGrant { left: Amount::from_cents(800_000), per_day: Amount::from_cents(10_000) });
    }

    #[test]
    fn only_the_window_counts_and_old_or_no_use_projects_nothing() {
        let old = [line("2026-01-05", "GPU", None, "1000")];
        let s = summarise(&old, Amount::from_cents(100), day("2026-11-10"), day("2027-06-30")).unwrap();
        assert_eq!(s.run_out, RunOut::NoRecentUse);
        assert_eq!(summarise(&[], Amount::from_cents(100), day("2026-11-10"), day("2027-06-30")).unwrap().run_out, RunOut::NoRecentUse);
        assert_eq!(summarise(&old, Amount::ZERO, day("2026-11-10"), day("2027-06-30")).unwrap().run_out, RunOut::Exhausted);
    }

    #[test]
    fn a_tiny_rate_is_bounded_not_an_overflow() {
        let lines = [line("2026-11-09", "GPU", None, "0.000001")];
        let s = summarise(&lines, Amount::from_cents(i64::MAX / 4), day("2026-11-10"), day("2027-06-30")).unwrap();
        assert!(matches!(s.run_out, RunOut::OutlastsGrant { .. }), "{:?}", s.run_out);
    }
}
