//! Bad usage files are refused whole, with every problem located, and change nothing.

use crate::helpers::{Backend, usage_csv};
use crate::journey::{Setup, approve, programme_with_application};
use crate::both_backends;
use computegrants::db::schema::{ledger_accounts, ledger_entries, usage_lines, usage_uploads};
use computegrants::ledger;
use diesel::prelude::*;

/// Everything a bad upload could touch, to compare before and after.
fn snapshot(s: &Setup) -> (i64, i64, i64, Vec<(String, i64, i64)>) {
    let mut conn = s.app.conn();
    let uploads: i64 = usage_uploads::table.count().get_result(&mut conn).unwrap();
    let lines: i64 = usage_lines::table.count().get_result(&mut conn).unwrap();
    let entries: i64 = ledger_entries::table.count().get_result(&mut conn).unwrap();
    let balances = ledger_accounts::table
        .order(ledger_accounts::code)
        .select((ledger_accounts::code, ledger_accounts::debits_posted, ledger_accounts::credits_posted))
        .load(&mut conn)
        .unwrap();
    (uploads, lines, entries, balances)
}

async fn bad_usage_files_change_nothing(backend: Backend) {
    let mut s = programme_with_application(backend, "bad_usage_files_change_nothing").await;
    let code = approve(&mut s, "1000").await;
    let mut provider = s.provider.clone_for_test();
    provider.refresh_csrf("/usage/new").await;
    let before = snapshot(&s);

    // Broken cells: each problem names its line and column.
    let mut csv = usage_csv(&code, &["10.00", "abc", "5.00"]);
    csv.push_str(&format!("2026-13-01T00:00:00Z,2026-10-01T00:00:00Z,GPU,1,h,1.00,EURO,{code},Usage\n"));
    let r = provider.upload("broken.csv", &csv).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("line 3, column 6 (BilledCost)"), "{}", r.body);
    assert!(r.body.contains("“abc” is not a decimal number"));
    assert!(r.body.contains("line 5, column 1 (ChargePeriodStart)"));
    assert!(r.body.contains("line 5, column 7 (BillingCurrency)"));
    assert!(r.body.contains("Nothing was stored or charged"));
    assert_eq!(snapshot(&s), before);

    // Unknown grant, and a grant of another provider's, are named the same way.
    let r = provider.upload("unknown.csv", &usage_csv("G-2099-9999", &["1.00"])).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("no grant “G-2099-9999” is billable by your organisation"));

    // More than the grant holds: refused, nothing stored.
    let r = provider.upload("too-much.csv", &usage_csv(&code, &["600.00", "400.01"])).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains(&format!("grant {code} has 1,000.00 EUR left; this file charges it 1,000.01")), "{}", r.body);
    assert_eq!(snapshot(&s), before);

    // Not a FOCUS file at all, an empty file, a missing column.
    let r = provider.upload("notes.csv", "hello,world\n1,2\n").await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("no BilledCost column"));
    let r = provider.upload("empty.csv", "").await;
    assert_eq!(r.status, 422);
    let r = provider.upload("binary.csv", "BilledCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,ServiceName,ConsumedQuantity,ConsumedUnit,SubAccountId\n\u{0}\u{1}\u{2}").await;
    assert_eq!(r.status, 422);
    assert_eq!(snapshot(&s), before);

    // Exactly the balance is fine; afterwards a second file is refused at confirmation if
    // another upload got there first.
    let first = provider.upload("a.csv", &usage_csv(&code, &["700.00"])).await;
    let second = provider.upload("b.csv", &usage_csv(&code, &["300.00", "0.01"])).await;
    assert_eq!(first.status, 303);
    assert_eq!(second.status, 303, "each fits on its own: {}", second.body);
    let first_path = first.location.unwrap();
    provider.refresh_csrf(&first_path).await;
    assert_eq!(provider.post(&format!("{first_path}/confirm"), &[]).await.status, 303);
    let before_second = snapshot(&s);
    let second_path = second.location.unwrap();
    let r = provider.post(&format!("{second_path}/confirm"), &[]).await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("has only €300.00 left"), "{}", r.body);
    assert!(r.body.contains("Nothing was posted"));
    assert_eq!(snapshot(&s), before_second, "a refused confirmation changes nothing");
    assert!(provider.get(&second_path).await.body.contains("pending"));

    // Re-uploading a submitted file is refused.
    let r = provider.upload("a-again.csv", &usage_csv(&code, &["700.00"])).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("already submitted"), "{}", r.body);

    ledger::verify(&mut s.app.conn()).expect("ledger verifies");
}
both_backends!(bad_usage_files_change_nothing);

