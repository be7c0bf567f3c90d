//! Route classes: where in Norway a postal code lies. Used for prices and lead times, and in
//! logs and error reports instead of postal codes, which are personal data.

use app::model::{Address, SearchRequest};
use app::region::Region;
use std::fmt;

/// One end of a route: a Norwegian region, or another country (its ISO code).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RouteEnd {
    Norway(Region),
    Abroad([u8; 2]),
}

impl RouteEnd {
    fn of(a: &Address) -> RouteEnd {
        match a.country.as_bytes() {
            b"NO" => RouteEnd::Norway(Region::of(&a.postal_code)),
            &[a, b] => RouteEnd::Abroad([a, b]),
            _ => RouteEnd::Abroad(*b"??"),
        }
    }
}

impl fmt::Display for RouteEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteEnd::Norway(region) => write!(f, "NO-{region:?}"),
            RouteEnd::Abroad(code) => f.write_str(std::str::from_utf8(code).unwrap_or("??")),
        }
    }
}

/// The class of a route (`NO-Oslo>SE`), for logs and error reports: never the postal codes.
/// Cheap to make and copy; it is formatted only when something is logged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RouteClass(RouteEnd, RouteEnd);

impl fmt::Display for RouteClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}>{}", self.0, self.1)
    }
}

pub fn route_class(request: &SearchRequest) -> RouteClass {
    RouteClass(RouteEnd::of(&request.from), RouteEnd::of(&request.to))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_come_from_the_postal_code() {
        assert_eq!(Region::of("0150"), Region::Oslo);
        assert_eq!(Region::of("1299"), Region::Oslo);
        assert_eq!(Region::of("5003"), Region::West);
        assert_eq!(Region::of("9008"), Region::Troms);
        assert_eq!(Region::of("9170"), Region::Svalbard);
        assert_eq!(Region::of("9179"), Region::Svalbard);
        assert_eq!(Region::of("9180"), Region::Troms);
        assert_eq!(Region::of("9600"), Region::Finnmark);
        assert_eq!(Region::of("9900"), Region::EastFinnmark);
        assert_eq!(
            route_class(&SearchRequest::between(("NO", "0150"), ("SE", "114 55"), 1)).to_string(),
            "NO-Oslo>SE"
        );
    }
}
