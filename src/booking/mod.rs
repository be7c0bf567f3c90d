//! From a quote to a booked parcel: `/book` (the form), `/booking/{id}` (the confirmation)
//! and its label. [`Bookings`] books a checked form once, however often it is submitted;
//! [`pages`] are the routes.

pub mod bring;
pub mod carrier;
pub mod label;
pub mod pages;
pub mod simulated_carrier;
pub mod store;

use crate::guards::session::unguessable_id;
use crate::pickup::{PickupError, PickupPoints};
use crate::stats::Stats;
use app::booking::{Confirmation, PickupPoint, delivered_to_pickup_point};
use app::model::{ProductId, SearchRequest};
use carrier::{Carrier, CarrierError, Shipment};
use std::sync::Arc;
use std::time::{Duration, Instant};
use store::{Claim, Store};

/// How long the carrier may take to book.
pub const BOOK_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a second submit of a form waits for the first to finish booking.
const WAIT_FOR_FIRST: Duration = Duration::from_secs(25);

pub struct Bookings {
    pub store: Store,
    carrier: Arc<dyn Carrier>,
    points: Arc<dyn PickupPoints>,
    stats: Arc<Stats>,
}

#[derive(Debug, thiserror::Error)]
pub enum BookError {
    #[error(transparent)]
    Carrier(#[from] CarrierError),
    #[error("booking database: {0}")]
    Store(#[from] sqlx::Error),
    /// Another submit of the form is still booking it.
    #[error("the first submit of this form is still booking it")]
    StillBooking,
}

/// The store, carrier and pickup points the configuration names. The database opens on first
/// use; `main` asks for it at start ([`Store::ready`]).
pub fn from_config(config: &crate::config::Config, stats: Arc<Stats>) -> Bookings {
    let store = Store::new(
        config.database_url.as_ref().map(|s| s.expose()),
        &config.data_dir,
    )
    .expect("the configuration checked DATABASE_URL");
    let simulated = || -> Arc<dyn Carrier> {
        Arc::new(simulated_carrier::Simulator {
            latency: Duration::from_secs_f64(0.4 * config.latency_scale),
            failure_rate: config.booking_failure_rate,
        })
    };
    let simulated_points =
        || -> Arc<dyn PickupPoints> { Arc::new(crate::pickup::simulator::Simulator) };
    let (carrier, points) = match &config.bring {
        Some(bring) => (
            match &bring.customer_number {
                Some(customer) => match bring::BringCarrier::new(bring, customer) {
                    Ok(carrier) => Arc::new(carrier) as Arc<dyn Carrier>,
                    Err(e) => {
                        tracing::error!("Bring's Booking API: {e}; bookings are simulated");
                        simulated()
                    }
                },
                None => simulated(),
            },
            match crate::pickup::bring::BringPickupPoints::new(bring) {
                Ok(points) => Arc::new(points) as Arc<dyn PickupPoints>,
                Err(e) => {
                    tracing::error!("Bring's Pickup Point API: {e}; pickup points are simulated");
                    simulated_points()
                }
            },
        ),
        None => (simulated(), simulated_points()),
    };
    let points = crate::pickup::Cached::new(points, crate::pickup::CACHE_TTL);
    Bookings::new(store, carrier, Arc::new(points), stats)
}

impl BookError {
    /// The carrier's HTTP status, for the error report (0: no answer, or not the carrier's).
    pub fn upstream_status(&self) -> u16 {
        match self {
            BookError::Carrier(e) => e.status(),
            BookError::Store(_) | BookError::StillBooking => 0,
        }
    }
}

impl Bookings {
    pub fn new(
        store: Store,
        carrier: Arc<dyn Carrier>,
        points: Arc<dyn PickupPoints>,
        stats: Arc<Stats>,
    ) -> Self {
        Self {
            store,
            carrier,
            points,
            stats,
        }
    }

    /// The pickup points to choose from for a service on a route: none for a door service.
    pub async fn points(
        &self,
        request: &SearchRequest,
        product: &ProductId,
    ) -> Result<Vec<PickupPoint>, PickupError> {
        if !delivered_to_pickup_point(product) {
            return Ok(Vec::new());
        }
        self.points
            .nearest(&request.to.country, &request.to.postal_code)
            .await
    }

    /// Books a shipment once per form: a second submit gets the first's booking (waiting
    /// for it if it is still being made). Returns the booking's id.
    pub async fn book(&self, shipment: Shipment) -> Result<String, BookError> {
        let deadline = Instant::now() + WAIT_FOR_FIRST;
        loop {
            let id = unguessable_id();
            match self
                .store
                .claim(
                    &shipment.order.form_id,
                    &id,
                    shipment.order.product.as_str(),
                )
                .await?
            {
                Claim::Booked(id) => return Ok(id),
                Claim::InProgress if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Claim::InProgress => return Err(BookError::StillBooking),
                Claim::Mine => {
                    // Its own task: a customer who closes the tab mid-booking still gets a
                    // booking that is recorded (and found by the next submit), never half of one.
                    let (store, carrier) = (self.store.clone(), self.carrier.clone());
                    let stats = self.stats.clone();
                    let task = tokio::spawn(async move {
                        let booked = book_claimed(store, carrier, shipment, id).await;
                        let counter = match &booked {
                            Ok(_) => &stats.bookings_made,
                            Err(_) => &stats.bookings_failed,
                        };
                        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        booked
                    });
                    return task.await.unwrap_or_else(|e| {
                        Err(BookError::Carrier(CarrierError::Unavailable(format!(
                            "booking task failed: {e}"
                        ))))
                    });
                }
            }
        }
    }
}

async fn book_claimed(
    store: Store,
    carrier: Arc<dyn Carrier>,
    shipment: Shipment,
    id: String,
) -> Result<String, BookError> {
    let answer = tokio::time::timeout(BOOK_TIMEOUT, carrier.book(&shipment))
        .await
        .unwrap_or_else(|_| {
            Err(CarrierError::Unavailable(format!(
                "no answer in {} s",
                BOOK_TIMEOUT.as_secs()
            )))
        });
    let booked = match answer {
        Ok(booked) => booked,
        Err(e) => {
            store.release(&id).await?;
            return Err(e.into());
        }
    };
    let order = shipment.order;
    let confirmation = Confirmation {
        id: id.clone(),
        shipment_number: booked.shipment_number,
        tracking_url: booked.tracking_url,
        product: order.product,
        price: shipment.price,
        expected_delivery: shipment.expected_delivery,
        sender: order.sender,
        recipient: order.recipient,
        pickup_point: shipment.pickup_point,
        reference: order.reference,
    };
    store.complete(&confirmation, &booked.label).await?;
    Ok(id)
}
