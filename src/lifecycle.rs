//! How a serving process stops without dropping requests: on SIGTERM or SIGINT it first
//! drains, then stops.
//!
//! 1. **Draining** (`SUITS_DRAIN_SECONDS`): `/readyz` answers 503 at once, so a load
//!    balancer's health check takes the instance out of rotation, while every request that
//!    still arrives is served as usual, its response carrying `Connection: close` so that
//!    no idle keep-alive connection is left for the balancer to reuse later.
//! 2. **Stopping** (`SUITS_SHUTDOWN_TIMEOUT`): the listener closes (new connections are
//!    refused, which a balancer retries elsewhere), requests in flight are finished, and
//!    the process exits 0.
//!
//! Stopping at once instead would race the balancer: requests it has just written on an
//! open connection would meet a closed socket and be lost.
//!
//! A second signal during the drain ends it at once (for a developer pressing Ctrl-C on a
//! single instance, where nothing needs to drain); requests in flight still finish.

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use actix_web::dev::{Server, ServerHandle, Service, ServiceRequest, ServiceResponse};
use actix_web::http::ConnectionType;
use actix_web::rt::signal::unix::{signal, Signal, SignalKind};
use actix_web::{web, Error};
use futures_util::future::{select, Either};

use crate::AppState;

/// How long each phase of a stop may take, from the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Serving on, while `/readyz` says 503, before the listener closes.
    pub drain: Duration,
    /// Most time given to requests in flight once the listener has closed; connections
    /// still open after it are closed.
    pub timeout: Duration,
}

/// Whether the process is draining; one per process, in [`AppState`].
#[derive(Debug, Default)]
pub struct Lifecycle {
    draining: AtomicBool,
}

impl Lifecycle {
    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::Relaxed)
    }

    pub fn start_draining(&self) {
        self.draining.store(true, Ordering::Relaxed);
    }
}

/// Middleware body for `App::wrap_fn`, outermost: while draining, every response closes
/// its connection, so that the balancer opens a new one for its next request and meets the
/// closed listener (which it retries elsewhere), never a connection closed under its
/// request. Decided when the response leaves, so a request begun before the signal closes
/// its connection too. (The layers inside answer errors as responses, which pass here.)
pub fn close_while_draining<S, B>(
    req: ServiceRequest,
    srv: &S,
) -> impl Future<Output = Result<ServiceResponse<B>, Error>>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
{
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let response = srv.call(req);
    async move {
        let mut response = response.await?;
        if state.is_some_and(|s| s.lifecycle.is_draining()) {
            response
                .response_mut()
                .head_mut()
                .set_connection_type(ConnectionType::Close);
        }
        Ok(response)
    }
}

/// SIGTERM and SIGINT, subscribed before the server starts so that a failure to install
/// the handlers stops the start instead of leaving a process that cannot drain.
pub struct Signals {
    term: Signal,
    int: Signal,
}

impl Signals {
    pub fn install() -> std::io::Result<Signals> {
        Ok(Signals {
            term: signal(SignalKind::terminate())?,
            int: signal(SignalKind::interrupt())?,
        })
    }

    async fn next(&mut self) -> &'static str {
        match select(pin!(self.term.recv()), pin!(self.int.recv())).await {
            Either::Left(_) => "SIGTERM",
            Either::Right(_) => "SIGINT",
        }
    }
}

/// Runs the server until a signal has stopped it: drain, then a graceful stop. Each phase
/// is logged.
pub async fn serve_until_stopped(
    server: Server,
    mut signals: Signals,
    state: web::Data<AppState>,
    settings: Settings,
) -> std::io::Result<()> {
    let handle = server.handle();
    let stopping = async move {
        let name = signals.next().await;
        stop(handle, &mut signals, &state, settings, name).await;
    };
    // The server's future ends once the stop below has finished it.
    match select(pin!(server), pin!(stopping)).await {
        Either::Left((result, _)) => result,
        Either::Right(((), server)) => server.await,
    }?;
    log::info!("stopped");
    Ok(())
}

async fn stop(
    handle: ServerHandle,
    signals: &mut Signals,
    state: &AppState,
    settings: Settings,
    signal: &str,
) {
    state.lifecycle.start_draining();
    if !settings.drain.is_zero() {
        log::info!(
            "{signal} received: draining for {} s (SUITS_DRAIN_SECONDS): /readyz answers 503, \
             requests are still served, each on a connection then closed; \
             signal again to stop draining now",
            settings.drain.as_secs()
        );
        let drained = actix_web::rt::time::sleep(settings.drain);
        match select(pin!(drained), pin!(signals.next())).await {
            Either::Left(_) => log::info!("drain over"),
            Either::Right((again, _)) => log::info!("{again} received: drain cut short"),
        }
    } else {
        log::info!("{signal} received: stopping without a drain (SUITS_DRAIN_SECONDS=0)");
    }
    log::info!(
        "no longer accepting connections; finishing the requests in flight \
         (at most {} s, SUITS_SHUTDOWN_TIMEOUT)",
        settings.timeout.as_secs()
    );
    handle.stop(true).await;
}