async fn oversized_upload_is_refused(backend: Backend) {
    let s = programme_with_application(backend, "oversized_upload_is_refused").await;
    let mut provider = s.provider.clone_for_test();
    provider.refresh_csrf("/usage/new").await;
    let big = "x".repeat(crate::helpers::TEST_USAGE_MAX_BYTES as usize + 10);
    let r = provider.upload("big.csv", &big).await;
    assert_eq!(r.status, 413, "{}", r.body);
    // The form comes back with the reason, not a bare error page.
    assert!(r.body.contains("larger than 2 MB") && r.body.contains("action=\"/usage\""), "{}", r.body);
    let count: i64 = usage_uploads::table.count().get_result(&mut s.app.conn()).unwrap();
    assert_eq!(count, 0);
}
both_backends!(oversized_upload_is_refused);

async fn the_same_file_uploaded_twice_posts_once(backend: Backend) {
    let mut s = programme_with_application(backend, "the_same_file_uploaded_twice_posts_once").await;
    let code = approve(&mut s, "1000").await;
    let mut provider = s.provider.clone_for_test();
    provider.refresh_csrf("/usage/new").await;
    let csv = usage_csv(&code, &["12.34"]);
    let first = provider.upload("a.csv", &csv).await.location.unwrap();
    let second = provider.upload("a-copy.csv", &csv).await.location.unwrap();
    assert_ne!(first, second, "both are pending before either is posted");
    assert_eq!(provider.post(&format!("{first}/confirm"), &[]).await.status, 303);
    let r = provider.post(&format!("{second}/confirm"), &[]).await;
    assert_eq!(r.status, 409);
    let number = first.rsplit('/').next().unwrap();
    assert!(r.body.contains(&format!("already posted as upload #{number}")), "{}", r.body);
    let mut conn = s.app.conn();
    assert_eq!(ledger::verify(&mut conn).unwrap().entries, 5, "fund, the offer's hold and release, award, one usage");
}
both_backends!(the_same_file_uploaded_twice_posts_once);

async fn unknown_codes_are_reported_once_each(backend: Backend) {
    let mut s = programme_with_application(backend, "unknown_codes_are_reported_once_each").await;
    let code = approve(&mut s, "1000").await;
    let mut provider = s.provider.clone_for_test();
    provider.refresh_csrf("/usage/new").await;
    // 20 lines for an unknown code, 2 for another, 1 for the real grant.
    let mut csv = usage_csv("ACCT-123", &["1.00"; 20]);
    csv.push_str(&usage_csv("ACCT-999", &["1.00", "1.00"]).lines().skip(1).map(|l| format!("{l}\n")).collect::<String>());
    csv.push_str(&usage_csv(&code, &["1.00"]).lines().skip(1).map(|l| format!("{l}\n")).collect::<String>());
    let r = provider.upload("theirs.csv", &csv).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body.matches("no grant “ACCT-123”").count(), 1, "one problem per unknown code");
    assert!(r.body.contains("(lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 10 more)"), "{}", r.body);
    assert!(r.body.contains("no grant “ACCT-999” is billable by your organisation (lines 22, 23)"), "{}", r.body);
    assert!(r.body.contains("2 problems found."), "{}", r.body);
}
both_backends!(unknown_codes_are_reported_once_each);

