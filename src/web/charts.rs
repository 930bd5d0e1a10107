//! Charts drawn on the server as SVG: no JavaScript, no CDN, printable, readable without colour.
//!
//! A [`BarChart`] is horizontal bars, one per row, each with its label on the left and its value
//! written at the end of the bar (so no colour or legend is needed to read it), alternate bars
//! hatched. The `<svg>` carries `role="img"` and `aria-labelledby` pointing at its own `<title>`
//! and `<desc>`; the template partial `partials/chart.html` puts a data table right below it.
//! The module knows nothing of the domain: labels and worded values come in as text.

use std::fmt::Write;

/// One bar: its label, its value (in any integer unit, e.g. cents) and the value as people read
/// it (e.g. `€1,250.00`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    pub value: i64,
    pub shown: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BarChart {
    /// Unique on the page: prefixes the ids of the title and description.
    pub id: String,
    pub title: String,
    /// What the chart shows, for screen readers (and the table's caption).
    pub description: String,
    /// Headers of the data table: label column, value column.
    pub label_header: String,
    pub value_header: String,
    pub bars: Vec<Bar>,
}

const WIDTH: i64 = 640;
const LABEL_WIDTH: i64 = 200;
const VALUE_SPACE: i64 = 130;
const BAR_HEIGHT: i64 = 22;
const GAP: i64 = 8;
const TOP: i64 = 8;

/// Escapes text for XML content and attribute values; drops characters XML 1.0 forbids.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Shortens a label to `max` characters, with an ellipsis.
fn shorten(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        label.to_string()
    } else {
        let mut s: String = label.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

impl BarChart {
    pub fn is_empty(&self) -> bool {
        self.bars.is_empty()
    }

    /// An id safe in HTML (letters, digits and hyphens of `self.id`).
    fn safe_id(&self) -> String {
        self.id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect()
    }

    /// The chart as an inline `<svg>` element. Bar lengths are integer arithmetic on the values
    /// (negative values draw no bar but still show their value).
    pub fn svg(&self) -> String {
        let id = self.safe_id();
        let rows = i64::try_from(self.bars.len()).unwrap_or(i64::MAX).max(1);
        let height = TOP.saturating_mul(2).saturating_add(rows.saturating_mul(BAR_HEIGHT + GAP));
        let max = self.bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
        let span = WIDTH - LABEL_WIDTH - VALUE_SPACE;
        let mut svg = String::new();
        let _ = write!(
            svg,
            r#"<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
            escape(&self.title),
            escape(&self.description)
        );
        // Hatching for every other bar: told apart without colour, and in black-and-white print.
        let _ = write!(
            svg,
            r##"<defs><pattern id="{id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#1d4e89" stroke-width="3"/></pattern></defs>"##
        );
        for (i, bar) in self.bars.iter().enumerate() {
            let y = TOP + i64::try_from(i).unwrap_or(0).saturating_mul(BAR_HEIGHT + GAP);
            let length = if bar.value > 0 { i64::try_from(i128::from(bar.value) * i128::from(span) / i128::from(max)).unwrap_or(span).max(1) } else { 0 };
            let fill = if i % 2 == 0 { "#1d4e89".to_string() } else { format!("url(#{id}-hatch)") };
            let text_y = y + BAR_HEIGHT / 2 + 5;
            let _ = write!(
                svg,
                r##"<g><text x="{}" y="{text_y}" text-anchor="end" font-size="13" fill="#1a1a1a">{}</text><rect x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR_HEIGHT}" fill="{fill}" stroke="#1d4e89" stroke-width="1"/><text x="{}" y="{text_y}" font-size="13" fill="#1a1a1a">{}</text></g>"##,
                LABEL_WIDTH - 8,
                escape(&shorten(&bar.label, 28)),
                LABEL_WIDTH + length + 6,
                escape(&bar.shown)
            );
        }
        svg.push_str("</svg>");
        svg
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> BarChart {
        BarChart {
            id: "by-kind".into(),
            title: "Spending by hardware kind".into(),
            description: "GPU €600.00, IPU €300.00".into(),
            label_header: "Kind".into(),
            value_header: "Spent".into(),
            bars: vec![
                Bar { label: "GPU".into(), value: 60_000, shown: "€600.00".into() },
                Bar { label: "IPU <& co>".into(), value: 30_000, shown: "€300.00".into() },
            ],
        }
    }

    #[test]
    fn the_svg_names_itself_for_screen_readers_and_writes_every_value() {
        let svg = chart().svg();
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
        assert!(svg.contains(r#"role="img" aria-labelledby="by-kind-title by-kind-desc""#), "{svg}");
        assert!(svg.contains(r#"<title id="by-kind-title">Spending by hardware kind</title>"#));
        assert!(svg.contains(r#"<desc id="by-kind-desc">GPU €600.00, IPU €300.00</desc>"#));
        assert!(svg.contains(">€600.00</text>") && svg.contains(">€300.00</text>"), "values written as text");
        assert!(svg.contains("IPU &lt;&amp; co&gt;"), "labels escaped");
        // The largest bar takes the whole span, the other half of it.
        assert!(svg.contains(r#"width="310""#) && svg.contains(r#"width="155""#), "{svg}");
        assert!(svg.contains("url(#by-kind-hatch)"), "alternate bars hatched");
        assert!(roxmltree::Document::parse(&svg).is_ok(), "well-formed XML: {svg}");
    }

    #[test]
    fn zero_negative_and_empty_charts_do_not_panic() {
        let mut c = chart();
        c.bars = vec![Bar { label: "x".into(), value: 0, shown: "0".into() }, Bar { label: "y".into(), value: -5, shown: "-5".into() }, Bar { label: "z".into(), value: i64::MAX, shown: "max".into() }];
        assert!(roxmltree::Document::parse(&c.svg()).is_ok());
        c.bars.clear();
        assert!(roxmltree::Document::parse(&c.svg()).is_ok());
    }
}
