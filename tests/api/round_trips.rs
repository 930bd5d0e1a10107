//! What billing costs the database. A provider's usage file, its submission, its invoice and the funder's approval cost the same
//! number of statements whatever the number of grants they bill: nothing is read or written
//! grant by grant. On PostgreSQL every statement is a round trip to the server, and a file over
//! thousands of grants once made tens of thousands of them.

use crate::both_backends;
use crate::helpers::{Backend, PASSWORD, TestDb};
use computegrants::db::AnyConnection;
use computegrants::domain::applications::{self, Decision, NewApplication};
use computegrants::domain::identity::{self, CompanyDetails, Member, OrgKind};
use computegrants::domain::programmes;
use computegrants::domain::{invoicing, offers, usage};
use computegrants::money::Amount;
use diesel::connection::{Connection, InstrumentationEvent};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Runs `work` and counts the statements it sends to the database.
fn counted<T>(conn: &mut AnyConnection, work: impl FnOnce(&mut AnyConnection) -> T) -> (T, usize) {
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        if let InstrumentationEvent::StartQuery { .. } = event {
            seen.fetch_add(1, Ordering::Relaxed);
        }
    });
    let out = work(conn);
    conn.set_instrumentation(|_: InstrumentationEvent<'_>| {});
    (out, count.load(Ordering::Relaxed))
}

/// A French SIREN (nine digits, Luhn) from a running number.
fn siren(n: usize) -> String {
    let base = format!("{:08}", 20_000_000 + n);
    let sum: u32 = base
        .chars()
        .enumerate()
        .map(|(i, c)| {
            let d = c.to_digit(10).unwrap();
            if i % 2 == 1 { if d * 2 > 9 { d * 2 - 9 } else { d * 2 } } else { d }
        })
        .sum();
    format!("{base}{}", (10 - sum % 10) % 10)
}

/// Statements sent to upload, submit, invoice and approve one file.
#[derive(Debug, PartialEq, Eq)]
struct Cost {
    upload: usize,
    confirm: usize,
    receive: usize,
    approve: usize,
}

fn bill(conn: &mut AnyConnection, provider: &Member, funder: &Member, codes: &[String], number: &str) -> Cost {
    let today = chrono::Utc::now().date_naive();
    let mut csv = String::from("ChargePeriodStart,ChargePeriodEnd,ServiceName,ConsumedQuantity,ConsumedUnit,BilledCost,BillingCurrency,SubAccountId,ChargeCategory\n");
    for (i, code) in codes.iter().enumerate() {
        // Two lines per grant, so that lines outnumber grants too.
        for hour in [2 * i, 2 * i + 1] {
            csv.push_str(&format!("{today}T{hour:02}:00:00Z,{today}T{hour:02}:59:59Z,GPU compute,1,GPU-hour,10.00,EUR,{code},Usage\n"));
        }
    }
    let (outcome, upload) = counted(conn, |c| usage::upload(c, provider, &format!("{number}.csv"), csv.as_bytes()).unwrap());
    let usage::UploadOutcome::Pending(view) = outcome else { panic!("the file was refused") };
    let upload_id = view.upload.id;
    let (submitted, confirm) = counted(conn, |c| usage::confirm(c, provider, upload_id).unwrap());
    assert_eq!(submitted.charges.len(), codes.len());
    let lines: Vec<(&str, &str)> = codes.iter().map(|code| (code.as_str(), "20.00")).collect();
    let invoice = crate::helpers::ubl_invoice(number, &provider.organisation.name, &funder.organisation.name, &lines);
    let (received, receive) = counted(conn, |c| invoicing::receive(c, provider, upload_id, invoice.as_bytes()).unwrap());
    let invoicing::Received::Accepted(invoice_id) = received else { panic!("the invoice was refused") };
    let (approved, approve) = counted(conn, |c| invoicing::approve(c, funder, invoice_id).unwrap());
    assert_eq!(approved.status, invoicing::InvoiceStatus::Approved);
    Cost { upload, confirm, receive, approve }
}

