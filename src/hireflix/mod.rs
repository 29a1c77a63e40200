//! The Hireflix GraphQL client: documents, transport, and the one place answers are classified.

mod client;
pub mod documents;
mod interview_url;
mod outcome;

pub use client::HireflixClient;
pub use interview_url::{InterviewUrl, TrustedHosts};
pub use outcome::{InviteOutcome, LinkProblem, Permanent, Position, Transient};
