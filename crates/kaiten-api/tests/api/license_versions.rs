//! Version numbering under concurrency and over arbitrary histories: a number is handed out
//! once per family, never twice, whatever is created, deleted or raced.

use std::collections::BTreeSet;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};

use kaiten_testkit::{Org, TestApp, spawn_app};

fn version_body(name: &str, family: &str) -> Value {
    json!({"name": name, "description": "d", "type": "PAID", "isDefault": false, "familySlug": family})
}

#[tokio::test]
async fn concurrent_creates_in_one_family_get_distinct_numbers() {
    let app = spawn_app().await;
    let org = app.org("org_versions_race").await;
    let first = app
        .core(
            "POST",
            "/licenses",
            Some(&org.token),
            Some(json!({"name": "Race", "slug": "race", "description": "d",
                                                                 "type": "PAID", "isDefault": false})),
        )
        .await;
    assert_eq!(first.status, 201);
    let creates = (0..16).map(|i| {
        let (app, token) = (&app, org.token.clone());
        async move { app.core("POST", "/licenses", Some(&token), Some(version_body(&format!("R{i}"), "race"))).await }
    });
    let replies = futures_util::future::join_all(creates).await;
    let mut versions = BTreeSet::new();
    let mut slugs = BTreeSet::new();
    for reply in &replies {
        assert_eq!(reply.status, 201, "{}", reply.text);
        versions.insert(reply.body["version"].as_str().unwrap().parse::<i32>().unwrap());
        slugs.insert(reply.body["slug"].as_str().unwrap().to_owned());
    }
    assert_eq!(versions, (2..=17).collect(), "16 creates, 16 distinct consecutive numbers");
    assert_eq!(slugs, (2..=17).map(|n| format!("race-v{n}")).collect());
    let family = app.core("GET", "/license-families/race", Some(&org.token), None).await.body;
    assert_eq!(family["versionCount"], 17);
}

#[derive(Debug, Clone)]
enum Step {
    Create,
    /// Delete the n-th (modulo) of the live versions other than version 1.
    Delete(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![3 => Just(Step::Create), 2 => any::<usize>().prop_map(Step::Delete)]
}

/// Plays one history against a fresh family and checks every number handed out is new.
async fn play(app: &TestApp, org: &Org, family: &str, steps: &[Step]) -> Result<(), TestCaseError> {
    let t = Some(org.token.as_str());
    let opened = app
        .core(
            "POST",
            "/licenses",
            t,
            Some(json!({"name": "P", "slug": family, "description": "d", "type": "PAID",
                                                  "isDefault": false})),
        )
        .await;
    prop_assert_eq!(opened.status, 201);
    let mut handed_out = vec![1];
    let mut live: Vec<(i32, String)> = Vec::new();
    for step in steps {
        match step {
            Step::Create => {
                let reply = app.core("POST", "/licenses", t, Some(version_body("V", family))).await;
                prop_assert_eq!(reply.status, 201);
                let n: i32 = reply.body["version"].as_str().unwrap().parse().unwrap();
                prop_assert!(handed_out.iter().all(|old| n > *old), "{} after {:?}", n, handed_out);
                prop_assert_eq!(reply.body["slug"].as_str().unwrap(), format!("{family}-v{n}"));
                handed_out.push(n);
                live.push((n, reply.body["slug"].as_str().unwrap().to_owned()));
            }
            Step::Delete(i) if !live.is_empty() => {
                let (_, slug) = live.remove(i % live.len());
                prop_assert_eq!(app.core("DELETE", &format!("/licenses/{slug}"), t, None).await.status, 204);
            }
            Step::Delete(_) => {}
        }
    }
    let family_view = app.core("GET", &format!("/license-families/{family}?include=versions"), t, None).await.body;
    let stored: Vec<i32> = family_view["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_str().unwrap().parse().unwrap())
        .collect();
    let mut expected: Vec<i32> = std::iter::once(1).chain(live.iter().map(|(n, _)| *n)).collect();
    expected.sort_unstable();
    prop_assert_eq!(stored, expected);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn version_numbers_are_never_reused_whatever_the_history() {
    let app = spawn_app().await;
    let org = app.org("org_versions_property").await;
    let handle = tokio::runtime::Handle::current();
    let mut runner = TestRunner::new(Config { cases: 12, failure_persistence: None, ..Config::default() });
    let case = std::sync::atomic::AtomicUsize::new(0);
    let result = tokio::task::block_in_place(|| {
        runner.run(&proptest::collection::vec(step(), 1..12), |steps| {
            let n = case.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let family = format!("family-{n}");
            handle.block_on(play(&app, &org, &family, &steps))
        })
    });
    result.unwrap();
}
