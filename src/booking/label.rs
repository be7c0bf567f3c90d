//! The shipping label: an A6 PDF with both addresses, the service and the shipment number as
//! an Interleaved 2 of 5 barcode (numeric, as parcel numbers are). Helvetica is one of PDF's
//! standard fonts, so nothing is embedded and the file stays a few kilobytes.

use super::carrier::Shipment;
use app::booking::{Party, PickupPoint};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

/// What a label prints.
pub struct Label<'a> {
    pub product_name: &'a str,
    pub sender: &'a Party,
    pub recipient: &'a Party,
    pub pickup_point: Option<&'a PickupPoint>,
    pub weight_grams: u32,
    /// ISO date.
    pub shipping_date: &'a str,
    pub reference: Option<&'a str>,
}

impl<'a> Label<'a> {
    pub fn of(shipment: &'a Shipment) -> Self {
        let order = &shipment.order;
        Label {
            product_name: &shipment.product_name,
            sender: &order.sender,
            recipient: &order.recipient,
            pickup_point: shipment.pickup_point.as_ref(),
            weight_grams: order.request.parcel.weight_grams,
            shipping_date: &shipment.shipping_date,
            reference: order.reference.as_deref(),
        }
    }
}

/// A6 in points.
const WIDTH: f32 = 297.6;
const HEIGHT: f32 = 419.5;
const MARGIN: f32 = 18.0;

/// The label as a PDF, with `number` (digits) as its barcode.
pub fn render(label: &Label, number: &str) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let (catalog, tree, page_id, content_id, regular, bold) = (
        Ref::new(1),
        Ref::new(2),
        Ref::new(3),
        Ref::new(4),
        Ref::new(5),
        Ref::new(6),
    );
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids([page_id]).count(1);
    let mut page = pdf.page(page_id);
    page.media_box(Rect::new(0.0, 0.0, WIDTH, HEIGHT));
    page.parent(tree);
    page.contents(content_id);
    page.resources()
        .fonts()
        .pair(Name(b"R"), regular)
        .pair(Name(b"B"), bold);
    page.finish();
    for (id, font) in [(regular, &b"Helvetica"[..]), (bold, &b"Helvetica-Bold"[..])] {
        pdf.type1_font(id)
            .base_font(Name(font))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    pdf.stream(content_id, &content(label, number).finish());
    pdf.finish()
}

fn content(label: &Label, number: &str) -> Content {
    let mut c = Content::new();
    let mut y = HEIGHT - MARGIN - 14.0;
    text(&mut c, b"B", 16.0, MARGIN, y, "FJORDPOST");
    let service = label.product_name;
    text(
        &mut c,
        b"B",
        10.0,
        WIDTH - MARGIN - 5.6 * service.chars().count() as f32,
        y + 3.0,
        service,
    );
    y -= 24.0;
    text(&mut c, b"R", 7.0, MARGIN, y, "FROM");
    y -= 11.0;
    for line in party_lines(label.sender) {
        text(&mut c, b"R", 9.0, MARGIN, y, &line);
        y -= 11.0;
    }
    rule(&mut c, y);
    y -= 16.0;
    text(&mut c, b"R", 7.0, MARGIN, y, "TO");
    y -= 16.0;
    let mut lines = party_lines(label.recipient).into_iter();
    if let Some(name) = lines.next() {
        text(&mut c, b"B", 14.0, MARGIN, y, &name);
        y -= 16.0;
    }
    for line in lines {
        text(&mut c, b"R", 12.0, MARGIN, y, &line);
        y -= 14.0;
    }
    if let Some(point) = label.pickup_point {
        y -= 4.0;
        text(&mut c, b"R", 7.0, MARGIN, y, "DELIVER TO PICKUP POINT");
        y -= 12.0;
        text(
            &mut c,
            b"B",
            10.0,
            MARGIN,
            y,
            &format!("{} ({})", point.name, point.id),
        );
        y -= 12.0;
        text(
            &mut c,
            b"R",
            10.0,
            MARGIN,
            y,
            &format!("{}, {} {}", point.street, point.postal_code, point.city),
        );
        y -= 6.0;
    }
    rule(&mut c, y);
    let kg = label.weight_grams as f32 / 1000.0;
    let mut facts = format!("{kg:.3} kg   Shipped {}", label.shipping_date);
    if let Some(reference) = label.reference {
        facts.push_str(&format!("   Ref. {reference}"));
    }
    text(&mut c, b"R", 8.0, MARGIN, y - 12.0, &facts);
    barcode(
        &mut c,
        number,
        MARGIN + 16.0,
        MARGIN + 30.0,
        WIDTH - 2.0 * (MARGIN + 16.0),
        64.0,
    );
    text(
        &mut c,
        b"B",
        11.0,
        MARGIN + 30.0,
        MARGIN + 14.0,
        &grouped(number),
    );
    c
}

