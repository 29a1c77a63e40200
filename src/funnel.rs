//! The funnel: one Workers Analytics Engine data point per step an application takes (how many
//! reach the form, how many get an interview). Points hold the position, the step, the
//! language, the campaign and the country: never an email, a name, a phone or an address.

use crate::domain::{Attribution, PositionId};
use crate::log::Outcome;
use strum_macros::IntoStaticStr;
use worker::{AnalyticsEngineDataPointBuilder, AnalyticsEngineDataset};

/// Longest campaign value kept: enough to tell campaigns apart, too short to smuggle data.
const MAX_BLOB_CHARS: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Step {
    FormView,
    Submit,
    Invalid,
    Honeypot,
    TurnstileFailed,
    RateLimited,
    KvHit,
    Invited,
    Queued,
    /// Over an invite budget: queued until its window reopens (the invite ledger).
    Parked,
    DeadLetter,
}

impl Step {
    /// The funnel step an outcome is, if it is one.
    pub fn of(outcome: Outcome) -> Option<Step> {
        match outcome {
            Outcome::KvHit | Outcome::AlreadyQueued | Outcome::AlreadyInvited => Some(Step::KvHit),
            Outcome::Invited | Outcome::InvitedWithoutLink => Some(Step::Invited),
            Outcome::Queued => Some(Step::Queued),
            Outcome::Parked => Some(Step::Parked),
            Outcome::DeadLetter => Some(Step::DeadLetter),
            Outcome::RateLimited => Some(Step::RateLimited),
            Outcome::Honeypot => Some(Step::Honeypot),
            Outcome::TurnstileFailed => Some(Step::TurnstileFailed),
            Outcome::LostQueueUnavailable
            | Outcome::Permanent
            | Outcome::Requeued
            | Outcome::Erased
            | Outcome::OriginNotAllowed => None,
        }
    }
}

/// Where a visit came from, as far as the funnel cares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Visit {
    pub language: String,
    /// `utm_source`, `utm_medium` and `utm_campaign`.
    pub campaign: [String; 3],
    pub country: String,
}

impl Visit {
    /// A data point's blobs: the step, then the visit, each trimmed and capped.
    fn blobs(&self, step: Step) -> [String; 6] {
        let cap = |s: &str| s.trim().chars().take(MAX_BLOB_CHARS).collect::<String>();
        let [source, medium, campaign] = &self.campaign;
        let (step, language, country) = (<&str>::from(step), &self.language, &self.country);
        [step, language, source, medium, campaign, country].map(cap)
    }
}

/// What a request or queue message records into; without the binding, nothing and no failure.
pub struct Funnel {
    dataset: Option<AnalyticsEngineDataset>,
    visit: Visit,
}

impl Funnel {
    pub fn new(dataset: Option<AnalyticsEngineDataset>, visit: Visit) -> Self {
        Funnel { dataset, visit }
    }

    /// The same funnel, for a post whose campaign tags came in its hidden fields.
    pub fn with_campaign(&self, attribution: &Attribution) -> Funnel {
        let tag = |name| attribution.iter().find(|(k, _)| *k == name);
        let tags = ["utm_source", "utm_medium", "utm_campaign"];
        let campaign = tags.map(|name| tag(name).map_or_else(String::new, |(_, v)| v.into()));
        let visit = Visit {
            campaign,
            ..self.visit.clone()
        };
        Funnel::new(self.dataset.clone(), visit)
    }

    pub fn record(&self, position: &PositionId, step: Step) {
        let Some(set) = &self.dataset else { return };
        let point = AnalyticsEngineDataPointBuilder::new()
            .indexes([position.as_str()])
            .blobs(self.visit.blobs(step))
            .doubles([1.0])
            .build();
        // A lost data point loses a count, never an application.
        let _ = set.write_data_point(&point);
    }

    pub fn record_outcome(&self, position: &PositionId, outcome: Outcome) {
        if let Some(step) = Step::of(outcome) {
            self.record(position, step);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blobs_are_trimmed_and_capped() {
        let visit = Visit {
            language: " es ".into(),
            campaign: [String::new(), String::new(), "x".repeat(200)],
            ..Visit::default()
        };
        let [step, language, _, _, campaign, country] = visit.blobs(Step::FormView);
        assert_eq!((step.as_str(), language.as_str()), ("form_view", "es"));
        assert_eq!(campaign.chars().count(), MAX_BLOB_CHARS);
        assert_eq!(country, "");
    }

    #[test]
    fn steps_keep_the_names_their_data_points_carry() {
        let named = [
            (Step::FormView, "form_view"),
            (Step::Submit, "submit"),
            (Step::Invalid, "invalid"),
            (Step::Honeypot, "honeypot"),
            (Step::TurnstileFailed, "turnstile_failed"),
            (Step::RateLimited, "rate_limited"),
            (Step::KvHit, "kv_hit"),
            (Step::Invited, "invited"),
            (Step::Queued, "queued"),
            (Step::Parked, "parked"),
            (Step::DeadLetter, "dead_letter"),
        ];
        for (step, name) in named {
            assert_eq!(<&str>::from(step), name);
        }
    }

    #[test]
    fn only_steps_of_the_funnel_are_counted() {
        assert_eq!(Step::of(Outcome::Invited), Some(Step::Invited));
        assert_eq!(Step::of(Outcome::KvHit), Some(Step::KvHit));
        assert_eq!(Step::of(Outcome::Requeued), None);
    }
}
