//! The names by which wrangler.toml binds resources and sets settings: spelled once, here.

/// Workers KV: candidates' records, the positions cache, dead letters.
pub const KV: &str = "SUBMISSIONS";
/// The queue of invites waiting for Hireflix, and its dead-letter queue.
pub const INVITE_QUEUE: &str = "INVITE_QUEUE";
pub const DEAD_LETTER_QUEUE: &str = "INVITE_DLQ";
/// The dead-letter queue's own name, as a queue handler sees it in `batch.queue()`.
pub const DEAD_LETTER_QUEUE_NAME: &str = "hireflix-apply-invites-dlq";
pub const RATE_LIMITER: &str = "RATE_LIMITER";
/// The second, wider limit: per IPv6 /48.
pub const NETWORK_RATE_LIMITER: &str = "NETWORK_RATE_LIMITER";
/// Workers Analytics Engine: the funnel's data points.
pub const FUNNEL: &str = "FUNNEL";

pub const HIREFLIX_API_URL: &str = "HIREFLIX_API_URL";
/// A secret (`wrangler secret put`), never a var.
pub const HIREFLIX_API_KEY: &str = "HIREFLIX_API_KEY";
pub const ALLOWED_POSITIONS: &str = "ALLOWED_POSITIONS";
pub const SUBMISSION_TTL_DAYS: &str = "SUBMISSION_TTL_DAYS";
pub const HIREFLIX_TIMEOUT_MS: &str = "HIREFLIX_TIMEOUT_MS";
pub const RETRY_BASE_DELAY_SECONDS: &str = "RETRY_BASE_DELAY_SECONDS";
pub const MAX_INVITE_ATTEMPTS: &str = "MAX_INVITE_ATTEMPTS";
pub const LINK_GRACE_MINUTES: &str = "LINK_GRACE_MINUTES";
pub const DEAD_LETTER_TTL_DAYS: &str = "DEAD_LETTER_TTL_DAYS";
/// A secret: the HMAC key for mailbox hashes (and cookies and KV keys).
pub const APP_SECRET: &str = "APP_SECRET";
pub const ALLOWED_ORIGINS: &str = "ALLOWED_ORIGINS";
pub const TURNSTILE_SITE_KEY: &str = "TURNSTILE_SITE_KEY";
/// A secret.
pub const TURNSTILE_SECRET_KEY: &str = "TURNSTILE_SECRET_KEY";
pub const TURNSTILE_VERIFY_URL: &str = "TURNSTILE_VERIFY_URL";
/// A secret of at least 32 characters: opens `/admin/` (dead letters) and /healthz's details;
/// without it (or shorter) every `/admin/` path is 404.
pub const ADMIN_TOKEN: &str = "ADMIN_TOKEN";

/// The invite ledger (Durable Object) and its budgets; 0 means no limit.
pub const INVITE_LEDGER: &str = "INVITE_LEDGER";
pub const INVITES_PER_EMAIL_PER_DAY: &str = "INVITES_PER_EMAIL_PER_DAY";
pub const INVITES_PER_POSITION_PER_HOUR: &str = "INVITES_PER_POSITION_PER_HOUR";
pub const INVITES_PER_DAY: &str = "INVITES_PER_DAY";
pub const INVITES_PER_MONTH: &str = "INVITES_PER_MONTH";
pub const INVITES_PER_MINUTE: &str = "INVITES_PER_MINUTE";
pub const QUOTA_RETRY_SECONDS: &str = "QUOTA_RETRY_SECONDS";
/// The Hireflix pace (Durable Object) and its rate.
pub const HIREFLIX_PACE: &str = "HIREFLIX_PACE";
pub const HIREFLIX_MAX_CALLS_PER_SECOND: &str = "HIREFLIX_MAX_CALLS_PER_SECOND";
/// For tests only: "hour,day,month" window lengths in seconds instead of the real ones.
pub const BUDGET_WINDOWS_SECONDS: &str = "BUDGET_WINDOWS_SECONDS";
pub const BRAND_NAME: &str = "BRAND_NAME";
pub const BRAND_LOGO_URL: &str = "BRAND_LOGO_URL";
pub const BRAND_COLOR: &str = "BRAND_COLOR";
pub const PRIVACY_URL: &str = "PRIVACY_URL";
pub const CONTACT_EMAIL: &str = "CONTACT_EMAIL";
pub const DEFAULT_LANGUAGE: &str = "DEFAULT_LANGUAGE";
pub const DEFAULT_PHONE_REGION: &str = "DEFAULT_PHONE_REGION";
pub const REQUIRE_CONSENT: &str = "REQUIRE_CONSENT";
pub const CONSENT_NOTICE_VERSION: &str = "CONSENT_NOTICE_VERSION";
