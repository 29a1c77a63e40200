//! One flow for a posted application, whichever route: the abuse gates, cheapest first and
//! before anything is stored or sent, then the position, the form and the pipeline. Its I/O is
//! a `PostIo`, so the order of the gates is tested natively.

use super::body::{self, Posted};
use super::pages::Ui;
use super::pass;
use super::turnstile;
use crate::answer::Answer;
use crate::app::Services;
use crate::apply::positions::{self, Lookup};
use crate::clock::now_iso;
use crate::config::Config;
use crate::domain::phone::Region;
use crate::domain::{consent, Application, Attribution, Consent, Field, FieldError, PositionId};
use crate::funnel::{Funnel, Step};
use crate::http_url::HttpUrl;
use crate::i18n::Words;
use crate::log::{self, Outcome, Source};
use std::net::{IpAddr, Ipv6Addr};
use worker::{Context, Request};

pub trait PostIo {
    fn header(&self, name: &str) -> Option<String>;
    /// Counts the post against its client's budget; `false`: over it.
    async fn within_rate_limit(&self) -> bool;
    async fn read_body(&mut self) -> Result<Posted, Answer>;
    /// `None`: the position is not offered.
    async fn position_name(&self) -> Option<String>;
    /// As far as the isolate's memory knows it, at no cost.
    fn remembered_name(&self) -> String;
    async fn human_check(&self, token: &str) -> Result<(), Answer>;
    /// With the link pass that goes with an interview link.
    async fn apply(&self, posted: &Posted, application: &Application) -> (Answer, Option<String>);
    fn count(&self, step: Step, attribution: &Attribution);
    /// Its log line, and its funnel step if it is one.
    fn record(&self, outcome: Outcome, attribution: &Attribution);
}

pub struct Submission {
    pub answer: Answer,
    /// Empty when it could not be read.
    pub posted: Posted,
    pub position_name: String,
    /// The browser's link pass for an interview link (`super::pass`).
    pub pass: Option<String>,
}

pub async fn submit(io: &mut impl PostIo, config: &Config, ui: &Ui) -> Submission {
    let answered = |posted, position_name, answer, pass| Submission {
        answer,
        posted,
        position_name,
        pass,
    };
    let refused = |answer| answered(Posted::default(), String::new(), answer, None);
    // Counted before anything else is done for the post, valid or not.
    let within_limit = io.within_rate_limit().await;
    let origin = io.header("origin");
    if !origin_allowed(origin.as_deref(), &ui.origin, &config.allowed_origins) {
        io.record(Outcome::OriginNotAllowed, &Attribution::default());
        return refused(Answer::OriginNotAllowed);
    }
    let mut posted = match io.read_body().await {
        Ok(posted) => posted,
        Err(answer) => return refused(answer),
    };
    let region = config.phone_region.or(Region::by_code(ui.w.phone_region));
    posted.form = posted.form.with_phone_normalised(region);
    io.count(Step::Submit, &posted.attribution);
    if !within_limit {
        io.record(Outcome::RateLimited, &posted.attribution);
        // A limited post costs no KV read.
        let name = io.remembered_name();
        return answered(posted, name, Answer::RateLimited, None);
    }
    if !posted.honeypot.trim().is_empty() {
        // Exactly what a queued application hears (its page names the position and address);
        // nothing is stored or sent.
        io.record(Outcome::Honeypot, &posted.attribution);
        let name = io.remembered_name();
        return answered(posted, name, Answer::Queued, None);
    }
    let Some(name) = io.position_name().await else {
        return refused(Answer::PositionNotFound);
    };
    // Consent is checked like any field, its error reported with theirs.
    let consent = consent::is_given(&posted.consent);
    let application = match (posted.form.parse(), config.require_consent && !consent) {
        (Ok(application), false) => application,
        (parsed, consent_missing) => {
            let mut errors = parsed.err().unwrap_or_default();
            if consent_missing {
                errors = errors.with(Field::Consent, FieldError::Missing);
            }
            io.count(Step::Invalid, &posted.attribution);
            return answered(posted, name, Answer::Invalid(errors), None);
        }
    };
    // Landing pages that post JSON may send the token as a header instead.
    let token = match posted.turnstile_token.trim() {
        "" => io.header("cf-turnstile-response").unwrap_or_default(),
        token => token.to_string(),
    };
    if let Err(answer) = io.human_check(&token).await {
        io.record(Outcome::TurnstileFailed, &posted.attribution);
        return answered(posted, name, answer, None);
    }
    let (answer, pass) = io.apply(&posted, &application).await;
    answered(posted, name, answer, pass)
}

