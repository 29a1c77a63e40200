//! The windows budgets are counted in: UTC minutes, hours, days and calendar months, or, for
//! tests, fixed windows of any length.

use crate::clock::{civil_from_days, days_from_civil};

const MS: u64 = 1_000;
const DAY_MS: u64 = 86_400_000;

/// The window lengths, in seconds. `month_seconds == 0` means calendar months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Windows {
    pub hour_seconds: u32,
    pub day_seconds: u32,
    pub month_seconds: u32,
}

impl Default for Windows {
    fn default() -> Self {
        Windows::REAL
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    /// Always a real minute: it caps bursts, which test windows do not need to shorten.
    Minute,
    Hour,
    Day,
    Month,
}

/// `start_ms <= t < end_ms` for every `t` in the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    pub start_ms: u64,
    pub end_ms: u64,
}

impl Windows {
    pub const REAL: Windows = Windows {
        hour_seconds: 3_600,
        day_seconds: 86_400,
        month_seconds: 0,
    };

    /// The window of `span` that holds `now_ms` (milliseconds since the epoch).
    pub fn bounds(&self, span: Span, now_ms: u64) -> Bounds {
        match span {
            Span::Minute => fixed(60, now_ms),
            Span::Hour => fixed(self.hour_seconds, now_ms),
            Span::Day => fixed(self.day_seconds, now_ms),
            Span::Month if self.month_seconds == 0 => calendar_month(now_ms),
            Span::Month => fixed(self.month_seconds, now_ms),
        }
    }

    pub fn hour_ms(&self) -> u64 {
        u64::from(self.hour_seconds.max(1)) * MS
    }
}

/// Aligned on multiples of their length since the epoch.
fn fixed(seconds: u32, now_ms: u64) -> Bounds {
    let len = u64::from(seconds.max(1)) * MS;
    let start_ms = now_ms - now_ms % len;
    Bounds {
        start_ms,
        end_ms: start_ms.saturating_add(len),
    }
}

/// The UTC calendar month holding `now_ms`: plans' quotas run by the month, not by 30 days.
fn calendar_month(now_ms: u64) -> Bounds {
    let days = i64::try_from(now_ms / DAY_MS).unwrap_or(i64::MAX / 2);
    let (year, month, _) = civil_from_days(days);
    let (next_year, next_month) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    let to_ms = |days: i64| u64::try_from(days).unwrap_or(0).saturating_mul(DAY_MS);
    Bounds {
        start_ms: to_ms(days_from_civil(year, month, 1)),
        end_ms: to_ms(days_from_civil(next_year, next_month, 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // 2026-02-14T10:30:00Z
    const VALENTINE: u64 = 1_771_065_000_000;

    #[test]
    fn real_windows_are_utc_hours_days_and_months() {
        let w = Windows::REAL;
        let hour = w.bounds(Span::Hour, VALENTINE);
        assert_eq!(hour.start_ms, 1_771_063_200_000); // 10:00
        assert_eq!(hour.end_ms - hour.start_ms, 3_600_000);
        let day = w.bounds(Span::Day, VALENTINE);
        assert_eq!(day.start_ms, 1_771_027_200_000); // 2026-02-14T00:00Z
        let month = w.bounds(Span::Month, VALENTINE);
        assert_eq!(month.start_ms, 1_769_904_000_000); // 2026-02-01T00:00Z
        assert_eq!(month.end_ms, 1_772_323_200_000); // 2026-03-01T00:00Z
        let december = w.bounds(Span::Month, 1_798_675_200_000); // 2026-12-31T00:00Z
        assert_eq!(december.end_ms, 1_798_761_600_000); // 2027-01-01T00:00Z
    }

    #[test]
    fn test_windows_are_short_and_fixed() {
        let w = Windows {
            hour_seconds: 2,
            day_seconds: 4,
            month_seconds: 8,
        };
        assert_eq!(
            w.bounds(Span::Month, 9_500),
            Bounds {
                start_ms: 8_000,
                end_ms: 16_000
            }
        );
        assert_eq!(w.bounds(Span::Hour, 9_500).end_ms, 10_000);
        // A zero length (never accepted by the config) still makes a window, not a division by zero.
        let zero = Windows {
            hour_seconds: 0,
            ..w
        };
        assert_eq!(zero.bounds(Span::Hour, 9_500).end_ms, 10_000);
    }

    proptest! {
        #[test]
        fn every_instant_lies_in_its_window_and_windows_tile(
            now in 0u64..8_000_000_000_000, secs in 1u32..100_000, which in 0usize..3
        ) {
            let span = [Span::Hour, Span::Day, Span::Month][which];
            for w in [Windows::REAL, Windows { hour_seconds: secs, day_seconds: secs, month_seconds: secs }] {
                let b = w.bounds(span, now);
                prop_assert!(b.start_ms <= now && now < b.end_ms);
                // The next window starts where this one ends.
                prop_assert_eq!(w.bounds(span, b.end_ms).start_ms, b.end_ms);
                prop_assert_eq!(w.bounds(span, b.end_ms - 1), b);
            }
        }

        #[test]
        fn calendar_months_start_on_the_first_and_last_28_to_31_days(days in 0i64..2_000_000) {
            let (y, m, d) = civil_from_days(days);
            prop_assert_eq!(days_from_civil(y, m, d), days);
            let month = calendar_month(u64::try_from(days).unwrap() * DAY_MS + 1);
            prop_assert_eq!(civil_from_days(i64::try_from(month.start_ms / DAY_MS).unwrap()).2, 1);
            let len_days = (month.end_ms - month.start_ms) / DAY_MS;
            prop_assert!((28..=31).contains(&len_days));
        }
    }
}
