//! The names by which wrangler.toml binds resources, spelled once.

pub const KV: &str = "SUBMISSIONS";
pub const INVITE_QUEUE: &str = "INVITE_QUEUE";
pub const DEAD_LETTER_QUEUE: &str = "INVITE_DLQ";
/// As a queue handler sees it in `batch.queue()`.
pub const DEAD_LETTER_QUEUE_NAME: &str = "hireflix-apply-invites-dlq";
pub const RATE_LIMITER: &str = "RATE_LIMITER";
/// Per IPv6 /48.
pub const NETWORK_RATE_LIMITER: &str = "NETWORK_RATE_LIMITER";
/// Workers Analytics Engine: the funnel.
pub const FUNNEL: &str = "FUNNEL";
// Durable Objects.
pub const INVITE_LEDGER: &str = "INVITE_LEDGER";
pub const HIREFLIX_PACE: &str = "HIREFLIX_PACE";
pub const DEAD_LETTERS: &str = "DEAD_LETTERS";
pub const POSITION_LINE: &str = "POSITION_LINE";
