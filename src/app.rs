//! The composition root: the settings and services every entry point uses, built once per
//! isolate (reading ~30 settings from `Env` cost more than the rest of a form view).

use crate::apply::invite::Invites;
use crate::apply::Pipeline;
use crate::config::{names, Config};
use crate::funnel::{Funnel, Visit};
use crate::hireflix::HireflixClient;
use crate::http::{client_key, network_key, Policy};
use crate::ledger::LedgerClient;
use crate::letters::LetterBox;
use crate::line::LineClient;
use crate::log::Source;
use crate::pace::{Caller, Pacer};
use crate::store::Store;
use std::cell::RefCell;
use std::rc::Rc;
use worker::{AnalyticsEngineDataset, Context, Env, Queue, RateLimiter};

pub struct App {
    env: Env,
    /// Always read, even when wrong: pages, dead letters and `/admin/` need parts of it.
    pub config: Rc<Config>,
    pub policy: Policy,
    /// `None` without the KV binding.
    pub store: Option<Store>,
    /// Everything wrong, by name, when the worker cannot serve applications.
    pub services: Result<Services, Vec<String>>,
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<App>>> = const { RefCell::new(None) };
}

impl App {
    /// Built on first use; a misconfigured one is not kept, so the next request reads again.
    pub fn for_env(env: &Env) -> Rc<App> {
        let same = |app: &&Rc<App>| js_sys::Object::is(app.env.as_ref(), env.as_ref());
        if let Some(app) = CURRENT.with_borrow(|slot| slot.as_ref().filter(same).cloned()) {
            return app;
        }
        let app = Rc::new(App::build(env));
        if app.services.is_ok() {
            CURRENT.with(|slot| *slot.borrow_mut() = Some(app.clone()));
        }
        app
    }

    fn build(env: &Env) -> App {
        let config = Rc::new(Config::read(env));
        crate::objects::place(config.object_placement);
        let (kv, ttl) = (env.kv(names::KV).ok(), config.submission_ttl_seconds);
        let store = kv.map(|kv| Store::new(kv, ttl, LetterBox::connect(env)));
        let services = match (&store, config.problems.is_empty()) {
            (_, false) => Err(config.problems.clone()),
            (None, true) => Err(vec![format!("KV binding {} is missing", names::KV)]),
            (Some(store), true) => Ok(Services {
                client: HireflixClient::new(
                    &config.api_url,
                    config.api_key.to_string(),
                    config.hireflix_timeout_ms,
                )
                .with_pacer(Pacer::connect(env, &config, Caller::Live)),
                store: store.clone(),
                queue: env.queue(names::INVITE_QUEUE).ok(),
                dlq: env.queue(names::DEAD_LETTER_QUEUE).ok(),
                limiter: env.rate_limiter(names::RATE_LIMITER).ok(),
                network_limiter: env.rate_limiter(names::NETWORK_RATE_LIMITER).ok(),
                ledger: LedgerClient::connect(env, &config),
                line: LineClient::connect(env, &config),
                dataset: env.analytics_engine(names::FUNNEL).ok(),
                config: config.clone(),
            }),
        };
        let redirect_sources = config.redirect_hosts.csp_sources();
        App {
            env: env.clone(),
            policy: Policy::new(&config.allowed_origins, &redirect_sources),
            config,
            store,
            services,
        }
    }

    pub fn env(&self) -> &Env {
        &self.env
    }
}

pub struct Services {
    pub config: Rc<Config>,
    pub client: HireflixClient,
    pub store: Store,
    pub queue: Option<Queue>,
    pub dlq: Option<Queue>,
    limiter: Option<RateLimiter>,
    network_limiter: Option<RateLimiter>,
    pub ledger: LedgerClient,
    pub line: LineClient,
    dataset: Option<AnalyticsEngineDataset>,
}

impl Services {
    /// Without the binding the visit (its country crosses from JS) is not even read.
    pub fn funnel(&self, visit: impl FnOnce() -> Visit) -> Funnel {
        let dataset = self.dataset.clone();
        let visit = dataset.as_ref().map_or_else(Visit::default, |_| visit());
        Funnel::new(dataset, visit)
    }

    /// For the request `id`; `ctx` lets KV writes nobody waits for finish after the response.
    pub fn pipeline<'a>(&'a self, id: &'a str, source: Source, ctx: &'a Context) -> Pipeline<'a> {
        Pipeline {
            invites: Invites {
                inviter: &self.client,
                ledger: &self.ledger,
                line: &self.line,
                memory: &self.store,
                after_response: Some(ctx),
                secret: &self.config.app_secret,
                explain: true,
                clock: crate::clock::now_ms,
            },
            queue: &self.queue,
            request_id: id,
            source,
            pass: None,
            grace_ms: self.config.link_grace_ms,
            attribution: None,
            consent: None,
            funnel: None,
            deadline_ms: crate::apply::answer_deadline_ms(self.config.hireflix_timeout_ms),
        }
    }

    /// Each client (`client_key`) and each IPv6 /48 within its limit; a deployment without the
    /// limiters still works (/healthz warns).
    pub async fn within_rate_limit(&self, ip: Option<String>) -> bool {
        let ip = ip.unwrap_or_default();
        allows(self.limiter.as_ref(), Some(client_key("apply", &ip))).await
            && allows(self.network_limiter.as_ref(), network_key(&ip)).await
    }
}

/// No limiter or no key: yes. A limiter that errors refuses: a broken gate must not open.
pub async fn allows(limiter: Option<&RateLimiter>, key: Option<String>) -> bool {
    match (limiter, key) {
        (Some(limiter), Some(key)) => limiter.limit(key).await.is_ok_and(|o| o.success),
        _ => true,
    }
}
