use serde_json::Value;

use kaiten_testkit::spawn_app;

#[tokio::test]
async fn health_docs_and_documents_are_served_without_credentials() {
    let app = spawn_app().await;
    let health = app.core("GET", "/healthz", None, None).await;
    assert_eq!(health.status, 200);
    assert!(health.headers.contains_key("x-request-id"));
    let json = app.core("GET", "/openapi.json", None, None).await;
    assert_eq!(json.status, 200);
    assert_eq!(json.body["paths"]["/customers"]["get"]["operationId"], "list-customers");
    let yaml = app.core("GET", "/openapi.yaml", None, None).await;
    assert!(yaml.text.contains("operationId: list-customers"));
    let docs = app.client.get(format!("{}/api/docs/", app.core_url)).send().await.unwrap();
    assert_eq!(docs.status(), 200);
    assert!(docs.text().await.unwrap().contains("swagger"));
    let platform_doc = app.platform("GET", "/platform/openapi.json", None, None).await;
    assert_eq!(platform_doc.body["paths"]["/platform/me"]["get"]["operationId"], "get-platform-me");
}

#[tokio::test]
async fn unknown_routes_and_methods_are_problems() {
    let app = spawn_app().await;
    let missing = app.core("GET", "/nope", None, None).await;
    assert_eq!((missing.status, missing.content_type()), (404, "application/problem+json"));
    assert_eq!(missing.body["instance"], "/api/nope");
    let org = app.org("org_methods").await;
    let wrong = app.core("PATCH", "/customers", Some(&org.token), None).await;
    assert_eq!((wrong.status, wrong.content_type()), (405, "application/problem+json"));
}

#[tokio::test]
async fn the_database_going_away_is_a_503_not_a_panic() {
    let app = spawn_app().await;
    let org = app.org("org_db_down").await;
    app.pool.close().await;
    let health = app.core("GET", "/healthz", None, None).await;
    assert_eq!((health.status, health.code()), (503, "Health.DatabaseUnavailable"));
    // A cached credential still authenticates; the query behind the operation cannot run.
    let reply = app.core("GET", "/customers", Some(&org.token), None).await;
    assert_eq!(reply.status, 503, "{}", reply.text);
}

fn committed(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn committed_openapi_documents_match_the_generated_ones() {
    let core = serde_json::to_value(kaiten_api::core_openapi()).unwrap();
    let platform = serde_json::to_value(kaiten_api::platform_openapi()).unwrap();
    assert!(core == committed("openapi.json"), "regenerate: cargo run -q -p kaiten -- openapi > openapi.json");
    assert!(
        platform == committed("openapi.platform.json"),
        "regenerate: cargo run -q -p kaiten -- openapi --platform > openapi.platform.json"
    );
}

#[test]
fn every_operation_declares_exactly_one_scope_and_problem_errors() {
    for doc in [kaiten_api::core_openapi(), kaiten_api::platform_openapi()] {
        let doc = serde_json::to_value(doc).unwrap();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let security = op["security"].as_array().unwrap();
                assert_eq!(security.len(), 1, "{method} {path}");
                let scopes = security[0].as_object().unwrap().values().next().unwrap();
                assert_eq!(scopes.as_array().unwrap().len(), 1, "{method} {path}");
                // OFREP declares its own failure bodies (application/json), as the contract does.
                if op["tags"][0] == "OFREP Core" {
                    assert!(op["responses"]["400"]["content"]["application/json"].is_object(), "{method} {path}");
                    assert!(op["responses"]["400"]["content"]["application/problem+json"].is_null());
                    continue;
                }
                for status in ["401", "403", "422", "500"] {
                    assert!(
                        op["responses"][status]["content"]["application/problem+json"].is_object(),
                        "{method} {path} {status}"
                    );
                }
            }
        }
    }
}
