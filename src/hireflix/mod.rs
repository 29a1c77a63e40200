//! The Hireflix GraphQL client: documents, transport, and the one place answers are classified.

mod client;
pub mod documents;
mod interview_url;
mod outcome;

pub use client::HireflixClient;
pub use interview_url::{InterviewUrl, TrustedHosts};
pub use outcome::{FoundInterview, InviteOutcome, LinkProblem, Permanent, Position, Transient};

use crate::domain::PositionId;
use documents::InviteInput;

/// What an invite needs of Hireflix ([`HireflixClient`]; fakes in tests).
// Generic callers only, on one thread: no `Send` bound is wanted on these futures.
#[allow(async_fn_in_trait)]
pub trait Inviter {
    /// The hosts an interview link from this API may point to.
    fn trusted_hosts(&self) -> &TrustedHosts;

    /// Every candidate in one request, at the account's pace: one outcome per input, in
    /// order, and when those held back (`Paced`) or throttled may be tried again.
    async fn invite(&self, invites: &[InviteInput<'_>]) -> (Vec<InviteOutcome>, Option<u64>);

    /// The same single invite again, asking which fields a validation error is about.
    async fn validation_details(&self, invite: InviteInput<'_>) -> InviteOutcome;

    /// The existing interview of this email in this position, if Hireflix has one.
    async fn find_interview(
        &self,
        position: &PositionId,
        email: &str,
    ) -> Result<Option<FoundInterview>, InviteOutcome>;
}