pub struct LivePost<'a> {
    pub req: &'a mut Request,
    pub services: &'a Services,
    pub funnel: &'a Funnel,
    pub ctx: &'a Context,
    pub position: &'a PositionId,
    pub source: Source,
    pub request_id: String,
    pub ui: &'a Ui,
}

impl PostIo for LivePost<'_> {
    fn header(&self, name: &str) -> Option<String> {
        self.req.headers().get(name).ok().flatten()
    }

    async fn within_rate_limit(&self) -> bool {
        let ip = self.header("cf-connecting-ip");
        self.services.within_rate_limit(ip).await
    }

    async fn read_body(&mut self) -> Result<Posted, Answer> {
        body::read_application(self.req).await
    }

    async fn position_name(&self) -> Option<String> {
        let lookup = positions::lookup(self.services, self.position).await;
        position_name(&lookup, self.ui.w)
    }

    fn remembered_name(&self) -> String {
        let config = &self.services.config;
        positions::memo_name(self.position, config, self.ui.w.any_position)
    }

    async fn human_check(&self, token: &str) -> Result<(), Answer> {
        let config = &self.services.config;
        let Some(turnstile) = &config.turnstile else {
            return Ok(());
        };
        let origins = config.allowed_origins.iter();
        let hosts = origins.filter_map(|o| Some(HttpUrl::parse(o)?.host().to_string()));
        let own = std::iter::once(self.ui.host().to_string());
        let hostnames: Vec<String> = own.chain(hosts).collect();
        let (ip, cdata) = (self.header("cf-connecting-ip"), self.position.as_str());
        turnstile::verify(turnstile, token, ip.as_deref(), cdata, &hostnames).await
    }

    async fn apply(&self, posted: &Posted, application: &Application) -> (Answer, Option<String>) {
        let config = &self.services.config;
        let consent = config.require_consent.then(|| Consent {
            at: now_iso(),
            notice: config.consent_notice_version.clone(),
        });
        let cookies = self.header("cookie").unwrap_or_default();
        let funnel = self.funnel.with_campaign(&posted.attribution);
        let (services, position) = (self.services, self.position);
        let mut pipeline = services.pipeline(&self.request_id, self.source, self.ctx);
        pipeline.attribution = Some(&posted.attribution);
        pipeline.consent = consent.as_ref();
        pipeline.funnel = Some(&funnel);
        pipeline.pass = pass::read(&cookies, self.position.as_str());
        let decision = pipeline.submit(position, &posted.form, application).await;
        // A pass (30 days) only with a link this post made: one shown an existing interview has
        // its pass, or came by the names in the grace period, which must not buy a month more.
        let pass = match (&decision.answer, decision.outcome) {
            (Answer::Interview(url), Outcome::Invited) => {
                pass::random_id().map(|id| pipeline.link_pass(self.position, application, url, &id))
            }
            _ => None,
        };
        (decision.answer, pass)
    }

    fn count(&self, step: Step, attribution: &Attribution) {
        let funnel = self.funnel.with_campaign(attribution);
        funnel.record(self.position, step);
    }

    fn record(&self, outcome: Outcome, attribution: &Attribution) {
        let position = self.position.as_str();
        let line = log::Application::new(&self.request_id, position, self.source, outcome);
        log::Event::Application(line).emit();
        let funnel = self.funnel.with_campaign(attribution);
        funnel.record_outcome(self.position, outcome);
    }
}

/// When Hireflix cannot be asked the form still works.
pub fn position_name(lookup: &Lookup, w: &Words) -> Option<String> {
    match lookup {
        Lookup::Open(position) => Some(position.name.clone()),
        Lookup::Unknown => Some(w.any_position.to_string()),
        Lookup::NotOffered => None,
    }
}

/// An IPv4 address, or an IPv6 /64: one host usually holds a whole /64, and would otherwise
/// post as 2^64 clients. `purpose` keeps applications and admin attempts apart.
pub fn client_key(purpose: &str, ip: &str) -> String {
    match ip.trim().parse::<IpAddr>().map(|ip| ip.to_canonical()) {
        Ok(IpAddr::V4(v4)) => format!("{purpose}:{v4}"),
        Ok(IpAddr::V6(v6)) => format!("{purpose}:{}/64", prefix(v6, 64)),
        // Never the case behind Cloudflare: all such posts share one budget.
        Err(_) => format!("{purpose}:unknown"),
    }
}

