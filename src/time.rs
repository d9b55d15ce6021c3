//! Time: now, and RFC 3339 in and out — how every timestamp enters and leaves.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};

/// Now, at the microsecond precision both databases keep, so a value read back equals
/// the value written.
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// The inverse of [`format_time`], accepting any RFC 3339 offset.
pub(crate) fn read_time(raw: &str) -> Option<NaiveDateTime> {
    DateTime::parse_from_rfc3339(raw)
        .ok()
        .map(|t| t.naive_utc())
}

/// Today's date in UTC: what due dates are compared with.
pub fn today() -> chrono::NaiveDate {
    now().date()
}

/// A stored UTC timestamp as RFC 3339 with a `Z`, e.g. `2026-11-26T09:30:00.123456Z`:
/// how every timestamp leaves the service, in bodies and in cursors.
pub fn format_time(at: &NaiveDateTime) -> String {
    at.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// Serializes with [`format_time`], for `#[serde(serialize_with = "rfc3339")]`.
pub fn rfc3339<S: serde::Serializer>(at: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_time(at))
}

/// [`rfc3339`] for a timestamp that may be absent (`null`).
pub fn rfc3339_opt<S: serde::Serializer>(
    at: &Option<NaiveDateTime>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => rfc3339(at, s),
        None => s.serialize_none(),
    }
}

/// An RFC 3339 timestamp given as a query parameter, such as `updated_since`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp(pub NaiveDateTime);

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <String as serde::Deserialize>::deserialize(d)?;
        read_time(&raw).map(Timestamp).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "must be an RFC 3339 timestamp such as 2026-01-31T09:00:00Z, got {raw:?}"
            ))
        })
    }
}
