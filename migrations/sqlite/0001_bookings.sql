-- One row per booking form submitted: `pending` while the carrier books it, then `booked`.
-- `form_id` is the form's idempotency key: a second submit finds the first's row.
CREATE TABLE bookings (
    id TEXT PRIMARY KEY,
    form_id TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    product_id TEXT NOT NULL,
    shipment_number TEXT,
    -- The confirmation page's facts (app::booking::Confirmation) as JSON.
    confirmation TEXT,
    label BLOB
);
