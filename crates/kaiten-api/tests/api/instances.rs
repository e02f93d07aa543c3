use serde_json::json;

use kaiten_testkit::spawn_app;

use crate::support::{event_names, events, license, license_body};

#[tokio::test]
async fn instance_crud_patch_and_events() {
    let app = spawn_app().await;
    let org = app.org("org_instances").await;
    let t = Some(org.token.as_str());
    let plan = license(
        &app,
        &org,
        json!({"name": "Pro", "slug": "pro", "description": "d", "type": "PAID", "isDefault": false}),
    )
    .await;
    let customer = app.core("POST", "/customers", t, Some(json!({"name": "Acme", "slug": "acme"}))).await.body;
    let body = json!({"name": "Prod EU", "description": "Frankfurt", "customerId": customer["id"], "licenseId": plan["id"],
                      "startLicenseDate": "2026-01-01T00:00:00Z", "endLicenseDate": "2027-01-01T00:00:00Z",
                      "metadata": {"region": "eu"}, "integrations": {"crm.attio": {"external_id": " rec-1 "}}});
    let created = app.core("POST", "/instances", t, Some(body.clone())).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let i = &created.body;
    let slug = i["slug"].as_str().unwrap().to_owned();
    assert!(slug.starts_with("prod-eu-"), "{slug}");
    assert_eq!((i["customerSlug"].as_str(), i["licenseSlug"].as_str()), (Some("acme"), Some("pro")));
    assert_eq!((i["status"].as_str(), i["metadata"].clone()), (Some("HEALTHY"), json!({"region": "eu"})));
    assert_eq!(i["integrations"]["crm.attio"]["external_id"], "rec-1");
    assert!(i.get("lifecycleStage").is_none());
    assert_eq!(app.core("GET", &format!("/instances/{slug}"), t, None).await.body, created.body);

    // PUT: full replacement; the representation as read can be written back.
    let mut echo = created.body.clone();
    echo["name"] = json!("Prod EU 1");
    echo["metadata"] = json!({"tier": "gold"});
    let put = app.core("PUT", &format!("/instances/{slug}"), t, Some(echo)).await;
    assert_eq!(put.status, 204, "{}", put.text);
    let got = app.core("GET", &format!("/instances/{slug}"), t, None).await.body;
    assert_eq!((got["name"].as_str(), got["metadata"].clone()), (Some("Prod EU 1"), json!({"tier": "gold"})));
    let mut renamed = got.clone();
    renamed["slug"] = json!("prod-eu");
    assert_eq!(app.core("PUT", &format!("/instances/{slug}"), t, Some(renamed)).await.status, 204);
    assert_eq!(app.core("GET", "/instances/prod-eu", t, None).await.status, 200, "a new slug renames");

    let patch = app
        .core("PATCH", "/instances/prod-eu", t, Some(json!({"status": "DEGRADED", "lifecycleStage": "ACTIVE"})))
        .await;
    assert_eq!(patch.status, 204, "{}", patch.text);
    let again = app.core("PATCH", "/instances/prod-eu", t, Some(json!({"status": "DEGRADED"}))).await;
    assert_eq!(again.status, 204, "no change, no event");
    let got = app.core("GET", "/instances/prod-eu", t, None).await.body;
    assert_eq!((got["status"].as_str(), got["lifecycleStage"].as_str()), (Some("DEGRADED"), Some("ACTIVE")));
    for (body, location) in
        [(json!({"status": "BROKEN"}), "body.status"), (json!({"lifecycleStage": ""}), "body.lifecycleStage")]
    {
        let r = app.core("PATCH", "/instances/prod-eu", t, Some(body)).await;
        assert_eq!((r.status, r.body["errors"][0]["location"].as_str()), (422, Some(location)));
    }

    let list = app.core("GET", "/instances", t, None).await.body;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(app.core("DELETE", "/instances/prod-eu", t, None).await.status, 204);
    assert_eq!(app.core("GET", "/instances/prod-eu", t, None).await.code(), "GetInstance.NotFound");
    assert_eq!(app.core("DELETE", "/instances/prod-eu", t, None).await.code(), "DeleteInstance.NotFound");

    assert_eq!(
        event_names(&app, &org.id, "INSTANCE_").await,
        [
            "INSTANCE_CREATED",
            "INSTANCE_UPDATED",
            "INSTANCE_UPDATED",
            "INSTANCE_STATUS_CHANGED",
            "INSTANCE_LIFECYCLE_STAGE_CHANGED",
            "INSTANCE_DELETED"
        ]
    );
    let status = events(&app, &org.id).await.into_iter().find(|e| e.0 == "INSTANCE_STATUS_CHANGED").unwrap().2;
    assert_eq!(
        (status["previous_status"].as_str(), status["new_status"].as_str()),
        (Some("HEALTHY"), Some("DEGRADED"))
    );
    assert_eq!(status["instance_id"], created.body["id"]);
}

