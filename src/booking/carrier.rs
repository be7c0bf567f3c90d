//! Who books a shipment: [`Carrier`], with the built-in [`Simulator`] as the default.

use app::booking::{Order, PickupPoint};
use app::model::Money;
use std::future::Future;
use std::pin::Pin;

/// What the carrier is asked to carry: the checked form with the places filled in, and what
/// the page showed of the service.
#[derive(Clone, Debug)]
pub struct Shipment {
    pub order: Order,
    pub product_name: String,
    pub pickup_point: Option<PickupPoint>,
    pub price: Money,
    /// ISO dates.
    pub expected_delivery: String,
    pub shipping_date: String,
}

/// A booked shipment as the carrier answered.
#[derive(Clone, Debug)]
pub struct Booked {
    pub shipment_number: String,
    pub tracking_url: String,
    /// The label, a PDF.
    pub label: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CarrierError {
    /// The carrier answered and would not book it (its HTTP status and its words).
    #[error("booking refused ({status}): {message}")]
    Refused { status: u16, message: String },
    /// The carrier did not answer, or not in time.
    #[error("booking service unavailable: {0}")]
    Unavailable(String),
}

impl CarrierError {
    /// The upstream status for the error report (0: no answer).
    pub fn status(&self) -> u16 {
        match self {
            CarrierError::Refused { status, .. } => *status,
            CarrierError::Unavailable(_) => 0,
        }
    }
}

pub type BookFuture = Pin<Box<dyn Future<Output = Result<Booked, CarrierError>> + Send>>;

pub trait Carrier: Send + Sync + 'static {
    fn book(&self, shipment: &Shipment) -> BookFuture;
}
