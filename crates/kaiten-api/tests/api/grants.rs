use kaiten_testkit::spawn_app;
use serde_json::json;

use crate::support::{entitlement, event_names, events, license};

#[tokio::test]
async fn grants_are_normalised_and_round_trip_with_events() {
    let app = spawn_app().await;
    let org = app.org("org_grants").await;
    let t = Some(org.token.as_str());
    let plan = license(
        &app,
        &org,
        json!({"name": "Pro", "slug": "pro", "description": "d", "type": "PAID", "isDefault": false}),
    )
    .await;
    app.core("POST", "/entitlement-groups", t, Some(json!({"name": "Limits", "slug": "limits", "description": null})))
        .await;
    let seats = entitlement(
        &app,
        &org,
        json!({"name": "Seats", "slug": "seats", "description": null, "type": "NUMBER",
                                                "groupSlugs": ["limits"]}),
    )
    .await;
    let sso =
        entitlement(&app, &org, json!({"name": "SSO", "slug": "sso", "description": null, "type": "BOOLEAN"})).await;
    let theme =
        entitlement(&app, &org, json!({"name": "Theme", "slug": "theme", "description": null, "type": "CONFIG"})).await;
    let credits = entitlement(
        &app,
        &org,
        json!({"name": "Credits", "slug": "credits", "description": null, "type": "NUMBER_AI_CREDIT"}),
    )
    .await;

    let grant = |e: &str, value: serde_json::Value, overage: Option<i64>| {
        let mut body = json!({"entitlementSlug": e, "value": value});
        if let Some(p) = overage {
            body["limitCapExceededOveragePercent"] = json!(p);
        }
        body
    };
    for body in [
        grant(&seats, json!({"type": "number", "value": 10}), Some(20)),
        grant(&sso, json!({"type": "boolean", "value": true}), None),
        grant(&theme, json!({"type": "object", "value": {"primary": "#fff"}}), None),
        grant(&credits, json!({"type": "number", "value": -1}), None),
    ] {
        let reply = app.core("POST", "/licenses/pro/entitlements", t, Some(body.clone())).await;
        assert_eq!(reply.status, 204, "{body}: {}", reply.text);
        assert!(reply.text.is_empty());
    }
    let seats_grant = app.core("GET", "/licenses/pro/entitlements/seats", t, None).await;
    assert_eq!(seats_grant.status, 200, "{}", seats_grant.text);
    let g = &seats_grant.body;
    assert_eq!(g["value"], json!({"type": "number", "value": 10}));
    assert_eq!(g["limitCapExceededOveragePercent"], 20);
    assert_eq!((g["licenseSlug"].as_str(), g["licenseId"].clone()), (Some("pro"), plan["id"].clone()));
    assert_eq!((g["entitlementName"].as_str(), g["entitlementType"].as_str()), (Some("Seats"), Some("NUMBER")));
    assert_eq!(g["entitlementGroups"][0]["slug"], "limits");
    assert!(g["createdBy"]["id"].is_string() && g["createdBy"] == g["updatedBy"]);
    let credits_grant = app.core("GET", "/licenses/pro/entitlements/credits", t, None).await.body;
    assert_eq!(credits_grant["limitCapExceededOveragePercent"], -1, "an unlimited value defaults to -1");
    assert_eq!(credits_grant["entitlementType"], "NUMBER", "the contract's enum has no NUMBER_AI_CREDIT for a grant");
    let credits = app.core("GET", "/entitlements/credits", t, None).await.body;
    assert_eq!(credits["type"], "NUMBER_AI_CREDIT", "the entitlement keeps its real type");
    let sso_grant = app.core("GET", "/licenses/pro/entitlements/sso", t, None).await.body;
    assert!(sso_grant.get("limitCapExceededOveragePercent").is_none(), "non-numeric grants carry no overage");

    let list = app.core("GET", "/licenses/pro/entitlements?limit=3", t, None).await.body;
    assert_eq!((list["items"].as_array().unwrap().len(), list["hasMore"].clone()), (3, json!(true)));
    assert_eq!(list["items"][0]["entitlementSlug"], "credits", "newest first");

    // Update: the value and overage change; an omitted overage returns to the value's default.
    let put = app
        .core("PUT", "/licenses/pro/entitlements/seats", t, Some(json!({"value": {"type": "number", "value": 25}})))
        .await;
    assert_eq!(put.status, 204, "{}", put.text);
    let after = app.core("GET", "/licenses/pro/entitlements/seats", t, None).await.body;
    assert_eq!(
        (after["value"]["value"].clone(), after["limitCapExceededOveragePercent"].clone()),
        (json!(25), json!(0))
    );
    let mut echo = after.clone();
    echo["limitCapExceededOveragePercent"] = json!(5);
    assert_eq!(
        app.core("PUT", "/licenses/pro/entitlements/seats", t, Some(echo)).await.status,
        204,
        "a read grant can be written back"
    );

    assert_eq!(app.core("DELETE", "/licenses/pro/entitlements/sso", t, None).await.status, 204);
    let gone = app.core("GET", "/licenses/pro/entitlements/sso", t, None).await;
    assert_eq!((gone.status, gone.code()), (404, "GetLicenseEntitlement.NotFound"));
    let again = app.core("DELETE", "/licenses/pro/entitlements/sso", t, None).await;
    assert_eq!((again.status, again.code()), (404, "DeleteLicenseEntitlement.LicenseEntitlementNotFound"));

    assert_eq!(
        event_names(&app, &org.id, "LICENSE_ENTITLEMENT").await,
        [
            "LICENSE_ENTITLEMENT_ASSIGNED",
            "LICENSE_ENTITLEMENT_ASSIGNED",
            "LICENSE_ENTITLEMENT_ASSIGNED",
            "LICENSE_ENTITLEMENT_ASSIGNED",
            "LICENSE_ENTITLEMENT_UPDATED",
            "LICENSE_ENTITLEMENT_UPDATED",
            "LICENSE_ENTITLEMENT_UNASSIGNED"
        ]
    );
    let assigned = events(&app, &org.id).await.into_iter().find(|e| e.0 == "LICENSE_ENTITLEMENT_ASSIGNED").unwrap();
    assert_eq!(assigned.1, "com.kaiten.license.entitlement.v1.assigned");
    assert_eq!(assigned.2["entitlementSlug"], "seats");
    assert_eq!(assigned.2["value"], json!({"type": "number", "value": 10}));
}

