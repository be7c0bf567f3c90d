//! The booking routes. The server works out everything a page shows (re-quoting the chosen
//! service: a price in a URL is never trusted), then renders the Leptos page with it, so the
//! form works without JavaScript; the hydrated page checks fields as they are typed.
//!
//! - `GET /book?<search>&product=…`: the form, with a fresh idempotency key.
//! - `POST /book`: books it (303 to the confirmation), or shows the form again as typed with
//!   each problem at its field (422), or says the booking failed upstream (502).
//! - `GET /booking/{id}`, `GET /booking/{id}/label.pdf`.

use super::carrier::Shipment;
use super::{BookError, Bookings};
use crate::guards::session::{is_unguessable_id, unguessable_id};
use crate::limits::Caller;
use crate::limits::ClientLimits;
use crate::pickup::PickupError;
use crate::route::route_class;
use crate::search::SearchService;
use app::booking::{BookedPage, BookingDraft, BookingPage, Quoted, field};
use app::error::{ErrorCode, FieldError};
use app::i18n::{Texts, W};
use app::location::Url;
use app::model::{Outcome, Places, ProductId, SearchRequest};
use axum::Extension;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use std::sync::Arc;

/// Renders the site's Leptos page for a request with extra context (the page's facts).
#[derive(Clone)]
pub struct Render {
    context: Arc<dyn Fn() + Send + Sync>,
    options: LeptosOptions,
}

impl Render {
    pub fn new(context: impl Fn() + Send + Sync + 'static, options: LeptosOptions) -> Self {
        Self {
            context: Arc::new(context),
            options,
        }
    }

    async fn page<T: Clone + Send + Sync + 'static>(
        &self,
        parts: Parts,
        status: StatusCode,
        facts: T,
    ) -> Response {
        let (base, options) = (self.context.clone(), self.options.clone());
        let handler = leptos_axum::render_app_to_stream_with_context(
            move || {
                base();
                provide_context(facts.clone());
            },
            move || app::shell(options.clone()),
        );
        let mut response = handler(Request::from_parts(parts, Body::empty()))
            .await
            .into_response();
        *response.status_mut() = status;
        response
    }
}

/// What the booking pages need of the app's state (`FromRef` in `state.rs`).
#[derive(Clone)]
pub struct BookingNeeds {
    pub search: Arc<SearchService>,
    pub limits: Arc<ClientLimits>,
    pub bookings: Arc<Bookings>,
}

/// How long the form waits for pickup points (a lookup may wait for its turn in Bring's rate).
const POINTS_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// `GET /book`: the form for the search and product in the URL.
pub async fn form(
    Extension(render): Extension<Render>,
    State(state): State<BookingNeeds>,
    Extension(caller): Extension<Caller>,
    request: Request,
) -> Response {
    let (parts, _) = request.into_parts();
    let query = parts.uri.query().unwrap_or_default().to_owned();
    // The search and the product from the link (anything else it names fills the form too),
    // and a fresh idempotency key.
    let mut draft = BookingDraft::from_params(|k| Url::param(&query, k));
    draft.form_id = unguessable_id();
    let page = prepare(
        &state,
        caller,
        Texts::for_request(&parts),
        draft,
        Vec::new(),
    )
    .await;
    let status = match page.quoted {
        Quoted::BadSearch => StatusCode::BAD_REQUEST,
        _ => StatusCode::OK,
    };
    render.page(parts, status, page).await
}

/// `POST /book`: the submitted form, booked or shown again.
pub async fn submit(
    Extension(render): Extension<Render>,
    State(state): State<BookingNeeds>,
    Extension(caller): Extension<Caller>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let t = Texts::for_request(&parts);
    let Ok(bytes) = axum::body::to_bytes(body, crate::layers::MAX_BODY_BYTES).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "the form is too large").into_response();
    };
    // `application/x-www-form-urlencoded`; anything else reads as a form with empty fields.
    let body = String::from_utf8_lossy(&bytes);
    let mut draft = BookingDraft::from_params(|k| Url::param(&body, k));
    let mut errors = Vec::new();
    if !is_unguessable_id(&draft.form_id) {
        // An edited or truncated page: a fresh key, and the customer submits again.
        draft.form_id = unguessable_id();
        errors.push(FieldError::new(
            field::FORM_ID,
            ErrorCode::FormExpired,
            "The form has expired.",
        ));
    }
    let order = draft.check().map_err(|mut e| errors.append(&mut e)).ok();
    let mut page = prepare(&state, caller, t, draft, errors).await;
    let point = page
        .points
        .iter()
        .find(|p| p.id == page.draft.pickup_point)
        .cloned();
    if order.is_some() && !page.points.is_empty() && point.is_none() {
        page.errors.push(FieldError::new(
            field::PICKUP_POINT,
            ErrorCode::UnknownPickupPoint,
            "Choose one of the pickup points shown.",
        ));
    }
    let (
        Some(order),
        Quoted::Offer {
            price,
            expected_delivery,
            dispatch,
        },
        true,
        None,
    ) = (
        order,
        page.quoted.clone(),
        page.errors.is_empty(),
        page.failure.as_ref(),
    )
    else {
        return render
            .page(parts, StatusCode::UNPROCESSABLE_ENTITY, page)
            .await;
    };
    // The label names the places the page showed.
    let mut order = order;
    (order.sender.place, order.recipient.place) =
        (page.places.from.clone(), page.places.to.clone());
    let shipment = Shipment {
        product_name: app::i18n::product_name(t, &order.product),
        order,
        pickup_point: point,
        price,
        expected_delivery,
        // The day the quote was asked for: today before the service's cut-off, else the next
        // working day.
        shipping_date: dispatch.map_or_else(
            || crate::guide::calendar::oslo_today().to_string(),
            |d| d.ships,
        ),
    };
    let (product, route) = (
        shipment.order.product.clone(),
        route_class(&shipment.order.request),
    );
    match state.bookings.book(shipment).await {
        Ok(id) => {
            let to = format!("/booking/{id}{}", t.link_query());
            (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
        }
        Err(e) => {
            let (status, word) = failure(&e);
            // An error, so it reaches Sentry: the product, the route class and the carrier's
            // status, never what the customer typed.
            let upstream = e.upstream_status();
            tracing::error!(product = %product, %route, upstream_status = upstream, error = %e, "booking failed for {product} on {route}");
            page.failure = Some(t.get(word).to_owned());
            render.page(parts, status, page).await
        }
    }
}

