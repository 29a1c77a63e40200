//! The settings as the environment gives them, strings all, and their parsing into a
//! [`Config`]: a pure function, tested natively.

use super::*;

/// The raw strings, so parsing is a pure function tested natively.
#[derive(Debug, Default, Clone)]
pub struct RawConfig {
    pub api_url: Option<String>,
    pub api_key: Option<String>,
    pub allowed_positions: Option<String>,
    pub submission_ttl_days: Option<String>,
    pub dead_letter_ttl_days: Option<String>,
    pub hireflix_timeout_ms: Option<String>,
    pub retry_base_delay_seconds: Option<String>,
    pub max_invite_attempts: Option<String>,
    pub link_grace_minutes: Option<String>,
    pub app_secret: Option<String>,
    pub allowed_origins: Option<String>,
    pub turnstile_site_key: Option<String>,
    pub turnstile_secret_key: Option<String>,
    pub turnstile_verify_url: Option<String>,
    pub invites_per_email_per_day: Option<String>,
    pub invites_per_position_per_hour: Option<String>,
    pub invites_per_day: Option<String>,
    pub invites_per_month: Option<String>,
    pub invites_per_minute: Option<String>,
    pub quota_retry_seconds: Option<String>,
    pub max_calls_per_second: Option<String>,
    pub budget_windows_seconds: Option<String>,
    pub brand: brand::RawBrand,
    pub default_language: Option<String>,
    pub default_phone_region: Option<String>,
    pub require_consent: Option<String>,
    pub consent_notice_version: Option<String>,
}

impl RawConfig {
    pub fn from_env(env: &Env) -> Self {
        let var = |name: &str| env.var(name).ok().map(|v| v.to_string());
        let secret = |name: &str| env.secret(name).ok().map(|v| v.to_string());
        RawConfig {
            api_url: var(names::HIREFLIX_API_URL),
            api_key: env
                .secret(names::HIREFLIX_API_KEY)
                .ok()
                .map(|s| s.to_string()),
            allowed_positions: var(names::ALLOWED_POSITIONS),
            submission_ttl_days: var(names::SUBMISSION_TTL_DAYS),
            dead_letter_ttl_days: var(names::DEAD_LETTER_TTL_DAYS),
            hireflix_timeout_ms: var(names::HIREFLIX_TIMEOUT_MS),
            retry_base_delay_seconds: var(names::RETRY_BASE_DELAY_SECONDS),
            max_invite_attempts: var(names::MAX_INVITE_ATTEMPTS),
            link_grace_minutes: var(names::LINK_GRACE_MINUTES),
            app_secret: secret(names::APP_SECRET),
            allowed_origins: var(names::ALLOWED_ORIGINS),
            turnstile_site_key: var(names::TURNSTILE_SITE_KEY),
            turnstile_secret_key: secret(names::TURNSTILE_SECRET_KEY),
            turnstile_verify_url: var(names::TURNSTILE_VERIFY_URL),
            invites_per_email_per_day: var(names::INVITES_PER_EMAIL_PER_DAY),
            invites_per_position_per_hour: var(names::INVITES_PER_POSITION_PER_HOUR),
            invites_per_day: var(names::INVITES_PER_DAY),
            invites_per_month: var(names::INVITES_PER_MONTH),
            invites_per_minute: var(names::INVITES_PER_MINUTE),
            quota_retry_seconds: var(names::QUOTA_RETRY_SECONDS),
            max_calls_per_second: var(names::HIREFLIX_MAX_CALLS_PER_SECOND),
            budget_windows_seconds: var(names::BUDGET_WINDOWS_SECONDS),
            brand: brand::RawBrand::from_env(env),
            default_language: var(names::DEFAULT_LANGUAGE),
            default_phone_region: var(names::DEFAULT_PHONE_REGION),
            require_consent: var(names::REQUIRE_CONSENT),
            consent_notice_version: var(names::CONSENT_NOTICE_VERSION),
        }
    }

