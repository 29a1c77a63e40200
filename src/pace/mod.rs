//! Hireflix at a steady pace: one rate for every call, the quota hold probed by one call, and
//! the positions list refreshed by one caller at a time, all through one Durable Object for the
//! account (`HireflixPace`).

mod backoff;
mod client;
mod object;
mod rules;

pub use backoff::{dice, retry_after_ms, seconds_ceil, spread};
pub use client::{Caller, Pacer, Permit};
pub use object::HireflixPace;
pub use rules::hold_to_value;
