//! The worker's settings, read from `Env` into types once per request.

pub mod brand;
pub mod names;
pub mod parse;
mod raw;

pub use raw::RawConfig;

use crate::domain::phone::Region;
use crate::domain::PositionId;
use crate::http_url::{is_loopback_host, HttpUrl};
use crate::ledger::budget::Limits;
use crate::ledger::{Budgets, DEFAULT_QUOTA_RETRY_SECONDS};
use worker::Env;

pub const DEFAULT_API_URL: &str = "https://api.hireflix.com/me";
pub const DEFAULT_TURNSTILE_VERIFY_URL: &str =
    "https://challenges.cloudflare.com/turnstile/v0/siteverify";
const DEFAULT_TTL_DAYS: u64 = 30;
pub const DEFAULT_SUBMISSION_TTL_SECONDS: u64 = DEFAULT_TTL_DAYS * 86_400;
/// A dead letter holds a whole application: kept long enough for an operator to act on it,
/// and not for ever.
const DEFAULT_DEAD_LETTER_TTL_DAYS: u64 = 30;
const DEAD_LETTER_TTL_DAYS: std::ops::RangeInclusive<u64> = 1..=365;
const DEFAULT_TIMEOUT_MS: u32 = 4_000;
const DEFAULT_RETRY_BASE_DELAY_SECONDS: u32 = 30;
const DEFAULT_MAX_INVITE_ATTEMPTS: u32 = 30;
/// Hireflix publishes no rate limit: 5 calls a second is well under what any API gateway
/// throttles by default, and with batches of 5 it is 25 invites a second, far above the
/// invite budgets (`docs/operations.md`).
const DEFAULT_MAX_CALLS_PER_SECOND: u32 = 5;
/// Long enough for a double tap or a closed tab; short enough that a link found by knowing
/// someone's email and names is no use a quarter of an hour after they applied.
const DEFAULT_LINK_GRACE_MINUTES: u64 = 15;

#[derive(Clone)]
pub struct Config {
    pub api_url: HttpUrl,
    pub api_key: String,
    /// `None`: every open position of the account takes applications.
    pub allowed_positions: Option<Vec<PositionId>>,
    pub submission_ttl_seconds: u64,
    pub dead_letter_ttl_seconds: u64,
    pub hireflix_timeout_ms: u32,
    pub retry_base_delay_seconds: u32,
    pub max_invite_attempts: u32,
    /// How long after an interview is made a resubmission with its names alone is sent to it.
    pub link_grace_ms: u64,
    /// Calls to Hireflix a second, live posts and the queue together (`crate::pace`).
    pub max_calls_per_second: u32,
    /// Keys every HMAC: candidate keys (KV keys, log tags, externalId), names tags, link passes,
    /// mailbox hashes.
    pub app_secret: String,
    /// Origins besides the worker's own that may post the form, call the API and frame it.
    pub allowed_origins: Vec<String>,
    /// `None`: Turnstile is off.
    pub turnstile: Option<Turnstile>,
    /// The invite ledger's limits and windows.
    pub budgets: Budgets,
    /// Where a phone number without a country code is from; `None`: the page language's region.
    pub phone_region: Option<&'static Region>,
    /// A candidate must tick the consent box; recorded with this notice version.
    pub require_consent: bool,
    pub consent_notice_version: String,
    /// What works but deserves an operator's look (/healthz lists them), by setting name.
    pub warnings: Vec<String>,
}

#[derive(Clone)]
pub struct Turnstile {
    pub site_key: String,
    pub secret_key: String,
    pub verify_url: HttpUrl,
}

// Written by hand so that no `{:?}` can ever print the API key.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("api_url", &self.api_url.to_string())
            .field("api_key", &"<redacted>")
            .field("allowed_positions", &self.allowed_positions)
            .field("submission_ttl_seconds", &self.submission_ttl_seconds)
            .field("dead_letter_ttl_seconds", &self.dead_letter_ttl_seconds)
            .field("hireflix_timeout_ms", &self.hireflix_timeout_ms)
            .field("retry_base_delay_seconds", &self.retry_base_delay_seconds)
            .field("max_invite_attempts", &self.max_invite_attempts)
            .field("link_grace_ms", &self.link_grace_ms)
            .field("max_calls_per_second", &self.max_calls_per_second)
            .field("app_secret", &"<redacted>")
            .field("allowed_origins", &self.allowed_origins)
            .field("turnstile", &self.turnstile.as_ref().map(|t| &t.site_key))
            .field("budgets", &self.budgets)
            .field("phone_region", &self.phone_region.map(|r| r.code))
            .field("require_consent", &self.require_consent)
            .field("consent_notice_version", &self.consent_notice_version)
            .field("warnings", &self.warnings)
            .finish()
    }
}