/// A warm-up file (the provider's accounts opened), then a file over two grants and one over
/// eight: each step sends as many statements for eight grants as for two.
fn a_file_costs_the_same_statements_however_many_grants_it_bills(backend: Backend) {
    let db = TestDb::new(backend, "a_file_costs_the_same_statements_however_many_grants_it_bills");
    let mut conn = db.connect();
    let funder = identity::create_member(&mut conn, OrgKind::Funder, "Funding Agency", "funder@agency.test", "Test Person", PASSWORD).unwrap();
    let provider = identity::create_member(&mut conn, OrgKind::Provider, "GPU Cloud", "billing@gpu.test", "Test Person", PASSWORD).unwrap();
    crate::helpers::add_catalogue(&mut conn, &provider);
    let programme = programmes::create(&mut conn, &funder, &crate::helpers::new_programme(100_000_000, 1_000_000)).unwrap();
    let mut codes = Vec::new();
    for i in 0..11 {
        let startup = identity::create_member(&mut conn, OrgKind::Startup, &format!("Startup {i}"), &format!("founder{i}@startup.test"), "Test Person", PASSWORD).unwrap();
        let details = CompanyDetails { legal_name: &format!("Startup {i} SAS"), country: "FR", registration_number: &siren(i) };
        identity::register_company(&mut conn, startup.org_id(), &details).unwrap();
        let startup = identity::member(&mut conn, startup.user.id).unwrap();
        let application = applications::apply(
            &mut conn,
            &startup,
            programme.id,
            &NewApplication { requested: Amount::from_cents(1_000_000), purpose: "Training and serving language models.".into(), hardware: "GPU".into(), provider_id: Some(provider.org_id()) },
        )
        .unwrap();
        applications::decide(&mut conn, &funder, application.id, &Decision::Approve { amount: Amount::from_cents(1_000_000) }).unwrap();
        let view = offers::accept(&mut conn, &startup, application.id, offers::Acceptance { declaration_confirmed: true }, &Default::default()).unwrap();
        codes.push(view.grant.unwrap().code);
    }
    bill(&mut conn, &provider, &funder, &codes[..1], "WARM-1");
    let two = bill(&mut conn, &provider, &funder, &codes[1..3], "TWO-1");
    let eight = bill(&mut conn, &provider, &funder, &codes[3..11], "EIGHT-1");
    assert_eq!(two, eight, "statements for two grants, then for eight");
    computegrants::ledger::verify(&mut conn).unwrap();
}

#[derive(diesel::QueryableByName)]
struct IndexDefinition {
    #[diesel(sql_type = diesel::sql_types::Text)]
    definition: String,
}

/// An invoice's charges are read each time it is shown, approved, disputed, credited or settled:
/// through an index on the invoice, not by a scan of every charge ever billed (at national scale
/// 1,250,000 charges, 80 ms a scan, for every approval).
fn an_invoices_charges_are_found_by_index(backend: Backend) {
    let db = TestDb::new(backend, "an_invoices_charges_are_found_by_index");
    let mut conn = db.connect();
    let sql = match backend {
        Backend::Sqlite => "SELECT sql AS definition FROM sqlite_master WHERE type = 'index' AND tbl_name = 'usage_charges' AND sql IS NOT NULL",
        Backend::Postgres => "SELECT indexdef AS definition FROM pg_indexes WHERE tablename = 'usage_charges'",
    };
    let indexes: Vec<IndexDefinition> = diesel::RunQueryDsl::load(diesel::sql_query(sql), &mut conn).unwrap();
    assert!(
        indexes.iter().any(|i| i.definition.replace('"', "").contains("(invoice_id)")),
        "no index leads with invoice_id: {:?}",
        indexes.iter().map(|i| &i.definition).collect::<Vec<_>>()
    );
}

both_backends!(sync a_file_costs_the_same_statements_however_many_grants_it_bills, an_invoices_charges_are_found_by_index);
