pub mod diagnostics_page;
pub mod offer_card;
pub mod page;
pub mod results_area;
pub mod search_form;
pub mod site;
pub mod transport_notice;