fn failure(e: &BookError) -> (StatusCode, W) {
    match e {
        BookError::StillBooking => (StatusCode::SERVICE_UNAVAILABLE, W::BookStillBooking),
        BookError::Carrier(_) | BookError::Store(_) => (StatusCode::BAD_GATEWAY, W::BookFailed),
    }
}

/// Everything the form page shows besides the draft: the re-quoted service, the places, the
/// pickup points (the nearest chosen when none is).
async fn prepare(
    state: &BookingNeeds,
    caller: Caller,
    t: Texts,
    mut draft: BookingDraft,
    errors: Vec<FieldError>,
) -> BookingPage {
    let mut page = BookingPage {
        quoted: Quoted::BadSearch,
        places: Places::default(),
        points: Vec::new(),
        errors,
        failure: None,
        draft: BookingDraft::default(),
    };
    let product = ProductId::new(draft.product.trim());
    if let Ok(request) = draft.search.to_request() {
        page.places = app::places::places(&request);
        page.quoted = quote(state, caller, t, &request, &product).await;
        if matches!(page.quoted, Quoted::Offer { .. }) {
            let points =
                tokio::time::timeout(POINTS_TIMEOUT, state.bookings.points(&request, &product))
                    .await
                    .unwrap_or_else(|_| {
                        Err(PickupError(
                            "no answer in time (or no turn in the lookup budget)".into(),
                        ))
                    });
            match points {
                Ok(points) => page.points = points,
                Err(e) => {
                    tracing::error!(product = %product, error = %e, "pickup points unavailable");
                    page.failure = Some(t.get(W::BookPointsUnavailable).to_owned());
                }
            }
        }
    }
    if let (true, Some(nearest)) = (draft.pickup_point.is_empty(), page.points.first()) {
        draft.pickup_point = nearest.id.clone();
    }
    page.draft = draft;
    page
}

/// The chosen service quoted again, against the caller's quote budget.
async fn quote(
    state: &BookingNeeds,
    caller: Caller,
    t: Texts,
    request: &SearchRequest,
    product: &ProductId,
) -> Quoted {
    let Ok((request, products)) = state.search.plan(request) else {
        return Quoted::BadSearch;
    };
    if !products.contains(product) {
        return Quoted::Unavailable {
            message: t.get(W::BookNotOffered).to_owned(),
        };
    }
    if let Err(retry) = state.limits.quote(caller).await {
        return Quoted::Unavailable {
            message: retry.message(t),
        };
    }
    match state
        .search
        .quote(&request, product, t, Some(caller.address))
        .await
    {
        Outcome::Offer { offer } => Quoted::Offer {
            price: offer.price,
            expected_delivery: offer.lead_time.expected_delivery,
            dispatch: offer.dispatch,
        },
        Outcome::Unavailable { message, .. } => Quoted::Unavailable { message },
    }
}

/// `GET /booking/{id}`: the confirmation, from the database (any instance, after restarts).
pub async fn confirmation(
    Extension(render): Extension<Render>,
    State(bookings): State<Arc<Bookings>>,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    let (parts, _) = request.into_parts();
    let found = if is_unguessable_id(&id) {
        bookings.store.confirmation(&id).await
    } else {
        Ok(None)
    };
    match found {
        Ok(Some(c)) => {
            render
                .page(parts, StatusCode::OK, BookedPage(Some(c)))
                .await
        }
        Ok(None) => {
            render
                .page(parts, StatusCode::NOT_FOUND, BookedPage(None))
                .await
        }
        Err(e) => {
            tracing::error!(error = %e, "booking database unavailable");
            render
                .page(parts, StatusCode::SERVICE_UNAVAILABLE, BookedPage(None))
                .await
        }
    }
}

/// `GET /booking/{id}/label.pdf`: the label, as a download.
pub async fn label(State(bookings): State<Arc<Bookings>>, Path(id): Path<String>) -> Response {
    if !is_unguessable_id(&id) {
        return StatusCode::NOT_FOUND.into_response();
    }
    match bookings.store.label(&id).await {
        Ok(Some((number, pdf))) => {
            let disposition = format!("attachment; filename=\"fjordpost-label-{number}.pdf\"");
            let mut response = pdf.into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            );
            if let Ok(value) = HeaderValue::from_str(&disposition) {
                headers.insert(header::CONTENT_DISPOSITION, value);
            }
            // Personal data: never kept by a shared cache.
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            );
            response
        }
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "booking database unavailable");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}
