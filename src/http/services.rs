//! What every application route needs, built once per request from `Env`.

use super::gates;
use crate::apply::positions::{self, Lookup};
use crate::apply::Pipeline;
use crate::config::{names, Config};
use crate::domain::PositionId;
use crate::funnel::Funnel;
use crate::hireflix::HireflixClient;
use crate::http_url::HttpUrl;
use crate::log::Source;
use crate::store::Store;
use worker::{Context, Env, Queue, Request};

pub struct Services {
    pub config: Config,
    pub client: HireflixClient,
    pub store: Store,
    pub funnel: Funnel,
    queue: Option<Queue>,
    /// Lets KV writes that nobody waits for finish after the response.
    ctx: Option<Context>,
    env: Env,
}

impl Services {
    /// Everything wrong with the configuration, by name, when it cannot serve.
    pub fn from_env(
        env: Env,
        ctx: Option<Context>,
        funnel: Funnel,
    ) -> Result<Services, Vec<String>> {
        let config = Config::from_env(&env).map_err(|p| p.0)?;
        let kv = env
            .kv(names::KV)
            .map_err(|_| vec![format!("KV binding {} is missing", names::KV)])?;
        Ok(Services {
            client: HireflixClient::new(
                &config.api_url,
                config.api_key.clone(),
                config.hireflix_timeout_ms,
            ),
            store: Store::new(kv, config.submission_ttl_seconds),
            funnel,
            queue: env.queue(names::INVITE_QUEUE).ok(),
            ctx,
            config,
            env,
        })
    }

    pub fn pipeline<'a>(&'a self, request_id: &'a str, source: Source) -> Pipeline<'a> {
        Pipeline {
            client: &self.client,
            store: &self.store,
            queue: self.queue.as_ref(),
            request_id,
            source,
            secret: &self.config.app_secret,
            budgets: self.config.budgets,
            pass: None,
            grace_ms: self.config.link_grace_ms,
            background: self.ctx.as_ref(),
            attribution: None,
            consent: None,
            funnel: Some(&self.funnel),
        }
    }

    pub async fn lookup(&self, position: &PositionId) -> Lookup {
        positions::lookup(&self.config, &self.store, &self.client, position).await
    }

    /// The rate limiter is optional so a deployment without the binding still works (and
    /// /healthz warns); with it, each client (IPv4 address or IPv6 /64) gets the limit set in
    /// wrangler.toml. A limiter that errors refuses: a broken gate must not open.
    pub async fn within_rate_limit(&self, ip: Option<String>) -> bool {
        let Ok(limiter) = self.env.rate_limiter(names::RATE_LIMITER) else {
            return true;
        };
        let key = gates::client_key(ip.as_deref().unwrap_or_default());
        limiter.limit(key).await.is_ok_and(|o| o.success)
    }

    /// This worker's origin as the request reached it (`https://apply.example.com`).
    pub fn own_origin(&self, req: &Request) -> String {
        HttpUrl::parse(&req.inner().url())
            .map(|url| url.origin())
            .unwrap_or_default()
    }
}
