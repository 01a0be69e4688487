//! Shared sandbox state: the stored resources, runtime settings, fault counter and request log.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use crate::bearers::Bearers;
use crate::faults::FaultInjector;
use crate::key_cache::KeyCache;
use crate::login::LoginEndpoints;
use crate::model::cluster::Cluster;
use crate::model::credentials::KeyStore;
use crate::model::issuer::issuer_url;
use crate::model::object_store::ObjectStore;
use crate::model::oidc_config::OidcConfig;
use crate::model::policy::Policy;
use crate::model::service_account::{ServiceAccount, MAX_LIFETIME_SECONDS};
use crate::request_log::{RequestLog, DEFAULT_REQUEST_LOG_CAPACITY};
use crate::signing::{Issuer, Keyring};
use crate::time::Clock;
use crate::wire::errors::{ApiError, Code};

/// Everything the emulated API holds.
#[derive(Debug, Clone, Default)]
pub struct Store {
    /// CKS clusters, in listing order.
    pub clusters: Vec<Cluster>,
    /// Organization access policies, in creation order.
    pub policies: Vec<Policy>,
    /// Workload federation OIDC configs, in creation order.
    pub oidc_configs: Vec<OidcConfig>,
    /// Service accounts that CI tokens can act as (`ServiceAccountOidcAuth`).
    pub service_accounts: Vec<ServiceAccount>,
}

impl Store {
    /// The cluster with `id`.
    pub fn cluster_mut(&mut self, id: &str) -> Option<&mut Cluster> {
        self.clusters.iter_mut().find(|c| c.id == id)
    }

    /// Inserts `cluster`, replacing one with the same id in place.
    pub fn upsert_cluster(&mut self, cluster: Cluster) {
        match self.cluster_mut(&cluster.id) {
            Some(existing) => *existing = cluster,
            None => self.clusters.push(cluster),
        }
    }
}

/// Takes one from a countdown; `false` when it is already at zero.
fn take_one(counter: &AtomicU64) -> bool {
    counter
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
        .is_ok()
}

/// Settings that tests may change at runtime.
#[derive(Debug, Default)]
pub struct Settings {
    fault_every: AtomicU64,
    latency_ms: AtomicU64,
    update_duration_ms: AtomicU64,
    lose_write_answers: AtomicU64,
    lose_s3_write_answers: AtomicU64,
    bearer_lifetime_seconds: AtomicU64,
    busy_patches: AtomicU64,
}

impl Settings {
    /// Every how many API requests a fault is injected (0 = never).
    pub fn fault_every(&self) -> u64 {
        self.fault_every.load(Ordering::Relaxed)
    }

    /// Delay added to every API response.
    pub fn latency(&self) -> Duration {
        Duration::from_millis(self.latency_ms.load(Ordering::Relaxed))
    }

    /// How long a cluster stays `STATUS_UPDATING` after a PATCH.
    pub fn update_duration(&self) -> Duration {
        Duration::from_millis(self.update_duration_ms.load(Ordering::Relaxed))
    }

    /// Sets the fault period.
    pub fn set_fault_every(&self, n: u64) {
        self.fault_every.store(n, Ordering::Relaxed);
    }

    /// Sets the latency in milliseconds.
    pub fn set_latency_ms(&self, ms: u64) {
        self.latency_ms.store(ms, Ordering::Relaxed);
    }

    /// Makes the next `n` writes take effect but answer `502 Bad Gateway`, as when a gateway
    /// loses the answer after the backend processed the request.
    pub fn set_lose_write_answers(&self, n: u64) {
        self.lose_write_answers.store(n, Ordering::Relaxed);
    }

    /// Consumes one lost answer, if any are left.
    pub fn take_lost_write_answer(&self) -> bool {
        take_one(&self.lose_write_answers)
    }

    /// Makes the next `n` successful S3 writes (PUT, POST, DELETE) take effect and then close
    /// the connection without an answer, as when a connection breaks before the answer
    /// arrives.
    pub fn set_lose_s3_write_answers(&self, n: u64) {
        self.lose_s3_write_answers.store(n, Ordering::Relaxed);
    }

    /// Consumes one lost S3 answer, if any are left.
    pub fn take_lost_s3_write_answer(&self) -> bool {
        take_one(&self.lose_s3_write_answers)
    }

    /// Makes the next `n` cluster PATCHes meet a running cluster that just became busy (another
    /// change won the race): they answer `FAILED_PRECONDITION`.
    pub fn set_busy_patches(&self, n: u64) {
        self.busy_patches.store(n, Ordering::Relaxed);
    }

    /// Consumes one busy answer, if any are left.
    pub fn take_busy_patch(&self) -> bool {
        take_one(&self.busy_patches)
    }

    /// The longest lifetime of a bearer the token exchange issues.
    pub fn bearer_lifetime_seconds(&self) -> u64 {
        self.bearer_lifetime_seconds.load(Ordering::Relaxed)
    }

    /// Caps the lifetime of the bearers the token exchange issues (at most 8 hours).
    pub fn set_bearer_lifetime_seconds(&self, seconds: u64) {
        self.bearer_lifetime_seconds
            .store(seconds.clamp(1, MAX_LIFETIME_SECONDS), Ordering::Relaxed);
    }

    /// Sets the update duration in milliseconds.
    pub fn set_update_duration_ms(&self, ms: u64) {
        self.update_duration_ms.store(ms, Ordering::Relaxed);
    }

