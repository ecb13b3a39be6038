//! Named profiles of the AWS shared files, as the AWS CLI and SDKs read them: static or
//! temporary keys from the credentials file (`AWS_SHARED_CREDENTIALS_FILE`, else
//! `~/.aws/credentials`, sections `[name]`) or the config file (`AWS_CONFIG_FILE`, else
//! `~/.aws/config`, sections `[default]` and `[profile name]`), the credentials file winning;
//! the region from the config file.
//!
//! Profiles that get their keys another way (`role_arn`, SSO, `credential_process`, web
//! identity) are reported as such, not resolved: export their credentials into the environment
//! (`aws configure export-credentials --profile NAME --format env`) or use a Bedrock API key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use llm_router_core::{ApiKey, Error, ErrorKind};

use crate::NAME;
use crate::auth::AwsCredentials;

/// The profile read when none is named and `AWS_PROFILE` is unset.
pub const DEFAULT_PROFILE: &str = "default";

/// Keys that mean a profile's credentials come from somewhere this crate does not reach.
const INDIRECT: [&str; 6] = [
    "role_arn",
    "sso_session",
    "sso_start_url",
    "credential_process",
    "web_identity_token_file",
    "credential_source",
];

/// What a profile holds for Bedrock.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Profile {
    /// Its keys, when it has static or temporary ones.
    pub credentials: Option<AwsCredentials>,
    /// Its `region`, from the config file (or the credentials file).
    pub region: Option<String>,
}

/// Reads profile `name` (else `AWS_PROFILE`, else `default`) from the shared files.
///
/// A missing file counts as empty. A profile named explicitly (argument or `AWS_PROFILE`) that
/// neither file has is an error, as is a profile whose keys come from a role, SSO or a
/// process; the implicit `default` profile may be absent (an empty [`Profile`]).
pub fn load_profile(name: Option<&str>) -> Result<Profile, Error> {
    load_profile_with(name, &|var| std::env::var(var).ok())
}

/// [`load_profile`] with the environment variables (`AWS_PROFILE`, the two file variables,
/// `HOME`) looked up through `env`, for callers that keep their own environment (tests, a
/// configuration loader).
pub fn load_profile_with(
    name: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Profile, Error> {
    let env_name = env("AWS_PROFILE").filter(|n| !n.trim().is_empty());
    let explicit = name.map(str::to_owned).or(env_name);
    let profile = explicit
        .clone()
        .unwrap_or_else(|| DEFAULT_PROFILE.to_owned());
    let credentials_file = file_path(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
    let config_file = file_path(env, "AWS_CONFIG_FILE", "config");
    let credentials_text = read(credentials_file.as_deref())?;
    let config_text = read(config_file.as_deref())?;
    resolve(
        &profile,
        explicit.is_some(),
        &credentials_text,
        &config_text,
    )
}

/// The profile `name` out of the two files' texts.
fn resolve(
    name: &str,
    must_exist: bool,
    credentials_text: &str,
    config_text: &str,
) -> Result<Profile, Error> {
    let from_credentials = sections(credentials_text, false).remove(name);
    let from_config = sections(config_text, true).remove(name);
    if from_credentials.is_none() && from_config.is_none() {
        if must_exist {
            return Err(config_error(format!(
                "no AWS profile `{name}` in the shared credentials or config file"
            )));
        }
        return Ok(Profile::default());
    }
    let get = |key: &str| {
        from_credentials
            .as_ref()
            .and_then(|s| s.get(key))
            .or_else(|| from_config.as_ref().and_then(|s| s.get(key)))
            .filter(|v| !v.is_empty())
            .cloned()
    };
    let region = from_config
        .as_ref()
        .and_then(|s| s.get("region"))
        .or_else(|| from_credentials.as_ref().and_then(|s| s.get("region")))
        .filter(|v| !v.is_empty())
        .cloned();
    let credentials = match (get("aws_access_key_id"), get("aws_secret_access_key")) {
        (Some(id), Some(secret)) => {
            let mut c = AwsCredentials::new(id, ApiKey::new(secret));
            if let Some(token) = get("aws_session_token") {
                c = c.with_session_token(ApiKey::new(token));
            }
            Some(c)
        }
        (Some(_), None) => {
            return Err(config_error(format!(
                "AWS profile `{name}` has aws_access_key_id but no aws_secret_access_key"
            )));
        }
        _ => {
            if let Some(key) = INDIRECT.iter().find(|k| get(k).is_some()) {
                return Err(config_error(format!(
                    "AWS profile `{name}` gets its credentials through `{key}`, which llm-router \
                     does not resolve: export them (`aws configure export-credentials --profile \
                     {name} --format env`) or use a Bedrock API key"
                )));
            }
            None
        }
    };
    Ok(Profile {
        credentials,
        region,
    })
}

/// The file named by `var`, else `~/.aws/<file>`.
fn file_path(env: &dyn Fn(&str) -> Option<String>, var: &str, file: &str) -> Option<PathBuf> {
    if let Some(p) = env(var).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let home = env("HOME")
        .or_else(|| env("USERPROFILE"))
        .filter(|h| !h.is_empty())?;
    Some(Path::new(&home).join(".aws").join(file))
}

/// A file's text; a missing file is empty, an unreadable one an error.
fn read(path: Option<&Path>) -> Result<String, Error> {
    let Some(path) = path else {
        return Ok(String::new());
    };
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(e) => Err(config_error(format!(
            "cannot read the AWS file {}: {e}",
            path.display()
        ))),
    }
}

/// The sections of an INI text: `name → key → value`. In the config file a profile's header is
/// `[profile name]` (`[default]` for the default); other section kinds (`[sso-session x]`,
/// `[services x]`) are skipped. Indented lines (nested settings) and comments are ignored.
fn sections(text: &str, config_file: bool) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut out: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if line.starts_with([' ', '\t']) {
            continue;
        }
        let line = line.trim();
        if line.is_empty() || line.starts_with(['#', ';']) {
            continue;
        }
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let header = header.trim();
            current = if !config_file || header == DEFAULT_PROFILE {
                Some(header.to_owned())
            } else {
                header.strip_prefix("profile ").map(|n| n.trim().to_owned())
            };
            continue;
        }
        let (Some(section), Some((key, value))) = (&current, line.split_once('=')) else {
            continue;
        };
        out.entry(section.clone())
            .or_default()
            .insert(key.trim().to_ascii_lowercase(), value.trim().to_owned());
    }
    out
}