#[tokio::test]
async fn wrong_values_and_overages_are_refused_with_the_originals_codes() {
    let app = spawn_app().await;
    let org = app.org("org_grants_bad").await;
    let t = Some(org.token.as_str());
    license(&app, &org, json!({"name": "Pro", "slug": "pro", "description": "d", "type": "PAID", "isDefault": false}))
        .await;
    let seats =
        entitlement(&app, &org, json!({"name": "Seats", "slug": "seats", "description": null, "type": "NUMBER"})).await;
    let sso =
        entitlement(&app, &org, json!({"name": "SSO", "slug": "sso", "description": null, "type": "BOOLEAN"})).await;
    let a = "AssociateEntitlementToLicense";
    for (body, status, code) in [
        (json!({"entitlementSlug": sso, "value": {"type": "number", "value": 1}}), 400, format!("{a}.InvalidValue")),
        (json!({"entitlementSlug": seats, "value": {"type": "object", "value": {}}}), 400, format!("{a}.InvalidValue")),
        (
            json!({"entitlementSlug": sso, "value": {"type": "boolean", "value": true}, "limitCapExceededOveragePercent": 0}),
            400,
            format!("{a}.InvalidLimitCapExceededOveragePercent"),
        ),
        (
            json!({"entitlementSlug": seats, "value": {"type": "number", "value": -1}, "limitCapExceededOveragePercent": 10}),
            400,
            format!("{a}.InvalidLimitCapExceededOveragePercent"),
        ),
        (
            json!({"entitlementSlug": seats, "value": {"type": "number", "value": 5}, "limitCapExceededOveragePercent": -1}),
            400,
            format!("{a}.InvalidLimitCapExceededOveragePercent"),
        ),
        (
            json!({"entitlementSlug": seats, "value": {"type": "number", "value": 5}, "limitCapExceededOveragePercent": 40000}),
            400,
            format!("{a}.InvalidLimitCapExceededOveragePercent"),
        ),
        (
            json!({"entitlementSlug": "nope", "value": {"type": "boolean", "value": true}}),
            404,
            format!("{a}.EntitlementNotFound"),
        ),
        (json!({"value": {"type": "boolean", "value": true}}), 422, format!("{a}.EntitlementSlugRequired")),
        (
            json!({"entitlementSlug": seats, "value": {"type": "number", "value": "ten"}}),
            422,
            "UNPROCESSABLE".to_owned(),
        ),
        (json!({"entitlementSlug": seats, "value": {"type": "money", "value": 1}}), 422, "UNPROCESSABLE".to_owned()),
        (json!({"entitlementSlug": seats}), 422, "UNPROCESSABLE".to_owned()),
    ] {
        let reply = app.core("POST", "/licenses/pro/entitlements", t, Some(body.clone())).await;
        assert_eq!((reply.status, reply.code()), (status, code.as_str()), "{body}: {}", reply.text);
    }
    let no_license = app
        .core(
            "POST",
            "/licenses/nope/entitlements",
            t,
            Some(json!({"entitlementSlug": seats, "value": {"type": "number", "value": 1}})),
        )
        .await;
    assert_eq!((no_license.status, no_license.code()), (404, "AssociateEntitlementToLicense.LicenseNotFound"));
    let ok = json!({"entitlementSlug": seats, "value": {"type": "number", "value": 5}});
    assert_eq!(app.core("POST", "/licenses/pro/entitlements", t, Some(ok.clone())).await.status, 204);
    let dup = app.core("POST", "/licenses/pro/entitlements", t, Some(ok)).await;
    assert_eq!((dup.status, dup.code()), (409, "AssociateEntitlementToLicense.AlreadyAssociated"));

    let u = "UpdateLicenseEntitlement";
    for (path, body, status, code) in [
        (
            "/licenses/pro/entitlements/seats",
            json!({"value": {"type": "boolean", "value": true}}),
            400,
            format!("{u}.InvalidValue"),
        ),
        (
            "/licenses/pro/entitlements/seats",
            json!({"value": {"type": "number", "value": 5}, "limitCapExceededOveragePercent": -3}),
            400,
            format!("{u}.InvalidLimitCapExceededOveragePercent"),
        ),
        (
            "/licenses/pro/entitlements/seats",
            json!({"entitlementSlug": "sso", "value": {"type": "number", "value": 5}}),
            422,
            format!("{u}.EntitlementSlugMismatch"),
        ),
        (
            "/licenses/pro/entitlements/sso",
            json!({"value": {"type": "boolean", "value": true}}),
            404,
            format!("{u}.NotFound"),
        ),
    ] {
        let reply = app.core("PUT", path, t, Some(body.clone())).await;
        assert_eq!((reply.status, reply.code()), (status, code.as_str()), "{body}: {}", reply.text);
    }
    let list = app.core("GET", "/licenses/nope/entitlements", t, None).await;
    assert_eq!((list.status, list.code()), (404, "GetLicenseEntitlements.LicenseNotFound"));
    let stored: i64 =
        sqlx::query_scalar("SELECT count(*) FROM license_entitlement").fetch_one(&app.pool).await.unwrap();
    assert_eq!(stored, 1, "only the valid grant was stored");
}