/// The names wrangler.toml sets as plain vars (any `[vars]` table), found by build.rs.
const PLAIN_VARS: &str = env!("WRANGLER_PLAIN_VARS");

/// The secrets named in a comma-separated list of plain vars: the runtime cannot tell a
/// secret from a var (both are strings), but the build can read wrangler.toml.
fn secrets_in(plain_vars: &str) -> impl Iterator<Item = &str> {
    const SECRETS: [&str; 4] = [
        names::HIREFLIX_API_KEY,
        names::APP_SECRET,
        names::TURNSTILE_SECRET_KEY,
        names::ADMIN_TOKEN,
    ];
    plain_vars.split(',').filter(|name| SECRETS.contains(name))
}

/// Everything wrong with the configuration, by setting name. Never holds a value: a problem
/// report may be shown on /healthz.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblems(pub Vec<String>);

impl Config {
    pub fn from_env(env: &Env) -> Result<Config, ConfigProblems> {
        RawConfig::from_env(env).parse()
    }

    /// `APP_SECRET` alone, for the dead-letter consumer, which must work while the rest of the
    /// configuration is broken.
    pub fn app_secret_from_env(env: &Env) -> Option<String> {
        let raw = env.secret(names::APP_SECRET).ok().map(|s| s.to_string());
        parse::app_secret(raw.as_deref()).ok()
    }

    /// `DEAD_LETTER_TTL_DAYS` alone, in seconds, for the same reason; unreadable: the default
    /// (and /healthz names the setting).
    pub fn dead_letter_ttl_from_env(env: &Env) -> u64 {
        let days = env
            .var(names::DEAD_LETTER_TTL_DAYS)
            .ok()
            .and_then(|v| v.to_string().trim().parse::<u64>().ok())
            .filter(|days| DEAD_LETTER_TTL_DAYS.contains(days))
            .unwrap_or(DEFAULT_DEAD_LETTER_TTL_DAYS);
        days * 86_400
    }