/// An IPv6 /48, for the wider limit: a tunnel broker hands anyone a /48, 65,536 /64s each with
/// its own first limit. `None` for IPv4.
pub fn network_key(ip: &str) -> Option<String> {
    match ip.trim().parse::<IpAddr>().ok()?.to_canonical() {
        IpAddr::V6(v6) => Some(format!("apply:{}/48", prefix(v6, 48))),
        IpAddr::V4(_) => None,
    }
}

fn prefix(v6: Ipv6Addr, bits: u32) -> Ipv6Addr {
    Ipv6Addr::from(u128::from(v6) & !(u128::MAX >> bits))
}

/// From a page of this worker, an allowed origin, or no browser at all (no `Origin`: curl, a
/// server). Anything else, `null` included, is a page elsewhere posting for its visitors.
pub fn origin_allowed(origin: Option<&str>, own_origin: &str, allowed: &[String]) -> bool {
    let origin = origin.map(|origin| origin.trim().to_ascii_lowercase());
    origin.is_none_or(|origin| origin == own_origin || allowed.contains(&origin))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ApplicationForm, FieldErrors};
    use futures_util::FutureExt;
    use proptest::prelude::*;
    use std::cell::RefCell;

    #[test]
    fn ipv4_is_keyed_by_address_and_ipv6_by_its_64() {
        let key = |ip| client_key("apply", ip);
        assert_eq!(key("203.0.113.7"), "apply:203.0.113.7");
        assert_eq!(
            key("2001:db8:1:2:aaaa::1"),
            key("2001:0db8:0001:0002:ffff:ffff:ffff:ffff")
        );
        assert_eq!(key("2001:db8:1:2::9"), "apply:2001:db8:1:2::/64");
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("::ffff:203.0.113.7"), "apply:203.0.113.7");
        assert_eq!(key(""), "apply:unknown");
        assert_eq!(key("not an ip"), "apply:unknown");
        assert_eq!(client_key("admin", "203.0.113.7"), "admin:203.0.113.7");
    }

    #[test]
    fn every_64_of_a_48_shares_its_network_key_and_ipv4_has_none() {
        assert_eq!(
            network_key("2001:db8:1:2::1"),
            Some("apply:2001:db8:1::/48".to_string())
        );
        assert_eq!(
            network_key("2001:db8:1:ffff::1"),
            network_key("2001:db8:1::9")
        );
        assert_ne!(network_key("2001:db8:1::1"), network_key("2001:db8:2::1"));
        assert_eq!(network_key("203.0.113.7"), None);
        assert_eq!(network_key("::ffff:203.0.113.7"), None);
        assert_eq!(network_key("nonsense"), None);
    }

    #[test]
    fn origins_are_this_worker_the_list_or_none() {
        let allowed = vec!["https://careers.example.com".to_string()];
        let own = "https://apply.example.com";
        assert!(origin_allowed(None, own, &allowed));
        assert!(origin_allowed(
            Some("https://apply.example.com"),
            own,
            &allowed
        ));
        assert!(origin_allowed(
            Some("https://Careers.Example.com"),
            own,
            &allowed
        ));
        assert!(!origin_allowed(Some("https://evil.example"), own, &allowed));
        assert!(!origin_allowed(Some("null"), own, &allowed));
        assert!(!origin_allowed(
            Some("https://careers.example.com.evil.example"),
            own,
            &allowed
        ));
        assert!(!origin_allowed(
            Some("http://careers.example.com"),
            own,
            &allowed
        ));
    }

    proptest! {
        #[test]
        fn every_address_of_a_64_shares_one_key(prefix in any::<[u16; 4]>(), a in any::<[u16; 4]>(), b in any::<[u16; 4]>()) {
            let ip = |s: [u16; 4]| Ipv6Addr::new(prefix[0], prefix[1], prefix[2], prefix[3], s[0], s[1], s[2], s[3]);
            // Skip the IPv4-mapped range, keyed by its IPv4 address instead.
            prop_assume!(ip(a).to_ipv4_mapped().is_none() && ip(b).to_ipv4_mapped().is_none());
            prop_assert_eq!(client_key("apply", &ip(a).to_string()), client_key("apply", &ip(b).to_string()));
        }
    }

    /// A post whose every gate is set by the test, and which writes down each call it gets.
    #[derive(Default)]
    struct Fake {
        origin: Option<&'static str>,
        token_header: Option<&'static str>,
        over_limit: bool,
        body: Option<Result<Posted, Answer>>,
        not_offered: bool,
        human_check: Option<Answer>,
        calls: RefCell<Vec<String>>,
    }

    impl Fake {
        fn sending(posted: Posted) -> Fake {
            Fake {
                body: Some(Ok(posted)),
                ..Fake::default()
            }
        }

        fn note(&self, call: impl Into<String>) {
            self.calls.borrow_mut().push(call.into());
        }
    }

    impl PostIo for Fake {
        fn header(&self, name: &str) -> Option<String> {
            let value = match name {
                "origin" => self.origin,
                "cf-turnstile-response" => self.token_header,
                _ => None,
            };
            value.map(str::to_string)
        }
        async fn within_rate_limit(&self) -> bool {
            self.note("rate limit");
            !self.over_limit
        }
        async fn read_body(&mut self) -> Result<Posted, Answer> {
            self.note("read");
            self.body.take().unwrap_or_else(|| Ok(posted(&[])))
        }
        async fn position_name(&self) -> Option<String> {
            self.note("look up");
            (!self.not_offered).then(|| "Engineer".to_string())
        }
        fn remembered_name(&self) -> String {
            "Remembered".into()
        }
        async fn human_check(&self, token: &str) -> Result<(), Answer> {
            self.note(format!("human check {token}"));
            self.human_check.clone().map_or(Ok(()), Err)
        }
        async fn apply(&self, _: &Posted, _: &Application) -> (Answer, Option<String>) {
            self.note("apply");
            (Answer::Queued, None)
        }
        fn count(&self, step: Step, _: &Attribution) {
            self.note(format!("count {}", <&str>::from(step)));
        }
        fn record(&self, outcome: Outcome, _: &Attribution) {
            self.note(format!("record {outcome:?}"));
        }
    }

    const ANN: &[(&str, &str)] = &[
        ("firstName", "Ann"),
        ("lastName", "Lee"),
        ("email", "ann@example.com"),
    ];

    fn posted(pairs: &[(&str, &str)]) -> Posted {
        Posted {
            form: ApplicationForm::from_pairs(pairs.iter().map(|&(k, v)| (k, v.to_string()))),
            ..Posted::default()
        }
    }

    fn run(mut fake: Fake, require_consent: bool) -> (Submission, Vec<String>) {
        let consent = if require_consent { "true" } else { "false" };
        let config = Config::read(
            &[
                ("ALLOWED_ORIGINS", "https://careers.example.com"),
                ("REQUIRE_CONSENT", consent),
            ][..],
        );
        // English: the phone region is GB.
        let ui = Ui {
            origin: "https://apply.example.com".into(),
            ..super::super::pages::tests::ui(crate::i18n::english(), &[])
        };
        let Some(submission) = submit(&mut fake, &config, &ui).now_or_never() else {
            panic!("the fake never waits")
        };
        (submission, fake.calls.take())
    }

    #[test]
    fn a_national_phone_is_read_in_the_region_once_the_body_is_read() {
        let national = [ANN, &[("phoneNumber", "020 7946 0958")]].concat();
        let (submission, _) = run(Fake::sending(posted(&national)), false);
        assert_eq!(submission.posted.form.phone_number, "+442079460958");
    }

    #[test]
    fn a_valid_post_passes_every_gate_in_order_and_reaches_the_pipeline() {
        let fake = Fake::sending(Posted {
            turnstile_token: "tok".into(),
            ..posted(ANN)
        });
        let (submission, calls) = run(fake, false);
        assert_eq!(submission.answer, Answer::Queued);
        assert_eq!(submission.position_name, "Engineer");
        assert_eq!(
            calls,
            [
                "rate limit",
                "read",
                "count submit",
                "look up",
                "human check tok",
                "apply"
            ]
        );
    }

    #[test]
    fn a_foreign_page_is_refused_before_its_body_is_read_but_after_it_is_counted() {
        let fake = Fake {
            origin: Some("https://evil.example"),
            ..Fake::default()
        };
        let (submission, calls) = run(fake, false);
        assert_eq!(submission.answer, Answer::OriginNotAllowed);
        assert_eq!(calls, ["rate limit", "record OriginNotAllowed"]);
        let allowed = Fake {
            origin: Some("https://careers.example.com"),
            ..Fake::sending(posted(ANN))
        };
        assert_eq!(run(allowed, false).0.answer, Answer::Queued);
    }

    #[test]
    fn an_unreadable_body_is_its_own_answer_and_nothing_is_counted() {
        let fake = Fake {
            body: Some(Err(Answer::TooLarge)),
            ..Fake::default()
        };
        let (submission, calls) = run(fake, false);
        assert_eq!(submission.answer, Answer::TooLarge);
        assert_eq!(calls, ["rate limit", "read"]);
    }

    #[test]
    fn a_limited_post_keeps_its_values_and_costs_no_look_up() {
        let fake = Fake {
            over_limit: true,
            ..Fake::sending(posted(ANN))
        };
        let (submission, calls) = run(fake, false);
        assert_eq!(submission.answer, Answer::RateLimited);
        assert_eq!(submission.position_name, "Remembered");
        assert_eq!(submission.posted.form.first_name, "Ann");
        assert_eq!(
            calls,
            ["rate limit", "read", "count submit", "record RateLimited"]
        );
    }

    #[test]
    fn a_bot_hears_queued_and_nothing_is_looked_up_checked_or_sent() {
        let fake = Fake::sending(Posted {
            honeypot: "http://spam".into(),
            ..posted(ANN)
        });
        let (submission, calls) = run(fake, false);
        assert_eq!(submission.answer, Answer::Queued);
        assert_eq!(
            calls,
            ["rate limit", "read", "count submit", "record Honeypot"]
        );
    }

    #[test]
    fn a_position_not_offered_is_refused_before_the_form_is_checked() {
        let fake = Fake {
            not_offered: true,
            ..Fake::default()
        };
        let (submission, calls) = run(fake, false);
        assert_eq!(submission.answer, Answer::PositionNotFound);
        assert_eq!(calls, ["rate limit", "read", "count submit", "look up"]);
    }

    #[test]
    fn a_missing_consent_is_reported_with_the_fields_errors_before_any_human_check() {
        let fake = Fake::sending(posted(&[("firstName", "Ann")]));
        let (submission, calls) = run(fake, true);
        let Answer::Invalid(errors) = submission.answer else {
            panic!("{:?}", submission.answer)
        };
        assert_eq!(errors.get(Field::Consent), Some(&FieldError::Missing));
        assert_eq!(errors.get(Field::Email), Some(&FieldError::Missing));
        assert_eq!(
            calls,
            [
                "rate limit",
                "read",
                "count submit",
                "look up",
                "count invalid"
            ]
        );
        let only_consent = Fake::sending(posted(ANN));
        let expected = FieldErrors::default().with(Field::Consent, FieldError::Missing);
        assert_eq!(run(only_consent, true).0.answer, Answer::Invalid(expected));
        let ticked = Fake::sending(Posted {
            consent: "yes".into(),
            ..posted(ANN)
        });
        let (submission, calls) = run(ticked, true);
        assert_eq!(submission.answer, Answer::Queued);
        assert_eq!(calls.last().map(String::as_str), Some("apply"));
    }

    #[test]
    fn a_failed_human_check_is_answered_and_never_reaches_the_pipeline() {
        let fake = Fake {
            human_check: Some(Answer::HumanCheckMissing),
            ..Fake::sending(posted(ANN))
        };
        let (submission, calls) = run(fake, false);
        assert_eq!(submission.answer, Answer::HumanCheckMissing);
        assert_eq!(submission.position_name, "Engineer");
        assert_eq!(
            &calls[3..],
            ["look up", "human check ", "record TurnstileFailed"]
        );
    }

    #[test]
    fn a_token_sent_as_a_header_counts_when_the_form_has_none() {
        let in_header = Fake {
            token_header: Some("from-header"),
            ..Fake::sending(posted(ANN))
        };
        let (_, calls) = run(in_header, false);
        assert!(
            calls.contains(&"human check from-header".to_string()),
            "{calls:?}"
        );
        let in_both = Fake {
            token_header: Some("from-header"),
            ..Fake::sending(Posted {
                turnstile_token: " from-form ".into(),
                ..posted(ANN)
            })
        };
        let (_, calls) = run(in_both, false);
        assert!(
            calls.contains(&"human check from-form".to_string()),
            "{calls:?}"
        );
    }
}
