//! The SME category of an enterprise per Commission Recommendation 2003/361/EC (its Annex,
//! "Definition of micro, small and medium-sized enterprises").
//!
//! Inputs are the figures of the last closed accounts — staff headcount in annual work units
//! (AWU, an exact decimal), annual turnover and balance-sheet total (exact [`Amount`]s) — of
//! the enterprise itself and of its partner and linked enterprises with the holding in each.
//!
//! - Art. 6(2): a partner enterprise's figures are added in proportion to the holding (the
//!   higher of the share of capital and of voting rights); a linked enterprise's are added in
//!   full (100 %).
//! - Art. 3(2): a partner holds 25 % or more, and at most 50 % (more is a majority: linked).
//! - Art. 2: the ceilings; staff headcount is always checked, and *either* the turnover *or*
//!   the balance-sheet ceiling is enough.
//! - Art. 3(4): an enterprise 25 % or more controlled, directly or indirectly, by one or more
//!   public bodies is not an SME, whatever its figures.
//!
//! Not modelled: Art. 4(2) (a category changes only after the ceilings are crossed in two
//! consecutive years) and the exceptions of Art. 3(2) second subparagraph (investors such as
//! public investment corporations or business angels holding 25–50 % without being partners):
//! the declarant states the relation.
//!
//! Pro-rata amounts are rounded to the cent, halves away from zero; headcounts keep every digit.

use crate::money::Amount;
use rust_decimal::{Decimal, RoundingStrategy};

crate::text_enum! {
    /// The category the Annex defines; `Large` is every enterprise that is not an SME.
    pub enum SmeCategory ("SME category") {
        Micro = "micro",
        Small = "small",
        Medium = "medium",
        Large = "large",
    }
}

crate::text_enum! {
    /// How another enterprise is tied to the declarant (Annex, Art. 3).
    pub enum Relation ("enterprise relation") {
        /// Art. 3(2): a holding of 25 % to 50 %.
        Partner = "partner",
        /// Art. 3(3): a majority, or dominant influence.
        Linked = "linked",
    }
}

/// The figures of one enterprise's last closed accounts (Annex, Art. 4(1)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Figures {
    /// Staff headcount in annual work units (Art. 5).
    pub staff_awu: Decimal,
    pub turnover: Amount,
    pub balance_sheet: Amount,
}

/// A partner or linked enterprise as declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Associate {
    pub name: String,
    pub relation: Relation,
    /// Percent of the capital held (either way: by or in the declarant).
    pub capital_share: Decimal,
    /// Percent of the voting rights held.
    pub voting_share: Decimal,
    pub figures: Figures,
}

impl Associate {
    /// Art. 6(2): the higher of the capital and voting-rights shares.
    pub fn holding(&self) -> Decimal {
        self.capital_share.max(self.voting_share)
    }
}

/// What the enterprise declares.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Declaration {
    pub own: Figures,
    /// Art. 3(4): 25 % or more of the capital or voting rights controlled by public bodies.
    pub public_body_control: bool,
    pub associates: Vec<Associate>,
}

/// One enterprise's part of the totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contribution {
    /// `None`: the declarant itself.
    pub name: Option<String>,
    pub relation: Option<Relation>,
    /// The percentage counted: 100 for the declarant and linked enterprises, the holding for a partner.
    pub counted_percent: Decimal,
    pub figures: Figures,
}

/// One ceiling of Art. 2 and how the totals compare with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThresholdCheck {
    pub category: SmeCategory,
    /// Staff must be *fewer* than this.
    pub staff_below: Decimal,
    /// Turnover must not exceed this …
    pub turnover_max: Amount,
    /// … or the balance-sheet total must not exceed this.
    pub balance_sheet_max: Amount,
    pub staff_ok: bool,
    pub turnover_ok: bool,
    pub balance_sheet_ok: bool,
}

impl ThresholdCheck {
    /// Art. 2: staff under the ceiling, and turnover *or* balance sheet within theirs.
    pub fn met(&self) -> bool {
        self.staff_ok && (self.turnover_ok || self.balance_sheet_ok)
    }
}

/// Why the category is what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// Art. 3(4): controlled by public bodies, so not an SME.
    PublicBodies,
    /// The first ceiling of [`Working::checks`] met, from micro up (this index), or none: large.
    Threshold(Option<usize>),
}

/// The category with its working, for a page to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Working {
    pub category: SmeCategory,
    pub contributions: Vec<Contribution>,
    pub totals: Figures,
    /// Micro, small, medium, in that order.
    pub checks: Vec<ThresholdCheck>,
    pub basis: Basis,
}