/// Name, street, postal code and place, country (when abroad).
fn party_lines(p: &Party) -> Vec<String> {
    let mut lines = vec![p.name.clone(), p.street.clone()];
    let place = p.place.as_deref().unwrap_or_default();
    lines.push(format!("{} {place}", p.postal_code).trim_end().to_owned());
    if p.country != "NO" {
        lines.push(p.country.clone());
    }
    lines
}

/// "370123456789012345" → "370 1234 5678 9012 345": how a number is read out on the phone.
fn grouped(number: &str) -> String {
    let (head, rest) = number.split_at(number.len().min(3));
    let mut out = head.to_owned();
    for chunk in rest.as_bytes().chunks(4) {
        out.push(' ');
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
    }
    out
}

fn text(c: &mut Content, font: &[u8], size: f32, x: f32, y: f32, words: &str) {
    c.begin_text();
    c.set_font(Name(font), size);
    c.next_line(x, y);
    c.show(Str(&win_ansi(words)));
    c.end_text();
}

fn rule(c: &mut Content, y: f32) {
    c.rect(MARGIN, y, WIDTH - 2.0 * MARGIN, 0.8);
    c.fill_nonzero();
}

/// The standard fonts' encoding: Latin-1 letters as they are (æ, ø, å, ä, ö, ü…), the
/// typographic dash and quotes at WinAnsi's places, anything else as `?`.
fn win_ansi(words: &str) -> Vec<u8> {
    words
        .chars()
        .map(|ch| match ch {
            '–' => 0x96,
            '—' => 0x97,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            ' '..='~' | '\u{a0}'..='\u{ff}' => ch as u32 as u8,
            _ => b'?',
        })
        .collect()
}

/// Narrow and wide element widths of each digit in Interleaved 2 of 5.
const ITF: [[bool; 5]; 10] = {
    const N: bool = false;
    const W: bool = true;
    [
        [N, N, W, W, N],
        [W, N, N, N, W],
        [N, W, N, N, W],
        [W, W, N, N, N],
        [N, N, W, N, W],
        [W, N, W, N, N],
        [N, W, W, N, N],
        [N, N, N, W, W],
        [W, N, N, W, N],
        [N, W, N, W, N],
    ]
};

/// The bars of an Interleaved 2 of 5 code, as (is a bar, width in narrow units): start,
/// the digits in pairs (the first's widths are bars, the second's the spaces between), stop.
/// An odd count of digits gets a leading zero.
fn itf_elements(digits: &str) -> Vec<(bool, f32)> {
    const WIDE: f32 = 2.5;
    let mut digits: Vec<usize> = digits
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| usize::from(b - b'0'))
        .collect();
    if digits.len() % 2 == 1 {
        digits.insert(0, 0);
    }
    let width = |wide: bool| if wide { WIDE } else { 1.0 };
    let mut out = vec![(true, 1.0), (false, 1.0), (true, 1.0), (false, 1.0)];
    for pair in digits.chunks(2) {
        for (bar, space) in ITF[pair[0]].iter().zip(ITF[pair[1]]) {
            out.push((true, width(*bar)));
            out.push((false, width(space)));
        }
    }
    out.extend([(true, WIDE), (false, 1.0), (true, 1.0)]);
    out
}

fn barcode(c: &mut Content, digits: &str, x: f32, y: f32, width: f32, height: f32) {
    let elements = itf_elements(digits);
    let units: f32 = elements.iter().map(|(_, w)| w).sum();
    let module = width / units;
    let mut at = x;
    for (bar, w) in elements {
        if bar {
            c.rect(at, y, w * module, height);
        }
        at += w * module;
    }
    c.fill_nonzero();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_digit_has_two_wide_elements_of_five() {
        assert!(ITF.iter().all(|d| d.iter().filter(|w| **w).count() == 2));
        let distinct: std::collections::HashSet<_> = ITF.iter().collect();
        assert_eq!(distinct.len(), 10);
    }

    #[test]
    fn a_pair_interleaves_bars_and_spaces() {
        let e = itf_elements("12");
        // Start, then 1's widths as bars (W N N N W) and 2's as spaces (N W N N W), then stop.
        let pair: Vec<(bool, f32)> = e[4..14].to_vec();
        assert_eq!(
            pair,
            [
                (true, 2.5),
                (false, 1.0),
                (true, 1.0),
                (false, 2.5),
                (true, 1.0),
                (false, 1.0),
                (true, 1.0),
                (false, 1.0),
                (true, 2.5),
                (false, 2.5)
            ]
        );
        assert_eq!(e.len(), 4 + 10 + 3);
        assert_eq!(itf_elements("5").len(), itf_elements("05").len());
    }

    #[test]
    fn letters_of_the_nordic_languages_print() {
        assert_eq!(
            win_ansi("Ærlig Øst å–Ü"),
            [
                0xC6, b'r', b'l', b'i', b'g', b' ', 0xD8, b's', b't', b' ', 0xE5, 0x96, 0xDC
            ]
        );
        assert_eq!(win_ansi("東"), b"?");
        assert_eq!(grouped("370123456789012345"), "370 1234 5678 9012 345");
    }
}
