//! Golden tests of evaluation and lint through the public API, with the CEL engine.

use std::cell::OnceCell;
use std::collections::BTreeSet;

use chrono::{TimeZone, Utc};
use kaiten_flags::facts::{self, CustomerFacts, EntitlementFact, InstanceFacts, LicenseFact};
use kaiten_flags::{CelEngine, CompiledFlag, Definition, ErrorCode, EvaluationContext, Reason, RuleEngine, evaluate};
use serde_json::{Value, json};

fn flag(definition: Value) -> CompiledFlag<<CelEngine as RuleEngine>::Rule> {
    let definition: Definition = serde_json::from_value(definition).expect("definition");
    CompiledFlag::compile(&CelEngine::default(), "00000000-0000-0000-0000-000000000001".into(), definition)
}

fn boolean_flag(targetings: Value, enabled: bool) -> CompiledFlag<<CelEngine as RuleEngine>::Rule> {
    flag(json!({
        "slug": "new-checkout", "type": "boolean", "enabled": enabled,
        "variants": [{"name": "on", "description": "", "value": true}, {"name": "off", "description": "", "value": false}],
        "default_variant": {"type": "basic", "value": "off"},
        "targetings": targetings,
        "metadata": {"owner": "growth"}
    }))
}

fn context(raw: Value) -> EvaluationContext {
    let Value::Object(map) = raw else { panic!("object") };
    EvaluationContext::from_request(map)
}

fn run(flag: &CompiledFlag<<CelEngine as RuleEngine>::Rule>, ctx: &EvaluationContext) -> kaiten_flags::Resolution {
    let engine = CelEngine::default();
    evaluate(&engine, flag, ctx, &OnceCell::new(), Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap())
}

#[test]
fn disabled_serves_the_default_without_looking_at_anything() {
    let f = boolean_flag(json!([{"type": "basic", "name": "all", "rule": "true", "variant": "on"}]), false);
    let r = run(&f, &context(json!({})));
    assert_eq!((r.reason, r.variant.as_str(), r.value), (Reason::Disabled, "off", Some(json!(false))));
    assert_eq!(r.error, None, "no targeting-key check when disabled");
}

#[test]
fn a_missing_targeting_key_is_provider_fatal_with_the_default_value() {
    let f = boolean_flag(json!([]), true);
    let r = run(&f, &context(json!({"plan": "pro"})));
    assert_eq!(r.reason, Reason::Error);
    assert_eq!(r.error, Some((ErrorCode::ProviderFatal, "missing targeting key".into())));
    assert_eq!(r.value, Some(json!(false)));
    assert_eq!(r.metadata["owner"], "growth");
}

#[test]
fn no_targetings_gives_the_default_variants_own_reason() {
    let r = run(&boolean_flag(json!(null), true), &context(json!({"targetingKey": "acme"})));
    assert_eq!((r.reason, r.variant.as_str()), (Reason::Static, "off"));
    let split = flag(json!({
        "slug": "s", "type": "string", "enabled": true, "metadata": {}, "targetings": [],
        "variants": [{"name": "a", "description": "", "value": "A"}],
        "default_variant": {"type": "rollout_percentage", "distribution": {"a": 1}}
    }));
    let r = run(&split, &context(json!({"targetingKey": "acme"})));
    assert_eq!((r.reason, r.value), (Reason::Split, Some(json!("A"))));
}

