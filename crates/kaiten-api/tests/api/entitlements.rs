use serde_json::json;

use kaiten_testkit::spawn_app;

use crate::support::{entitlement, event_names, events, license, license_body};

#[tokio::test]
async fn create_get_list_update_delete_with_defaults_and_events() {
    let app = spawn_app().await;
    let org = app.org("org_ent_crud").await;
    let t = Some(org.token.as_str());
    let group = app.core("POST", "/entitlement-groups", t, Some(json!({"name": "Quotas", "description": null}))).await;
    assert_eq!(group.status, 201, "{}", group.text);
    let group_slug = group.body["slug"].as_str().unwrap().to_owned();

    let created = app
        .core(
            "POST",
            "/entitlements",
            t,
            Some(json!({"name": "Seats", "description": null, "type": "NUMBER", "unitSingular": "seat",
                        "unitPlural": "seats", "groupSlugs": [group_slug, " "], "resetPeriod": "MONTH"})),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let e = &created.body;
    let slug = e["slug"].as_str().unwrap().to_owned();
    assert!(slug.starts_with("seats-"), "{slug}");
    assert_eq!(e["aggregationMethod"], "SUM", "a NUMBER folds with SUM unless told otherwise");
    assert_eq!(e["resetAnchor"], "CALENDAR", "a period without an anchor is phased on the calendar");
    assert_eq!(
        (e["userFacing"].clone(), e["displayOrder"].clone(), e["warningThresholdPercent"].clone()),
        (json!(false), json!(0), json!(0))
    );
    assert_eq!(e["description"], json!(null), "description is always present");
    assert_eq!(e["entitlementGroups"][0]["slug"], json!(group_slug));
    assert!(e.get("groupSlugs").is_none(), "groupSlugs is write-only");

    let got = app.core("GET", &format!("/entitlements/{slug}"), t, None).await;
    assert_eq!(got.body, created.body);

    let boolean = entitlement(
        &app,
        &org,
        json!({"name": "SSO", "description": "Single sign-on", "type": "BOOLEAN",
                                                   "aggregationMethod": "MAX"}),
    )
    .await;
    let b = app.core("GET", &format!("/entitlements/{boolean}"), t, None).await;
    assert!(b.body.get("aggregationMethod").is_none(), "a method sent for a BOOLEAN is dropped");
    assert_eq!(b.body["entitlementGroups"], json!([]));

    // Read, then write back what was read: a full replacement that changes nothing is accepted,
    // including for a BOOLEAN whose response carries warningThresholdPercent 0.
    for s in [&slug, &boolean] {
        let mut read = app.core("GET", &format!("/entitlements/{s}"), t, None).await.body;
        read["name"] = json!("Renamed");
        let put = app.core("PUT", &format!("/entitlements/{s}"), t, Some(read)).await;
        assert_eq!(put.status, 204, "{s}: {}", put.text);
    }
    let after = app.core("GET", &format!("/entitlements/{slug}"), t, None).await.body;
    assert_eq!(after["name"], "Renamed");
    assert_eq!(
        after["entitlementGroups"][0]["slug"],
        json!(group_slug),
        "a PUT without groupSlugs leaves the groups as they are"
    );

    // A full replacement clears what it omits; groupSlugs [] removes every group.
    let put = app
        .core(
            "PUT",
            &format!("/entitlements/{slug}"),
            t,
            Some(json!({"name": "Seats", "description": "d", "resetPeriod": "MONTH", "resetAnchor": "CALENDAR",
                        "groupSlugs": [], "warningThresholdPercent": 80})),
        )
        .await;
    assert_eq!(put.status, 204, "{}", put.text);
    let after = app.core("GET", &format!("/entitlements/{slug}"), t, None).await.body;
    assert!(after.get("unitSingular").is_none());
    assert_eq!(after["warningThresholdPercent"], 80);
    assert_eq!(after["entitlementGroups"], json!([]));

    let list = app.core("GET", "/entitlements?limit=1", t, None).await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(list.body["hasMore"], true);
    let next = list.body["nextCursor"].as_str().unwrap();
    let page2 = app.core("GET", &format!("/entitlements?limit=1&cursor={next}"), t, None).await;
    assert_eq!(page2.body["hasMore"], false);
    assert_ne!(page2.body["items"][0]["slug"], list.body["items"][0]["slug"]);

    assert_eq!(app.core("DELETE", &format!("/entitlements/{slug}"), t, None).await.status, 204);
    let gone = app.core("GET", &format!("/entitlements/{slug}"), t, None).await;
    assert_eq!((gone.status, gone.code()), (404, "GetEntitlement.NotFound"));
    let again = app.core("DELETE", &format!("/entitlements/{slug}"), t, None).await;
    assert_eq!((again.status, again.code()), (404, "DeleteEntitlement.NotFound"));

    let names = event_names(&app, &org.id, "ENTITLEMENT_").await;
    assert_eq!(
        names,
        [
            "ENTITLEMENT_GROUP_CREATED",
            "ENTITLEMENT_CREATED",
            "ENTITLEMENT_CREATED",
            "ENTITLEMENT_UPDATED",
            "ENTITLEMENT_UPDATED",
            "ENTITLEMENT_UPDATED",
            "ENTITLEMENT_DELETED"
        ]
    );
    let created_event = events(&app, &org.id).await.into_iter().find(|e| e.0 == "ENTITLEMENT_CREATED").unwrap();
    assert_eq!(created_event.1, "com.kaiten.entitlement.v1.created");
    assert_eq!(created_event.2["slug"], json!(slug));
}

#[tokio::test]
async fn configuration_rules_are_400s_with_the_originals_codes() {
    let app = spawn_app().await;
    let org = app.org("org_ent_rules").await;
    let t = Some(org.token.as_str());
    let cases = [
        (
            json!({"type": "BOOLEAN", "unitSingular": "a", "unitPlural": "b"}),
            "CreateEntitlement.InvalidUnitsConfiguration",
        ),
        (json!({"type": "NUMBER", "unitSingular": "seat"}), "CreateEntitlement.InvalidUnitsConfiguration"),
        (
            json!({"type": "NUMBER", "unitSingular": " ", "unitPlural": "x"}),
            "CreateEntitlement.InvalidUnitsConfiguration",
        ),
        (
            json!({"type": "NUMBER", "saleUnitSingular": "pack", "saleUnitPlural": "packs", "saleUnitFactor": 3}),
            "CreateEntitlement.InvalidUnitsConfiguration",
        ),
        (
            json!({"type": "CONFIG", "warningThresholdPercent": 50}),
            "CreateEntitlement.InvalidEnforcementPolicyConfiguration",
        ),
        (json!({"type": "NUMBER", "resetAnchor": "CALENDAR"}), "CreateEntitlement.InvalidResetConfiguration"),
        (
            json!({"type": "NUMBER", "aggregationMethod": "LATEST", "resetPeriod": "DAY"}),
            "CreateEntitlement.InvalidResetConfiguration",
        ),
        (json!({"type": "BOOLEAN", "resetPeriod": "DAY"}), "CreateEntitlement.InvalidResetConfiguration"),
    ];
    for (mut body, code) in cases {
        body["name"] = json!("E");
        body["description"] = json!(null);
        let reply = app.core("POST", "/entitlements", t, Some(body.clone())).await;
        assert_eq!((reply.status, reply.code()), (400, code), "{body}: {}", reply.text);
    }
    let no_type = app.core("POST", "/entitlements", t, Some(json!({"name": "E", "description": null}))).await;
    assert_eq!((no_type.status, no_type.code()), (422, "CreateEntitlement.TypeRequired"));
    let unknown_group = app
        .core(
            "POST",
            "/entitlements",
            t,
            Some(json!({"name": "E", "description": null, "type": "BOOLEAN", "groupSlugs": ["nope"]})),
        )
        .await;
    assert_eq!((unknown_group.status, unknown_group.code()), (404, "CreateEntitlement.GroupNotFound"));
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM entitlement").fetch_one(&app.pool).await.unwrap();
    assert_eq!(count, 0, "a refused create leaves nothing behind");
    for (body, location) in [
        (json!({"name": "E", "description": null, "type": "MONEY"}), "body.type"),
        (
            json!({"name": "E", "description": null, "type": "NUMBER", "warningThresholdPercent": 101}),
            "body.warningThresholdPercent",
        ),
        (json!({"name": "E", "description": null, "type": "NUMBER", "icon": "Rocket"}), "body.icon"),
        (json!({"name": "E", "type": "NUMBER"}), "body"),
        (json!({"name": "E", "description": null, "type": "NUMBER", "saleUnitFactor": 0}), "body.saleUnitFactor"),
    ] {
        let reply = app.core("POST", "/entitlements", t, Some(body.clone())).await;
        assert_eq!(reply.status, 422, "{body}");
        assert_eq!(reply.body["errors"][0]["location"], location, "{body}");
    }
    let taken =
        entitlement(&app, &org, json!({"name": "E", "slug": "seats", "description": null, "type": "NUMBER"})).await;
    let again = app
        .core(
            "POST",
            "/entitlements",
            t,
            Some(json!({"name": "E", "slug": taken, "description": null, "type": "NUMBER"})),
        )
        .await;
    assert_eq!((again.status, again.code()), (409, "CreateEntitlement.SlugConflict"));
}

#[tokio::test]
async fn type_method_and_reset_period_are_immutable() {
    let app = spawn_app().await;
    let org = app.org("org_ent_immutable").await;
    let t = Some(org.token.as_str());
    let slug = entitlement(
        &app,
        &org,
        json!({"name": "Calls", "description": null, "type": "NUMBER", "resetPeriod": "DAY",
                                               "resetAnchor": "LICENSE_START"}),
    )
    .await;
    let path = format!("/entitlements/{slug}");
    let base = json!({"name": "Calls", "description": null, "resetPeriod": "DAY", "resetAnchor": "LICENSE_START"});
    let with = |k: &str, v: serde_json::Value| {
        let mut b = base.clone();
        if v.is_null() {
            b.as_object_mut().unwrap().remove(k);
        } else {
            b[k] = v;
        }
        b
    };
    for (body, code) in [
        (with("type", json!("BOOLEAN")), "UpdateEntitlement.ImmutableType"),
        (with("aggregationMethod", json!("MAX")), "UpdateEntitlement.ImmutableAggregationMethod"),
        (with("resetPeriod", json!(null)), "UpdateEntitlement.ImmutableResetPeriod"),
        (with("resetPeriod", json!("MONTH")), "UpdateEntitlement.ImmutableResetPeriod"),
        (with("resetAnchor", json!("CALENDAR")), "UpdateEntitlement.ImmutableResetAnchor"),
        (with("slug", json!("other")), "UpdateEntitlement.SlugNotRenameable"),
    ] {
        let reply = app.core("PUT", &path, t, Some(body.clone())).await;
        assert_eq!(reply.code(), code, "{body}: {}", reply.text);
        assert!(matches!(reply.status, 400 | 422));
    }
    assert_eq!(app.core("PUT", &path, t, Some(with("aggregationMethod", json!("SUM")))).await.status, 204);
    // A lifetime counter may be given a period once, and then it is fixed.
    let lifetime = entitlement(&app, &org, json!({"name": "Seats", "description": null, "type": "NUMBER"})).await;
    let set = app
        .core(
            "PUT",
            &format!("/entitlements/{lifetime}"),
            t,
            Some(json!({"name": "Seats", "description": null, "resetPeriod": "YEAR"})),
        )
        .await;
    assert_eq!(set.status, 204, "{}", set.text);
    let got = app.core("GET", &format!("/entitlements/{lifetime}"), t, None).await.body;
    assert_eq!((got["resetPeriod"].as_str(), got["resetAnchor"].as_str()), (Some("YEAR"), Some("CALENDAR")));
    let missing = app.core("PUT", "/entitlements/nope", t, Some(base)).await;
    assert_eq!((missing.status, missing.code()), (404, "UpdateEntitlement.NotFound"));
}

#[tokio::test]
async fn an_entitlement_in_use_cannot_be_deleted() {
    let app = spawn_app().await;
    let org = app.org("org_ent_in_use").await;
    let t = Some(org.token.as_str());
    let seats = entitlement(&app, &org, json!({"name": "Seats", "description": null, "type": "NUMBER"})).await;
    let plan = license(&app, &org, license_body("Growth")).await;
    let plan_slug = plan["slug"].as_str().unwrap();
    let grant = app
        .core(
            "POST",
            &format!("/licenses/{plan_slug}/entitlements"),
            t,
            Some(json!({"entitlementSlug": seats, "value": {"type": "number", "value": 10}})),
        )
        .await;
    assert_eq!(grant.status, 204, "{}", grant.text);
    let refused = app.core("DELETE", &format!("/entitlements/{seats}"), t, None).await;
    assert_eq!((refused.status, refused.code()), (409, "DeleteEntitlement.InUseConflict"));
    assert_eq!(refused.body["errors"][0]["value"], json!({"licenseGrants": 1, "usageCounters": 0}));
    assert_eq!(app.core("GET", &format!("/entitlements/{seats}"), t, None).await.status, 200);
    assert_eq!(app.core("DELETE", &format!("/licenses/{plan_slug}/entitlements/{seats}"), t, None).await.status, 204);
    assert_eq!(app.core("DELETE", &format!("/entitlements/{seats}"), t, None).await.status, 204);
}

#[tokio::test]
async fn organizations_never_see_each_others_entitlements() {
    let app = spawn_app().await;
    let a = app.org("org_ent_iso_a").await;
    let b = app.org("org_ent_iso_b").await;
    let slug =
        entitlement(&app, &a, json!({"name": "Seats", "slug": "seats", "description": null, "type": "NUMBER"})).await;
    let bt = Some(b.token.as_str());
    assert_eq!(app.core("GET", &format!("/entitlements/{slug}"), bt, None).await.code(), "GetEntitlement.NotFound");
    assert_eq!(app.core("GET", "/entitlements", bt, None).await.body["items"], json!([]));
    let put =
        app.core("PUT", &format!("/entitlements/{slug}"), bt, Some(json!({"name": "x", "description": null}))).await;
    assert_eq!(put.code(), "UpdateEntitlement.NotFound");
    assert_eq!(
        app.core("DELETE", &format!("/entitlements/{slug}"), bt, None).await.code(),
        "DeleteEntitlement.NotFound"
    );
    let same_slug =
        entitlement(&app, &b, json!({"name": "Seats", "slug": "seats", "description": null, "type": "BOOLEAN"})).await;
    assert_eq!(same_slug, "seats", "slugs are unique per organization only");
    let a_view = app.core("GET", "/entitlements/seats", Some(&a.token), None).await.body;
    assert_eq!(a_view["type"], "NUMBER");
}