    /// `{"faultEvery","latencyMs","updateDurationMs","loseWriteAnswers","loseS3WriteAnswers",
    /// "bearerLifetimeSeconds","busyPatches"}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "faultEvery": self.fault_every(),
            "latencyMs": self.latency_ms.load(Ordering::Relaxed),
            "updateDurationMs": self.update_duration_ms.load(Ordering::Relaxed),
            "loseWriteAnswers": self.lose_write_answers.load(Ordering::Relaxed),
            "loseS3WriteAnswers": self.lose_s3_write_answers.load(Ordering::Relaxed),
            "bearerLifetimeSeconds": self.bearer_lifetime_seconds(),
            "busyPatches": self.busy_patches.load(Ordering::Relaxed),
        })
    }
}

/// Start-up configuration of a sandbox instance.
#[derive(Debug, Clone)]
pub struct Config {
    /// The bearer token API requests must carry.
    pub token: String,
    /// Organization id (`orgUid` of OIDC configs).
    pub org_id: String,
    /// The URL the sandbox serves, e.g. `http://127.0.0.1:8089`.
    pub base_url: String,
    /// Milliseconds a PATCHed cluster stays `STATUS_UPDATING`.
    pub update_duration_ms: u64,
    /// Inject a fault every N API requests (0 = off).
    pub fault_every: u64,
    /// Milliseconds of latency added to every API response.
    pub latency_ms: u64,
    /// How many requests the request log keeps (the oldest are dropped and counted).
    pub request_log_capacity: usize,
    /// Whether the admin API requires the API token (when listening beyond loopback).
    pub admin_requires_token: bool,
    /// The URL the S3 endpoint serves, e.g. `http://127.0.0.1:8090`.
    pub s3_url: String,
}

impl Config {
    /// Defaults for tests: token `sandbox-token`, org `sandbox-org`, base
    /// `http://127.0.0.1:8080`, S3 at `http://127.0.0.1:8081`, 2000 ms updates, no faults, no
    /// latency, the default request log capacity, an admin API without auth.
    pub fn for_tests() -> Self {
        Self {
            token: "sandbox-token".into(),
            org_id: "sandbox-org".into(),
            base_url: "http://127.0.0.1:8080".into(),
            update_duration_ms: 2000,
            fault_every: 0,
            latency_ms: 0,
            request_log_capacity: DEFAULT_REQUEST_LOG_CAPACITY,
            admin_requires_token: false,
            s3_url: "http://127.0.0.1:8081".into(),
        }
    }
}

/// The state every handler sees.
#[derive(Debug)]
pub struct AppState {
    /// Expected bearer token.
    pub token: String,
    /// Organization id.
    pub org_id: String,
    /// Base URL the sandbox serves.
    pub base_url: String,
    /// Whether the admin API requires the API token.
    pub admin_requires_token: bool,
    /// Runtime settings.
    pub settings: Settings,
    /// Fault injection counter.
    pub faults: FaultInjector,
    /// API request log.
    pub log: RequestLog,
    /// Signing keys of the issuers the sandbox signs for.
    pub keys: Keyring,
    /// Bearer tokens the token exchange issued.
    pub bearers: Bearers,
    /// The identity provider and Kubernetes endpoints, once their listeners are bound.
    pub login: OnceLock<LoginEndpoints>,
    /// The S3 endpoint's URL.
    pub s3_url: String,
    /// S3 access keys the exchanges and `POST /v1/cwobject/access-key` issued.
    pub credentials: KeyStore,
    /// The buckets' objects.
    pub objects: ObjectStore,
    /// External OIDC issuers' keys, as the unmanaged Kubernetes endpoints fetched them.
    pub issuer_keys: KeyCache,
    /// The sandbox's one time source.
    pub clock: Clock,
    store: Mutex<Store>,
}

/// Shared handle to [`AppState`].
pub type SharedState = Arc<AppState>;

impl AppState {
    /// Builds the state from a configuration and initial resources.
    pub fn new(config: Config, store: Store) -> SharedState {
        let settings = Settings::default();
        settings.set_fault_every(config.fault_every);
        settings.set_latency_ms(config.latency_ms);
        settings.set_update_duration_ms(config.update_duration_ms);
        settings.set_bearer_lifetime_seconds(MAX_LIFETIME_SECONDS);
        let clock = Clock::default();
        Arc::new(Self {
            token: config.token,
            org_id: config.org_id,
            base_url: config.base_url.trim_end_matches('/').to_string(),
            admin_requires_token: config.admin_requires_token,
            settings,
            faults: FaultInjector::default(),
            log: RequestLog::with_capacity(config.request_log_capacity),
            keys: Keyring::default(),
            bearers: Bearers::default(),
            login: OnceLock::new(),
            s3_url: config.s3_url.trim_end_matches('/').to_string(),
            credentials: KeyStore::default(),
            objects: ObjectStore::with_clock(clock.clone()),
            issuer_keys: KeyCache::default(),
            clock,
            store: Mutex::new(store),
        })
    }

    /// Locks the store (a panic in another handler does not make it unusable).
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `NOT_FOUND` unless a cluster `id` is stored.
    pub fn known_cluster(&self, id: &str) -> Result<(), ApiError> {
        if self.store().cluster_mut(id).is_some() {
            Ok(())
        } else {
            Err(ApiError::not_found(
                "Cluster",
                id,
                format!("cluster {id:?} not found"),
            ))
        }
    }

    /// The signing issuer of cluster `id` (its key is generated on first use).
    pub fn cluster_issuer(&self, id: &str) -> Result<Arc<Issuer>, ApiError> {
        self.known_cluster(id)?;
        self.keys
            .issuer(&issuer_url(&self.base_url, id))
            .map_err(|e| ApiError::new(Code::Internal, e.to_string()))
    }
}
