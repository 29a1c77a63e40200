//! The names by which wrangler.toml binds resources: spelled once, here. (Settings are named
//! where they are read, in `Config::read`.)

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
/// The invite ledger (Durable Object): budgets.
pub const INVITE_LEDGER: &str = "INVITE_LEDGER";
/// The Hireflix pace (Durable Object).
pub const HIREFLIX_PACE: &str = "HIREFLIX_PACE";
/// The dead letters (Durable Object); without it they go to KV.
pub const DEAD_LETTERS: &str = "DEAD_LETTERS";
/// Each position's waiting room (Durable Object, one per position id).
pub const POSITION_LINE: &str = "POSITION_LINE";