impl Working {
    /// The ceiling that decided the category, if one did.
    pub fn deciding_check(&self) -> Option<&ThresholdCheck> {
        match self.basis {
            Basis::Threshold(Some(i)) => self.checks.get(i),
            _ => None,
        }
    }
}

/// A declaration that cannot be counted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmeError {
    /// Art. 3(2): a partner holds 25 % to 50 %.
    #[error("{name}: a partner enterprise holds 25 % to 50 % (declared {holding} %)")]
    PartnerHoldingOutOfRange { name: String, holding: Decimal },
    #[error("{name}: a share is a percentage from 0 to 100 (declared {holding} %)")]
    ShareOutOfRange { name: String, holding: Decimal },
    #[error("a headcount, turnover or balance-sheet total is negative")]
    Negative,
    #[error("the figures are too large to add up")]
    Overflow,
}

const EUR: i64 = 100; // cents

/// Annex, Art. 2(1)–(3): the ceilings, micro first.
pub fn ceilings() -> [(SmeCategory, Decimal, Amount, Amount); 3] {
    [
        (SmeCategory::Micro, Decimal::from(10), Amount::from_cents(2_000_000 * EUR), Amount::from_cents(2_000_000 * EUR)),
        (SmeCategory::Small, Decimal::from(50), Amount::from_cents(10_000_000 * EUR), Amount::from_cents(10_000_000 * EUR)),
        (SmeCategory::Medium, Decimal::from(250), Amount::from_cents(50_000_000 * EUR), Amount::from_cents(43_000_000 * EUR)),
    ]
}

fn check_figures(figures: &Figures) -> Result<(), SmeError> {
    if figures.staff_awu < Decimal::ZERO || figures.turnover.is_negative() || figures.balance_sheet.is_negative() {
        return Err(SmeError::Negative);
    }
    Ok(())
}

/// `amount` × `percent` / 100, to the cent.
fn pro_rata(amount: Amount, percent: Decimal) -> Result<Amount, SmeError> {
    let cents = Decimal::from(amount.cents()).checked_mul(percent).and_then(|v| v.checked_div(Decimal::ONE_HUNDRED)).ok_or(SmeError::Overflow)?;
    let rounded = cents.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
    i64::try_from(rounded).map(Amount::from_cents).map_err(|_| SmeError::Overflow)
}

fn share(figures: &Figures, percent: Decimal) -> Result<Figures, SmeError> {
    if percent == Decimal::ONE_HUNDRED {
        return Ok(*figures);
    }
    Ok(Figures {
        staff_awu: figures.staff_awu.checked_mul(percent).and_then(|v| v.checked_div(Decimal::ONE_HUNDRED)).ok_or(SmeError::Overflow)?,
        turnover: pro_rata(figures.turnover, percent)?,
        balance_sheet: pro_rata(figures.balance_sheet, percent)?,
    })
}

fn add(a: &Figures, b: &Figures) -> Result<Figures, SmeError> {
    Ok(Figures {
        staff_awu: a.staff_awu.checked_add(b.staff_awu).ok_or(SmeError::Overflow)?,
        turnover: a.turnover.checked_add(b.turnover).map_err(|_| SmeError::Overflow)?,
        balance_sheet: a.balance_sheet.checked_add(b.balance_sheet).map_err(|_| SmeError::Overflow)?,
    })
}

