//! Putting an application on the invite queue: now, after a delay (parked), or with the
//! attempts it has already used.

use super::Pipeline;
use crate::domain::{ApplicationForm, CandidateKey, PositionId};
use crate::queue::QueuedInvite;
use crate::store::Record;
use worker::MessageBuilder;

/// How an application enters the queue.
pub(super) struct Wait {
    /// Tries already made (the candidate's own Hireflix call, if any).
    pub(super) attempt: u32,
    pub(super) quota_refusals: u32,
    pub(super) delay_seconds: u32,
}

impl Wait {
    /// Over a budget or while the quota is spent: no call made, back when the window reopens.
    pub(super) fn parked(delay_seconds: u32) -> Wait {
        Wait {
            attempt: 0,
            quota_refusals: 0,
            delay_seconds,
        }
    }

    pub(super) fn unchecked() -> Wait {
        Wait {
            attempt: 0,
            quota_refusals: 0,
            delay_seconds: 0,
        }
    }
}

impl Pipeline<'_> {
    pub(super) async fn enqueue(
        &self,
        position: &PositionId,
        form: &ApplicationForm,
        key: &CandidateKey,
        wait: Wait,
    ) -> bool {
        let Some(queue) = self.queue else {
            return false;
        };
        let message = QueuedInvite::new(position, form, wait.attempt, self.request_id)
            .with_quota_refusals(wait.quota_refusals)
            .with_consent(self.consent.cloned());
        let sent = if wait.delay_seconds == 0 {
            queue.send(&message).await
        } else {
            let delayed = MessageBuilder::new(message)
                .delay_seconds(wait.delay_seconds)
                .build();
            queue.send(delayed).await
        };
        if sent.is_err() {
            return false;
        }
        // Remembered so a resubmission while queued gets the same answer and is not queued twice.
        let record = Record::queued().with_consent(self.consent.cloned());
        self.store.remember(key, &record).await;
        true
    }
}
