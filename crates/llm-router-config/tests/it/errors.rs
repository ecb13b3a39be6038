//! Every mistake names its field and its line.

use llm_router_config::{Config, ConfigError};

use crate::env;

struct Case {
    name: &'static str,
    toml: &'static str,
    field: &'static str,
    line: usize,
    message: &'static str,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "misspelt field",
            toml: "[server]\nlisen = \"0.0.0.0:80\"\n",
            field: "server.lisen",
            line: 2,
            message: "unknown field `lisen`",
        },
        Case {
            name: "misspelt section",
            toml: "[retries]\nmax_attempts = 2\n",
            field: "retries",
            line: 1,
            message: "unknown field `retries`",
        },
        Case {
            name: "wrong type",
            toml: "[server]\nshutdown_grace = \"5s\"\nbody_limit = true\n",
            field: "server.body_limit",
            line: 3,
            message: "",
        },
        Case {
            name: "zero workers",
            toml: "[server]\nworkers = 0\n",
            field: "server.workers",
            line: 2,
            message: "",
        },
        Case {
            name: "bad listen address",
            toml: "\n[server]\nlisten = \"localhost\"\n",
            field: "server.listen",
            line: 3,
            message: "address",
        },
        Case {
            name: "bad duration",
            toml: "[server]\nshutdown_grace = \"soon\"\n",
            field: "server.shutdown_grace",
            line: 2,
            message: "invalid duration",
        },
        Case {
            name: "bad size",
            toml: "[server]\nbody_limit = \"10 parsecs\"\n",
            field: "server.body_limit",
            line: 2,
            message: "invalid size",
        },
        Case {
            name: "missing env var in a plain string",
            toml: "[server]\nlisten = \"${NOT_SET_ANYWHERE}:80\"\n",
            field: "server.listen",
            line: 2,
            message: "environment variable `NOT_SET_ANYWHERE` is not set",
        },
        Case {
            name: "missing env var in a key",
            toml: "[providers.oa]\nkind = \"openai\"\napi_key = \"${MISSING_KEY}\"\n",
            field: "providers.oa.api_key",
            line: 3,
            message: "environment variable `MISSING_KEY` is not set",
        },
        Case {
            name: "literal key",
            toml: "[providers.oa]\nkind = \"openai\"\napi_key = \"sk-proj-abc123\"\n",
            field: "providers.oa.api_key",
            line: 3,
            message: "${VAR_NAME}",
        },
        Case {
            name: "key with a default",
            toml: "[providers.oa]\nkind = \"openai\"\napi_key = \"${K:-sk-1}\"\n",
            field: "providers.oa.api_key",
            line: 3,
            message: "exactly one environment variable reference",
        },
        Case {
            name: "unknown provider kind",
            toml: "[providers.oa]\nkind = \"opena1\"\n",
            field: "providers.oa.kind",
            line: 2,
            message: "unknown variant `opena1`",
        },
        Case {
            name: "no key for a provider that needs one",
            toml: "[providers.oa]\nkind = \"openai\"\n",
            field: "providers.oa.kind",
            line: 2,
            message: "api_key = \"${OPENAI_API_KEY}\"",
        },
        Case {
            name: "field of another kind",
            toml: "[providers.oa]\nkind = \"openai\"\napi_key = \"${OPENAI_API_KEY}\"\napi_version = \"2024-10-21\"\n",
            field: "providers.oa.api_version",
            line: 4,
            message: "only applies to kind = \"azure\"",
        },
        Case {
            name: "bedrock without region",
            toml: "[providers.b]\nkind = \"bedrock\"\napi_key = \"${OPENAI_API_KEY}\"\n",
            field: "providers.b.kind",
            line: 2,
            message: "needs `region`",
        },
        Case {
            name: "half of the AWS credentials",
            toml: "[providers.b]\nkind = \"bedrock\"\nregion = \"us-east-1\"\naws_access_key_id = \"${OPENAI_API_KEY}\"\n",
            field: "providers.b.aws_access_key_id",
            line: 4,
            message: "needs `aws_secret_access_key` too",
        },
        Case {
            name: "literal AWS secret",
            toml: "[providers.b]\nkind = \"bedrock\"\nregion = \"us-east-1\"\naws_access_key_id = \"${OPENAI_API_KEY}\"\naws_secret_access_key = \"wJalrXUtnFEMI\"\n",
            field: "providers.b.aws_secret_access_key",
            line: 5,
            message: "literal secret",
        },
        Case {
            name: "region on another kind",
            toml: "[providers.oa]\nkind = \"openai\"\napi_key = \"${OPENAI_API_KEY}\"\nregion = \"us-east-1\"\n",
            field: "providers.oa.region",
            line: 4,
            message: "only applies to kind = \"bedrock\"",
        },
        Case {
            name: "openai-compatible without base_url",
            toml: "[providers.x]\nkind = \"openai-compatible\"\nauth = \"none\"\n",
            field: "providers.x.kind",
            line: 2,
            message: "missing `base_url`",
        },
        Case {
            name: "unknown provider in a deployment",
            toml: "[providers.oa]\nkind = \"openai\"\napi_key = \"${OPENAI_API_KEY}\"\n\n[models.gpt]\ndeployments = [\n  { provider = \"oa\", model = \"gpt-4o\" },\n  { provider = \"nope\", model = \"gpt-4o\" },\n]\n",
            field: "models.gpt.deployments[1].provider",
            line: 8,
            message: "unknown provider `nope` (configured: oa)",
        },
        Case {
            name: "unknown provider in a single model",
            toml: "[models.gpt]\nprovider = \"missing\"\n",
            field: "models.gpt.provider",
            line: 2,
            message: "unknown provider `missing`",
        },
        Case {
            name: "zero weight",
            toml: "[providers.oa]\nkind = \"openai\"\napi_key = \"${OPENAI_API_KEY}\"\n[models.gpt]\ndeployments = [\n  { provider = \"oa\", model = \"a\", weight = 0 },\n]\n",
            field: "models.gpt.deployments[0].weight",
            line: 6,
            message: "positive",
        },
        Case {
            name: "negative weight",
            toml: "[providers.oa]\nkind = \"openai\"\napi_key = \"${OPENAI_API_KEY}\"\n[models.gpt]\ndeployments = [{ provider = \"oa\", model = \"a\", weight = -2 }]\n",
            field: "models.gpt.deployments[0].weight",
            line: 5,
            message: "got -2",
        },
        Case {
            name: "unknown strategy",
            toml: "[providers.oa]\nkind = \"openai\"\napi_key = \"${OPENAI_API_KEY}\"\n[models.gpt]\ndeployments = [{ provider = \"oa\", model = \"a\" }]\nstrategy = \"fastest\"\n",
            field: "models.gpt.strategy",
            line: 6,
            message: "unknown variant `fastest`",
        },
        Case {
            name: "fallback cycle",
            toml: "[providers.oa]\nkind = \"openai\"\napi_key = \"${OPENAI_API_KEY}\"\n[models.a]\nprovider = \"oa\"\nfallbacks = [\"b\"]\n[models.b]\nprovider = \"oa\"\nfallbacks = [\"a\"]\n",
            field: "models.b.fallbacks[0]",
            line: 9,
            message: "fallback cycle: a → b → a",
        },
        Case {
            name: "unknown fallback",
            toml: "[providers.oa]\nkind = \"openai\"\napi_key = \"${OPENAI_API_KEY}\"\n[models.a]\nprovider = \"oa\"\nfallbacks = [\"zzz\"]\n",
            field: "models.a.fallbacks[0]",
            line: 6,
            message: "unknown model `zzz`",
        },
        Case {
            name: "duplicate alias",
            toml: "[providers.oa]\nkind = \"openai\"\napi_key = \"${OPENAI_API_KEY}\"\n[models.a]\nprovider = \"oa\"\n[models.a]\nprovider = \"oa\"\n",
            field: "models.a",
            line: 6,
            message: "duplicate",
        },
        Case {
            name: "models as an array of tables",
            toml: "[providers.m]\nkind = \"mock\"\n[[models]]\nname = \"a\"\nprovider = \"m\"\n",
            field: "models[0]",
            line: 3,
            message: "`[models.<alias>]` table",
        },
        Case {
            name: "unknown field in a model",
            toml: "[providers.m]\nkind = \"mock\"\n[models.a]\nprovider = \"m\"\nfallback = [\"b\"]\n",
            field: "models.a.fallback",
            line: 5,
            message: "unknown field `fallback`, expected one of",
        },
        Case {
            name: "embeddings from a chat-only provider",
            toml: "[providers.c]\nkind = \"anthropic\"\napi_key = \"${ANTHROPIC_API_KEY}\"\n[models.e]\nprovider = \"c\"\nkinds = [\"embeddings\"]\n",
            field: "models.e.provider",
            line: 5,
            message: "does not serve Embeddings",
        },
        Case {
            name: "rule pointing nowhere",
            toml: "[providers.m]\nkind = \"mock\"\n[models.a]\nprovider = \"m\"\n[models.auto]\nrules = [{ condition = \"has_tools\", target = \"nowhere\" }]\ndefault = \"a\"\n",
            field: "models.auto.rules[0].target",
            line: 6,
            message: "unknown model `nowhere`",
        },
        Case {
            name: "bad caller key hash",
            toml: "[[keys]]\nname = \"k\"\nsha256 = \"abc\"\n",
            field: "keys[0].sha256",
            line: 3,
            message: "64 hex digits",
        },
        Case {
            name: "caller key for an unknown model",
            toml: "[[keys]]\nname = \"k\"\nkey = \"${TEAM_KEY}\"\nmodels = [\"ghost\"]\n",
            field: "keys[0].models[0]",
            line: 4,
            message: "unknown model `ghost`",
        },
        Case {
            name: "redis cache without url",
            toml: "[cache]\nbackend = \"redis\"\n",
            field: "cache.backend",
            line: 2,
            message: "needs `redis_url`",
        },
        Case {
            name: "limits with nothing limited",
            toml: "\n[limits]\nmode = \"reject\"\n",
            field: "limits",
            line: 2,
            message: "at least one",
        },
    ]
}