#[tokio::test]
async fn references_dates_and_archived_versions_are_checked() {
    let app = spawn_app().await;
    let org = app.org("org_instances_refs").await;
    let other = app.org("org_instances_refs_other").await;
    let t = Some(org.token.as_str());
    let plan = license(
        &app,
        &org,
        json!({"name": "Pro", "slug": "pro", "description": "d", "type": "PAID", "isDefault": false}),
    )
    .await;
    let foreign = license(&app, &other, license_body("Theirs")).await;
    let customer = app.core("POST", "/customers", t, Some(json!({"name": "Acme"}))).await.body;
    let foreign_customer = app.core("POST", "/customers", Some(&other.token), Some(json!({"name": "Them"}))).await.body;
    let base = json!({"name": "I", "slug": "i-1", "description": "", "customerId": customer["id"], "licenseId": plan["id"],
                      "startLicenseDate": "2026-01-01T00:00:00Z", "endLicenseDate": "2027-01-01T00:00:00Z"});
    let with = |k: &str, v: serde_json::Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    for (body, status, code) in [
        (with("customerId", json!("8b0f1d6e-0000-4000-8000-000000000000")), 404, "CreateInstance.CustomerNotFound"),
        (with("customerId", foreign_customer["id"].clone()), 404, "CreateInstance.CustomerNotFound"),
        (with("customerId", json!("nope")), 404, "CreateInstance.CustomerNotFound"),
        (with("licenseId", foreign["id"].clone()), 404, "CreateInstance.LicenseNotFound"),
        (
            with("deploymentZoneId", json!("8b0f1d6e-0000-4000-8000-000000000000")),
            404,
            "CreateInstance.DeploymentZoneNotFound",
        ),
        (with("endLicenseDate", json!("2025-01-01T00:00:00Z")), 400, "CreateInstance.InvalidLicenseDates"),
        (with("integrations", json!({"crm": {"external_id": " "}})), 400, "CreateInstance.InvalidIntegration"),
        (with("startLicenseDate", json!("yesterday")), 422, "UNPROCESSABLE"),
        (with("metadata", json!([1])), 422, "UNPROCESSABLE"),
    ] {
        let reply = app.core("POST", "/instances", t, Some(body.clone())).await;
        assert_eq!((reply.status, reply.code()), (status, code), "{body}: {}", reply.text);
    }
    assert_eq!(app.core("POST", "/instances", t, Some(base.clone())).await.status, 201);
    let dup = app.core("POST", "/instances", t, Some(base.clone())).await;
    assert_eq!((dup.status, dup.code()), (409, "CreateInstance.SlugConflict"));

    // An archived version: refused for a new instance and as a new license; kept by its instances.
    assert_eq!(app.core("POST", "/licenses/pro/archive", t, None).await.status, 200);
    let refused = app.core("POST", "/instances", t, Some(with("slug", json!("i-2")))).await;
    assert_eq!((refused.status, refused.code()), (422, "CreateInstance.LicenseArchived"));
    let kept = app.core("PUT", "/instances/i-1", t, Some(with("name", json!("renamed")))).await;
    assert_eq!(kept.status, 204, "an instance keeps its archived version: {}", kept.text);
    let v2 = license(
        &app,
        &org,
        json!({"name": "Pro 2", "familySlug": "pro", "description": "d", "type": "PAID", "isDefault": false}),
    )
    .await;
    assert_eq!(app.core("PUT", "/instances/i-1", t, Some(with("licenseId", v2["id"].clone()))).await.status, 204);
    let back = app.core("PUT", "/instances/i-1", t, Some(base.clone())).await;
    assert_eq!((back.status, back.code()), (422, "UpdateInstance.LicenseArchived"));
    let missing = app.core("PUT", "/instances/nope", t, Some(base)).await;
    assert_eq!((missing.status, missing.code()), (404, "UpdateInstance.NotFound"));

    let bt = Some(other.token.as_str());
    assert_eq!(app.core("GET", "/instances/i-1", bt, None).await.status, 404);
    assert_eq!(app.core("GET", "/instances", bt, None).await.body["items"], json!([]));
    assert_eq!(app.core("PATCH", "/instances/i-1", bt, Some(json!({"status": "INCIDENT"}))).await.status, 404);
    assert_eq!(app.core("DELETE", "/instances/i-1", bt, None).await.status, 404);
}
