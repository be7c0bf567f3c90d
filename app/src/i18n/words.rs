//! Every word the search page shows, one row per key: English, then bokmål. Another language
//! is another column here and a variant of `Lang`; a missing cell does not compile. Patterns
//! name their parts in braces (`{from}`); formats are words too, so a language needs no code.

macro_rules! words {
    ($($key:ident: $en:literal, $nb:literal;)*) => {
        /// A word of the page: an index into the page language's table.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u16)]
        pub enum W { $($key),* }

        // Only the server (and Trunk's server-less build) has the tables; the WASM of the
        // hydrated page reads its language's table from the page.
        #[cfg(any(feature = "ssr", feature = "csr"))]
        pub(super) const EN: &[&str] = &[$($en),*];
        #[cfg(any(feature = "ssr", feature = "csr"))]
        pub(super) const NB: &[&str] = &[$($nb),*];
    };
}

words! {
    // The document.
    Title: "Send a parcel – prices and delivery times | Fjordpost", "Send pakke – priser og leveringstid | Fjordpost";
    MetaDescription: "Compare Fjordpost's parcel services: price and delivery date for every service that can carry your parcel.", "Sammenlign Fjordposts pakketjenester: pris og leveringsdato for hver tjeneste som kan ta pakken din.";
    NotFound: "Page not found.", "Fant ikke siden.";
    // Header and footer.
    NavLabel: "Main", "Hovedmeny";
    NavSend: "Send", "Send";
    NavTrack: "Track", "Spor";
    NavBusiness: "Business", "Bedrift";
    // The other language, in its own words: the switch's link.
    OtherLanguage: "Norsk", "English";
    FooterPrices: "Prices are list prices for one parcel, paid online. Delivery dates are estimates in working days.", "Prisene er listepriser for én pakke, betalt på nett. Leveringsdatoer er anslag i virkedager.";
    FooterTest: "Trouble seeing prices? Test your connection", "Ser du ikke prisene? Test tilkoblingen din";
    // The form.
    Heading: "Send a parcel", "Send en pakke";
    Lede: "See every service that can carry it, with price and delivery date. Prices include VAT.", "Se alle tjenestene som kan ta den, med pris og leveringsdato. Prisene er inkludert mva.";
    From: "From", "Fra";
    To: "To", "Til";
    Parcel: "Parcel", "Pakke";
    Country: "Country", "Land";
    PostalCode: "Postal code", "Postnummer";
    HintFromPostal: "e.g. 0150", "f.eks. 0150";
    HintToPostal: "e.g. 9900", "f.eks. 9900";
    Weight: "Weight", "Vekt";
    HintWeight: "e.g. 1.2", "f.eks. 1,2";
    AddDimensions: "Add dimensions (optional)", "Legg til mål (valgfritt)";
    Length: "Length", "Lengde";
    Width: "Width", "Bredde";
    Height: "Height", "Høyde";
    ShowPrices: "Show prices", "Vis priser";
    // Field errors, by error code.
    ErrChooseCountry: "Choose a country.", "Velg et land.";
    ErrUnknownCountry: "We do not ship to or from “{code}”.", "Vi sender ikke til eller fra «{code}».";
    ErrEnterPostal: "Enter a postal code.", "Skriv inn et postnummer.";
    ErrInvalidPostal: "Not a postal code in {country}: expected something like {example}.", "Ikke et postnummer i {country}: forventet noe som {example}.";
    ErrUnknownPostal: "{code} is not a postal code in Norway.", "{code} er ikke et postnummer i Norge.";
    ErrEnterWeight: "Enter the parcel's weight.", "Skriv inn vekten på pakken.";
    ErrInvalidWeight: "Enter the weight in kg, e.g. 1.5.", "Skriv vekten i kg, f.eks. 1,5.";
    ErrWeightRange: "Weight must be between 0.001 and {max} kg.", "Vekten må være mellom 0,001 og {max} kg.";
    ErrInvalidDimension: "Enter whole centimetres, e.g. 30.", "Skriv hele centimeter, f.eks. 30.";
    ErrDimensionRange: "Must be between 1 and {max} cm.", "Må være mellom 1 og {max} cm.";
    // Results.
    ResultsLabel: "Services", "Tjenester";
    Finding: "Finding services…", "Finner tjenester …";
    Progress: "{found} of {total} services found", "{found} av {total} tjenester funnet";
    SortLabel: "Sort by", "Sorter etter";
    SortPrice: "Price", "Pris";
    SortDelivery: "Delivery date", "Leveringsdato";
    Cheapest: "Cheapest", "Billigst";
    Fastest: "Fastest", "Raskest";
    Service: "service", "tjeneste";
    Services: "services", "tjenester";
    SummaryFrom: "from", "fra";
    SummaryTo: "to", "til";
    NoServiceTitle: "No service can carry this parcel", "Ingen tjeneste kan ta denne pakken";
    NoServiceText: "None of our services can take a parcel from {from} to {to} at the moment.", "Ingen av tjenestene våre kan ta en pakke fra {from} til {to} akkurat nå.";
    NoServiceAdvice: "Try another destination, or contact customer service about freight alternatives.", "Prøv et annet mål, eller kontakt kundeservice om andre fraktløsninger.";
    FailureTitle: "We could not get prices right now", "Vi fikk ikke hentet priser akkurat nå";
    // Cards.
    Checking: "Checking price and delivery date…", "Sjekker pris og leveringsdato …";
    WorkingDay: "working day", "virkedag";
    WorkingDays: "working days", "virkedager";
    InclVat: "incl. VAT", "inkl. mva.";
    NoVat: "no VAT (export)", "uten mva. (eksport)";
    DeliveredBy: "Delivered by", "Levert innen";
    NotEligible: "Not available for this parcel", "Ikke tilgjengelig for denne pakken";
    TimedOut: "No answer in time – please try again", "Fikk ikke svar i tide – prøv igjen";
    Unavailable: "Temporarily unavailable", "Midlertidig utilgjengelig";
    SearchAgain: "Search again to see this service.", "Søk på nytt for å se denne tjenesten.";
    // A product the catalogue does not know.
    ServiceNumbered: "Service {id}", "Tjeneste {id}";
    // The fallback notice.
    NoticeTitle: "Live updates are blocked on this network", "Direkteoppdateringer er blokkert på dette nettverket";
    NoticeText: "Something on your network – most likely a company security proxy or firewall – interrupts the live connection this page uses. We fetch prices the ordinary way instead, so you still get every result, but they may come in a little slower.", "Noe på nettverket ditt – mest sannsynlig en sikkerhetsproxy eller brannmur i bedriften – avbryter direkteforbindelsen denne siden bruker. Vi henter prisene på vanlig måte i stedet, så du får fortsatt alle resultatene, men de kan komme litt saktere.";
    NoticeFix: "To fix it, ask your IT department to allow WebSocket traffic to", "Be IT-avdelingen om å tillate WebSocket-trafikk til";
    NoticeTest: "Run a connection test", "Kjør en tilkoblingstest";
    NoticeTestAfter: "to give them the details.", "og gi dem detaljene.";
    Dismiss: "Dismiss", "Lukk";
    DismissLabel: "Dismiss this notice", "Lukk denne meldingen";
    // Formats.
    MoneyPattern: "NOK {amount}", "kr {amount}";
    DecimalSeparator: ".", ",";
    GroupSeparator: ",", "\u{a0}";
    DatePattern: "{weekday} {day} {month}", "{weekday} {day}. {month}";
    Sun: "Sun", "søn.";
    Mon: "Mon", "man.";
    Tue: "Tue", "tir.";
    Wed: "Wed", "ons.";
    Thu: "Thu", "tor.";
    Fri: "Fri", "fre.";
    Sat: "Sat", "lør.";
    Jan: "Jan", "jan.";
    Feb: "Feb", "feb.";
    Mar: "Mar", "mar.";
    Apr: "Apr", "apr.";
    May: "May", "mai";
    Jun: "Jun", "jun.";
    Jul: "Jul", "jul.";
    Aug: "Aug", "aug.";
    Sep: "Sep", "sep.";
    Oct: "Oct", "okt.";
    Nov: "Nov", "nov.";
    Dec: "Dec", "des.";
    // Countries, in the form's order (`validate::COUNTRIES`).
    CountryNO: "Norway", "Norge";
    CountrySE: "Sweden", "Sverige";
    CountryDK: "Denmark", "Danmark";
    CountryFI: "Finland", "Finland";
    CountryIS: "Iceland", "Island";
    CountryAT: "Austria", "Østerrike";
    CountryBE: "Belgium", "Belgia";
    CountryBY: "Belarus", "Belarus";
    CountryCH: "Switzerland", "Sveits";
    CountryDE: "Germany", "Tyskland";
    CountryEE: "Estonia", "Estland";
    CountryES: "Spain", "Spania";
    CountryFR: "France", "Frankrike";
    CountryGB: "United Kingdom", "Storbritannia";
    CountryIT: "Italy", "Italia";
    CountryLT: "Lithuania", "Litauen";
    CountryLV: "Latvia", "Latvia";
    CountryNL: "Netherlands", "Nederland";
    CountryPL: "Poland", "Polen";
    CountryRU: "Russia", "Russland";
    CountryUA: "Ukraine", "Ukraina";
    CountryUS: "United States", "USA";
    // Products, in the catalogue's order (`catalogue::PRODUCTS`): name, then description.
    P5800: "Pickup point parcel", "Pakke til hentested";
    P5800About: "Collected by the recipient at a pickup point near them. Up to 35 kg.", "Mottakeren henter pakken på et hentested i nærheten. Opptil 35 kg.";
    P5600: "Home delivery", "Pakke levert hjem";
    P5600About: "Delivered to the recipient's door in the evening, with a text message before we arrive.", "Levert på døren til mottakeren på kvelden, med en SMS før vi kommer.";
    P3584: "Mailbox parcel", "Pakke i postkassen";
    P3584About: "Small parcels straight into the mailbox. Up to 5 kg and 35 × 25 × 7 cm.", "Små pakker rett i postkassen. Opptil 5 kg og 35 × 25 × 7 cm.";
    P5000: "Business parcel", "Bedriftspakke";
    P5000About: "Delivered to a business address during opening hours.", "Levert til en bedriftsadresse i åpningstiden.";
    P4850: "Express next day", "Ekspress neste dag";
    P4850About: "Picked up today, delivered before 16:00 the next working day.", "Hentet i dag, levert før kl. 16.00 neste virkedag.";
    P5100: "Business groupage", "Stykkgods til bedrift";
    P5100About: "Pallets and heavy goods, by road to Tromsø and sea freight to Svalbard. Up to 1,000 kg.", "Paller og tungt gods, på vei til Tromsø og sjøveien til Svalbard. Opptil 1 000 kg.";
    P0340: "PickUp Parcel abroad", "Pakke til hentested i utlandet";
    P0340About: "Collected at a pickup point in the recipient's country. Customs paperwork included.", "Hentes på et hentested i mottakerens land. Tollpapirer inkludert.";
    P0349: "Home Delivery Parcel abroad", "Pakke levert hjem i utlandet";
    P0349About: "Delivered to the recipient's door abroad, tracked all the way.", "Levert på døren til mottakeren i utlandet, sporet hele veien.";
    P0330: "Business Parcel abroad", "Bedriftspakke til utlandet";
    P0330About: "Door to door between businesses across borders. Up to 35 kg.", "Dør til dør mellom bedrifter over landegrensene. Opptil 35 kg.";
}
