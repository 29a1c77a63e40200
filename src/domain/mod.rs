//! The application form as types. Pure Rust with no I/O, so all of it is tested natively.

mod application;
pub mod attribution;
mod candidate_key;
pub mod consent;
mod email;
pub mod hmac;
mod name;
pub mod phone;
mod position_id;

pub use application::{Application, ApplicationForm, Field, FieldError, FieldErrors};
pub use attribution::Attribution;
pub use candidate_key::{names_tag, CandidateKey, LINK_PASS_MAX_AGE_SECONDS};
pub use consent::Consent;
pub use email::Email;
pub use name::Name;
pub use phone::Phone;
pub use position_id::PositionId;
