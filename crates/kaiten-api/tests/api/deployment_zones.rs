//! Deployment zones over HTTP: CRUD, the deployment log (deploy, echo, rollback), instances in
//! zones (deployed, migrated, detached), zone facts in flag rules, bad input and isolation.

use kaiten_testkit::{Org, TestApp, spawn_app};
use serde_json::{Value, json};

use crate::support::{event_names, events, instance_with};

async fn release(app: &TestApp, org: &Org, version: &str) -> Value {
    let reply = app
        .core("POST", "/releases", Some(&org.token), Some(json!({"version": version, "slug": format!("r{version}")})))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.body
}

/// The zone's log, oldest first: release ids.
async fn history(app: &TestApp, zone_id: &Value) -> Vec<String> {
    sqlx::query_scalar("SELECT release_id::text FROM deployment WHERE deployment_zone_id = $1::uuid ORDER BY seq")
        .bind(zone_id.as_str().unwrap())
        .fetch_all(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn zones_record_every_deploy_including_rollbacks_and_nothing_else() {
    let app = spawn_app().await;
    let org = app.org("org_zones").await;
    let t = Some(org.token.as_str());
    let (r1, r2) = (release(&app, &org, "1").await, release(&app, &org, "2").await);

    let bare = app
        .core(
            "POST",
            "/deployment-zones",
            t,
            Some(json!({"name": "AWS us-west-2", "type": "staging", "description": "d"})),
        )
        .await;
    assert_eq!(bare.status, 201, "{}", bare.text);
    assert!(bare.body["slug"].as_str().unwrap().starts_with("aws-us-west-2-"));
    assert!(bare.body.get("releaseId").is_none());
    assert_eq!(bare.body["metadata"], json!({}));

    let body = json!({"name": "EU", "slug": "eu", "type": "production", "description": "Frankfurt",
                      "metadata": {"region": "eu-central-1"}, "releaseId": r1["id"]});
    let created = app.core("POST", "/deployment-zones", t, Some(body.clone())).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let zone = created.body.clone();
    assert_eq!(
        (zone["releaseId"].clone(), zone["metadata"]["region"].as_str()),
        (r1["id"].clone(), Some("eu-central-1"))
    );
    assert_eq!(app.core("GET", "/deployment-zones/eu", t, None).await.body, zone);

    // Echoing the current release, or leaving it out, is not a deployment.
    let echo = app.core("PUT", "/deployment-zones/eu", t, Some(zone.clone())).await;
    assert_eq!(echo.status, 204, "{}", echo.text);
    let mut without = body.clone();
    without.as_object_mut().unwrap().remove("releaseId");
    without["description"] = json!("Frankfurt, DE");
    assert_eq!(app.core("PUT", "/deployment-zones/eu", t, Some(without)).await.status, 204);
    let read = app.core("GET", "/deployment-zones/eu", t, None).await.body;
    assert_eq!((read["releaseId"].clone(), read["description"].as_str()), (r1["id"].clone(), Some("Frankfurt, DE")));
    assert_eq!(history(&app, &zone["id"]).await.len(), 1);

    // Forward, then back: two more deployments, the rollback included.
    for target in [&r2, &r1] {
        let mut next = body.clone();
        next["releaseId"] = target["id"].clone();
        assert_eq!(app.core("PUT", "/deployment-zones/eu", t, Some(next)).await.status, 204);
        assert_eq!(app.core("GET", "/deployment-zones/eu", t, None).await.body["releaseId"], target["id"]);
    }
    let ids = |r: &[&Value]| r.iter().map(|v| v["id"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
    assert_eq!(history(&app, &zone["id"]).await, ids(&[&r1, &r2, &r1]));

    let page = app.core("GET", "/deployment-zones?limit=1", t, None).await.body;
    assert_eq!((page["items"][0]["slug"].as_str(), page["hasMore"].as_bool()), (Some("eu"), Some(true)));
    assert_eq!(page["items"][0]["releaseId"], r1["id"]);

    assert_eq!(
        event_names(&app, &org.id, "")
            .await
            .into_iter()
            .filter(|n| n.contains("ZONE") || n.contains("DEPLOYED"))
            .collect::<Vec<_>>(),
        [
            "DEPLOYMENT_ZONE_CREATED",
            "RELEASE_DEPLOYED",
            "DEPLOYMENT_ZONE_CREATED",
            "DEPLOYMENT_ZONE_UPDATED",
            "DEPLOYMENT_ZONE_UPDATED",
            "RELEASE_DEPLOYED",
            "DEPLOYMENT_ZONE_UPDATED",
            "RELEASE_DEPLOYED",
            "DEPLOYMENT_ZONE_UPDATED"
        ]
    );
    let all = events(&app, &org.id).await;
    let deployed = &all.iter().rfind(|e| e.0 == "RELEASE_DEPLOYED").unwrap().2;
    assert_eq!(
        all.iter().rfind(|e| e.0 == "RELEASE_DEPLOYED").unwrap().1,
        "com.kaiten.deployment_zone.v1.release_deployed"
    );
    assert_eq!(
        (deployed["deploymentZoneId"].clone(), deployed["releaseId"].clone()),
        (zone["id"].clone(), r1["id"].clone())
    );
    assert_eq!(deployed["createdBy"]["id"].as_str().map(str::len), Some(36));
    assert!(deployed["id"].is_string() && deployed["createdAt"].is_string(), "{deployed}");
    let updated = &all.iter().rfind(|e| e.0 == "DEPLOYMENT_ZONE_UPDATED").unwrap().2;
    assert_eq!(updated["releaseId"], r1["id"]);

    assert_eq!(app.core("DELETE", "/deployment-zones/eu", t, None).await.status, 204);
    assert_eq!(app.core("GET", "/deployment-zones/eu", t, None).await.code(), "DeploymentZone.NotFound");
    assert_eq!(app.core("DELETE", "/deployment-zones/eu", t, None).await.code(), "DeleteDeploymentZone.NotFound");
    assert!(history(&app, &zone["id"]).await.is_empty(), "the log goes with the zone");
    let gone = &events(&app, &org.id).await.into_iter().rfind(|e| e.0 == "DEPLOYMENT_ZONE_DELETED").unwrap().2;
    assert_eq!((gone["slug"].as_str(), gone["releaseId"].clone()), (Some("eu"), r1["id"].clone()));
}

#[tokio::test]
async fn bad_zone_input_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let org = app.org("org_zone_errors").await;
    let other = app.org("org_zone_errors_other").await;
    let t = Some(org.token.as_str());
    let theirs = release(&app, &other, "1").await;
    let mine = release(&app, &org, "1").await;
    let base = json!({"name": "EU", "slug": "eu", "type": "production", "description": "d"});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    for (body, status, code) in [
        (with("releaseId", theirs["id"].clone()), 404, "CreateDeployment.ReleaseNotFound"),
        (with("releaseId", json!("8b0f1d6e-0000-4000-8000-000000000000")), 404, "CreateDeployment.ReleaseNotFound"),
        (with("releaseId", json!("nope")), 404, "CreateDeployment.ReleaseNotFound"),
        (with("name", json!("")), 422, "UNPROCESSABLE"),
        (with("metadata", json!([1])), 422, "UNPROCESSABLE"),
        (with("slug", json!("-eu")), 422, "UNPROCESSABLE"),
        (json!({"name": "EU", "type": "production"}), 422, "UNPROCESSABLE"),
    ] {
        let reply = app.core("POST", "/deployment-zones", t, Some(body.clone())).await;
        assert_eq!((reply.status, reply.code()), (status, code), "{body}: {}", reply.text);
    }
    let zones: i64 = sqlx::query_scalar("SELECT count(*) FROM deployment_zone WHERE organization_id = $1::uuid")
        .bind(&org.id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(zones, 0, "a refused release leaves no zone behind");

    let created = app.core("POST", "/deployment-zones", t, Some(with("releaseId", mine["id"].clone()))).await;
    assert_eq!(created.status, 201);
    let dup = app.core("POST", "/deployment-zones", t, Some(base.clone())).await;
    assert_eq!((dup.status, dup.code()), (409, "CreateDeploymentZone.SlugConflict"));
    let renamed = app.core("PUT", "/deployment-zones/eu", t, Some(with("slug", json!("us")))).await;
    assert_eq!((renamed.status, renamed.code()), (422, "UpdateDeploymentZone.SlugNotRenameable"));
    let mut foreign = with("releaseId", theirs["id"].clone());
    foreign["name"] = json!("changed");
    let refused = app.core("PUT", "/deployment-zones/eu", t, Some(foreign)).await;
    assert_eq!((refused.status, refused.code()), (404, "CreateDeployment.ReleaseNotFound"));
    let read = app.core("GET", "/deployment-zones/eu", t, None).await.body;
    assert_eq!(
        (read["name"].as_str(), read["releaseId"].clone()),
        (Some("EU"), mine["id"].clone()),
        "nothing half-written"
    );
    let unslugged = json!({"name": "EU", "type": "production", "description": "d"});
    assert_eq!(
        app.core("PUT", "/deployment-zones/nope", t, Some(unslugged.clone())).await.code(),
        "UpdateDeploymentZone.NotFound"
    );

    // Another organization's zone does not exist here.
    assert_eq!(
        app.core(
            "POST",
            "/deployment-zones",
            Some(&other.token),
            Some(json!({"name": "Them", "slug": "them", "type": "x", "description": ""}))
        )
        .await
        .status,
        201
    );
    assert_eq!(app.core("GET", "/deployment-zones/them", t, None).await.code(), "DeploymentZone.NotFound");
    assert_eq!(
        app.core("PUT", "/deployment-zones/them", t, Some(unslugged)).await.code(),
        "UpdateDeploymentZone.NotFound"
    );
    assert_eq!(app.core("DELETE", "/deployment-zones/them", t, None).await.code(), "DeleteDeploymentZone.NotFound");
    let list = app.core("GET", "/deployment-zones", t, None).await.body;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn instances_are_deployed_migrated_and_detached_and_rules_read_their_zone() {
    let app = spawn_app().await;
    let org = app.org("org_zone_instances").await;
    let other = app.org("org_zone_instances_other").await;
    let t = Some(org.token.as_str());
    let zone = |name: &str, kind: &str| json!({"name": name, "slug": name, "type": kind, "description": "", "metadata": {"cloud": "aws"}});
    let eu = app.core("POST", "/deployment-zones", t, Some(zone("eu", "production"))).await.body;
    let us = app.core("POST", "/deployment-zones", t, Some(zone("us", "staging"))).await.body;
    let foreign = app.core("POST", "/deployment-zones", Some(&other.token), Some(zone("eu", "production"))).await.body;

    let prod = instance_with(&app, &org, "prod", &[]).await;
    assert!(prod.get("deploymentZoneId").is_none());
    let mut body = prod.clone();
    body["deploymentZoneId"] = foreign["id"].clone();
    let refused = app.core("PUT", "/instances/prod", t, Some(body.clone())).await;
    assert_eq!((refused.status, refused.code()), (404, "UpdateInstance.DeploymentZoneNotFound"), "{}", refused.text);
    body["deploymentZoneId"] = eu["id"].clone();
    assert_eq!(app.core("PUT", "/instances/prod", t, Some(body.clone())).await.status, 204);
    let read = app.core("GET", "/instances/prod", t, None).await.body;
    assert_eq!((read["deploymentZoneId"].clone(), read["deploymentZoneSlug"].as_str()), (eu["id"].clone(), Some("eu")));
    body.as_object_mut().unwrap().remove("deploymentZoneId");
    assert_eq!(app.core("PUT", "/instances/prod", t, Some(body.clone())).await.status, 204);
    assert_eq!(app.core("GET", "/instances/prod", t, None).await.body["deploymentZoneSlug"], "eu", "left out, kept");

    // Rules read the zone of the instance named in the context.
    let flag = json!({"slug": "prod-zones", "name": "P", "type": "boolean", "enabled": true, "event_name": "e",
        "description": null, "metadata": {},
        "variants": [{"name": "on", "description": "", "value": true}, {"name": "off", "description": "", "value": false}],
        "default_variant": {"type": "basic", "value": "off"},
        "targetings": [{"type": "basic", "name": "z", "variant": "on",
                        "rule": "__kaiten.deploymentZone.type == 'production' && __kaiten.deploymentZone.metadata.cloud == 'aws'"}]});
    let created = app.core("POST", "/feature-flags", t, Some(flag)).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let evaluate = || async {
        app.core(
            "POST",
            "/ofrep/v1/evaluate/flags/prod-zones",
            t,
            Some(json!({"context": {"targetingKey": "k", "kaiten": {"instanceSlug": "prod"}}})),
        )
        .await
        .body
    };
    assert_eq!(evaluate().await["value"], true);

    body["deploymentZoneId"] = us["id"].clone();
    assert_eq!(app.core("PUT", "/instances/prod", t, Some(body.clone())).await.status, 204);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let staging = evaluate().await;
    assert_eq!((staging["value"].clone(), staging["reason"].clone()), (json!(false), json!("DEFAULT")), "{staging}");

    let mut second = prod.clone();
    for key in ["id", "slug", "createdAt", "createdBy", "updatedAt", "updatedBy", "customerSlug", "licenseSlug"] {
        second.as_object_mut().unwrap().remove(key);
    }
    second["deploymentZoneId"] = us["id"].clone();
    second["name"] = json!("second");
    let created = app.core("POST", "/instances", t, Some(second.clone())).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.status, 201, "{}", created.text);
    second["deploymentZoneId"] = foreign["id"].clone();
    let refused = app.core("POST", "/instances", t, Some(second)).await;
    assert_eq!(refused.code(), "CreateInstance.DeploymentZoneNotFound");

    assert_eq!(
        event_names(&app, &org.id, "INSTANCE_").await,
        [
            "INSTANCE_CREATED",
            "INSTANCE_UPDATED",
            "INSTANCE_DEPLOYED",
            "INSTANCE_UPDATED",
            "INSTANCE_UPDATED",
            "INSTANCE_MIGRATED",
            "INSTANCE_CREATED",
            "INSTANCE_DEPLOYED"
        ]
    );

    // Deleting a zone detaches its instances; they stay.
    assert_eq!(app.core("DELETE", "/deployment-zones/us", t, None).await.status, 204);
    let detached = app.core("GET", "/instances/prod", t, None).await.body;
    assert!(detached.get("deploymentZoneId").is_none() && detached.get("deploymentZoneSlug").is_none(), "{detached}");
    let theirs = app.core("GET", "/deployment-zones/eu", Some(&other.token), None).await;
    assert_eq!(theirs.status, 200, "another organization's zone of the same slug is untouched");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_deploys_log_every_change_once_and_the_zone_runs_the_last() {
    let app = spawn_app().await;
    let org = app.org("org_zone_race").await;
    let t = Some(org.token.as_str());
    let releases = [release(&app, &org, "1").await, release(&app, &org, "2").await, release(&app, &org, "3").await];
    let zone = app
        .core("POST", "/deployment-zones", t, Some(json!({"name": "EU", "slug": "eu", "type": "p", "description": ""})))
        .await
        .body;
    let puts = (0..24).map(|i| {
        let body = json!({"name": "EU", "type": "p", "description": "", "releaseId": releases[(i * 7) % 3]["id"]});
        let app = &app;
        async move { app.core("PUT", "/deployment-zones/eu", t, Some(body)).await.status }
    });
    assert!(futures_util::future::join_all(puts).await.iter().all(|s| *s == 204));
    let log = history(&app, &zone["id"]).await;
    assert!(!log.is_empty());
    assert!(log.windows(2).all(|w| w[0] != w[1]), "re-sending the current release is never logged: {log:?}");
    let current = app.core("GET", "/deployment-zones/eu", t, None).await.body["releaseId"].clone();
    assert_eq!(current.as_str(), log.last().map(String::as_str), "the zone runs what was deployed last");
    assert_eq!(event_names(&app, &org.id, "RELEASE_DEPLOYED").await.len(), log.len(), "one event per logged deploy");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_release_deleted_while_being_deployed_is_either_running_or_gone() {
    let app = spawn_app().await;
    let org = app.org("org_release_race").await;
    let t = Some(org.token.as_str());
    app.core("POST", "/deployment-zones", t, Some(json!({"name": "EU", "slug": "eu", "type": "p", "description": ""})))
        .await;
    for round in 0..8 {
        let r = release(&app, &org, &round.to_string()).await;
        let slug = r["slug"].as_str().unwrap().to_owned();
        let deploy = app.core(
            "PUT",
            "/deployment-zones/eu",
            t,
            Some(json!({"name": "EU", "type": "p", "description": "", "releaseId": r["id"]})),
        );
        let path = format!("/releases/{slug}");
        let delete = app.core("DELETE", &path, t, None);
        let (deployed, deleted) = tokio::join!(deploy, delete);
        let running = app.core("GET", "/deployment-zones/eu", t, None).await.body["releaseId"] == r["id"];
        let exists = app.core("GET", &format!("/releases/{slug}"), t, None).await.status == 200;
        match (deployed.status, deleted.status) {
            (204, 409) => assert!(running && exists, "round {round}"),
            (404, 204) => {
                assert_eq!(deployed.code(), "CreateDeployment.ReleaseNotFound");
                assert!(!running && !exists, "round {round}");
            }
            other => panic!("round {round}: {other:?} {} {}", deployed.text, deleted.text),
        }
    }
}
