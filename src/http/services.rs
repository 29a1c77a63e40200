//! What every application route needs, built once per isolate from `Env`: the configuration,
//! the Hireflix client, the bindings, and the page policy and brand. An isolate serves one
//! version of the worker with one `Env`, so none of it can change while the isolate lives;
//! reading ~30 settings across the JS boundary and parsing them cost more than the rest of a
//! form view (see README, Performance).

use super::gates;
use super::headers::Policy;
use crate::apply::invite::Invites;
use crate::apply::positions::{self, Lookup};
use crate::apply::Pipeline;
use crate::config::brand::Brand;
use crate::config::{names, parse, Config, RawConfig};
use crate::domain::PositionId;
use crate::funnel::{Funnel, Visit};
use crate::hireflix::{HireflixClient, TrustedHosts};
use crate::ledger::LedgerClient;
use crate::log::Source;
use crate::pace::{Pacer, Patience};
use crate::store::{Kv, Store};
use std::cell::RefCell;
use std::rc::Rc;
use worker::{AnalyticsEngineDataset, Context, Env, Queue, RateLimiter};

/// The isolate's view of its `Env`: what pages need even on a misconfigured deployment, and
/// the services when the configuration serves.
pub struct Isolate {
    /// The `Env` this was built from: a request with another one rebuilds (`for_env`).
    env: Env,
    pub policy: Policy,
    pub brand: Rc<Brand>,
    pub default_language: Option<String>,
    /// Everything wrong with the configuration, by name, when it cannot serve.
    pub services: Result<Services, Vec<String>>,
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<Isolate>>> = const { RefCell::new(None) };
}

impl Isolate {
    /// The isolate's services for this `Env`, built on first use. A misconfiguration is not
    /// kept: the next request reads the settings again (and /healthz always reads them fresh).
    pub fn for_env(env: &Env) -> Rc<Isolate> {
        let kept = CURRENT.with(|slot| {
            slot.borrow()
                .as_ref()
                .filter(|isolate| js_sys::Object::is(isolate.env.as_ref(), env.as_ref()))
                .cloned()
        });
        if let Some(isolate) = kept {
            return isolate;
        }
        let isolate = Rc::new(Isolate::build(env));
        if isolate.services.is_ok() {
            CURRENT.with(|slot| *slot.borrow_mut() = Some(isolate.clone()));
        }
        isolate
    }

    /// The settings are read from `Env` once; the page policy, the brand and the services
    /// are all made from that one reading.
    fn build(env: &Env) -> Isolate {
        let raw = RawConfig::from_env(env);
        Isolate {
            env: env.clone(),
            policy: policy(&raw),
            brand: Rc::new(raw.brand.parse().brand),
            default_language: raw.default_language.clone(),
            services: Services::from_raw(env, &raw),
        }
    }

    pub fn env(&self) -> &Env {
        &self.env
    }
}

/// From the two settings alone, so even the answers of a misconfigured worker get it;
/// a malformed `ALLOWED_ORIGINS` frames nothing but this origin (and /healthz says why).
fn policy(raw: &RawConfig) -> Policy {
    let origins = parse::origins(raw.allowed_origins.as_deref()).unwrap_or_default();
    let redirects = parse::api_url(raw.api_url.as_deref())
        .map(|url| TrustedHosts::for_api(&url).csp_sources())
        .unwrap_or_else(|_| TrustedHosts::hireflix_only().csp_sources());
    Policy::new(&origins, &redirects)
}

pub struct Services {
    pub config: Config,
    pub client: HireflixClient,
    pub store: Store,
    queue: Option<Queue>,
    limiter: Option<RateLimiter>,
    network_limiter: Option<RateLimiter>,
    ledger: LedgerClient,
    dataset: Option<AnalyticsEngineDataset>,
}

impl Services {
    /// Everything wrong with the configuration, by name, when it cannot serve.
    pub fn from_env(env: &Env) -> Result<Services, Vec<String>> {
        Services::from_raw(env, &RawConfig::from_env(env))
    }

    fn from_raw(env: &Env, raw: &RawConfig) -> Result<Services, Vec<String>> {
        let config = raw.parse().map_err(|p| p.0)?;
        let kv = env
            .kv(names::KV)
            .map_err(|_| vec![format!("KV binding {} is missing", names::KV)])?;
        Ok(Services {
            client: HireflixClient::new(
                &config.api_url,
                config.api_key.clone(),
                config.hireflix_timeout_ms,
            )
            .with_pacer(Pacer::connect(env, &config, Patience::Live)),
            store: Store::new(kv, config.submission_ttl_seconds),
            queue: env.queue(names::INVITE_QUEUE).ok(),
            limiter: env.rate_limiter(names::RATE_LIMITER).ok(),
            network_limiter: env.rate_limiter(names::NETWORK_RATE_LIMITER).ok(),
            ledger: LedgerClient::connect(env, &config),
            dataset: env.analytics_engine(names::FUNNEL).ok(),
            config,
        })
    }

    /// The funnel one request records into. Without the binding nothing is recorded, and the
    /// visit (the country crosses from JS) is not even read.
    pub fn funnel(&self, visit: impl FnOnce() -> Visit) -> Funnel {
        match &self.dataset {
            Some(dataset) => Funnel::new(Some(dataset.clone()), visit()),
            None => Funnel::new(None, Visit::default()),
        }
    }

    /// `ctx` lets KV writes that nobody waits for finish after the response.
    pub fn pipeline<'a>(
        &'a self,
        request_id: &'a str,
        source: Source,
        ctx: &'a Context,
    ) -> Pipeline<'a> {
        let store = &self.store;
        Pipeline {
            invites: Invites {
                inviter: &self.client,
                ledger: &self.ledger,
                memory: Kv {
                    store,
                    after_response: Some(ctx),
                },
                secret: &self.config.app_secret,
                explain: true,
                clock: crate::log::now_ms,
            },
            queue: &self.queue,
            request_id,
            source,
            pass: None,
            grace_ms: self.config.link_grace_ms,
            attribution: None,
            consent: None,
            funnel: None,
        }
    }

    pub async fn refresh_positions(&self) -> Result<(), crate::hireflix::Transient> {
        positions::refresh(&self.store, &self.client)
            .await
            .map(drop)
    }

    pub async fn lookup(&self, position: &PositionId) -> Lookup {
        positions::lookup(&self.config, &self.store, &self.client, position).await
    }

    /// The rate limiters are optional so a deployment without them still works (and
    /// /healthz warns); with them, each client (IPv4 address or IPv6 /64) and each IPv6 /48
    /// gets the limit set in wrangler.toml. A limiter that errors refuses: a broken gate must
    /// not open.
    pub async fn within_rate_limit(&self, ip: Option<String>) -> bool {
        let ip = ip.unwrap_or_default();
        allows(self.limiter.as_ref(), Some(gates::client_key("apply", &ip))).await
            && allows(self.network_limiter.as_ref(), gates::network_key(&ip)).await
    }
}

/// Whether `limiter` lets one more request under `key` through; no limiter or no key: yes.
pub async fn allows(limiter: Option<&RateLimiter>, key: Option<String>) -> bool {
    match (limiter, key) {
        (Some(limiter), Some(key)) => limiter.limit(key).await.is_ok_and(|o| o.success),
        _ => true,
    }
}
