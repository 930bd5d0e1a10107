//! The languages the application speaks, and how a request's language is chosen.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Locale {
    #[default]
    En,
    Fr,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::En, Locale::Fr];

    /// The BCP 47 tag used in `<html lang>`, cookies and the database.
    pub fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Fr => "fr",
        }
    }

    /// `en`, `en-GB`, `fr`, `fr-BE`, … (case-insensitive); anything else is not spoken here.
    pub fn parse(tag: &str) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Locale::En),
            "fr" => Some(Locale::Fr),
            _ => None,
        }
    }

    /// The best language of an `Accept-Language` header that is spoken here, by quality.
    pub fn from_accept_language(header: &str) -> Option<Locale> {
        let mut best: Option<(u32, Locale)> = None;
        for (position, item) in header.split(',').enumerate().take(32) {
            let mut parts = item.split(';');
            let Some(locale) = parts.next().and_then(Locale::parse) else { continue };
            let quality = parts
                .find_map(|p| p.trim().strip_prefix("q=").map(str::to_string))
                .map(|q| parse_quality(&q))
                .unwrap_or(1000);
            if quality == 0 {
                continue;
            }
            // Earlier items win ties: quality first, then position.
            let score = quality * 64 + (63 - position.min(63) as u32);
            if best.is_none_or(|(s, _)| score > s) {
                best = Some((score, locale));
            }
        }
        best.map(|(_, l)| l)
    }
}

/// `q` values are 0 to 1 with up to three decimals; in thousandths, so no floating point.
fn parse_quality(text: &str) -> u32 {
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let whole: u32 = match whole {
        "0" => 0,
        "1" => 1,
        _ => return 0,
    };
    let digits: String = fraction.chars().take(3).collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return 0;
    }
    let thousandths = format!("{digits:0<3}").parse::<u32>().unwrap_or(0);
    (whole * 1000 + thousandths).min(1000)
}

impl std::fmt::Display for Locale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_spoken_language() {
        assert_eq!(Locale::from_accept_language("fr-FR,fr;q=0.9,en;q=0.8"), Some(Locale::Fr));
        assert_eq!(Locale::from_accept_language("de-DE,de;q=0.9,en;q=0.5,fr;q=0.4"), Some(Locale::En));
        assert_eq!(Locale::from_accept_language("en;q=0.2, fr;q=0.7"), Some(Locale::Fr));
        assert_eq!(Locale::from_accept_language("de, it"), None);
        assert_eq!(Locale::from_accept_language("fr;q=0, en"), Some(Locale::En));
        assert_eq!(Locale::from_accept_language(""), None);
        assert_eq!(Locale::from_accept_language("en, fr"), Some(Locale::En));
    }
}
