//! When to try again: spread so that what failed together does not come back together, and
//! never before Hireflix's own `Retry-After`.

use crate::clock::days_from_civil;

/// A `Retry-After` is honoured up to this (the queue's back-off cap): a hostile header cannot
/// stop invites for days.
const MAX_RETRY_AFTER_MS: u64 = 3_600_000;

/// At most this is added to a delay: a parked application is not held long past its window.
const MAX_SPREAD_SECONDS: u32 = 300;

/// The longest this worker asks a queue to delay a message. Cloudflare documented 12 h until
/// 2026 (24 h since), and a Free plan queue keeps a message 24 h: a longer wait (a day's quota
/// hold) is waited out in turns, the message finding the hold and going back.
pub const MAX_QUEUE_DELAY_SECONDS: u32 = 43_200;

/// `Retry-After` (RFC 9110 §10.2.3, seconds or an HTTP date) as milliseconds from `now_ms`.
pub fn retry_after_ms(value: &str, now_ms: u64) -> Option<u64> {
    let value = value.trim();
    let ms = if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Digits only, so this fails only on overflow: a huge number is the cap.
        value
            .parse::<u64>()
            .unwrap_or(u64::MAX)
            .saturating_mul(1_000)
    } else {
        http_date_ms(value)?.saturating_sub(now_ms)
    };
    Some(ms.min(MAX_RETRY_AFTER_MS))
}

/// An HTTP date in any of its three forms (RFC 9110 §5.6.7); by hand, as the `httpdate` crate
/// cost 3 KB of gzipped wasm. In all three the day comes before the year.
fn http_date_ms(value: &str) -> Option<u64> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (mut month, mut time, mut numbers) = (None, None, Vec::new());
    for token in value.split([' ', ',', '-']).filter(|t| !t.is_empty()) {
        if let Some(i) = MONTHS.iter().position(|m| *m == token) {
            month = u32::try_from(i + 1).ok();
        } else if token.contains(':') {
            let mut parts = token.split(':').map(|p| p.parse::<u64>().ok());
            time = Some((parts.next()??, parts.next()??, parts.next()??));
        } else if token.bytes().all(|b| b.is_ascii_digit()) {
            numbers.push(token.parse::<u64>().ok()?);
        }
    }
    let (Some(month), Some((h, m, s)), [day, year]) = (month, time, numbers.as_slice()) else {
        return None;
    };
    // RFC 850's two-digit year: the nearer century.
    let year = match *year {
        0..=69 => year + 2000,
        70..=99 => year + 1900,
        y => y,
    };
    if !(1..=31).contains(day) || year < 1970 || h > 23 || m > 59 || s > 60 {
        return None;
    }
    let days = days_from_civil(i64::try_from(year).ok()?, month, u32::try_from(*day).ok()?);
    let days = u64::try_from(days).ok()?;
    Some(((days * 24 + h) * 60 + m) * 60_000 + s * 1_000)
}

/// "Equal jitter": `delay` plus up to half of it again (at most five minutes), `unit` uniform
/// in [0, 1), within [`MAX_QUEUE_DELAY_SECONDS`], as the re-send and its fallback retry use it.
/// Never shorter than `delay` below its last five minutes, so a `Retry-After` or a window is
/// honoured; a longer wait comes back, finds it, and is re-sent.
pub fn spread(delay_seconds: u32, unit: f64) -> u32 {
    // Room kept below the longest delay, so what waits that long still comes back spread out.
    let delay_seconds = delay_seconds.min(MAX_QUEUE_DELAY_SECONDS - MAX_SPREAD_SECONDS);
    let room = (delay_seconds / 2).min(MAX_SPREAD_SECONDS);
    // `as` saturates and maps NaN to 0; the clamp keeps a bad `unit` inside the room.
    let extra = (f64::from(room) * unit.clamp(0.0, 1.0)) as u32;
    delay_seconds.saturating_add(extra.min(room))
}

/// Rounded up: a message is never due before its time.
pub fn seconds_ceil(ms: u64) -> u32 {
    u32::try_from(ms.div_ceil(1_000)).unwrap_or(u32::MAX)
}