fn config_error(message: String) -> Error {
    Error::new(ErrorKind::Config, message).with_provider(NAME)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const CREDENTIALS: &str = "\
# a comment
[default]
aws_access_key_id = AKIADEFAULT
aws_secret_access_key = default-secret

[work]
aws_access_key_id=ASIAWORK
aws_secret_access_key=work-secret
aws_session_token = work-token
";

    const CONFIG: &str = "\
[default]
region = us-east-1

[profile work]
region = eu-west-1
s3 =
  max_concurrent_requests = 10

[profile assumed]
role_arn = arn:aws:iam::123456789012:role/r
source_profile = default
region = us-west-2

[profile inline]
aws_access_key_id = AKIAINLINE
aws_secret_access_key = inline-secret

[sso-session corp]
sso_region = us-east-1
";

    #[test]
    fn profiles_come_from_either_file_with_the_region_from_config() {
        let p = resolve("default", false, CREDENTIALS, CONFIG).unwrap();
        let c = p.credentials.unwrap();
        assert_eq!(c.access_key_id(), "AKIADEFAULT");
        assert!(!c.has_session_token());
        assert_eq!(p.region.as_deref(), Some("us-east-1"));

        let p = resolve("work", true, CREDENTIALS, CONFIG).unwrap();
        let c = p.credentials.unwrap();
        assert_eq!(c.access_key_id(), "ASIAWORK");
        assert!(c.has_session_token());
        assert_eq!(p.region.as_deref(), Some("eu-west-1"));

        // Keys in the config file count too.
        let p = resolve("inline", true, CREDENTIALS, CONFIG).unwrap();
        assert_eq!(p.credentials.unwrap().access_key_id(), "AKIAINLINE");
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let p = resolve("work", true, CREDENTIALS, CONFIG).unwrap();
        let shown = format!("{p:?}");
        assert!(!shown.contains("work-secret"), "{shown}");
        assert!(!shown.contains("work-token"), "{shown}");
    }

    #[test]
    fn missing_and_indirect_profiles_are_explained() {
        let e = resolve("nope", true, CREDENTIALS, CONFIG).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(e.to_string().contains("no AWS profile `nope`"), "{e}");

        let e = resolve("assumed", true, CREDENTIALS, CONFIG).unwrap_err();
        assert!(e.to_string().contains("`role_arn`"), "{e}");
        assert!(e.to_string().contains("export-credentials"), "{e}");

        // The implicit default may be absent.
        let p = resolve("default", false, "", "").unwrap();
        assert!(p.credentials.is_none() && p.region.is_none());

        let e = resolve("half", true, "[half]\naws_access_key_id = AKIA\n", "").unwrap_err();
        assert!(e.to_string().contains("no aws_secret_access_key"), "{e}");
    }

    #[test]
    fn files_are_found_through_their_variables_or_home() {
        let dir = std::env::temp_dir().join(format!("llm-router-aws-{}", std::process::id()));
        std::fs::create_dir_all(dir.join(".aws")).unwrap();
        std::fs::write(dir.join(".aws/credentials"), CREDENTIALS).unwrap();
        std::fs::write(dir.join("elsewhere.ini"), CONFIG).unwrap();
        let home = dir.to_string_lossy().into_owned();
        let config = dir.join("elsewhere.ini").to_string_lossy().into_owned();
        let env = move |var: &str| match var {
            "HOME" => Some(home.clone()),
            "AWS_CONFIG_FILE" => Some(config.clone()),
            "AWS_PROFILE" => Some("work".to_owned()),
            _ => None,
        };
        let p = load_profile_with(None, &env).unwrap();
        assert_eq!(p.credentials.unwrap().access_key_id(), "ASIAWORK");
        assert_eq!(p.region.as_deref(), Some("eu-west-1"));
        // An explicit name beats AWS_PROFILE; no files at all is an empty default.
        let p = load_profile_with(Some("default"), &env).unwrap();
        assert_eq!(p.credentials.unwrap().access_key_id(), "AKIADEFAULT");
        let p = load_profile_with(None, &|_| None).unwrap();
        assert!(p.credentials.is_none());
        assert_eq!(read(Some(&dir.join("absent"))).unwrap(), "");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