/// The defect: an H100 GPU-hour billed at 999.00 EUR in unit "banana" passed. Each line is now
/// matched to the provider's catalogue on its charge day (by SKU, else service and unit), and
/// billed at most the programme's tolerance above the catalogue price.
async fn usage_is_checked_against_the_catalogue(backend: Backend) {
    let mut s = programme_with_application(backend, "usage_is_checked_against_the_catalogue").await;
    let code = approve(&mut s, "10000").await;
    let mut p = s.provider.clone_for_test();
    // The provider adds an H100 offering through its catalogue page, at 2.40 EUR the GPU-hour.
    p.refresh_csrf("/catalogue").await;
    let today = chrono::Utc::now().date_naive();
    let week_ago = (today - chrono::Duration::days(7)).to_string();
    let r = p
        .post(
            "/catalogue",
            &[("sku_id", "H100-SXM"), ("name", "NVIDIA H100"), ("service_name", "H100"), ("hardware_kind", "GPU"), ("region", "fr-par"), ("country", "FR"), ("unit", "GPU-hour"), ("price", "2.40"), ("currency", "EUR"), ("valid_from", &week_ago), ("description", "")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let line = |sku: &str, service: &str, quantity: &str, unit: &str, cost: &str, hour: u32| {
        format!("{today}T{hour:02}:00:00Z,{today}T{hour:02}:59:59Z,{service},{sku},{quantity},{unit},{cost},EUR,{code},Usage\n")
    };
    let header = "ChargePeriodStart,ChargePeriodEnd,ServiceName,SkuId,ConsumedQuantity,ConsumedUnit,BilledCost,BillingCurrency,SubAccountId,ChargeCategory\n";
    p.refresh_csrf("/usage/new").await;
    let bad = format!(
        "{header}{}{}{}{}",
        line("H100-SXM", "H100", "1", "banana", "2.40", 0),
        line("H100-SXM", "H100", "1", "GPU-hour", "999.00", 1),
        line("", "Quantum annealer", "1", "QPU-hour", "5.00", 2),
        line("H100-SXM", "H100", "1.5", "GPU-hour", "3.79", 3),
    );
    let before = snapshot(&s);
    let r = p.upload("bad.csv", &bad).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("is “banana”, but NVIDIA H100 is sold by the GPU-hour"), "{}", r.body);
    assert!(r.body.contains("bills 999.00 EUR per GPU-hour; NVIDIA H100 costs 2.40 EUR in your catalogue"), "{}", r.body);
    assert!(r.body.contains("“Quantum annealer” is not in your catalogue"), "{}", r.body);
    // 1.5 h at 2.40 is 3.60; 5 % above is 3.78: 3.79 is refused, on line 5 (the header is line 1).
    assert!(r.body.contains("line 5, column BilledCost"), "{}", r.body);
    assert_eq!(snapshot(&s), before, "nothing stored");
    // Within the tolerance, and below the price (a discount), is fine.
    let good = format!("{header}{}{}", line("H100-SXM", "H100", "1.5", "GPU-hour", "3.78", 0), line("", "H100", "2", "GPU-hour", "3.00", 1));
    let r = p.upload("good.csv", &good).await;
    assert_eq!(r.status, 303, "{}", r.body);
    // The funder sets no tolerance: 3.78 for 1.5 h is now refused.
    use computegrants::db::schema::programmes;
    diesel::update(programmes::table).set(programmes::price_tolerance_percent.eq(0)).execute(&mut s.app.conn()).unwrap();
    let r = p.upload("again.csv", &format!("{header}{}", line("H100-SXM", "H100", "1.5", "GPU-hour", "3.78", 2))).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("allows 0% above it"), "{}", r.body);
    // A new price from tomorrow leaves today's usage checked against today's price.
    p.refresh_csrf("/catalogue").await;
    let page = p.get("/catalogue").await.body;
    let id_at = page.find("/catalogue/").unwrap() + 11;
    let id: String = page[id_at..].chars().take_while(char::is_ascii_digit).collect();
    let tomorrow = (today + chrono::Duration::days(1)).to_string();
    assert_eq!(p.post(&format!("/catalogue/{id}/price"), &[("price", "1.00"), ("valid_from", &tomorrow)]).await.status, 303);
    p.refresh_csrf("/usage/new").await;
    let r = p.upload("today.csv", &format!("{header}{}", line("H100-SXM", "H100", "1", "GPU-hour", "2.40", 3))).await;
    assert_eq!(r.status, 303, "today keeps today's price: {}", r.body);
    // History is not rewritten: a change cannot start before the current price did.
    p.refresh_csrf("/catalogue").await;
    let page = p.get("/catalogue").await.body;
    assert!(page.contains("1.00") && page.contains("2.40"), "both prices are listed");
}
both_backends!(usage_is_checked_against_the_catalogue);