/// The category of the declaring enterprise, with its working.
pub fn categorise(declaration: &Declaration) -> Result<Working, SmeError> {
    check_figures(&declaration.own)?;
    let mut contributions = vec![Contribution { name: None, relation: None, counted_percent: Decimal::ONE_HUNDRED, figures: declaration.own }];
    let mut totals = declaration.own;
    for associate in &declaration.associates {
        check_figures(&associate.figures)?;
        for s in [associate.capital_share, associate.voting_share] {
            if s < Decimal::ZERO || s > Decimal::ONE_HUNDRED {
                return Err(SmeError::ShareOutOfRange { name: associate.name.clone(), holding: s });
            }
        }
        let holding = associate.holding();
        let counted_percent = match associate.relation {
            // Art. 3(2) and Art. 6(2) first subparagraph.
            Relation::Partner => {
                if holding < Decimal::from(25) || holding > Decimal::from(50) {
                    return Err(SmeError::PartnerHoldingOutOfRange { name: associate.name.clone(), holding });
                }
                holding
            }
            // Art. 6(2) second subparagraph: 100 % of a linked enterprise's figures.
            Relation::Linked => Decimal::ONE_HUNDRED,
        };
        let counted = share(&associate.figures, counted_percent)?;
        totals = add(&totals, &counted)?;
        contributions.push(Contribution { name: Some(associate.name.clone()), relation: Some(associate.relation), counted_percent, figures: counted });
    }
    let checks: Vec<ThresholdCheck> = ceilings()
        .into_iter()
        .map(|(category, staff_below, turnover_max, balance_sheet_max)| ThresholdCheck {
            category,
            staff_below,
            turnover_max,
            balance_sheet_max,
            staff_ok: totals.staff_awu < staff_below,
            turnover_ok: totals.turnover <= turnover_max,
            balance_sheet_ok: totals.balance_sheet <= balance_sheet_max,
        })
        .collect();
    let (category, basis) = if declaration.public_body_control {
        (SmeCategory::Large, Basis::PublicBodies)
    } else {
        match checks.iter().position(ThresholdCheck::met) {
            Some(i) => (checks[i].category, Basis::Threshold(Some(i))),
            None => (SmeCategory::Large, Basis::Threshold(None)),
        }
    };
    Ok(Working { category, contributions, totals, checks, basis })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    fn eur(euros: i64) -> Amount {
        Amount::from_cents(euros * 100)
    }

    fn figures(awu: &str, turnover: i64, balance: i64) -> Figures {
        Figures { staff_awu: d(awu), turnover: eur(turnover), balance_sheet: eur(balance) }
    }

    fn alone(awu: &str, turnover: i64, balance: i64) -> Declaration {
        Declaration { own: figures(awu, turnover, balance), ..Declaration::default() }
    }

    fn category(declaration: &Declaration) -> SmeCategory {
        categorise(declaration).unwrap().category
    }

    fn associate(name: &str, relation: Relation, share: &str, f: Figures) -> Associate {
        Associate { name: name.into(), relation, capital_share: d(share), voting_share: d(share), figures: f }
    }

    // Annex, Art. 2(3): micro is fewer than 10 AWU and turnover or balance sheet ≤ €2M.
    #[test]
    fn annex_art2_3_micro_needs_fewer_than_10_awu() {
        assert_eq!(category(&alone("9.99", 100_000, 100_000)), SmeCategory::Micro);
        assert_eq!(category(&alone("10", 100_000, 100_000)), SmeCategory::Small, "exactly 10 AWU is not fewer than 10");
    }

    #[test]
    fn annex_art2_3_micro_turnover_of_exactly_2m_is_micro() {
        assert_eq!(category(&alone("3", 2_000_000, 5_000_000)), SmeCategory::Micro);
        let just_over = Declaration { own: Figures { turnover: Amount::from_cents(200_000_001), ..figures("3", 0, 5_000_000) }, ..Declaration::default() };
        assert_eq!(category(&just_over), SmeCategory::Small, "one cent over €2M turnover, balance sheet over €2M too");
    }

    // Art. 2(3): turnover *or* balance sheet: one within the ceiling is enough.
    #[test]
    fn annex_art2_3_micro_balance_sheet_alone_is_enough() {
        let working = categorise(&alone("5", 9_000_000, 2_000_000)).unwrap();
        assert_eq!(working.category, SmeCategory::Micro);
        let decided = working.deciding_check().unwrap();
        assert!(!decided.turnover_ok && decided.balance_sheet_ok && decided.staff_ok);
    }

    // Art. 2(2): small is fewer than 50 AWU and turnover or balance sheet ≤ €10M.
    #[test]
    fn annex_art2_2_small_ceilings() {
        assert_eq!(category(&alone("49.5", 10_000_000, 20_000_000)), SmeCategory::Small);
        assert_eq!(category(&alone("50", 1_000_000, 1_000_000)), SmeCategory::Medium, "exactly 50 AWU is not small");
        assert_eq!(category(&alone("20", 10_000_001, 10_000_001)), SmeCategory::Medium, "both financial ceilings crossed");
    }

    // Art. 2(1): medium is fewer than 250 AWU and turnover ≤ €50M or balance sheet ≤ €43M.
    #[test]
    fn annex_art2_1_medium_ceilings() {
        assert_eq!(category(&alone("249", 50_000_000, 90_000_000)), SmeCategory::Medium);
        assert_eq!(category(&alone("249", 90_000_000, 43_000_000)), SmeCategory::Medium, "balance sheet of exactly €43M");
        assert_eq!(category(&alone("249", 50_000_001, 43_000_001)), SmeCategory::Large);
        assert_eq!(category(&alone("250", 1_000_000, 1_000_000)), SmeCategory::Large, "exactly 250 AWU is not an SME");
    }

    // Art. 6(2): partners are counted pro rata to the holding, the higher of capital and votes.
    #[test]
    fn annex_art6_2_partner_added_pro_rata_to_the_higher_share() {
        let partner = Associate {
            name: "Partner GmbH".into(),
            relation: Relation::Partner,
            capital_share: d("25"),
            voting_share: d("40"),
            figures: figures("20", 1_000_000, 500_000),
        };
        let working = categorise(&Declaration { own: figures("4", 100_000, 100_000), public_body_control: false, associates: vec![partner] }).unwrap();
        assert_eq!(working.contributions[1].counted_percent, d("40"));
        assert_eq!(working.contributions[1].figures, figures("8", 400_000, 200_000));
        assert_eq!(working.totals, figures("12", 500_000, 300_000));
        assert_eq!(working.category, SmeCategory::Small, "8 AWU of the partner's 20 take it to 12");
    }

    // Art. 6(2): pro-rata cents are rounded half away from zero.
    #[test]
    fn annex_art6_2_pro_rata_rounds_to_the_cent() {
        let partner = associate("P", Relation::Partner, "33.333", Figures { staff_awu: d("1"), turnover: Amount::from_cents(100), balance_sheet: Amount::from_cents(150) });
        let working = categorise(&Declaration { associates: vec![partner], ..Declaration::default() }).unwrap();
        assert_eq!(working.contributions[1].figures.turnover, Amount::from_cents(33));
        assert_eq!(working.contributions[1].figures.balance_sheet, Amount::from_cents(50), "49.9995 cents");
        assert_eq!(working.contributions[1].figures.staff_awu, d("0.33333"));
    }

    // Art. 6(2) second subparagraph: a linked enterprise counts 100 %, which can push a small
    // company to medium.
    #[test]
    fn annex_art6_2_linked_enterprise_counts_in_full_and_makes_a_small_company_medium() {
        let own = figures("30", 6_000_000, 5_000_000);
        assert_eq!(category(&alone("30", 6_000_000, 5_000_000)), SmeCategory::Small);
        let parent = associate("Holding SA", Relation::Linked, "60", figures("40", 8_000_000, 7_000_000));
        let working = categorise(&Declaration { own, public_body_control: false, associates: vec![parent] }).unwrap();
        assert_eq!(working.contributions[1].counted_percent, Decimal::ONE_HUNDRED, "not 60 %");
        assert_eq!(working.totals, figures("70", 14_000_000, 12_000_000));
        assert_eq!(working.category, SmeCategory::Medium);
        assert_eq!(working.deciding_check().unwrap().category, SmeCategory::Medium);
        assert!(!working.checks[1].staff_ok, "70 AWU is not fewer than 50");
    }

    // Art. 3(2): a partner holds 25 % to 50 %: 50 % is still a partner, 24.99 % is not one.
    #[test]
    fn annex_art3_2_partner_holding_is_25_to_50_percent() {
        let ok = associate("P", Relation::Partner, "50", figures("1", 1, 1));
        assert!(categorise(&Declaration { associates: vec![ok], ..Declaration::default() }).is_ok());
        for share in ["24.99", "50.01"] {
            let bad = associate("P", Relation::Partner, share, figures("1", 1, 1));
            assert!(matches!(categorise(&Declaration { associates: vec![bad], ..Declaration::default() }), Err(SmeError::PartnerHoldingOutOfRange { .. })), "{share}");
        }
        let over = associate("L", Relation::Linked, "100.5", figures("1", 1, 1));
        assert!(matches!(categorise(&Declaration { associates: vec![over], ..Declaration::default() }), Err(SmeError::ShareOutOfRange { .. })));
    }

    // Art. 3(4): 25 % or more controlled by public bodies: not an SME, whatever the figures.
    #[test]
    fn annex_art3_4_public_body_control_is_not_an_sme() {
        let working = categorise(&Declaration { own: figures("2", 10_000, 10_000), public_body_control: true, associates: vec![] }).unwrap();
        assert_eq!(working.category, SmeCategory::Large);
        assert_eq!(working.basis, Basis::PublicBodies);
        assert!(working.checks[0].met(), "the figures alone would make it micro");
    }

    #[test]
    fn negative_figures_and_overflow_are_errors_not_panics() {
        assert_eq!(categorise(&alone("-1", 0, 0)), Err(SmeError::Negative));
        let huge = Figures { staff_awu: d("1"), turnover: Amount::from_cents(i64::MAX), balance_sheet: Amount::ZERO };
        let linked = associate("L", Relation::Linked, "100", huge);
        assert_eq!(categorise(&Declaration { own: huge, public_body_control: false, associates: vec![linked] }), Err(SmeError::Overflow));
    }
}