/// For [`spread`] (worker only).
pub fn dice() -> f64 {
    js_sys::Math::random()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NOW: u64 = 1_771_065_000_000; // Sat, 14 Feb 2026 10:30:00 GMT

    #[test]
    fn retry_after_reads_seconds_and_every_http_date_form() {
        assert_eq!(retry_after_ms("120", NOW), Some(120_000));
        assert_eq!(retry_after_ms(" 0 ", NOW), Some(0));
        for date in [
            "Sat, 14 Feb 2026 10:30:30 GMT",
            "Saturday, 14-Feb-26 10:30:30 GMT",
            "Sat Feb 14 10:30:30 2026",
        ] {
            assert_eq!(retry_after_ms(date, NOW), Some(30_000), "{date}");
        }
        assert_eq!(http_date_ms("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(
            http_date_ms("Tue, 29 Feb 2028 23:59:59 GMT"),
            Some(1_835_481_599_000)
        );
        // Already past: go now.
        assert_eq!(
            retry_after_ms("Sat, 14 Feb 2026 10:00:00 GMT", NOW),
            Some(0)
        );
    }

    #[test]
    fn retry_after_ignores_nonsense_and_caps_what_is_too_long() {
        for junk in [
            "",
            "soon",
            "-5",
            "1.5",
            "Sat, 99 Feb 2026 10:30:30 GMT",
            "14 Feb 2026",
            "Sat, 14 Feb 2026 25:00:00 GMT",
            "Feb 14 10:30:30",
        ] {
            assert_eq!(retry_after_ms(junk, NOW), None, "{junk:?}");
        }
        assert_eq!(
            retry_after_ms("99999999999999999999999", NOW),
            Some(MAX_RETRY_AFTER_MS)
        );
        assert_eq!(
            retry_after_ms("Fri, 31 Dec 2100 00:00:00 GMT", NOW),
            Some(MAX_RETRY_AFTER_MS)
        );
    }

    #[test]
    fn spread_adds_up_to_half_and_at_most_five_minutes() {
        assert_eq!(spread(60, 0.0), 60);
        assert_eq!(spread(60, 0.5), 75);
        assert_eq!(spread(60, 0.999), 89);
        assert_eq!(spread(0, 0.7), 0);
        assert_eq!(spread(10_800, 0.999), 10_800 + 299);
    }

    #[test]
    fn spread_never_asks_the_queue_for_more_than_its_longest_delay() {
        // A 12 h park, and the pace's day-long quota hold: re-sent within the queue's limit,
        // still spread over the last five minutes of it, not all in one second.
        assert_eq!(spread(43_200, 0.999), MAX_QUEUE_DELAY_SECONDS - 1);
        assert_eq!(spread(86_400, 0.5), MAX_QUEUE_DELAY_SECONDS - 150);
        assert_eq!(spread(86_400, 0.0), MAX_QUEUE_DELAY_SECONDS - 300);
        assert_eq!(spread(43_000, 0.999), MAX_QUEUE_DELAY_SECONDS - 1);
    }

    #[test]
    fn failures_of_one_second_come_back_spread_out() {
        let delays: std::collections::BTreeSet<u32> = (0..100)
            .map(|i| spread(120, f64::from(i) / 100.0))
            .collect();
        // 100 messages that failed together land on 60 different seconds, not one.
        assert_eq!(delays.len(), 60);
    }

    proptest! {
        #[test]
        fn spread_never_shortens_and_stays_bounded(delay in 0u32..u32::MAX, unit in proptest::num::f64::ANY) {
            let spread = spread(delay, unit);
            prop_assert!(spread >= delay.min(MAX_QUEUE_DELAY_SECONDS - MAX_SPREAD_SECONDS));
            prop_assert!(spread <= MAX_QUEUE_DELAY_SECONDS);
            prop_assert!(spread.saturating_sub(delay) <= (delay / 2).min(MAX_SPREAD_SECONDS));
        }

        #[test]
        fn retry_after_never_panics_and_never_exceeds_the_cap(value in ".{0,40}", now in 0u64..u64::MAX) {
            if let Some(ms) = retry_after_ms(&value, now) {
                prop_assert!(ms <= MAX_RETRY_AFTER_MS);
            }
        }
    }
}