#[test]
fn first_match_wins_and_earlier_broken_rules_are_reported() {
    let f = boolean_flag(
        json!([
            {"type": "basic", "name": "broken", "rule": "user.nosuch == 1", "variant": "off"},
            {"type": "basic", "name": "not-pro", "rule": "user.plan == 'free'", "variant": "off"},
            {"type": "basic", "name": "pro", "rule": "user.plan == 'pro' && seats > 10", "variant": "on"},
            {"type": "basic", "name": "never-reached", "rule": "nope.nope", "variant": "off"}
        ]),
        true,
    );
    let r = run(&f, &context(json!({"targetingKey": "acme", "user": {"plan": "pro"}, "seats": 12})));
    assert_eq!((r.reason, r.variant.as_str(), r.value.clone()), (Reason::TargetingMatch, "on", Some(json!(true))));
    assert_eq!(r.matched_rule.as_deref(), Some("pro"));
    let broken = r.metadata["kaiten.brokenTargetingRules"].as_array().expect("broken rules");
    assert_eq!(broken.len(), 1, "{broken:?}");
    let message = broken[0].as_str().unwrap();
    assert!(message.starts_with("broken: eval error in basicTargeting \"user.nosuch == 1\": no such key"), "{message}");
    assert_eq!(r.metadata["owner"], "growth");
}

#[test]
fn nothing_matching_is_default_and_a_non_bool_rule_is_broken() {
    let f = boolean_flag(
        json!([
            {"type": "basic", "name": "number", "rule": "1 + 1", "variant": "on"},
            {"type": "basic", "name": "no", "rule": "false", "variant": "on"}
        ]),
        true,
    );
    let r = run(&f, &context(json!({"targetingKey": "acme"})));
    assert_eq!((r.reason, r.variant.as_str()), (Reason::Default, "off"));
    assert_eq!(
        r.metadata["kaiten.brokenTargetingRules"],
        json!(["number: basicTargeting \"1 + 1\" did not evaluate to a boolean"])
    );
}

#[test]
fn a_rollout_that_serves_nothing_moves_on_to_the_next_rule() {
    let f = boolean_flag(
        json!([
            {"type": "rollout_percentage", "name": "empty", "rule": "true", "distribution": {"on": 0}},
            {"type": "rollout_percentage", "name": "all-on", "rule": "true", "distribution": {"on": 5, "off": 0}}
        ]),
        true,
    );
    let r = run(&f, &context(json!({"targetingKey": "acme"})));
    assert_eq!((r.reason, r.variant.as_str(), r.matched_rule.as_deref()), (Reason::Split, "on", Some("all-on")));
}

#[test]
fn unknown_variants_serve_the_zero_value_of_the_type() {
    for (kind, zero) in [("boolean", json!(false)), ("string", json!("")), ("number", json!(0)), ("object", json!({}))]
    {
        let f = flag(json!({
            "slug": "z", "type": kind, "enabled": true, "metadata": {}, "targetings": null, "variants": null,
            "default_variant": {"type": "basic", "value": "ghost"}
        }));
        assert_eq!(run(&f, &context(json!({"targetingKey": "k"}))).value, Some(zero), "{kind}");
    }
}

#[test]
fn the_same_key_always_gets_the_same_variant_and_splits_follow_weights() {
    let f = boolean_flag(
        json!([{"type": "rollout_percentage", "name": "ten", "rule": "true", "distribution": {"on": 10, "off": 90}}]),
        true,
    );
    let mut on = 0;
    for i in 0..10_000 {
        let ctx = context(json!({"targetingKey": format!("customer-{i}")}));
        let first = run(&f, &ctx);
        assert_eq!(first, run(&f, &ctx));
        on += usize::from(first.variant == "on");
    }
    assert!((800..=1200).contains(&on), "10% ± 2 points, got {on}");
}

fn customer_facts() -> Value {
    let customer = CustomerFacts {
        license: Some(LicenseFact {
            slug: "growth-v2".into(),
            family_slug: "growth".into(),
            license_type: "PAID".into(),
        }),
        entitlements: vec![
            ("seats".into(), EntitlementFact::of(Some(10.0), 10.0)),
            ("api-calls".into(), EntitlementFact::of(Some(-1.0), 5000.0)),
            ("sso".into(), EntitlementFact::of(None, 0.0)),
        ],
    };
    Value::Object(facts::namespace(&customer, &InstanceFacts::default()))
}