#[tokio::test]
async fn organizations_never_see_or_use_each_others_grants() {
    let app = spawn_app().await;
    let a = app.org("org_grants_iso_a").await;
    let b = app.org("org_grants_iso_b").await;
    license(&app, &a, json!({"name": "Pro", "slug": "pro", "description": "d", "type": "PAID", "isDefault": false}))
        .await;
    entitlement(&app, &a, json!({"name": "Seats", "slug": "seats", "description": null, "type": "NUMBER"})).await;
    let body = json!({"entitlementSlug": "seats", "value": {"type": "number", "value": 5}});
    assert_eq!(app.core("POST", "/licenses/pro/entitlements", Some(&a.token), Some(body.clone())).await.status, 204);
    let bt = Some(b.token.as_str());
    assert_eq!(app.core("GET", "/licenses/pro/entitlements/seats", bt, None).await.status, 404);
    assert_eq!(app.core("GET", "/licenses/pro/entitlements", bt, None).await.status, 404);
    assert_eq!(app.core("PUT", "/licenses/pro/entitlements/seats", bt, Some(body.clone())).await.status, 404);
    assert_eq!(app.core("DELETE", "/licenses/pro/entitlements/seats", bt, None).await.status, 404);
    license(&app, &b, json!({"name": "Mine", "slug": "mine", "description": "d", "type": "PAID", "isDefault": false}))
        .await;
    let cross = app.core("POST", "/licenses/mine/entitlements", bt, Some(body)).await;
    assert_eq!(
        cross.code(),
        "AssociateEntitlementToLicense.EntitlementNotFound",
        "a's entitlement does not exist for b"
    );
}

