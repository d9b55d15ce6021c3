//! Money: integer minor units and an ISO 4217 currency code, never floats.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"amount_minor": 2500000, "currency": "EUR"}))]
pub struct Money {
    /// In the currency's minor unit (cents for EUR): 2500000 is €25,000.00. Never negative.
    #[validate(range(min = 0, message = "must not be negative"))]
    #[schema(minimum = 0)]
    pub amount_minor: i64,
    /// An ISO 4217 code in capitals, e.g. `EUR`, `USD`, `GBP`.
    #[validate(custom(function = iso_4217))]
    #[schema(example = "EUR", pattern = "^[A-Z]{3}$")]
    pub currency: String,
}

impl Money {
    /// From a pair of nullable columns, which the schema keeps both set or both null.
    pub fn from_columns(amount_minor: Option<i64>, currency: Option<String>) -> Option<Money> {
        Some(Money {
            amount_minor: amount_minor?,
            currency: currency?,
        })
    }
}

fn iso_4217(code: &str) -> Result<(), ValidationError> {
    if iso_currency::Currency::from_code(code).is_some() {
        return Ok(());
    }
    let mut e = ValidationError::new("currency");
    e.message = Some(format!("{code:?} is not an ISO 4217 currency code such as EUR").into());
    Err(e)
}