    /// What is unsafe but does not stop the worker, by setting name (never a value).
    pub fn safety_warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        let plain_http = self.allowed_origins.iter().any(|origin| {
            HttpUrl::parse(origin)
                .is_some_and(|url| !url.is_https() && !is_loopback_host(url.host()))
        });
        if plain_http {
            warnings.push(format!(
                "{} lists a plain http origin: a page served without TLS can be altered on the way to frame or post the form",
                names::ALLOWED_ORIGINS
            ));
        }
        let limits = &self.budgets.limits;
        if limits.account_day == 0 && limits.account_month == 0 {
            warnings.push(format!(
                "{} and {} are both 0: nothing stops the account's invites from spending the plan's quota",
                names::INVITES_PER_DAY,
                names::INVITES_PER_MONTH
            ));
        }
        if self.turnstile.is_none() {
            warnings.push(format!(
                "{} is not set: Turnstile is off, so a script can post as many applications as the rate limits let it",
                names::TURNSTILE_SITE_KEY
            ));
        }
        if self.budgets.windows != crate::ledger::window::Windows::REAL {
            warnings.push(format!(
                "{} is set: a setting for tests only, the budgets' windows are not real hours, days and months",
                names::BUDGET_WINDOWS_SECONDS
            ));
        }
        for name in secrets_in(PLAIN_VARS) {
            warnings.push(format!(
                "{name} is a plain var in wrangler.toml: a secret there is stored in the repository and shown in the dashboard (wrangler secret put {name})"
            ));
        }
        warnings
    }

    pub fn allows(&self, position: &PositionId) -> bool {
        self.allowed_positions
            .as_ref()
            .is_none_or(|allowed| allowed.contains(position))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    fn raw(key: Option<&str>) -> RawConfig {
        RawConfig {
            api_key: key.map(String::from),
            app_secret: Some(SECRET.into()),
            ..RawConfig::default()
        }
    }

    /// Cloudflare's test keys: Turnstile on.
    fn with_turnstile(raw: RawConfig) -> RawConfig {
        RawConfig {
            turnstile_site_key: Some("1x00000000000000000000AA".into()),
            turnstile_secret_key: Some("1x0000000000000000000000000000000AA".into()),
            ..raw
        }
    }

    #[test]
    fn defaults_point_at_the_real_api() {
        let config = raw(Some("k")).parse().unwrap();
        assert_eq!(config.api_url.to_string(), DEFAULT_API_URL);
        assert_eq!(config.submission_ttl_seconds, 30 * 86_400);
        assert_eq!(config.link_grace_ms, 15 * 60_000);
        assert_eq!(config.dead_letter_ttl_seconds, 30 * 86_400);
        assert!(config.allowed_positions.is_none());
    }

    #[test]
    fn a_missing_key_is_reported_by_name_never_by_value() {
        let problems = raw(Some("  ")).parse().unwrap_err();
        assert_eq!(problems.0.len(), 1);
        assert!(problems.0[0].contains("HIREFLIX_API_KEY"));
    }

    #[test]
    fn bad_values_are_all_reported() {
        let config = RawConfig {
            api_url: Some("ftp://x".into()),
            api_key: Some("super-secret-value".into()),
            allowed_positions: Some("abc".into()),
            submission_ttl_days: Some("0".into()),
            ..raw(None)
        };
        let problems = config.parse().unwrap_err();
        assert_eq!(problems.0.len(), 3);
        assert!(!problems.0.join(" ").contains("super-secret-value"));
    }

    #[test]
    fn the_key_never_travels_unencrypted_and_never_prints() {
        let with_url = |url: &str| RawConfig {
            api_url: Some(url.into()),
            api_key: Some("super-secret-value".into()),
            app_secret: Some(SECRET.into()),
            ..RawConfig::default()
        };
        assert!(with_url("http://api.hireflix.com/me").parse().is_err());
        assert!(with_url("http://127.0.0.1:4010/me").parse().is_ok());
        let config = with_url("https://api.hireflix.com/me").parse().unwrap();
        assert!(!format!("{config:?}").contains("super-secret-value"));
    }

    #[test]
    fn allowed_positions_narrow_the_account() {
        let config = RawConfig {
            api_key: Some("k".into()),
            app_secret: Some(SECRET.into()),
            allowed_positions: Some(" 68b43e38b19cf131a17c543f , ,68B43E38B19CF131A17C5440".into()),
            ..RawConfig::default()
        }
        .parse()
        .unwrap();
        assert!(config.allows(&PositionId::parse("68b43e38b19cf131a17c5440").unwrap()));
        assert!(!config.allows(&PositionId::parse("68b43e38b19cf131a17c5441").unwrap()));
    }

    #[test]
    fn app_secret_is_required_and_long() {
        let none = RawConfig {
            app_secret: None,
            ..raw(Some("k"))
        };
        assert!(none.parse().unwrap_err().0[0].contains("APP_SECRET is not set"));
        let short = RawConfig {
            app_secret: Some("short-secret".into()),
            ..raw(Some("k"))
        };
        let problems = short.parse().unwrap_err().0;
        assert!(problems[0].contains("at least 32"));
        assert!(!problems.join(" ").contains("short-secret"));
    }

    #[test]
    fn allowed_origins_are_origins() {
        let with = |origins: &str| RawConfig {
            allowed_origins: Some(origins.into()),
            ..raw(Some("k"))
        };
        let config = with(" https://Careers.Example.com , http://127.0.0.1:5500/ ")
            .parse()
            .unwrap();
        assert_eq!(
            config.allowed_origins,
            vec!["https://careers.example.com", "http://127.0.0.1:5500"]
        );
        for bad in [
            "careers.example.com",
            "https://x.com/jobs",
            "https://x.com?a",
            "*",
        ] {
            assert!(with(bad).parse().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_plain_http_landing_page_is_a_warning_loopback_excepted() {
        let with = |origins: &str| RawConfig {
            allowed_origins: Some(origins.into()),
            ..with_turnstile(raw(Some("k")))
        };
        assert!(with("https://careers.example.com,http://127.0.0.1:5500")
            .parse()
            .unwrap()
            .safety_warnings()
            .is_empty());
        let warnings = with("http://careers.example.com")
            .parse()
            .unwrap()
            .safety_warnings();
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].starts_with("ALLOWED_ORIGINS "));
        assert!(!warnings[0].contains("careers.example.com"));
    }

    #[test]
    fn budgets_default_to_the_documented_limits_every_account_budget_on() {
        let budgets = raw(Some("k")).parse().unwrap().budgets;
        assert_eq!(
            budgets.limits,
            Limits {
                email_day: 3,
                position_hour: 100,
                account_day: 50,
                account_month: 200,
                account_minute: 10,
            }
        );
        assert_eq!(budgets.windows, crate::ledger::window::Windows::REAL);
        assert_eq!(budgets.quota_retry_seconds, 10_800);
    }

    #[test]
    fn budgets_and_test_windows_are_read_and_checked() {
        let config = RawConfig {
            invites_per_email_per_day: Some("1".into()),
            invites_per_month: Some(" 900 ".into()),
            quota_retry_seconds: Some("2".into()),
            budget_windows_seconds: Some("2, 4,8".into()),
            ..raw(Some("k"))
        }
        .parse()
        .unwrap();
        assert_eq!(config.budgets.limits.email_day, 1);
        assert_eq!(config.budgets.limits.account_month, 900);
        assert_eq!(config.budgets.quota_retry_seconds, 2);
        assert_eq!(config.budgets.windows.month_seconds, 8);

        let bad = RawConfig {
            invites_per_day: Some("-1".into()),
            quota_retry_seconds: Some("86400".into()),
            budget_windows_seconds: Some("2,4".into()),
            ..raw(Some("k"))
        };
        let problems = bad.parse().unwrap_err().0.join("\n");
        for name in [
            "INVITES_PER_DAY",
            "QUOTA_RETRY_SECONDS",
            "BUDGET_WINDOWS_SECONDS",
        ] {
            assert!(problems.contains(name), "{problems}");
        }
    }

    #[test]
    fn an_unsafe_choice_is_a_warning_by_name() {
        let names = |raw: RawConfig| -> Vec<String> {
            let warnings = raw.parse().unwrap().safety_warnings();
            warnings
                .iter()
                .map(|w| w.split(' ').next().unwrap_or_default().to_string())
                .collect()
        };
        let turnstile = with_turnstile;
        assert!(
            names(turnstile(raw(Some("k")))).is_empty(),
            "the defaults are safe"
        );
        assert_eq!(names(raw(Some("k"))), ["TURNSTILE_SITE_KEY"]);
        let unsafe_ = turnstile(RawConfig {
            invites_per_day: Some("0".into()),
            invites_per_month: Some("0".into()),
            budget_windows_seconds: Some("2,4,8".into()),
            ..raw(Some("k"))
        });
        assert_eq!(
            names(unsafe_),
            ["INVITES_PER_DAY", "BUDGET_WINDOWS_SECONDS"]
        );
        let one_off = RawConfig {
            invites_per_month: Some("0".into()),
            ..turnstile(raw(Some("k")))
        };
        assert!(
            names(one_off).is_empty(),
            "the day budget still caps the month"
        );
    }

    #[test]
    fn a_secret_among_wrangler_tomls_plain_vars_is_named() {
        let found: Vec<&str> =
            secrets_in("HIREFLIX_API_URL,APP_SECRET,BRAND_NAME,ADMIN_TOKEN").collect();
        assert_eq!(found, ["APP_SECRET", "ADMIN_TOKEN"]);
        assert_eq!(
            secrets_in(PLAIN_VARS).count(),
            0,
            "the shipped wrangler.toml has none"
        );
        assert!(
            PLAIN_VARS.split(',').any(|v| v == "INVITES_PER_MONTH"),
            "build.rs read its [vars]"
        );
    }

    #[test]
    fn turnstile_is_on_with_a_site_key_and_then_needs_its_secret() {
        assert!(raw(Some("k")).parse().unwrap().turnstile.is_none());
        let half = RawConfig {
            turnstile_site_key: Some("1x00000000000000000000AA".into()),
            ..raw(Some("k"))
        };
        assert!(half.parse().unwrap_err().0[0].contains("TURNSTILE_SECRET_KEY"));
        let on = RawConfig {
            turnstile_secret_key: Some("1x0000000000000000000000000000000AA".into()),
            ..half
        }
        .parse()
        .unwrap();
        assert!(!format!("{on:?}").contains("0000000000000000000000000000000AA"));
        let turnstile = on.turnstile.unwrap();
        assert_eq!(
            turnstile.verify_url.to_string(),
            DEFAULT_TURNSTILE_VERIFY_URL
        );
    }

    #[test]
    fn the_phone_region_is_one_of_the_regions_the_form_reads() {
        let with = |region: &str| RawConfig {
            default_phone_region: Some(region.into()),
            ..raw(Some("k"))
        };
        assert!(with("").parse().unwrap().phone_region.is_none());
        let us = with(" us ").parse().unwrap().phone_region;
        assert_eq!(us.map(|r| r.code), Some("US"));
        let problems = with("UK").parse().unwrap_err().0.join("\n");
        let codes: Vec<_> = crate::domain::phone::REGIONS
            .iter()
            .map(|r| r.code)
            .collect();
        assert!(problems.ends_with(&codes.join(", ")), "{problems}");
    }
}