#[test]
fn rules_read_the_license_and_entitlement_facts() {
    let engine = CelEngine::default();
    let mut ctx = context(json!({"targetingKey": "acme", "__kaiten": {"license": {"familySlug": "forged"}}}));
    let Value::Object(facts) = customer_facts() else { unreachable!() };
    ctx.facts = facts;
    let activation = engine.activation(&ctx);
    let rule = |source: &str| engine.matches(&engine.compile(source).expect("compiles"), &activation);
    assert_eq!(rule("__kaiten.license.familySlug == 'growth'"), Ok(true), "the forged fact was discarded");
    assert_eq!(rule("__kaiten.entitlements['seats'].remaining > 0"), Ok(false));
    assert_eq!(rule("__kaiten.entitlements.seats.percentage == 1.0"), Ok(true));
    assert_eq!(
        rule("__kaiten.entitlements['api-calls'].unlimited && __kaiten.entitlements['api-calls'].remaining > 1000000"),
        Ok(true)
    );
    assert_eq!(rule("__kaiten.entitlements['sso'].limit == 0 && !__kaiten.entitlements['sso'].unlimited"), Ok(true));
    assert!(rule("__kaiten.instance.slug == 'x'").is_err(), "unresolved sub-roots are absent");
}

fn lint(rule: &str) -> Vec<kaiten_flags::Issue> {
    let catalog: BTreeSet<String> = ["seats".to_owned(), "api-calls".to_owned()].into();
    CelEngine::default().check(rule, Some(&catalog)).err().unwrap_or_default()
}

#[test]
fn the_lint_accepts_what_exists() {
    for rule in [
        "true",
        "__kaiten.entitlements['seats'].remaining > 0",
        "__kaiten.entitlements.seats.used < 5 && __kaiten.license.familySlug == 'growth'",
        "has(__kaiten.instance.lifecycleStage) && __kaiten.instance.metadata.anything == 1",
        "__kaiten.entitlements[targetingKey].nope",
        "user.plan in ['pro', 'team'] && [1, 2, 3].exists(x, x > seats)",
    ] {
        assert_eq!(lint(rule), vec![], "{rule}");
    }
}

#[test]
fn the_lint_refuses_with_the_originals_messages_and_positions() {
    let issues = lint("   ");
    assert_eq!(issues[0].message, "targeting rule is empty — write `true` for a rule that always matches");
    assert_eq!((issues[0].line, issues[0].column), (0, 0));

    let issues = lint("__kaiten.license .  slgu == 'x'");
    assert_eq!(
        issues[0].message,
        "rule \"__kaiten.license .  slgu == 'x'\" reads __kaiten.license.slgu, which does not exist — available: slug, familySlug, type"
    );
    assert_eq!((issues[0].line, issues[0].column, issues[0].end_line, issues[0].end_column), (1, 18, 1, 25));

    let issues = lint("'ééééé' == 'x' && __kaiten.licence == 1");
    assert_eq!((issues[0].line, issues[0].column), (1, 27), "columns count characters, not bytes");

    let issues = lint("__kaiten.plan == 'x'");
    assert!(issues[0].message.ends_with("reads __kaiten.plan, which does not exist — available: license, entitlements, instance, customer, deploymentZone"));

    let issues = lint("true &&\n  __kaiten.entitlements['sieges'].remaining > 0");
    assert_eq!(
        issues[0].message,
        "rule \"true \\u0026\\u0026\\n  __kaiten.entitlements['sieges'].remaining \\u003e 0\" targets the entitlement \"sieges\", which this organization does not have"
            .replace("\\u0026", "&").replace("\\u003e", ">")
    );
    assert_eq!((issues[0].line, issues[0].column, issues[0].end_line, issues[0].end_column), (2, 25, 2, 33));

    let issues = lint("__kaiten.entitlements.seats.left > 0");
    assert!(issues[0].message.contains(
        "reads .left on an entitlement, which does not exist — available: limit, used, remaining, percentage, unlimited"
    ));
    assert!(lint("__kaiten.entitlements.sieges > 0")[0].message.contains("targets the entitlement \"sieges\""));

    let issues = lint("1 +");
    assert_eq!((issues[0].line, issues[0].column), (1, 4));
    assert!(issues[0].message.starts_with("Syntax error"), "{}", issues[0].message);
}

