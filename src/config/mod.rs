//! The worker's settings, each read in one place ([`Config::read`]) by its name, with its
//! default and its check. A wrong one is named in `problems` (never with its value) and its
//! default used, so what needs only part of them works on a deployment not fully set up.
//! Adding a setting: a field here, a line in `read`, a commented line in wrangler.toml.

pub mod brand;
pub mod names;
mod read;

use crate::domain::phone::Region;
use crate::domain::PositionId;
use crate::hireflix::TrustedHosts;
use crate::http_url::{is_loopback_host, HttpUrl};
use crate::ledger::budget::Limits;
use crate::ledger::window::Windows;
use crate::ledger::{Budgets, DEFAULT_QUOTA_RETRY_SECONDS};
use crate::objects::Placement;
use brand::Brand;
use read::{label, origins, positions, windows, Reader};
use std::rc::Rc;

pub const DEFAULT_API_URL: &str = "https://api.hireflix.com/me";
const DEFAULT_TURNSTILE_VERIFY_URL: &str =
    "https://challenges.cloudflare.com/turnstile/v0/siteverify";
const DAY_SECONDS: u64 = 86_400;

/// Never printed: `{:?}` shows `<redacted>`, and there is no `Display`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl std::ops::Deref for Secret {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

/// `Env` in the worker, a list of pairs in native tests.
pub trait Vars {
    fn var(&self, name: &str) -> Option<String>;
}