    pub fn parse(&self) -> Result<Config, ConfigProblems> {
        let mut problems = Vec::new();
        let api_url = parse::api_url(self.api_url.as_deref())
            .map_err(|p| problems.push(p))
            .ok();
        let api_key = match self.api_key.as_deref().map(str::trim) {
            Some(key) if !key.is_empty() => Some(key.to_string()),
            _ => {
                problems.push(format!(
                    "{key} is not set (wrangler secret put {key})",
                    key = names::HIREFLIX_API_KEY
                ));
                None
            }
        };
        let allowed_positions = parse::allowed_positions(self.allowed_positions.as_deref())
            .map_err(|p| problems.push(p))
            .ok();
        let mut number = |name: &str,
                          raw: &Option<String>,
                          default: u64,
                          range: std::ops::RangeInclusive<u64>| {
            match raw.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => default,
                Some(s) => match s.parse::<u64>() {
                    Ok(n) if range.contains(&n) => n,
                    _ => {
                        problems.push(format!(
                            "{name} must be a whole number from {} to {}",
                            range.start(),
                            range.end()
                        ));
                        default
                    }
                },
            }
        };
        let ttl_days = number(
            names::SUBMISSION_TTL_DAYS,
            &self.submission_ttl_days,
            DEFAULT_TTL_DAYS,
            1..=365,
        );
        let letter_days = number(
            names::DEAD_LETTER_TTL_DAYS,
            &self.dead_letter_ttl_days,
            DEFAULT_DEAD_LETTER_TTL_DAYS,
            DEAD_LETTER_TTL_DAYS,
        );
        let timeout = number(
            names::HIREFLIX_TIMEOUT_MS,
            &self.hireflix_timeout_ms,
            DEFAULT_TIMEOUT_MS.into(),
            100..=30_000,
        );
        let retry_delay = number(
            names::RETRY_BASE_DELAY_SECONDS,
            &self.retry_base_delay_seconds,
            DEFAULT_RETRY_BASE_DELAY_SECONDS.into(),
            0..=3_600,
        );
        let attempts = number(
            names::MAX_INVITE_ATTEMPTS,
            &self.max_invite_attempts,
            DEFAULT_MAX_INVITE_ATTEMPTS.into(),
            1..=100,
        );
        let grace_minutes = number(
            names::LINK_GRACE_MINUTES,
            &self.link_grace_minutes,
            DEFAULT_LINK_GRACE_MINUTES,
            0..=1_440,
        );
        // At most 12 hours: a queue cannot delay a message longer.
        let quota_retry = number(
            names::QUOTA_RETRY_SECONDS,
            &self.quota_retry_seconds,
            DEFAULT_QUOTA_RETRY_SECONDS.into(),
            1..=43_200,
        );
        let calls_per_second = number(
            names::HIREFLIX_MAX_CALLS_PER_SECOND,
            &self.max_calls_per_second,
            DEFAULT_MAX_CALLS_PER_SECOND.into(),
            1..=1_000,
        );
        let defaults = Limits::default();
        let mut limit = |name: &str, raw: &Option<String>, default: u32| {
            u32::try_from(number(name, raw, default.into(), 0..=1_000_000)).unwrap_or(default)
        };
        let limits = Limits {
            email_day: limit(
                names::INVITES_PER_EMAIL_PER_DAY,
                &self.invites_per_email_per_day,
                defaults.email_day,
            ),
            position_hour: limit(
                names::INVITES_PER_POSITION_PER_HOUR,
                &self.invites_per_position_per_hour,
                defaults.position_hour,
            ),
            account_day: limit(
                names::INVITES_PER_DAY,
                &self.invites_per_day,
                defaults.account_day,
            ),
            account_month: limit(
                names::INVITES_PER_MONTH,
                &self.invites_per_month,
                defaults.account_month,
            ),
            account_minute: limit(
                names::INVITES_PER_MINUTE,
                &self.invites_per_minute,
                defaults.account_minute,
            ),
        };
        let windows = parse::budget_windows(self.budget_windows_seconds.as_deref())
            .map_err(|p| problems.push(p))
            .unwrap_or_default();
        let budgets = Budgets {
            limits,
            windows,
            quota_retry_seconds: u32::try_from(quota_retry).unwrap_or(DEFAULT_QUOTA_RETRY_SECONDS),
        };
        let app_secret = parse::app_secret(self.app_secret.as_deref())
            .map_err(|p| problems.push(p))
            .ok();
        let allowed_origins = parse::origins(self.allowed_origins.as_deref())
            .map_err(|p| problems.push(p))
            .ok();
        let turnstile = self.turnstile().map_err(|p| problems.push(p)).ok();
        let brand = self.brand.parse();
        problems.extend(brand.problems);
        let warnings = brand.warnings;
        parse::default_language(self.default_language.as_deref())
            .unwrap_or_else(|p| problems.push(p));
        let phone_region = parse::phone_region(self.default_phone_region.as_deref())
            .map_err(|p| problems.push(p))
            .unwrap_or_default();
        let require_consent = parse::flag(names::REQUIRE_CONSENT, self.require_consent.as_deref())
            .map_err(|p| problems.push(p))
            .unwrap_or(false);
        let consent_notice_version = parse::notice_version(self.consent_notice_version.as_deref())
            .map_err(|p| problems.push(p))
            .unwrap_or_default();
        match (
            api_url,
            api_key,
            allowed_positions,
            app_secret,
            allowed_origins,
            turnstile,
        ) {
            (
                Some(api_url),
                Some(api_key),
                Some(allowed_positions),
                Some(app_secret),
                Some(allowed_origins),
                Some(turnstile),
            ) if problems.is_empty() => Ok(Config {
                phone_region,
                require_consent,
                consent_notice_version,
                warnings,
                app_secret,
                allowed_origins,
                turnstile,
                api_url,
                api_key,
                allowed_positions,
                submission_ttl_seconds: ttl_days * 86_400,
                dead_letter_ttl_seconds: letter_days * 86_400,
                hireflix_timeout_ms: u32::try_from(timeout).unwrap_or(DEFAULT_TIMEOUT_MS),
                retry_base_delay_seconds: u32::try_from(retry_delay)
                    .unwrap_or(DEFAULT_RETRY_BASE_DELAY_SECONDS),
                max_invite_attempts: u32::try_from(attempts).unwrap_or(DEFAULT_MAX_INVITE_ATTEMPTS),
                link_grace_ms: grace_minutes * 60_000,
                max_calls_per_second: u32::try_from(calls_per_second)
                    .unwrap_or(DEFAULT_MAX_CALLS_PER_SECOND),
                budgets,
            }),
            _ => Err(ConfigProblems(problems)),
        }
    }
}

impl RawConfig {
    /// On when a site key is set; then the secret is required.
    fn turnstile(&self) -> Result<Option<Turnstile>, String> {
        let set = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let Some(site_key) = set(&self.turnstile_site_key) else {
            return Ok(None);
        };
        let secret_key = set(&self.turnstile_secret_key).ok_or_else(|| {
            format!(
                "{} is set but {name} is not (wrangler secret put {name})",
                names::TURNSTILE_SITE_KEY,
                name = names::TURNSTILE_SECRET_KEY
            )
        })?;
        let verify_url = parse::secret_safe_url(
            names::TURNSTILE_VERIFY_URL,
            self.turnstile_verify_url.as_deref(),
            DEFAULT_TURNSTILE_VERIFY_URL,
        )?;
        Ok(Some(Turnstile {
            site_key,
            secret_key,
            verify_url,
        }))
    }
}