#[test]
fn the_cost_limit_refuses_nested_iteration_at_write_and_at_run_time() {
    let long: Vec<String> = (0..150).map(|i| i.to_string()).collect();
    let list = format!("[{}]", long.join(","));
    let nested = format!("{list}.exists(x, {list}.exists(y, x == y))");
    let issues = lint(&nested);
    assert!(issues[0].message.contains("could cost up to"), "{issues:?}");
    assert!(
        issues[0]
            .message
            .ends_with("(the cost limit is 20000): nest fewer comprehensions, or iterate over shorter lists")
    );

    // Cheap when the inputs are small, refused when the request carries a huge list.
    let engine = CelEngine::default();
    let rule = engine.compile("items.exists(x, items.exists(y, x == y))").unwrap();
    assert_eq!(lint("items.exists(x, items.exists(y, x == y))"), vec![]);
    let small = context(json!({"targetingKey": "k", "items": [1, 2, 3]}));
    assert_eq!(engine.matches(&rule, &engine.activation(&small)), Ok(true));
    let huge = context(json!({"targetingKey": "k", "items": (0..5000).collect::<Vec<_>>()}));
    let refused = engine.matches(&rule, &engine.activation(&huge)).unwrap_err();
    assert!(refused.contains("the cost limit is 20000"), "{refused}");
}

#[test]
fn string_work_is_costed_by_the_strings_a_request_carries() {
    let engine = CelEngine::default();
    let chain = vec!["s"; 60].join(" + ");
    let rule = engine.compile(&format!("size({chain}) > 0")).expect("compiles");
    let short = context(json!({"targetingKey": "k", "s": "ab"}));
    assert_eq!(engine.matches(&rule, &engine.activation(&short)), Ok(true));
    let long = context(json!({"targetingKey": "k", "s": "x".repeat(100_000)}));
    let refused = engine.matches(&rule, &engine.activation(&long)).unwrap_err();
    assert!(refused.contains("the cost limit is 20000"), "{refused}");
    // An ordinary rule on a long string still runs.
    let simple = engine.compile("s.startsWith('x')").unwrap();
    assert_eq!(engine.matches(&simple, &engine.activation(&long)), Ok(true));
}

#[test]
fn rules_nesting_too_deeply_are_refused_before_they_can_exhaust_the_stack() {
    let engine = CelEngine::default();
    let parens = format!("{}1{} == 1", "(".repeat(4000), ")".repeat(4000));
    let chain = format!("{} == 0", vec!["1"; 4000].join(" + "));
    for rule in [parens, chain] {
        // On a thread with a tokio worker's stack, so an overflow would show here.
        let verdict = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || CelEngine::default().compile(&rule).map(|_| ()).map_err(|issues| issues[0].message.clone()))
            .unwrap()
            .join()
            .unwrap();
        assert!(verdict.unwrap_err().contains("nests more deeply than a targeting rule may"));
    }
    assert!(engine.compile(&format!("{} == 50", vec!["1"; 50].join(" + "))).is_ok());
    // Past the text bound's reach, the parsed depth is checked too.
    let deep = format!("{} == 0", vec!["1"; 100].join(" + "));
    let Err(issues) = engine.compile(&deep) else { panic!("a 100-deep chain compiled") };
    assert!(issues[0].message.contains("nests more deeply"));
    // A long rule of many short clauses is fine.
    let wide = (0..60).map(|i| format!("plan == 'p{i}'")).collect::<Vec<_>>().join(" || ");
    assert!(engine.compile(&wide).is_ok(), "{wide}");
}
