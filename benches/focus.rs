//! FOCUS reading speed, printed as figures: `cargo bench --bench focus`.
//!
//! Generates a FOCUS 1.2-shaped file of 1,000,000 lines (~30 columns, ~400 bytes a line; set
//! BENCH_FOCUS_LINES to change) in a temporary folder, then reads and checks it with the same
//! code `computegrants inspect` runs, on one thread, and prints MB/s and the process's peak
//! resident memory.

use computegrants::formats::focus;
use std::io::{BufWriter, Write};
use std::time::Instant;

const HEADER: &str = "BillingAccountId,BillingAccountName,BillingCurrency,BillingPeriodStart,BillingPeriodEnd,ChargeCategory,ChargeClass,ChargeDescription,ChargeFrequency,ChargePeriodStart,ChargePeriodEnd,BilledCost,EffectiveCost,ListCost,ListUnitPrice,ContractedCost,PricingQuantity,PricingUnit,ConsumedQuantity,ConsumedUnit,InvoiceId,InvoiceIssuerName,ProviderName,RegionId,ResourceId,ServiceName,ServiceCategory,SkuId,SubAccountId,Tags";

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|kb| kb.parse::<f64>().ok()))
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let lines: u64 = std::env::var("BENCH_FOCUS_LINES").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("focus.csv");
    let started = Instant::now();
    {
        let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(&path).unwrap());
        writeln!(out, "{HEADER}").unwrap();
        for i in 0..lines {
            let hour = i % 24;
            let day = 1 + (i / 24) % 28;
            let qty = 1 + i % 97;
            let price = "2.40";
            let cost = format!("{}.{:02}", qty * 240 / 100, qty * 240 % 100);
            writeln!(
                out,
                "ACC-0001,Helios GPU Cloud billing,EUR,2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,Usage,NULL,NVIDIA H100 SXM GPU-hour in Paris-Saclay,Usage-Based,2026-10-{day:02}T{hour:02}:00:00Z,2026-10-{day:02}T{hour:02}:59:59Z,{cost},{cost},{cost},{price},{cost},{qty},GPU-hour,{qty}.000000000000,GPU-hour,INV-2026-10-{:04},Helios GPU Cloud SAS,Helios GPU Cloud,eu-west-par-1,vm-h100-{:08},GPU Compute,Compute,SKU-H100-SXM-80GB,G-2026-{:04},\"{{\"\"team\"\":\"\"ml\"\",\"\"project\"\":\"\"llm-{}\"\"}}\"",
                i % 50,
                i % 100_000,
                i % 400,
                i % 17
            )
            .unwrap();
        }
        out.flush().unwrap();
    }
    let bytes = std::fs::metadata(&path).unwrap().len();
    println!("generated {lines} lines, {:.1} MB ({:.0} bytes a line) in {:.1} s", bytes as f64 / 1e6, bytes as f64 / lines as f64, started.elapsed().as_secs_f64());

    for run in 1..=3 {
        let started = Instant::now();
        let file = std::fs::File::open(&path).unwrap();
        let inspection = focus::inspect(file, |_| {}).unwrap();
        let secs = started.elapsed().as_secs_f64();
        assert_eq!(inspection.summary.lines, lines);
        assert!(inspection.summary.problems.is_empty(), "{:?}", inspection.summary.problems.shown.first());
        println!(
            "run {run}: read and checked {} lines in {secs:.2} s = {:.0} MB/s, {:.0} lines/s; {} invoices, {} sub-accounts; billed {}",
            inspection.summary.lines,
            bytes as f64 / 1e6 / secs,
            lines as f64 / secs,
            inspection.by_invoice.len(),
            inspection.by_sub_account.len(),
            inspection.billed_cost
        );
    }
    println!("peak resident memory of this process (generation included): {:.1} MB", peak_rss_mb());
}
