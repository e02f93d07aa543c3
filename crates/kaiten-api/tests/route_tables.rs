//! Each module's `mod.rs` opens with its route table (method, path, file). This keeps the tables
//! true: together they list every operation of the generated Core and Platform documents exactly
//! once, and each row's file holds the handler whose `#[utoipa::path]` declares that route.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Route {
    method: String,
    path: String,
}

/// `(route, module folder, file)` for every row of every module's table.
fn table_rows() -> Vec<(Route, PathBuf, String)> {
    let modules = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/modules");
    let mut rows = Vec::new();
    for entry in std::fs::read_dir(&modules).expect("src/modules") {
        let folder = entry.expect("entry").path();
        let Ok(text) = std::fs::read_to_string(folder.join("mod.rs")) else { continue };
        for line in text.lines().take_while(|l| l.starts_with("//!")) {
            let cells: Vec<&str> = line.trim_start_matches("//!").split('|').map(str::trim).collect();
            if cells.len() != 5 || !METHODS.contains(&cells[1].to_lowercase().as_str()) {
                continue;
            }
            let route = Route { method: cells[1].to_lowercase(), path: cells[2].to_owned() };
            rows.push((route, folder.clone(), cells[3].to_owned()));
        }
    }
    rows
}

fn document_routes(doc: &Value) -> Vec<Route> {
    let prefix = doc["servers"][0]["url"].as_str().unwrap_or_default();
    let mut routes = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in METHODS {
            if item.get(method).is_some() {
                routes.push(Route { method: method.to_owned(), path: format!("{prefix}{path}") });
            }
        }
    }
    routes
}

#[test]
fn every_documented_operation_is_in_exactly_one_route_table() {
    let rows = table_rows();
    let mut listed: BTreeMap<Route, usize> = BTreeMap::new();
    for (route, _, _) in &rows {
        *listed.entry(route.clone()).or_default() += 1;
    }
    let documented: Vec<Route> =
        [kaiten_api::core_openapi(), kaiten_api::platform_openapi()].iter().flat_map(document_routes).collect();
    let missing: Vec<_> = documented.iter().filter(|r| !listed.contains_key(r)).collect();
    let twice: Vec<_> = listed.iter().filter(|(_, n)| **n > 1).map(|(r, _)| r).collect();
    let stale: Vec<_> = listed.keys().filter(|r| !documented.contains(r)).collect();
    assert!(missing.is_empty(), "operations no module's table lists: {missing:?}");
    assert!(twice.is_empty(), "listed more than once: {twice:?}");
    assert!(stale.is_empty(), "listed but not in the documents: {stale:?}");
    assert_eq!(rows.len(), documented.len());
}

#[test]
fn every_row_names_the_file_that_declares_its_route() {
    for (route, folder, file) in table_rows() {
        let source = std::fs::read_to_string(folder.join(&file))
            .unwrap_or_else(|_| panic!("{}: the table names {file}, which does not exist", folder.display()));
        let relative = route.path.strip_prefix("/api").expect("every route is under /api");
        let declaration = format!("{}, path = \"{relative}\"", route.method);
        assert!(
            source.contains(&declaration),
            "{}/{file} does not declare {} {}",
            folder.display(),
            route.method.to_uppercase(),
            route.path
        );
    }
}

#[test]
fn the_tables_open_their_modules() {
    // A table belongs at the top, right after the module's summary: the first thing a reader
    // browsing by URL sees.
    let modules = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/modules");
    for (_, folder, _) in table_rows() {
        let text = std::fs::read_to_string(folder.join("mod.rs")).expect("mod.rs");
        let first_code = text.lines().position(|l| !l.starts_with("//!")).unwrap_or(0);
        let table_at = text.lines().position(|l| l.starts_with("//! | method")).expect("a header row");
        assert!(table_at < first_code, "{}: the table must be in the module's opening comment", folder.display());
        assert!(folder.starts_with(&modules));
    }
}
