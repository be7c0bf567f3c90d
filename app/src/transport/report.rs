//! What the team hears of a fallback. Sentry delivery through the same-origin tunnel comes with
//! the error-reporting issue; until then the fields of DESIGN §4 go to the console.

use super::machine::Breakage;

pub fn fallback(b: &Breakage) {
    let user_agent = leptos::prelude::window()
        .navigator()
        .user_agent()
        .unwrap_or_default();
    leptos::logging::warn!(
        "live updates unavailable, using HTTP: trigger={} close_code={:?} reason={:?} was_clean={:?} \
         ms_since_open={:?} messages_received={} products_outstanding={} user_agent={user_agent}",
        b.trigger.as_str(),
        b.close_code,
        b.close_reason,
        b.was_clean,
        b.ms_since_open,
        b.messages_received,
        b.products_outstanding,
    );
}
