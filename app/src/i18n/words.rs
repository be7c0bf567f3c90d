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

        impl W {
            /// The word in English, for messages to developers (the API's errors).
            #[cfg(any(feature = "ssr", feature = "csr"))]
            pub fn english(self) -> &'static str {
                EN[self as usize]
            }
        }
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
    Length: "Length", "Lengde";
    Width: "Width", "Bredde";
    Height: "Height", "Høyde";
    ShowPrices: "Show prices", "Vis priser";
    Size: "Size", "Størrelse";
    SizeSmall: "Small", "Liten";
    SizeMedium: "Medium", "Middels";
    SizeLarge: "Large", "Stor";
    SizeOwn: "Own measurements", "Egne mål";
    SizeUpTo: "up to {kg} kg", "opptil {kg} kg";
    SizeMailbox: "fits a mailbox", "passer i postkassen";
    ErrTooHeavyForSize: "A parcel of this size weighs at most {kg} kg: choose a larger size or your own measurements.", "En pakke i denne størrelsen veier høyst {kg} kg: velg en større størrelse eller egne mål.";
    ErrUnknownSize: "Choose one of the sizes, or your own measurements.", "Velg en av størrelsene, eller egne mål.";
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
    DispatchToday: "Order by {time} today to ship today", "Bestill innen kl. {time} i dag, så sendes pakken i dag";
    DispatchLater: "Ships {date} if ordered now (same-day cut-off {time})", "Sendes {date} om du bestiller nå (frist kl. {time} for sending samme dag)";
    OtherDates: "Other delivery days:", "Andre leveringsdager:";
    PricedByVolume: "Priced by volume: {kg} kg", "Prises etter volum: {kg} kg";
    FossilFree: "Fossil-free delivery", "Fossilfri levering";
    LastMile: "Last mile: {shares}", "Siste strekning: {shares}";
    ShareElectric: "{pct} % electric", "{pct} % elektrisk";
    ShareBio: "{pct} % biofuel", "{pct} % biodrivstoff";
    NotEligible: "Not available for this parcel", "Ikke tilgjengelig for denne pakken";
    TimedOut: "No answer in time – please try again", "Fikk ikke svar i tide – prøv igjen";
    Unavailable: "Temporarily unavailable", "Midlertidig utilgjengelig";
    // Why a service cannot take the parcel (the server writes these under the headline).
    IneligibleNotOffered: "Not offered for this parcel on this route", "Tilbys ikke for denne pakken på denne strekningen";
    IneligibleWeightLimit: "Carries up to {kg} kg", "Tar opptil {kg} kg";
    IneligibleTooHeavy: "Too heavy for this service", "For tung for denne tjenesten";
    IneligibleSize: "Fits parcels up to {size} cm", "Tar pakker opptil {size} cm";
    IneligibleLongestSide: "Longest side up to {cm} cm", "Lengste side opptil {cm} cm";
    IneligibleTooBig: "Too big for this service", "For stor for denne tjenesten";
    IneligibleCountries: "Not offered between these countries", "Tilbys ikke mellom disse landene";
    IneligibleCoverage: "Not available at these addresses", "Ikke tilgjengelig på disse adressene";
    ReasonUpstream: "The price service did not answer properly. Try again in a moment.", "Pristjenesten svarte ikke som den skulle. Prøv igjen om litt.";
    ReasonTimeout: "The price service took too long to answer.", "Pristjenesten brukte for lang tid på å svare.";
    // Searches the server turns away (it writes these; the page shows them as they come).
    RefusedSession: "Too many searches in the last minute. Try again in {secs} s.", "For mange søk det siste minuttet. Prøv igjen om {secs} s.";
    RefusedNetwork: "Too many searches from your network in the last minute. Try again in {secs} s.", "For mange søk fra nettverket ditt det siste minuttet. Prøv igjen om {secs} s.";
    Restarting: "The server is restarting; search again in a moment.", "Serveren starter på nytt; søk igjen om litt.";
    SearchAgain: "Search again to see this service.", "Søk på nytt for å se denne tjenesten.";
    // A product the catalogue does not know.
    ServiceNumbered: "Service {id}", "Tjeneste {id}";
    // The fallback notice.
    NoticeTitle: "Live updates are blocked on this network", "Direkteoppdateringer er blokkert på dette nettverket";
    NoticeText: "Something on your network – most likely a company security proxy or firewall – interrupts the live connection this page uses. We fetch prices the ordinary way instead, so you still get every result, but they may come in a little slower.", "Noe på nettverket ditt – mest sannsynlig en sikkerhetsproxy eller brannmur i bedriften – avbryter direkteforbindelsen denne siden bruker. Vi henter prisene på vanlig måte i stedet, så du får fortsatt alle resultatene, men de kan komme litt saktere.";
    NoticeFix: "Ask your IT department to allow WebSocket traffic to", "Be IT-avdelingen om å tillate WebSocket-trafikk til";
    NoticeTest: "Run a connection test for IT", "Kjør en tilkoblingstest for IT";
    NoticeWhy: "What does this mean?", "Hva betyr dette?";
    Dismiss: "Dismiss", "Lukk";
    DismissLabel: "Dismiss this notice", "Lukk denne meldingen";
    // The connection test (`/diagnostics`).
    DiagTitle: "Connection test", "Tilkoblingstest";
    DiagLede: "This page checks, step by step, whether your network lets our price search through. It takes about five seconds.", "Denne siden sjekker trinn for trinn om nettverket ditt slipper gjennom prissøket vårt. Det tar omtrent fem sekunder.";
    DiagNoScript: "The connection checks need JavaScript, which is off or blocked in this browser.", "Tilkoblingssjekkene trenger JavaScript, som er slått av eller blokkert i denne nettleseren.";
    DiagNoScriptSeen: "Below is what our server saw of your request; read it to support if they ask.", "Nedenfor ser du hva serveren vår så av forespørselen din; les det opp for kundeservice hvis de spør.";
    DiagChecks: "Checks", "Sjekker";
    DiagSeen: "What our server saw of your request", "Hva serveren vår så av forespørselen din";
    DiagTesting: "Testing your connection…", "Tester tilkoblingen din …";
    DiagKeepOpen: "Keep this page open until the test is done.", "La siden være åpen til testen er ferdig.";
    DiagSupportCode: "Your support code:", "Koden din til kundeservice:";
    DiagCopied: "Copied", "Kopiert";
    DiagCopyFailed: "Copy failed: select the report below", "Kopieringen mislyktes: merk rapporten nedenfor";
    DiagCopy: "Copy details", "Kopier detaljene";
    DiagRunAgain: "Run the test again", "Kjør testen på nytt";
    DiagFullReport: "Full report", "Hele rapporten";
    CheckOpen: "Live connection opens", "Direkteforbindelsen åpner seg";
    CheckEcho: "Live connection answers", "Direkteforbindelsen svarer";
    CheckStream: "Live connection streams", "Direkteforbindelsen strømmer";
    CheckHttp: "Ordinary requests work", "Vanlige forespørsler virker";
    CheckSeen: "What our server saw", "Hva serveren vår så";
    CheckReport: "Report reaches support", "Rapporten når kundeservice";
    VerdictOk: "Your connection works with this page", "Tilkoblingen din virker med denne siden";
    VerdictBlocked: "Your network blocks live connections", "Nettverket ditt blokkerer direkteforbindelser";
    VerdictInterrupted: "Your network interrupts live connections", "Nettverket ditt avbryter direkteforbindelser";
    VerdictHttpBlocked: "Your network blocks the page's requests", "Nettverket ditt blokkerer sidens forespørsler";
    VerdictOffline: "This device cannot reach us", "Denne enheten når ikke fram til oss";
    AdviceOk: "Everything this page needs gets through. If something still goes wrong, tell support the code below.", "Alt denne siden trenger, kommer gjennom. Hvis noe likevel går galt, gi kundeservice koden nedenfor.";
    AdviceBlocked: "Something on your network, most likely a security proxy or firewall, lets the page load but stops its live connection (a WebSocket). Prices still come, a little slower. Ask your IT department to allow WebSocket connections to {host} on port {port} ({ws}://{host}{path}) and to leave them out of TLS inspection.", "Noe på nettverket ditt, mest sannsynlig en sikkerhetsproxy eller brannmur, lar siden lastes, men stopper direkteforbindelsen (en WebSocket). Prisene kommer likevel, litt saktere. Be IT-avdelingen om å tillate WebSocket-forbindelser til {host} på port {port} ({ws}://{host}{path}) og holde dem utenfor TLS-inspeksjon.";
    AdviceInterrupted: "The live connection opens, but something on your network cuts it or holds it back while data flows, as inspecting proxies do. Ask your IT department to leave {ws}://{host}{path} (port {port}) out of TLS inspection and content scanning.", "Direkteforbindelsen åpner seg, men noe på nettverket ditt bryter den eller holder den tilbake mens data strømmer, slik inspiserende proxyer gjør. Be IT-avdelingen om å holde {ws}://{host}{path} (port {port}) utenfor TLS-inspeksjon og innholdsskanning.";
    AdviceHttpBlocked: "The page loads, but its requests for prices are blocked. Ask your IT department to allow POST requests to {http}://{host}/api/ on port {port}.", "Siden lastes, men forespørslene etter priser blokkeres. Be IT-avdelingen om å tillate POST-forespørsler til {http}://{host}/api/ på port {port}.";
    AdviceOffline: "Nothing reaches our server from this device right now. Check that you are connected to the internet, then run the test again.", "Ingenting når fram til serveren vår fra denne enheten akkurat nå. Sjekk at du er koblet til internett, og kjør testen på nytt.";
    FoundStreamBroke: "The stream broke after {got} of {of} frames ({why}): something on the network cuts live connections while data flows.", "Strømmen brøt etter {got} av {of} meldinger ({why}): noe på nettverket bryter direkteforbindelser mens data strømmer.";
    FoundStreamHeld: "All {of} frames arrived, but held back and delivered together: something buffers the stream, so results may appear all at once.", "Alle {of} meldingene kom, men holdt tilbake og levert samlet: noe mellomlagrer strømmen, så resultatene kan komme på én gang.";
    FoundStreamOk: "All {of} frames arrived as they were sent, over {seconds} s.", "Alle {of} meldingene kom slik de ble sendt, over {seconds} s.";
    FoundNotRun: "Not run: {why}.", "Ikke kjørt: {why}.";
    WhyNotOpen: "the live connection did not open", "direkteforbindelsen åpnet seg ikke";
    WhyNoAnswer: "the live connection did not answer", "direkteforbindelsen svarte ikke";
    WhyNothingMore: "nothing more within {seconds} s", "ingenting mer innen {seconds} s";
    FoundBrowserRefused: "This browser refused to open a live connection.", "Denne nettleseren ville ikke åpne en direkteforbindelse.";
    FoundOpened: "The live connection (WebSocket) opened.", "Direkteforbindelsen (WebSocket) åpnet seg.";
    FoundRefused: "The network refused the live connection.", "Nettverket avviste direkteforbindelsen.";
    FoundOpenSlow: "The live connection did not open within {seconds} s: something holds it up on the way.", "Direkteforbindelsen åpnet seg ikke innen {seconds} s: noe holder den igjen underveis.";
    FoundRefusedEarly: "The network refused the live connection before it opened ({close}).", "Nettverket avviste direkteforbindelsen før den åpnet seg ({close}).";
    FoundAnswered: "The server answered over the live connection.", "Serveren svarte over direkteforbindelsen.";
    FoundCutOnSend: "The connection was cut as soon as the page sent something ({close}): typical of a proxy that inspects traffic.", "Forbindelsen ble brutt så snart siden sendte noe ({close}): typisk for en proxy som inspiserer trafikken.";
    FoundSilent: "No answer within {seconds} s: the connection stays open but nothing gets through.", "Ikke svar innen {seconds} s: forbindelsen er åpen, men ingenting kommer gjennom.";
    FoundHttpOk: "An ordinary request to the server (the page's fallback) works.", "En vanlig forespørsel til serveren (sidens reserveløsning) virker.";
    FoundHttpFailed: "Ordinary requests to the server fail: {error}.", "Vanlige forespørsler til serveren mislykkes: {error}.";
    FoundHttpSlow: "An ordinary request to the server got no answer within 5 s.", "En vanlig forespørsel til serveren fikk ikke svar innen 5 s.";
    FoundSeenUnknown: "Unknown: the server could not tell us what it saw.", "Ukjent: serveren kunne ikke si hva den så.";
    FoundNoProxy: "No proxy on the way announced itself.", "Ingen proxy underveis ga seg til kjenne.";
    HintVia: "A proxy names itself in Via: {via}", "En proxy oppgir seg i Via: {via}";
    HintForwarded: "A proxy forwarded the request: Forwarded: {forwarded}", "En proxy videresendte forespørselen: Forwarded: {forwarded}";
    HintForwardedFor: "A proxy on your side forwarded the request for {theirs}", "En proxy på din side videresendte forespørselen for {theirs}";
    GradePass: "Passed", "Bestått";
    GradeWarn: "Warning", "Advarsel";
    GradeFail: "Failed", "Feilet";
    CheckRunning: "Checking…", "Sjekker …";
    CheckWaiting: "Waiting", "Venter";
    ReportSlow: "The report got no answer within 5 s: read the details to support instead.", "Rapporten fikk ikke svar innen 5 s: les detaljene for kundeservice i stedet.";
    ReportSent: "The report reached our server; support can find it by your code.", "Rapporten kom fram til serveren vår; kundeservice finner den med koden din.";
    ReportOff: "Error reporting is switched off on this server: read the details to support instead.", "Feilrapportering er slått av på denne serveren: les detaljene for kundeservice i stedet.";
    ReportTooMany: "Too many reports from this browser just now: read the details to support instead.", "For mange rapporter fra denne nettleseren akkurat nå: les detaljene for kundeservice i stedet.";
    ReportRefused: "The report was refused (HTTP {status}): read the details to support instead.", "Rapporten ble avvist (HTTP {status}): les detaljene for kundeservice i stedet.";
    ReportUnsent: "The report could not be sent: read the details to support instead.", "Rapporten kunne ikke sendes: les detaljene for kundeservice i stedet.";
    // Formats.
    MoneyPattern: "NOK {amount}", "kr {amount}";
    DecimalSeparator: ".", ",";
    GroupSeparator: ",", "\u{a0}";
    DatePattern: "{weekday} {day} {month}", "{weekday} {day}. {month}";
    TimeSeparator: ":", ".";
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
    // Booking: the card's action, the form, the confirmation.
    Choose: "Choose", "Velg";
    ChooseService: "Choose {service}", "Velg {service}";
    BookTitle: "Book your parcel", "Bestill frakt";
    BookLede: "Tell us who sends it and who receives it. You pay when you hand the parcel in.", "Fortell oss hvem som sender og hvem som mottar. Du betaler når du leverer pakken.";
    BookChosen: "Your service", "Valgt tjeneste";
    BookChange: "Change", "Endre";
    BookWeight: "{kg} kg", "{kg} kg";
    Sender: "Sender", "Avsender";
    Recipient: "Recipient", "Mottaker";
    Name: "Name", "Navn";
    Street: "Street address", "Gateadresse";
    Phone: "Mobile number", "Mobilnummer";
    HintPhone: "For the text message when the parcel arrives", "Til SMS-varselet når pakken er fremme";
    Email: "E-mail", "E-post";
    Reference: "Your reference (optional)", "Din referanse (valgfritt)";
    HintReference: "Printed on the label, e.g. an order number", "Skrives på etiketten, f.eks. et ordrenummer";
    PointsTitle: "Pickup point", "Hentested";
    PointsLede: "The recipient collects the parcel here. We have chosen the nearest one.", "Mottakeren henter pakken her. Vi har valgt det nærmeste.";
    Metres: "{n} m", "{n} m";
    Kilometres: "{n} km", "{n} km";
    BookSubmit: "Book shipment", "Bestill frakt";
    BookSubmitting: "Booking …", "Bestiller …";
    BookErrors: "Check the fields marked below.", "Sjekk feltene som er merket nedenfor.";
    BookNotOffered: "This service can no longer carry this parcel on this route. Choose another service.", "Denne tjenesten kan ikke lenger ta denne pakken på denne strekningen. Velg en annen tjeneste.";
    BookBadSearch: "This booking link is incomplete. Start with a search.", "Denne bestillingslenken er ufullstendig. Begynn med et søk.";
    BookBack: "Back to the prices", "Tilbake til prisene";
    BookFailed: "We could not book your shipment just now: our booking system did not answer. Nothing was booked and everything you typed is still here. Try again in a moment.", "Vi fikk ikke bestilt frakten akkurat nå: bestillingssystemet vårt svarte ikke. Ingenting er bestilt, og alt du skrev står fortsatt her. Prøv igjen om litt.";
    BookStillBooking: "Your first click is still booking this shipment. Wait a moment, then reload the page.", "Det første klikket ditt bestiller fortsatt denne frakten. Vent litt, og last inn siden på nytt.";
    BookPointsUnavailable: "We cannot fetch pickup points just now. Try again in a moment, or choose a service delivered to the door.", "Vi får ikke hentet hentesteder akkurat nå. Prøv igjen om litt, eller velg en tjeneste som leveres på døren.";
    ErrFillIn: "Fill in this field.", "Fyll ut dette feltet.";
    ErrTooLong: "At most {max} characters: the label has no room for more.", "Høyst {max} tegn: etiketten har ikke plass til mer.";
    ErrInvalidName: "Write the name as the label should show it.", "Skriv navnet slik det skal stå på etiketten.";
    ErrInvalidStreet: "Write the street and number, e.g. Storgata 1.", "Skriv gate og nummer, f.eks. Storgata 1.";
    ErrEnterPhone: "Enter a mobile number.", "Skriv inn et mobilnummer.";
    ErrInvalidPhone: "Enter a mobile number, e.g. 912 34 567, or one with its country code, e.g. +46 70 123 45 67.", "Skriv et mobilnummer, f.eks. 912 34 567, eller et med landskode, f.eks. +46 70 123 45 67.";
    ErrEnterEmail: "Enter an e-mail address.", "Skriv inn en e-postadresse.";
    ErrInvalidEmail: "Enter an e-mail address like name@example.no.", "Skriv en e-postadresse som navn@eksempel.no.";
    ErrChoosePoint: "Choose a pickup point.", "Velg et hentested.";
    ErrUnknownPoint: "That pickup point is no longer offered. Choose one of those shown.", "Det hentestedet tilbys ikke lenger. Velg et av dem som vises.";
    ErrFormExpired: "The form had expired. Check the fields and book again.", "Skjemaet var utløpt. Sjekk feltene og bestill på nytt.";
    BookedTitle: "Your parcel is booked", "Pakken din er bestilt";
    BookedNumber: "Shipment number", "Sendingsnummer";
    BookedTrack: "Track the shipment", "Spor sendingen";
    BookedLabel: "Download the label (PDF)", "Last ned etiketten (PDF)";
    BookedDelivery: "Expected delivery", "Forventet levering";
    BookedPrice: "To pay at hand-in", "Å betale ved innlevering";
    BookedNext: "What happens next", "Hva skjer nå";
    BookedNextPrint: "Print the label and tape it flat on the parcel.", "Skriv ut etiketten og teip den flatt på pakken.";
    BookedNextHandIn: "Hand the parcel in at any Fjordpost point. You pay there.", "Lever pakken på et hvilket som helst Fjordpost-sted. Du betaler der.";
    BookedNextNotice: "We send {name} a text message and an e-mail when the parcel is on its way.", "Vi sender {name} SMS og e-post når pakken er på vei.";
    BookedNextPoint: "{name} collects it at {point}.", "{name} henter den på {point}.";
    BookedNotFound: "We found no booking at this address. Check the link you followed.", "Vi fant ingen bestilling på denne adressen. Sjekk lenken du fulgte.";
    BookedAnother: "Send another parcel", "Send en pakke til";
    // Products, in the catalogue's order (`catalogue::PRODUCTS`): name, then description.
    P5800: "Pickup point parcel", "Pakke til hentested";
    P5800About: "Collected by the recipient at a pickup point near them. Up to 35 kg.", "Mottakeren henter pakken på et hentested i nærheten. Opptil 35 kg.";
    P5600: "Home delivery", "Pakke levert hjem";
    P5600About: "Delivered to the recipient's door in the evening, with a text message before we arrive.", "Levert på døren til mottakeren på kvelden, med en SMS før vi kommer.";
    P3584: "Mailbox parcel", "Pakke i postkassen";
    P3584About: "Small parcels straight into the mailbox. Up to 5 kg and 35 × 25 × 12 cm.", "Små pakker rett i postkassen. Opptil 5 kg og 35 × 25 × 12 cm.";
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
