//! Integration tests through real HTTP against real databases. PostgreSQL variants run when
//! COMPUTEGRANTS_TEST_POSTGRES_URL is set and say loudly that they were skipped otherwise.

mod helpers;

mod alerts;
mod audit;
mod authorization;
mod browser;
mod cli;
mod company;
mod credit_notes;
mod crash;
mod csrf;
mod domain;
mod export;
mod exports;
mod faults;
mod fuzz_regressions;
mod hostile_input;
mod i18n;
mod invoices;
mod inbox;
mod journey;
mod json_api;
mod json_api_cycle;
mod ledger;
mod ledger_model;
mod members;
mod migrations;
mod paging;
mod passwords;
mod restart;
mod routes;
mod schema;
mod grant_usage;
mod sessions;
mod shutdown;
mod soak;
mod throttling;
mod transparency;
mod usage_files;
mod usage_jobs;
mod grant_expiry;
mod programme_lifecycle;
mod offers;
