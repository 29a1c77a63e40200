//! The waiting room: one Durable Object per position (`PositionLine`) holds the applications
//! over the position's hourly budget in order of arrival and releases them at the budget's
//! pace. `rules` is the pure arithmetic (public for the native surge simulation).

pub mod rules;
