//! ComputeGrants: public compute-credit programmes, from call to usage, on a double-entry ledger.
//!
//! Layers, and the one direction data flows: [`web`] (HTTP) and [`cli`] → [`domain`] (rules, no
//! HTTP) → [`ledger`] and [`db`] (storage). [`formats`] reads provider documents and [`money`]
//! holds exact amounts; both are pure and build without the `app` feature (the fuzz targets).

#[cfg(feature = "app")]
pub mod cli;
#[cfg(feature = "app")]
pub mod config;
#[cfg(feature = "app")]
pub mod db;
#[cfg(feature = "app")]
pub mod domain;
pub mod formats;
#[cfg(feature = "app")]
pub mod i18n;
#[cfg(feature = "app")]
pub mod ledger;
#[cfg(feature = "app")]
pub mod mail;
pub mod messages;
pub mod money;
#[cfg(feature = "app")]
pub mod startup;
#[cfg(feature = "app")]
pub mod web;

#[cfg(feature = "app")]
pub use startup::Application;