#[tokio::test]
async fn the_database_refuses_malformed_grants_whatever_writes_them() {
    let app = spawn_app().await;
    let org = app.org("org_grants_checks").await;
    license(&app, &org, json!({"name": "Pro", "slug": "pro", "description": "d", "type": "PAID", "isDefault": false}))
        .await;
    entitlement(&app, &org, json!({"name": "Seats", "slug": "seats", "description": null, "type": "NUMBER"})).await;
    let insert = |value: serde_json::Value, overage: Option<i16>| {
        let (pool, org_id) = (app.pool.clone(), org.id.clone());
        async move {
            sqlx::query(
                "INSERT INTO license_entitlement (organization_id, license_id, entitlement_id, value,
                                                  limit_cap_exceeded_overage_percent, created_by_id, updated_by_id)
                 SELECT $1::uuid, l.id, e.id, $2, $3, '00000000-0000-0000-0000-000000000001',
                        '00000000-0000-0000-0000-000000000001'
                   FROM license l, entitlement e WHERE l.organization_id = $1::uuid AND e.organization_id = $1::uuid",
            )
            .bind(org_id)
            .bind(value)
            .bind(overage)
            .execute(&pool)
            .await
        }
    };
    for (value, overage) in [
        (json!({"type": "number"}), Some(0)),
        (json!({"value": true}), None),
        (json!({"type": "boolean"}), None),
        (json!({"type": "number", "value": "abc"}), Some(0)),
        (json!({"type": "number", "value": true}), None),
        (json!({"type": "number", "value": 5}), None),
        (json!({"type": "number", "value": 5}), Some(-1)),
        (json!({"type": "number", "value": -1}), Some(0)),
        (json!({"type": "boolean", "value": true}), Some(0)),
    ] {
        let err = insert(value.clone(), overage).await.expect_err(&format!("{value} {overage:?}"));
        let code = err.as_database_error().and_then(|e| e.code()).map(|c| c.into_owned());
        assert_eq!(code.as_deref(), Some("23514"), "{value} {overage:?}: {err}");
    }
    insert(json!({"type": "number", "value": -1.0}), Some(-1)).await.expect("an unlimited grant");
}
