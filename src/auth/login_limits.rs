//! Brute-force limits on `POST /auth/token`: failed sign-ins per account and per client
//! address, counted in memory with governor (GCRA). The limits are per instance: behind a
//! load balancer, each instance counts its own failures.
//!
//! Only failures count, yet a flood of concurrent guesses must not all reach the password
//! check before the first of them is counted. So every attempt reserves one failure before
//! the check, and a successful sign-in gives its reservation back. An account or address
//! with no failure left is answered 429 without the check.

use std::hash::Hash;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::http::header::HeaderMap;
use governor::clock::{Clock, DefaultClock};
use governor::nanos::Nanos;
use governor::state::keyed::{DashMapStateStore, ShrinkableKeyedStateStore};
use governor::state::{InMemoryState, NotKeyed, StateStore};
use governor::{Quota, RateLimiter};

/// The limits, from the configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Failed sign-ins allowed per account (normalised email) per `window`.
    pub per_account: NonZeroU32,
    /// Failed sign-ins allowed per client address per `window`.
    pub per_address: NonZeroU32,
    /// The time in which a full allowance comes back; it returns one failure at a time.
    pub window: Duration,
    /// At most this many accounts and as many addresses are tracked, to bound memory.
    pub max_tracked: usize,
    /// Take the client address from `Forwarded`/`X-Forwarded-For` (set by a reverse proxy)
    /// rather than from the TCP peer.
    pub trust_proxy: bool,
}

/// Why an attempt may not proceed: retry after this long.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Refused(pub Duration);

impl Refused {
    /// For `Retry-After`, which takes whole seconds: rounded up, so that a client that
    /// waits that long is let through.
    pub fn retry_after_secs(&self) -> u64 {
        let d = self.0;
        (d.as_secs() + u64::from(d.subsec_nanos() > 0)).max(1)
    }
}

/// The limits of one instance, shared by all its workers.
pub struct LoginLimits {
    accounts: Limit<String>,
    addresses: Limit<IpAddr>,
    trust_proxy: bool,
    last_sweep: Mutex<Instant>,
}

/// A sign-in attempt that holds one failure of its account (and address); give it back with
/// [`LoginLimits::give_back`] unless the password was wrong.
#[must_use]
pub struct Reservation {
    account: Option<String>,
    address: Option<IpAddr>,
}

/// How often stale keys are dropped, at most: a key whose allowance is full again is
/// indistinguishable from an unknown key.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

impl LoginLimits {
    pub fn new(settings: &Settings) -> Self {
        LoginLimits {
            accounts: Limit::new(settings.per_account, settings.window, settings.max_tracked),
            addresses: Limit::new(settings.per_address, settings.window, settings.max_tracked),
            trust_proxy: settings.trust_proxy,
            last_sweep: Mutex::new(Instant::now()),
        }
    }

    /// Reserves one failure for `account` (already normalised) and the client `address`,
    /// if both have one left.
    pub fn reserve(&self, account: &str, address: Option<IpAddr>) -> Result<Reservation, Refused> {
        self.sweep_if_due();
        let account = self.accounts.reserve(account.to_owned())?;
        let address = match address.map(|a| self.addresses.reserve(a)).transpose() {
            Ok(address) => address.flatten(),
            Err(refused) => {
                if let Some(account) = account {
                    self.accounts.give_back(account);
                }
                return Err(refused);
            }
        };
        Ok(Reservation { account, address })
    }

    /// The attempt did not fail (the password was right, or was never judged): it does
    /// not count.
    pub fn give_back(&self, reservation: Reservation) {
        if let Some(account) = reservation.account {
            self.accounts.give_back(account);
        }
        if let Some(address) = reservation.address {
            self.addresses.give_back(address);
        }
    }

    /// How many accounts and addresses are tracked now.
    pub fn tracked(&self) -> (usize, usize) {
        (self.accounts.map.len(), self.addresses.map.len())
    }

    /// The client address whose failures count together: the TCP peer, or with
    /// `trust_proxy` the address the proxy reports. IPv6 clients usually hold a whole
    /// /64, so they are counted per /64.
    pub fn client_address(&self, peer: Option<SocketAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let ip = if self.trust_proxy {
            forwarded_for(headers).or(peer.map(|p| p.ip()))
        } else {
            peer.map(|p| p.ip())
        }?;
        Some(match ip {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => {
                    let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                    IpAddr::V6(Ipv6Addr::from(prefix))
                }
            },
            v4 => v4,
        })
    }

    fn sweep_if_due(&self) {
        let Ok(mut last) = self.last_sweep.try_lock() else {
            return; // another worker is sweeping
        };
        if last.elapsed() >= SWEEP_EVERY {
            *last = Instant::now();
            self.accounts.sweep();
            self.addresses.sweep();
        }
    }
}

