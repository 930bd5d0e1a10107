//! `src/db/schema.rs` is written by hand: on both backends, the migrations must build exactly the
//! tables and columns it declares, each with a type and nullability diesel can read. The test
//! reads schema.rs as text, so it follows the file without a second list to keep.

use crate::both_backends;
use crate::helpers::{Backend, TestDb};
use computegrants::db::AnyConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use std::collections::BTreeMap;

/// diesel's own bookkeeping, which schema.rs does not declare.
const MIGRATIONS_TABLE: &str = "__diesel_schema_migrations";

/// A column as schema.rs declares it: its diesel type without `Nullable<…>`, and whether it had one.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Declared {
    diesel_type: String,
    nullable: bool,
}

type Tables<C> = BTreeMap<String, BTreeMap<String, C>>;

/// Reads the `diesel::table! { name (id) { column -> Type, … } }` blocks. Anything inside a block
/// that is not a column (an attribute such as `#[sql_name]`) stops the test: it would change
/// what a column means, and this reader must be taught it first.
fn parse_schema(text: &str) -> Tables<Declared> {
    let mut tables = Tables::new();
    let mut current: Option<String> = None;
    for line in text.lines().map(str::trim) {
        match &current {
            None => {
                if let Some(head) = line.strip_suffix('{').filter(|h| !h.contains('!') && h.contains('(')) {
                    let name = head.split_whitespace().next().unwrap().to_string();
                    tables.insert(name.clone(), BTreeMap::new());
                    current = Some(name);
                }
            }
            Some(table) => {
                if line == "}" {
                    current = None;
                } else if let Some((column, diesel_type)) = line.trim_end_matches(',').split_once("->") {
                    let diesel_type = diesel_type.trim();
                    let (diesel_type, nullable) = match diesel_type.strip_prefix("Nullable<").and_then(|t| t.strip_suffix('>')) {
                        Some(inner) => (inner, true),
                        None => (diesel_type, false),
                    };
                    tables.get_mut(table).unwrap().insert(column.trim().to_string(), Declared { diesel_type: diesel_type.to_string(), nullable });
                } else if !line.is_empty() && !line.starts_with("//") {
                    panic!("schema.rs, table {table}: cannot read {line:?}; teach tests/api/schema.rs what it means");
                }
            }
        }
    }
    assert_eq!(tables.len(), text.matches("table! {").count(), "every table! block of schema.rs was read");
    tables
}

fn declared() -> Tables<Declared> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/db/schema.rs");
    parse_schema(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// A column as the database has it.
#[derive(Debug, QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    sql_type: String,
    #[diesel(sql_type = Text)]
    nullable: String,
}

/// Every column of every table, from the database's own catalogue. On SQLite an `INTEGER PRIMARY
/// KEY` is the row id and can never be NULL, whatever `notnull` says.
fn actual(conn: &mut AnyConnection) -> Tables<(String, bool)> {
    let columns: Vec<Column> = match conn {
        AnyConnection::Sqlite(c) => diesel::sql_query(
            "SELECT m.name AS table_name, p.name AS column_name, p.type AS sql_type,
                    CASE WHEN p.\"notnull\" = 1 OR (p.pk > 0 AND upper(p.type) = 'INTEGER') THEN 'NO' ELSE 'YES' END AS nullable
             FROM sqlite_master m JOIN pragma_table_info(m.name) p
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
        )
        .load(c),
        AnyConnection::Postgresql(c) => diesel::sql_query(
            "SELECT c.table_name::text AS table_name, c.column_name::text AS column_name, c.data_type::text AS sql_type, c.is_nullable::text AS nullable
             FROM information_schema.columns c
             JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
             WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'",
        )
        .load(c),
    }
    .unwrap();
    let mut tables = Tables::new();
    for c in columns {
        tables.entry(c.table_name).or_insert_with(BTreeMap::new).insert(c.column_name, (c.sql_type, c.nullable == "YES"));
    }
    tables
}

