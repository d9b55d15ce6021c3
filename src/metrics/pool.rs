//! The database side: checkouts, waits and timeouts as the pool counts them, and failures by kind.

use std::time::Instant;

use prometheus::{Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, Opts};

use super::WAIT_BUCKETS;
use crate::error::DbFailure;

/// What the pool counts as it hands out connections, and `db::run` as work fails.
#[derive(Debug)]
pub struct DbMetrics {
    checkouts: IntCounter,
    waiting: IntGauge,
    waits: Histogram,
    timeouts: IntCounter,
    errors: IntCounterVec,
    /// `errors` by [`DbFailure`], in the order of [`DbFailure::ALL`].
    by_kind: [IntCounter; 3],
}

impl Default for DbMetrics {
    fn default() -> Self {
        Self::new()
    }
}

impl DbMetrics {
    pub fn new() -> Self {
        let errors = IntCounterVec::new(
            Opts::new(
                "suits_db_errors_total",
                "Requests failed by the database, by kind: unavailable (unreachable, or the \
                 connection lost; 503), timeout (no free connection in time, 503; or the \
                 database's own lock or statement timeout, 500), other (500).",
            ),
            &["kind"],
        )
        .expect("valid metric");
        DbMetrics {
            checkouts: IntCounter::new(
                "suits_db_pool_checkouts_total",
                "Connections asked of the pool.",
            )
            .expect("valid metric"),
            waiting: IntGauge::new(
                "suits_db_pool_waiting",
                "Checkouts waiting for a connection now.",
            )
            .expect("valid metric"),
            waits: Histogram::with_opts(
                HistogramOpts::new(
                    "suits_db_pool_wait_seconds",
                    "Checkouts that found no idle connection: how long each waited, until it \
                     got one or gave up.",
                )
                .buckets(WAIT_BUCKETS.to_vec()),
            )
            .expect("valid metric"),
            timeouts: IntCounter::new(
                "suits_db_pool_checkout_timeouts_total",
                "Checkouts that got no connection (503): none came free in time, or the \
                 database was unreachable.",
            )
            .expect("valid metric"),
            // Every kind is there from the start, at 0, so that a rate over it exists.
            by_kind: DbFailure::ALL.map(|kind| errors.with_label_values(&[kind.label()])),
            errors,
        }
    }

    pub(super) fn collectors(&self) -> Vec<Box<dyn prometheus::core::Collector>> {
        vec![
            Box::new(self.checkouts.clone()),
            Box::new(self.waiting.clone()),
            Box::new(self.waits.clone()),
            Box::new(self.timeouts.clone()),
            Box::new(self.errors.clone()),
        ]
    }

    pub(crate) fn checkout(&self) {
        self.checkouts.inc();
    }

    /// A checkout begins to wait; [`Waiting::done`] says how it ended.
    pub(crate) fn waiting(&self) -> Waiting<'_> {
        self.waiting.inc();
        Waiting {
            metrics: self,
            since: Instant::now(),
        }
    }

    pub(crate) fn failed(&self, failure: DbFailure) {
        self.by_kind[failure as usize].inc();
    }
}

/// A checkout waiting for a connection.
pub(crate) struct Waiting<'a> {
    metrics: &'a DbMetrics,
    since: Instant,
}

impl Waiting<'_> {
    /// The wait is over: with a connection, or with `failure`.
    pub(crate) fn done(self, failure: Option<DbFailure>) {
        self.metrics
            .waits
            .observe(self.since.elapsed().as_secs_f64());
        if let Some(failure) = failure {
            self.metrics.timeouts.inc();
            self.metrics.failed(failure);
        }
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.metrics.waiting.dec();
    }
}