impl Vars for worker::Env {
    fn var(&self, name: &str) -> Option<String> {
        worker::Env::var(self, name).ok().map(|v| v.to_string())
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub api_url: HttpUrl,
    /// Where a candidate may be sent: Hireflix, and the configured API's own origin.
    pub redirect_hosts: TrustedHosts,
    pub api_key: Secret,
    /// `None`: every open position of the account takes applications.
    pub allowed_positions: Option<Vec<PositionId>>,
    pub submission_ttl_seconds: u64,
    pub dead_letter_ttl_seconds: u64,
    pub hireflix_timeout_ms: u32,
    pub retry_base_delay_seconds: u32,
    pub max_invite_attempts: u32,
    /// How long after an interview is made a resubmission with its names alone is sent to it.
    pub link_grace_ms: u64,
    /// Keys every HMAC; empty when unset or too short.
    pub app_secret: Secret,
    pub admin_token: Option<Secret>,
    /// Origins besides the worker's own that may post the form, call the API and frame it.
    pub allowed_origins: Vec<String>,
    pub turnstile: Option<Turnstile>,
    pub budgets: Budgets,
    pub line: crate::line::Limits,
    /// Live posts and the queue together (`crate::pace`).
    pub max_calls_per_second: u32,
    pub object_placement: Placement,
    /// `None`: the page language's region.
    pub phone_region: Option<&'static Region>,
    pub require_consent: bool,
    pub consent_notice_version: String,
    pub brand: Rc<Brand>,
    /// `None`: English.
    pub default_language: Option<String>,
    /// What deserves an operator's look (/healthz lists them), by setting name.
    pub warnings: Vec<String>,
    /// What stops the worker from serving, by setting name.
    pub problems: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Turnstile {
    pub site_key: String,
    pub secret_key: Secret,
    pub verify_url: HttpUrl,
}

/// wrangler.toml's plain vars, found by build.rs: the runtime cannot tell a secret from a var.
const PLAIN_VARS: &str = env!("WRANGLER_PLAIN_VARS");

fn secrets_in(plain_vars: &str) -> impl Iterator<Item = &str> {
    const SECRETS: [&str; 4] = [
        "HIREFLIX_API_KEY",
        "APP_SECRET",
        "TURNSTILE_SECRET_KEY",
        "ADMIN_TOKEN",
    ];
    plain_vars.split(',').filter(|name| SECRETS.contains(name))
}

impl Config {
    pub fn read(vars: &(impl Vars + ?Sized)) -> Config {
        let mut r = Reader {
            vars,
            problems: Vec::new(),
            warnings: Vec::new(),
        };
        let api_url = r.url("HIREFLIX_API_URL", DEFAULT_API_URL);
        let origins_why = "must be comma-separated origins like https://careers.example.com";
        let allowed_origins = r.check("ALLOWED_ORIGINS", origins_why, origins);
        let turnstile = r.text("TURNSTILE_SITE_KEY").and_then(|site_key| {
            let Some(secret_key) = r.text("TURNSTILE_SECRET_KEY") else {
                r.problems.push("TURNSTILE_SITE_KEY is set but TURNSTILE_SECRET_KEY is not (wrangler secret put TURNSTILE_SECRET_KEY)".into());
                return None;
            };
            let verify_url = r.url("TURNSTILE_VERIFY_URL", DEFAULT_TURNSTILE_VERIFY_URL)?;
            Some(Turnstile { site_key, secret_key: Secret(secret_key), verify_url })
        });
        let limits = Limits::default();
        let mut limit = |name, default| r.number(name, default, 0..=1_000_000);
        let limits = Limits {
            email_day: limit("INVITES_PER_EMAIL_PER_DAY", limits.email_day),
            account_day: limit("INVITES_PER_DAY", limits.account_day),
            account_month: limit("INVITES_PER_MONTH", limits.account_month),
            account_minute: limit("INVITES_PER_MINUTE", limits.account_minute),
        };
        let windows_why =
            "must be empty, or three lengths in seconds \"hour,day,month\" (for tests)";
        let positions_why = "must be comma-separated 24-hex position ids";
        let flag_why = "must be true or false";
        let label_why = "must be at most 32 letters, digits, dots, dashes or underscores";
        let regions_why = "must be empty or one of: GB, IE, US, CA, ES, MX, FR, DE, IT, PT, NL, AU";
        let languages: Vec<&str> = crate::i18n::LANGUAGES.iter().map(|w| w.code).collect();
        let languages_why = format!("must be one of: {}", languages.join(", "));
        let object_placement = Placement::parse(&r.text("OBJECT_PLACEMENT").unwrap_or_default());
        if object_placement == Placement::Invalid {
            r.problems
                .push(format!("OBJECT_PLACEMENT {}", Placement::EXPECTED));
        }
        let mut config = Config {
            api_key: r.secret("HIREFLIX_API_KEY", 1),
            allowed_positions: r
                .check("ALLOWED_POSITIONS", positions_why, positions)
                .flatten(),
            submission_ttl_seconds: r.number("SUBMISSION_TTL_DAYS", 30, 1..=365) * DAY_SECONDS,
            dead_letter_ttl_seconds: r.number("DEAD_LETTER_TTL_DAYS", 30, 1..=365) * DAY_SECONDS,
            hireflix_timeout_ms: r.number("HIREFLIX_TIMEOUT_MS", 4_000, 100..=30_000),
            retry_base_delay_seconds: r.number("RETRY_BASE_DELAY_SECONDS", 30, 0..=3_600),
            max_invite_attempts: r.number("MAX_INVITE_ATTEMPTS", 30, 1..=100),
            // Long enough for a double tap or a closed tab; too short for a link found by
            // knowing someone's email and names to be of use.
            link_grace_ms: r.number("LINK_GRACE_MINUTES", 15, 0..=1_440) * 60_000,
            app_secret: r.secret("APP_SECRET", 32),
            admin_token: r.text("ADMIN_TOKEN").map(Secret),
            line: crate::line::Limits {
                per_hour: r.number("INVITES_PER_POSITION_PER_HOUR", 100, 0..=1_000_000),
                max_waiting: r.number("MAX_WAITING_PER_POSITION", 1_000, 1..=100_000),
                max_wait_hours: r.number("MAX_WAIT_HOURS", 72, 1..=720),
            },
            budgets: Budgets {
                limits,
                windows: r
                    .check("BUDGET_WINDOWS_SECONDS", windows_why, windows)
                    .unwrap_or_default(),
                // At most the longest delay this worker asks a queue for.
                quota_retry_seconds: r.number(
                    "QUOTA_RETRY_SECONDS",
                    DEFAULT_QUOTA_RETRY_SECONDS,
                    1..=u64::from(crate::pace::MAX_QUEUE_DELAY_SECONDS),
                ),
            },
            require_consent: r.check("REQUIRE_CONSENT", flag_why, |raw| raw.parse().ok())
                == Some(true),
            consent_notice_version: r
                .check("CONSENT_NOTICE_VERSION", label_why, label)
                .unwrap_or_else(|| crate::i18n::NOTICE_VERSION.to_string()),
            default_language: r.check("DEFAULT_LANGUAGE", &languages_why, |code| {
                crate::i18n::by_code(code).map(|_| code.to_string())
            }),
            // Hireflix publishes no rate limit: 5 a second is well under any API gateway's
            // default, and far above the invite budgets (`docs/operations.md`).
            max_calls_per_second: r.number("HIREFLIX_MAX_CALLS_PER_SECOND", 5, 1..=1_000),
            phone_region: r.check("DEFAULT_PHONE_REGION", regions_why, Region::by_code),
            object_placement,
            brand: Rc::new(brand::read(&mut r)),
            redirect_hosts: api_url
                .as_ref()
                .map_or_else(TrustedHosts::hireflix_only, TrustedHosts::for_api),
            api_url: api_url.unwrap_or_default(),
            allowed_origins: allowed_origins.unwrap_or_default(),
            turnstile,
            warnings: Vec::new(),
            problems: Vec::new(),
        };
        let plain_http = |url: HttpUrl| !url.is_https() && !is_loopback_host(url.host());
        let limits = &config.budgets.limits;
        let unsafe_choices = [
            (config.allowed_origins.iter().any(|o| HttpUrl::parse(o).is_some_and(plain_http)),
                "ALLOWED_ORIGINS lists a plain http origin: a page served without TLS can be altered on the way to frame or post the form"),
            (limits.account_day == 0 && limits.account_month == 0,
                "INVITES_PER_DAY and INVITES_PER_MONTH are both 0: nothing stops the account's invites from spending the plan's quota"),
            (config.turnstile.is_none(),
                "TURNSTILE_SITE_KEY is not set: Turnstile is off, so a script can post as many applications as the rate limits let it"),
            (config.budgets.windows != Windows::REAL,
                "BUDGET_WINDOWS_SECONDS is set: a setting for tests only, the budgets' windows are not real hours, days and months"),
        ];
        for (_, warning) in unsafe_choices.into_iter().filter(|(unsafe_, _)| *unsafe_) {
            r.warnings.push(warning.into());
        }
        for name in secrets_in(PLAIN_VARS) {
            r.warnings.push(format!("{name} is a plain var in wrangler.toml: a secret there is stored in the repository and shown in the dashboard (wrangler secret put {name})"));
        }
        (config.warnings, config.problems) = (r.warnings, r.problems);
        config
    }

    pub fn allows(&self, position: &PositionId) -> bool {
        let allowed = self.allowed_positions.as_ref();
        allowed.is_none_or(|allowed| allowed.contains(position))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Settings as pairs, for every native test that reads a `Config`.
    impl Vars for [(&str, &str)] {
        fn var(&self, name: &str) -> Option<String> {
            self.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        }
    }

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    /// A deployment that is set up, with `extra` over it.
    fn config(extra: &[(&'static str, &'static str)]) -> Config {
        let mut vars: Vec<(&str, &str)> = extra.to_vec();
        vars.extend([
            ("HIREFLIX_API_KEY", "k"),
            ("APP_SECRET", SECRET),
            ("BRAND_NAME", "Example Ltd"),
            ("PRIVACY_URL", "https://example.com/privacy"),
            ("CONTACT_EMAIL", "jobs@example.com"),
            // Cloudflare's test keys: Turnstile on.
            ("TURNSTILE_SITE_KEY", "1x00000000000000000000AA"),
            (
                "TURNSTILE_SECRET_KEY",
                "1x0000000000000000000000000000000AA",
            ),
        ]);
        Config::read(vars.as_slice())
    }

    #[test]
    fn defaults_point_at_the_real_api() {
        let set_up = config(&[]);
        assert!(set_up.problems.is_empty() && set_up.warnings.is_empty());
        assert_eq!(set_up.api_url.to_string(), DEFAULT_API_URL);
        assert_eq!(set_up.submission_ttl_seconds, 30 * 86_400);
        assert_eq!(set_up.link_grace_ms, 15 * 60_000);
        assert_eq!(set_up.dead_letter_ttl_seconds, 30 * 86_400);
        assert!(set_up.allowed_positions.is_none() && set_up.admin_token.is_none());
    }

    #[test]
    fn a_missing_key_is_reported_by_name_never_by_value() {
        let problems = config(&[("HIREFLIX_API_KEY", "  ")]).problems;
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("HIREFLIX_API_KEY"));
    }

    #[test]
    fn bad_values_are_all_reported_and_the_rest_still_read() {
        let broken = config(&[
            ("HIREFLIX_API_URL", "ftp://x"),
            ("HIREFLIX_API_KEY", "super-secret-value"),
            ("ALLOWED_POSITIONS", "abc"),
            ("SUBMISSION_TTL_DAYS", "0"),
            ("DEAD_LETTER_TTL_DAYS", "7"),
        ]);
        assert_eq!(broken.problems.len(), 3);
        assert!(!broken.problems.join(" ").contains("super-secret-value"));
        // What the dead-letter consumer needs is there while the rest is broken.
        assert_eq!(&*broken.app_secret, SECRET);
        assert_eq!(broken.dead_letter_ttl_seconds, 7 * 86_400);
        // A wrong API URL sends nobody to its host.
        assert!(!broken
            .redirect_hosts
            .csp_sources()
            .contains("api.hireflix.com"));
    }

    #[test]
    fn object_placement_is_one_known_value_or_a_problem() {
        assert_eq!(config(&[]).object_placement, Placement::FirstUse);
        let eu = config(&[("OBJECT_PLACEMENT", " eu ")]);
        assert!(eu.problems.is_empty() && eu.object_placement == Placement::Eu);
        let hint = config(&[("OBJECT_PLACEMENT", "apac")]);
        assert_eq!(hint.object_placement, Placement::Hint("apac"));
        let wrong = config(&[("OBJECT_PLACEMENT", "europe")]);
        assert_eq!(wrong.object_placement, Placement::Invalid);
        assert_eq!(wrong.problems.len(), 1);
        assert!(wrong.problems[0].starts_with("OBJECT_PLACEMENT must be"));
        assert!(!wrong.problems[0].contains("europe"));
    }

    #[test]
    fn the_key_never_travels_unencrypted_and_no_secret_prints() {
        let with_url = |url| config(&[("HIREFLIX_API_URL", url)]).problems.is_empty();
        assert!(!with_url("http://api.hireflix.com/me"));
        assert!(with_url("http://127.0.0.1:4010/me"));
        let all = config(&[
            ("HIREFLIX_API_KEY", "super-secret-value"),
            ("ADMIN_TOKEN", "admin-token-value"),
            ("TURNSTILE_SITE_KEY", "1x00000000000000000000AA"),
            ("TURNSTILE_SECRET_KEY", "turnstile-secret-value"),
        ]);
        assert!(all.problems.is_empty());
        let printed = format!("{all:?}");
        for secret in [
            "super-secret-value",
            SECRET,
            "admin-token-value",
            "turnstile-secret-value",
        ] {
            assert!(!printed.contains(secret), "{printed}");
        }
        assert!(printed.contains("1x00000000000000000000AA"));
    }

    #[test]
    fn allowed_positions_narrow_the_account() {
        let some = config(&[(
            "ALLOWED_POSITIONS",
            " 68b43e38b19cf131a17c543f , ,68B43E38B19CF131A17C5440",
        )]);
        assert!(some.allows(&PositionId::parse("68b43e38b19cf131a17c5440").unwrap()));
        assert!(!some.allows(&PositionId::parse("68b43e38b19cf131a17c5441").unwrap()));
    }

    #[test]
    fn app_secret_is_required_and_long() {
        let none = Config::read(&[("HIREFLIX_API_KEY", "k")][..]);
        assert!(none.problems[0].contains("APP_SECRET is not set"));
        let short = config(&[("APP_SECRET", "short-secret")]).problems;
        assert!(short[0].contains("at least 32"));
        assert!(!short.join(" ").contains("short-secret"));
    }

    #[test]
    fn allowed_origins_are_origins() {
        let two = config(&[(
            "ALLOWED_ORIGINS",
            " https://Careers.Example.com , http://127.0.0.1:5500/ ",
        )]);
        assert_eq!(
            two.allowed_origins,
            vec!["https://careers.example.com", "http://127.0.0.1:5500"]
        );
        for bad in [
            "careers.example.com",
            "https://x.com/jobs",
            "https://x.com?a",
            "*",
        ] {
            assert!(
                !config(&[("ALLOWED_ORIGINS", bad)]).problems.is_empty(),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_plain_http_landing_page_is_a_warning_loopback_excepted() {
        let local = config(&[(
            "ALLOWED_ORIGINS",
            "https://careers.example.com,http://127.0.0.1:5500",
        )]);
        assert!(local.warnings.is_empty());
        let warnings = config(&[("ALLOWED_ORIGINS", "http://careers.example.com")]).warnings;
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].starts_with("ALLOWED_ORIGINS "));
        assert!(!warnings[0].contains("careers.example.com"));
    }

    #[test]
    fn budgets_default_to_the_documented_limits_every_account_budget_on() {
        let budgets = config(&[]).budgets;
        assert_eq!(
            budgets.limits,
            Limits {
                email_day: 3,
                account_day: 50,
                account_month: 200,
                account_minute: 10,
            }
        );
        assert_eq!(budgets.windows, Windows::REAL);
        assert_eq!(budgets.quota_retry_seconds, 10_800);
        assert_eq!(config(&[]).line, crate::line::Limits::default());
        let line = config(&[("MAX_WAITING_PER_POSITION", "0"), ("MAX_WAIT_HOURS", "5")]);
        assert_eq!(line.problems.len(), 1, "{:?}", line.problems);
        assert_eq!(
            (line.line.max_waiting, line.line.max_wait_hours),
            (1_000, 5)
        );
    }

    #[test]
    fn budgets_and_test_windows_are_read_and_checked() {
        let read = config(&[
            ("INVITES_PER_EMAIL_PER_DAY", "1"),
            ("INVITES_PER_MONTH", " 900 "),
            ("QUOTA_RETRY_SECONDS", "2"),
            ("BUDGET_WINDOWS_SECONDS", "2, 4,8"),
        ]);
        assert_eq!(read.budgets.limits.email_day, 1);
        assert_eq!(read.budgets.limits.account_month, 900);
        assert_eq!(read.budgets.quota_retry_seconds, 2);
        assert_eq!(read.budgets.windows.month_seconds, 8);

        let problems = config(&[
            ("INVITES_PER_DAY", "-1"),
            ("QUOTA_RETRY_SECONDS", "86400"),
            ("BUDGET_WINDOWS_SECONDS", "2,4"),
        ])
        .problems
        .join("\n");
        for name in [
            "INVITES_PER_DAY",
            "QUOTA_RETRY_SECONDS",
            "BUDGET_WINDOWS_SECONDS",
        ] {
            assert!(problems.contains(name), "{problems}");
        }
    }

    #[test]
    fn turnstile_is_on_with_a_site_key_and_then_needs_its_secret() {
        let off = Config::read(&[("HIREFLIX_API_KEY", "k"), ("APP_SECRET", SECRET)][..]);
        assert!(off.turnstile.is_none());
        let half = config(&[("TURNSTILE_SECRET_KEY", " ")]);
        assert!(half.problems[0].contains("TURNSTILE_SECRET_KEY"));
        let turnstile = config(&[]).turnstile.unwrap();
        assert_eq!(
            turnstile.verify_url.to_string(),
            DEFAULT_TURNSTILE_VERIFY_URL
        );
        assert_eq!(
            &*turnstile.secret_key,
            "1x0000000000000000000000000000000AA"
        );
    }

    #[test]
    fn an_unsafe_choice_is_a_warning_by_name() {
        let names = |config: Config| -> Vec<String> {
            let first = |w: &String| w.split(' ').next().unwrap_or_default().to_string();
            config.warnings.iter().map(first).collect()
        };
        assert!(names(config(&[])).is_empty(), "the defaults are safe");
        let off = config(&[("TURNSTILE_SITE_KEY", "")]);
        assert_eq!(names(off), ["TURNSTILE_SITE_KEY"]);
        let unsafe_ = config(&[
            ("INVITES_PER_DAY", "0"),
            ("INVITES_PER_MONTH", "0"),
            ("BUDGET_WINDOWS_SECONDS", "2,4,8"),
        ]);
        assert_eq!(
            names(unsafe_),
            ["INVITES_PER_DAY", "BUDGET_WINDOWS_SECONDS"]
        );
        let one_off = config(&[("INVITES_PER_MONTH", "0")]);
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
    fn the_phone_region_is_one_of_the_regions_the_form_reads() {
        assert!(config(&[]).phone_region.is_none());
        let us = config(&[("DEFAULT_PHONE_REGION", " us ")]).phone_region;
        assert_eq!(us.map(|r| r.code), Some("US"));
        let problems = config(&[("DEFAULT_PHONE_REGION", "UK")])
            .problems
            .join("\n");
        let codes: Vec<_> = crate::domain::phone::REGIONS
            .iter()
            .map(|r| r.code)
            .collect();
        assert!(problems.ends_with(&codes.join(", ")), "{problems}");
    }

    #[test]
    fn flags_and_languages_are_checked() {
        let flags = config(&[("REQUIRE_CONSENT", "true"), ("DEFAULT_LANGUAGE", "es-MX")]);
        assert!(flags.require_consent);
        assert_eq!(flags.default_language.as_deref(), Some("es-MX"));
        let wrong = config(&[("REQUIRE_CONSENT", "yes"), ("DEFAULT_LANGUAGE", "fr")]).problems;
        assert!(wrong.contains(&"REQUIRE_CONSENT must be true or false".to_string()));
        assert!(wrong
            .iter()
            .any(|p| p.starts_with("DEFAULT_LANGUAGE must be one of: en, es")));
    }
}