/// An invoice sent as usage is named as such; an empty file says so; a file with many problems
/// offers them all as a CSV download.
async fn wrong_files_are_named_and_many_problems_download(backend: Backend) {
    let mut s = programme_with_application(backend, "wrong_files_are_named_and_many_problems_download").await;
    let code = approve(&mut s, "10000").await;
    let mut p = s.provider.clone_for_test();
    p.refresh_csrf("/usage/new").await;
    let invoice = crate::helpers::ubl_invoice("INV-1", "Cloud", "Agency", &[(code.as_str(), "1.00")]);
    let r = p.upload("invoice.xml", &invoice).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("this is an e-invoice (EN 16931 XML), not a usage file"), "{}", r.body);
    let r = p.upload("empty.csv", "").await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("the file is empty") || r.body.contains("choose a usage file"), "{}", r.body);
    // 300 bad lines: the page lists 200, the CSV all 300, each with its line number.
    let mut csv = usage_csv(&code, &["1.00"]);
    for _ in 0..300 {
        csv.push_str(&csv.lines().nth(1).unwrap().replace(",1.00,", ",abc,"));
        csv.push('\n');
    }
    let r = p.upload("many.csv", &csv).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("and 100 more"), "{}", &r.body[..2000.min(r.body.len())]);
    let start = r.body.find("href=\"data:text/csv;charset=utf-8,").expect("a CSV download") + 6;
    let link = &r.body[start..start + r.body[start..].find('"').unwrap()];
    let encoded = link.split_once(',').unwrap().1;
    let mut bytes = Vec::new();
    let raw = encoded.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'%' {
            bytes.push(u8::from_str_radix(std::str::from_utf8(&raw[i + 1..i + 3]).unwrap(), 16).unwrap());
            i += 3;
        } else {
            bytes.push(raw[i]);
            i += 1;
        }
    }
    let text = String::from_utf8(bytes).unwrap();
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows.len(), 301, "a header and every problem");
    assert!(rows[1].starts_with("3,BilledCost,"), "{}", rows[1]);
    assert!(rows[300].starts_with("302,BilledCost,"), "{}", rows[300]);
}
both_backends!(wrong_files_are_named_and_many_problems_download);

/// Providers resend overlapping periods: a line already billed in an earlier submitted file
/// (same resource, SKU and charge period) refuses the new file, naming the earlier line.
async fn a_line_billed_in_an_earlier_file_is_refused(backend: Backend) {
    let mut s = programme_with_application(backend, "a_line_billed_in_an_earlier_file_is_refused").await;
    let code = approve(&mut s, "10000").await;
    let mut p = s.provider.clone_for_test();
    let today = chrono::Utc::now().date_naive();
    let header = "ChargePeriodStart,ChargePeriodEnd,ServiceName,ResourceId,ConsumedQuantity,ConsumedUnit,BilledCost,BillingCurrency,SubAccountId\n";
    let line = |resource: &str, hour: u32, cost: &str| format!("{today}T{hour:02}:00:00Z,{today}T{hour:02}:59:59Z,GPU compute,{resource},1,GPU-hour,{cost},EUR,{code}\n");
    p.refresh_csrf("/usage/new").await;
    let first = p.upload("hours-0-1.csv", &format!("{header}{}{}", line("vm-1", 0, "2.00"), line("vm-1", 1, "2.00"))).await;
    assert_eq!(first.status, 303, "{}", first.body);
    // While the first file is only pending, the second is not compared with it.
    let second = format!("{header}{}{}{}", line("vm-1", 1, "2.00"), line("vm-2", 1, "2.00"), line("vm-1", 2, "2.00"));
    assert_eq!(p.upload("hours-1-2.csv", &second).await.status, 303);
    let first_path = first.location.unwrap();
    p.refresh_csrf(&first_path).await;
    assert_eq!(p.post(&format!("{first_path}/confirm"), &[]).await.status, 303);
    p.refresh_csrf("/usage/new").await;
    let r = p.upload("hours-1-2-again.csv", &format!("{second}{}", line("vm-3", 3, "2.00"))).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("line 2, column ResourceId") && r.body.contains("vm-1 was already billed for this charge period and SKU"), "{}", r.body);
    assert_eq!(r.body.matches("already billed").count(), 1, "vm-2 and the later hour are new");
}
both_backends!(a_line_billed_in_an_earlier_file_is_refused);