/// The SQL types (lower case; a prefix for sized types such as `varchar(40)`) a diesel type may be
/// stored as on `backend`.
fn compatible(backend: Backend, diesel_type: &str) -> &'static [&'static str] {
    match (backend, diesel_type) {
        (Backend::Sqlite, "BigInt") => &["integer", "bigint"],
        (Backend::Sqlite, "Integer") => &["integer"],
        (Backend::Sqlite, "Text") => &["text", "varchar"],
        (Backend::Sqlite, "Timestamp") => &["timestamp"],
        (Backend::Sqlite, "Date") => &["date"],
        (Backend::Sqlite, "Bool") => &["boolean"],
        (Backend::Postgres, "BigInt") => &["bigint"],
        (Backend::Postgres, "Integer") => &["integer"],
        (Backend::Postgres, "Text") => &["text", "character varying"],
        (Backend::Postgres, "Timestamp") => &["timestamp without time zone"],
        (Backend::Postgres, "Date") => &["date"],
        (Backend::Postgres, "Bool") => &["boolean"],
        (_, other) => panic!("schema.rs uses the diesel type {other}: say in tests/api/schema.rs which SQL types may hold it"),
    }
}

/// Every difference between what schema.rs declares and what the database has.
fn drift(backend: Backend, declared: &Tables<Declared>, actual: &Tables<(String, bool)>) -> Vec<String> {
    let mut problems = Vec::new();
    for (table, columns) in declared {
        let Some(stored) = actual.get(table) else {
            problems.push(format!("table {table} is in schema.rs but not in the database"));
            continue;
        };
        for (column, d) in columns {
            match stored.get(column) {
                None => problems.push(format!("{table}.{column} is in schema.rs but not in the database")),
                Some((sql_type, nullable)) => {
                    let sql = sql_type.to_ascii_lowercase();
                    let accepted = compatible(backend, &d.diesel_type);
                    if !accepted.iter().any(|t| sql == *t || sql.starts_with(&format!("{t}("))) {
                        problems.push(format!("{table}.{column}: schema.rs says {}, the database has {sql_type} (accepted: {accepted:?})", d.diesel_type));
                    }
                    if *nullable != d.nullable {
                        let word = |n: bool| if n { "nullable" } else { "NOT NULL" };
                        problems.push(format!("{table}.{column}: schema.rs says {}, the database has it {}", word(d.nullable), word(*nullable)));
                    }
                }
            }
        }
        for column in stored.keys().filter(|c| !columns.contains_key(*c)) {
            problems.push(format!("{table}.{column} is in the database but not in schema.rs"));
        }
    }
    for table in actual.keys().filter(|t| !declared.contains_key(*t) && *t != MIGRATIONS_TABLE) {
        problems.push(format!("table {table} is in the database but not in schema.rs"));
    }
    problems
}

fn schema_rs_matches_the_migrated_database(backend: Backend) {
    let db = TestDb::new(backend, "schema_rs_matches_the_migrated_database");
    let declared = declared();
    let actual = actual(&mut db.connect());
    assert!(actual.contains_key(MIGRATIONS_TABLE), "the catalogue query sees the migrations table: {:?}", actual.keys());
    let problems = drift(backend, &declared, &actual);
    assert!(problems.is_empty(), "src/db/schema.rs and the migrations disagree on {backend:?}:\n  {}", problems.join("\n  "));

    // The comparison itself: each kind of drift, made on a copy of schema.rs, is reported.
    let text = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/db/schema.rs")).unwrap();
    let drifted = text
        .replace("locale -> Nullable<Text>,", "locale -> Text,")
        .replace("budget -> BigInt,", "budget -> Text,")
        .replace("kind -> Text,\n        name -> Text,", "kind -> Text,\n        name -> Text,\n        nickname -> Text,")
        .replace("entry_count -> BigInt,", "")
        .replace("usage_charges (id) {", "usage_charge (id) {");
    let problems = drift(backend, &parse_schema(&drifted), &actual).join("\n");
    for expected in [
        "users.locale: schema.rs says NOT NULL, the database has it nullable",
        "programmes.budget: schema.rs says Text",
        "organisations.nickname is in schema.rs but not in the database",
        "ledger_head.entry_count is in the database but not in schema.rs",
        "table usage_charge is in schema.rs but not in the database",
        "table usage_charges is in the database but not in schema.rs",
    ] {
        assert!(problems.contains(expected), "{expected:?} not reported in:\n{problems}");
    }
}

both_backends!(sync schema_rs_matches_the_migrated_database);