/// The client as the nearest proxy saw it: the last `for=` of `Forwarded`, else the last
/// `X-Forwarded-For` entry. Earlier entries come from the client and prove nothing.
fn forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    let last = |name: &str, sep: char| {
        headers
            .get_all(name)
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(sep))
            .last()
            .map(str::trim)
            .map(str::to_owned)
    };
    if let Some(element) = last("forwarded", ',') {
        let node = element
            .split(';')
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(key, _)| key.eq_ignore_ascii_case("for"))
            .map(|(_, value)| value.trim_matches('"'))?;
        return parse_node(node);
    }
    parse_node(&last("x-forwarded-for", ',')?)
}

/// `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1` or `[2001:db8::1]:4711`.
fn parse_node(node: &str) -> Option<IpAddr> {
    node.parse::<IpAddr>()
        .ok()
        .or_else(|| node.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            let inner = node.strip_prefix('[')?.split(']').next()?;
            inner.parse().ok()
        })
}

/// One keyed allowance of failures.
struct Limit<K: Hash + Eq + Clone> {
    limiter: RateLimiter<Attempt<K>, Refundable<K>, DefaultClock>,
    map: Arc<DashMapStateStore<K>>,
    max_tracked: usize,
}

impl<K: Hash + Eq + Clone + std::fmt::Debug> Limit<K> {
    fn new(failures: NonZeroU32, window: Duration, max_tracked: usize) -> Self {
        // One failure comes back every window / failures; the configuration keeps that
        // above zero.
        let quota = Quota::with_period(window / failures.get())
            .expect("a positive replenish period")
            .allow_burst(failures);
        let map = Arc::new(DashMapStateStore::default());
        let store = Refundable {
            map: Arc::clone(&map),
            interval: quota.replenish_interval().into(),
        };
        Limit {
            limiter: RateLimiter::new(quota, store, DefaultClock::default()),
            map,
            max_tracked,
        }
    }

    /// `Ok(None)` when the key could not be tracked (see `max_tracked`).
    fn reserve(&self, key: K) -> Result<Option<K>, Refused> {
        if !self.map.contains_key(&key) && self.map.len() >= self.max_tracked {
            self.sweep();
            if self.map.len() >= self.max_tracked {
                // Refusing every newcomer would lock everyone out; not counting this one
                // leaves the other limit (account or address) in force.
                log::warn!(
                    "login limits: {} keys tracked, not counting {key:?}",
                    self.map.len()
                );
                return Ok(None);
            }
        }
        let attempt = Attempt {
            key,
            give_back: false,
        };
        match self.limiter.check_key(&attempt) {
            Ok(()) => Ok(Some(attempt.key)),
            Err(not_until) => Err(Refused(
                not_until.wait_time_from(self.limiter.clock().now()),
            )),
        }
    }

    fn give_back(&self, key: K) {
        let _ = self.limiter.check_key(&Attempt {
            key,
            give_back: true,
        });
    }

    fn sweep(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}

/// A key, and whether the call counts one failure (governor's usual check) or gives one
/// back.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Attempt<K> {
    key: K,
    give_back: bool,
}

/// governor's DashMap store, able to give back a reserved failure. governor keeps, per
/// key, the theoretical arrival time (TAT) of the next cell; counting one moves it forward
/// by one replenish interval, so giving one back moves it back by the same.
struct Refundable<K: Hash + Eq + Clone> {
    map: Arc<DashMapStateStore<K>>,
    interval: Nanos,
}

impl<K: Hash + Eq + Clone> StateStore for Refundable<K> {
    type Key = Attempt<K>;

    fn measure_and_replace<T, F, E>(&self, attempt: &Attempt<K>, f: F) -> Result<T, E>
    where
        F: Fn(Option<Nanos>) -> Result<(T, Nanos), E>,
    {
        if !attempt.give_back {
            return self.map.measure_and_replace(&attempt.key, f);
        }
        // The rate decision `f` is not consulted: a give-back is never refused. A key
        // already swept away has nothing to give back.
        if let Some(state) = self.map.get(&attempt.key) {
            let state: &InMemoryState = &state;
            let _: Result<(), ()> = state.measure_and_replace(&NotKeyed::NonKey, |tat| {
                let tat = tat.ok_or(())?;
                Ok(((), tat.saturating_sub(self.interval)))
            });
        }
        // What the limiter reports for a give-back is ignored; report the state as it is.
        f(None).map(|(t, _)| t)
    }
}

impl<K: Hash + Eq + Clone> ShrinkableKeyedStateStore<Attempt<K>> for Refundable<K> {
    fn retain_recent(&self, drop_below: Nanos) {
        self.map.retain_recent(drop_below);
    }

    fn shrink_to_fit(&self) {
        ShrinkableKeyedStateStore::shrink_to_fit(&*self.map);
    }

    fn len(&self) -> usize {
        self.map.len()
    }

    fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}