fn first_error(src: &str) -> ConfigError {
    let vars = env(&[
        ("OPENAI_API_KEY", "sk-x"),
        ("ANTHROPIC_API_KEY", "a-x"),
        ("TEAM_KEY", "t"),
    ]);
    match Config::from_toml_str_with_env(src, "cfg.toml", &vars) {
        Err(e) => e,
        Ok(cfg) => cfg
            .validate_with_env(&vars)
            .expect_err("the configuration should be refused"),
    }
}

#[test]
fn every_error_names_its_field_and_line() {
    let mut failures = Vec::new();
    for case in cases() {
        let err = first_error(case.toml);
        let problems = err.problems();
        let found = problems.iter().find(|p| p.field() == Some(case.field));
        let Some(problem) = found else {
            failures.push(format!(
                "{}: no problem at `{}` in:\n{err}",
                case.name, case.field
            ));
            continue;
        };
        let text = problem.to_string();
        let location = problem.location().unwrap();
        if location.line() != Some(case.line) {
            failures.push(format!(
                "{}: expected line {}, got {text}",
                case.name, case.line
            ));
        }
        if !text.starts_with(&format!("cfg.toml:{}:", case.line)) || !text.contains(case.field) {
            failures.push(format!(
                "{}: message does not start with file:line and field: {text}",
                case.name
            ));
        }
        if !text.contains(case.message) {
            failures.push(format!(
                "{}: expected {:?} in {text}",
                case.name, case.message
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn validation_reports_every_problem_at_once() {
    let err = first_error(
        "[models.a]\nprovider = \"x\"\n[models.b]\nprovider = \"y\"\n[[keys]]\nname = \"k\"\n",
    );
    assert!(matches!(err, ConfigError::Multiple(_)), "{err}");
    let fields: Vec<_> = err.problems().iter().filter_map(|p| p.field()).collect();
    assert_eq!(
        fields,
        ["models.a.provider", "models.b.provider", "keys[0]"]
    );
    assert_eq!(err.to_string().lines().count(), 3, "{err}");
}

#[test]
fn errors_never_show_key_values() {
    let src = "[providers.oa]\nkind = \"openai\"\napi_key = \"sk-live-VERYSECRET\"\n";
    let err = first_error(src);
    assert!(!err.to_string().contains("VERYSECRET"), "{err}");
}
