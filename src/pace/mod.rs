//! Hireflix at a steady pace: one rate for every call, the quota hold probed by one call, and
//! the positions list refreshed by one caller at a time. One Durable Object for the account
//! hands out slots, call times `1000 / HIREFLIX_MAX_CALLS_PER_SECOND` ms apart; an isolate
//! leases a quarter second's worth at once, so the object is asked a few times a second at
//! most. A live post waits at most [`LIVE_WAIT_MS`], then is queued; the queue consumer only
//! claims slots a short way ahead, so live candidates go first.

mod backoff;
mod client;
mod object;
mod protocol;
mod rules;

pub use backoff::{dice, retry_after_ms, seconds_ceil, spread};
pub use client::{Caller, Pacer, Permit};
pub use object::HireflixPace;
pub use protocol::hold_to_value;

/// A live post's longest wait for a slot before it is queued instead.
pub const LIVE_WAIT_MS: u64 = 1_500;

/// The queue consumer claims slots at most this far ahead.
pub const QUEUE_LEAD_MS: u64 = 500;

/// The consumer's longest wait for a slot before its batch goes back on the queue untried.
pub const QUEUE_WAIT_MS: u64 = 60_000;

/// The consumer asks the object at most this often for one call's slot (each ask is a
/// subrequest; the Free plan allows 50 per invocation).
pub const QUEUE_ASKS: u32 = 4;

/// A slot may still be used this long after its time; later it is dropped. Over any second,
/// at most `rate × (1 + SLOT_SLACK_MS / 1000) + 1` calls.
pub const SLOT_SLACK_MS: u64 = 200;

pub fn interval_ms(per_second: u32) -> u64 {
    1_000 / u64::from(per_second.max(1))
}

/// A quarter second's worth, at least one.
pub fn lease_size(per_second: u32) -> u32 {
    per_second.div_ceil(4).clamp(1, 25)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leases_are_a_quarter_second_of_calls() {
        assert_eq!((interval_ms(5), lease_size(5)), (200, 2));
        assert_eq!((interval_ms(1), lease_size(1)), (1_000, 1));
        assert_eq!((interval_ms(40), lease_size(40)), (25, 10));
        assert_eq!((interval_ms(0), lease_size(1_000)), (1_000, 25));
    }
}
