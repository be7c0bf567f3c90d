//! Product names and blurbs, shared so a placeholder card can name its product before the
//! shipping guide answers. The rules of which product goes where live with the guide.

use crate::model::ProductId;

pub struct Product {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    /// Whether the guide offers the recipient later delivery days to choose from (home
    /// delivery): the placeholder card keeps room for them, so the card does not grow.
    pub choice_of_dates: bool,
}

/// Every product at most once: the longest plan there can be. The server-rendered results
/// make one quote slot per product up front (`components/results_area.rs`), so any plan fits; the
/// plan's tests hold it to the catalogue.
pub const MAX_PLAN: usize = PRODUCTS.len();

pub const PRODUCTS: &[Product] = &[
    Product {
        id: "5800",
        name: "Pickup point parcel",
        description: "Collected by the recipient at a pickup point near them. Up to 35 kg.",
        choice_of_dates: false,
    },
    Product {
        id: "5600",
        name: "Home delivery",
        description: "Delivered to the recipient's door in the evening, with a text message before we arrive.",
        choice_of_dates: true,
    },
    Product {
        id: "3584",
        name: "Mailbox parcel",
        description: "Small parcels straight into the mailbox. Up to 5 kg and 35 × 25 × 12 cm.",
        choice_of_dates: false,
    },
    Product {
        id: "5000",
        name: "Business parcel",
        description: "Delivered to a business address during opening hours.",
        choice_of_dates: false,
    },
    Product {
        id: "4850",
        name: "Express next day",
        description: "Picked up today, delivered before 16:00 the next working day.",
        choice_of_dates: false,
    },
    Product {
        id: "5100",
        name: "Business groupage",
        description: "Pallets and heavy goods, by road to Tromsø and sea freight to Svalbard. Up to 1,000 kg.",
        choice_of_dates: false,
    },
    Product {
        id: "0340",
        name: "PickUp Parcel abroad",
        description: "Collected at a pickup point in the recipient's country. Customs paperwork included.",
        choice_of_dates: false,
    },
    Product {
        id: "0349",
        name: "Home Delivery Parcel abroad",
        description: "Delivered to the recipient's door abroad, tracked all the way.",
        choice_of_dates: false,
    },
    Product {
        id: "0330",
        name: "Business Parcel abroad",
        description: "Door to door between businesses across borders. Up to 35 kg.",
        choice_of_dates: false,
    },
];

pub fn product(id: &ProductId) -> Option<&'static Product> {
    PRODUCTS.iter().find(|p| p.id == id.as_str())
}

/// A display name for any product id, known or not (the API's English; the page has its own).
pub fn product_name(id: &ProductId) -> String {
    product(id).map_or_else(|| format!("Service {id}"), |p| p.name.to_owned())
}
