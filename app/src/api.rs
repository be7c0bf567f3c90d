//! Server functions: the HTTP tier (docs/architecture.md §5). Fixed endpoints, JSON input, POST.
//! They also feed the server-rendered results, so a page without WASM gets every offer.

use crate::diagnosis::seen::SeenRequest;
use crate::error::ApiError;
#[cfg(feature = "ssr")]
use crate::error::{ErrorCode, FieldError};
use crate::model::{Outcome, Plan, ProductId, SearchRequest};
use leptos::prelude::*;
use server_fn::codec::{Json, JsonEncoding};
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

#[cfg(feature = "ssr")]
impl ApiError {
    /// The HTTP status each error is answered with: the one place it is decided.
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode;
        match self {
            ApiError::Invalid(_) | ApiError::Unreadable { .. } => StatusCode::BAD_REQUEST,
            ApiError::Refused { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Server { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Sets this error's status on the response being served (in Leptos context), and
    /// returns it for the server function to answer with.
    pub fn respond(self) -> Self {
        self.respond_on(use_context(), None)
    }

    /// [`Self::respond`] on a response taken from context earlier (context is gone after an
    /// await), with `Retry-After` when the server says when to come back.
    pub fn respond_on(
        self,
        response: Option<leptos_axum::ResponseOptions>,
        retry_after_secs: Option<u64>,
    ) -> Self {
        if let Some(response) = response {
            response.set_status(self.status());
            if let Some(secs) = retry_after_secs {
                response.insert_header(http::header::RETRY_AFTER, secs.into());
            }
        }
        self
    }
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let message = value.to_string();
        // On the server these mean the request body was unreadable: the client's fault.
        let error = match value {
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::Deserialization(_) => ApiError::Unreadable { message },
            _ => ApiError::Server { message },
        };
        #[cfg(feature = "ssr")]
        let error = error.respond();
        error
    }
}

/// The products that will be quoted for this request, in display order, and its places.
#[server(prefix = "/api", endpoint = "plan_search", input = Json)]
pub async fn plan_search(request: SearchRequest) -> Result<Plan, ApiError> {
    let backend = expect_context::<backend::Backend>();
    backend.admit_search(&request).await?;
    let (request, products) = backend.start_search(&request).map_err(backend::invalid)?;
    let places = crate::places::places(&request);
    Ok(Plan { products, places })
}

/// The outcome for one planned product.
#[server(prefix = "/api", endpoint = "quote_product", input = Json)]
pub async fn quote_product(
    request: SearchRequest,
    product_id: ProductId,
) -> Result<Outcome, ApiError> {
    let backend = expect_context::<backend::Backend>();
    // Everything that reads the request's context before the first await: it is gone after
    // it. The quote is made here (it starts when awaited), the admission decides first.
    let t = crate::i18n::Texts::of_this_page();
    let admission = backend.admit_quote();
    let quote = backend.plan(&request).and_then(|(request, products)| {
        if products.contains(&product_id) {
            Ok(backend.quote(request, product_id.clone(), t))
        } else {
            Err(FieldError::new(
                "product_id",
                ErrorCode::UnknownProduct,
                format!("product {product_id} is not offered for this route"),
            ))
        }
    });
    admission.await?;
    Ok(quote.map_err(backend::invalid)?.await)
}

/// What the server saw of this request: the diagnostics page's HTTP check and proxy hints.
#[server(prefix = "/api", endpoint = "connection_check", input = Json)]
pub async fn connection_check() -> Result<SeenRequest, ApiError> {
    use crate::diagnosis::seen::{FrontProxy, from_headers};
    let Some(parts) = use_context::<http::request::Parts>() else {
        return Err(ApiError::Server {
            message: "no request in context".into(),
        });
    };
    let front = use_context::<FrontProxy>().unwrap_or_default();
    // The call carries the browser's Accept-Language, not the page's `?lang=`.
    let t = crate::i18n::Texts::for_request(&parts);
    Ok(from_headers(
        t,
        &parts.headers,
        front.client_ip_header.as_deref(),
    ))
}

/// `/api/search`: a whole search over one streamed response (an axum route, not a server
/// function: docs/architecture.md §5).
pub const SEARCH_PATH: &str = "/api/search";

/// The browser's calls of the server functions above and of `/api/search`, with the browser's
/// `fetch` (gloo-net reads the answers) rather than server_fn's client: its streaming
/// machinery cost the WASM bundle kilobytes for three JSON POSTs. Same endpoints, bodies and
/// error encoding.
#[cfg(feature = "client")]
pub mod call {
    use super::*;
    use serde::Serialize;
    use serde::de::DeserializeOwned;
    use server_fn::ServerFn;
    use std::future::Future;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    use web_sys::AbortSignal;

    fn unreachable(e: impl std::fmt::Display) -> ApiError {
        ApiError::Server {
            message: format!("error reaching server: {e}"),
        }
    }

    /// What the browser threw (a failed fetch or read), as [`unreachable`].
    fn thrown(e: wasm_bindgen::JsValue) -> ApiError {
        unreachable(format!("{e:?}"))
    }

    /// Posts now; the future reads the JSON answer.
    fn post<R: DeserializeOwned, A: Serialize>(
        path: &str,
        args: &A,
        signal: Option<&AbortSignal>,
    ) -> impl Future<Output = Result<R, ApiError>> + use<R, A> {
        let pending = start(path, args, signal);
        async move {
            let text = answer(pending?).await?.text().await.map_err(unreachable)?;
            crate::wire::decode(&text).ok_or_else(|| unreachable("an answer it could not read"))
        }
    }

    /// Posts `args` as JSON at once, not at the first poll of a future: a request started
    /// beside a socket frame leaves in the order the machine chose.
    fn start(
        path: &str,
        args: &impl Serialize,
        signal: Option<&AbortSignal>,
    ) -> Result<JsFuture, ApiError> {
        let headers = web_sys::Headers::new().map_err(thrown)?;
        for (name, value) in [
            ("content-type", "application/json"),
            ("accept", "application/json"),
            // What the server writes (reasons, refusals) in the page's language, which a
            // `?lang=` may have chosen over the browser's.
            ("accept-language", crate::i18n::Lang::of_document().code()),
        ] {
            let _ = headers.set(name, value);
        }
        let body = serde_json::to_string(args).map_err(unreachable)?;
        let init = web_sys::RequestInit::new();
        init.set_method("POST");
        init.set_headers(&headers);
        init.set_body(&body.into());
        init.set_signal(signal);
        let promise = leptos::prelude::window().fetch_with_str_and_init(path, &init);
        Ok(JsFuture::from(promise))
    }

    /// The answer to a request [`start`]ed; one that is not a success is the error it says.
    async fn answer(pending: JsFuture) -> Result<gloo_net::http::Response, ApiError> {
        let response: web_sys::Response = pending.await.map_err(thrown)?.unchecked_into();
        let response = gloo_net::http::Response::from(response);
        if response.ok() {
            return Ok(response);
        }
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        Err(
            crate::wire::decode(&text).unwrap_or_else(|| ApiError::Server {
                message: format!("the server answered {status}"),
            }),
        )
    }

    pub fn plan_search(
        request: SearchRequest,
        signal: Option<&AbortSignal>,
    ) -> impl Future<Output = Result<Plan, ApiError>> + use<> {
        post(PlanSearch::PATH, &PlanSearch { request }, signal)
    }

    pub fn quote_product(
        request: SearchRequest,
        product_id: ProductId,
        signal: Option<&AbortSignal>,
    ) -> impl Future<Output = Result<Outcome, ApiError>> + use<> {
        let args = QuoteProduct {
            request,
            product_id,
        };
        post(QuoteProduct::PATH, &args, signal)
    }

    /// `/api/search`: the whole search over one response, each of its lines handed to `line`
    /// the moment it arrives. The request leaves now; the future reads the answer, `Ok` when
    /// the response ended, whether or not `done` came.
    pub fn search<F: FnMut(crate::protocol::ServerMessage)>(
        search_id: crate::protocol::SearchId,
        request: SearchRequest,
        signal: Option<&AbortSignal>,
        mut line: F,
    ) -> impl Future<Output = Result<(), ApiError>> + use<F> {
        #[derive(Serialize)]
        struct Search {
            search_id: crate::protocol::SearchId,
            request: SearchRequest,
        }
        let pending = start(SEARCH_PATH, &Search { search_id, request }, signal);
        async move {
            let response = answer(pending?).await?;
            let reader: web_sys::ReadableStreamDefaultReader = response
                .body()
                .ok_or_else(|| unreachable("no body"))?
                .get_reader()
                .unchecked_into();
            let mut pending = Vec::new();
            loop {
                let chunk = JsFuture::from(reader.read()).await.map_err(thrown)?;
                let field = |name: &str| js_sys::Reflect::get(&chunk, &name.into()).ok();
                if field("done").and_then(|d| d.as_bool()) == Some(true) {
                    return Ok(());
                }
                if let Some(bytes) = field("value") {
                    pending.extend(js_sys::Uint8Array::new(&bytes).to_vec());
                }
                while let Some(end) = pending.iter().position(|&b| b == b'\n') {
                    let text: Vec<u8> = pending.drain(..=end).collect();
                    let msg = std::str::from_utf8(&text).ok();
                    if let Some(msg) = msg.and_then(crate::protocol::decode_server_message) {
                        line(msg);
                    }
                }
            }
        }
    }

    /// A search the server refuses unread (400: no `request`, so no budget and no guide),
    /// so the stream's request and error code is compiled before a search needs it.
    pub async fn search_warm_up() {
        #[derive(Serialize)]
        struct WarmUp {
            search_id: crate::protocol::SearchId,
        }
        if let Ok(pending) = start(SEARCH_PATH, &WarmUp { search_id: 0 }, None) {
            let _ = answer(pending).await;
        }
    }

    pub fn connection_check() -> impl Future<Output = Result<SeenRequest, ApiError>> {
        post(ConnectionCheck::PATH, &ConnectionCheck {}, None)
    }
}

/// How the server functions reach the server's search service: `app/` cannot depend on the
/// server crate, so the server provides an implementation of this trait as Leptos context.
#[cfg(feature = "ssr")]
pub mod backend {
    use super::*;
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::Arc;

    pub type Backend = Arc<dyn SearchBackend>;

    /// Whether the caller's budget admits the call; a refusal is the error to answer with.
    pub type Admission = Pin<Box<dyn Future<Output = Result<(), ApiError>> + Send>>;

    /// Bad input is the client's fault: 400, not the server functions' default 500.
    pub fn invalid(error: FieldError) -> ApiError {
        ApiError::Invalid(error).respond()
    }

    pub trait SearchBackend: Send + Sync + 'static {
        /// Counts a search against the caller's budgets (the request is in Leptos context;
        /// the other half of a hedged search is free); a refusal is the error to answer with.
        fn admit_search(&self, request: &SearchRequest) -> Admission;

        /// Counts one quote against the caller's budgets.
        fn admit_quote(&self) -> Admission;

        /// [`Self::plan`] for a search starting on the HTTP tier (logged as its start).
        fn start_search(
            &self,
            request: &SearchRequest,
        ) -> Result<(SearchRequest, Vec<ProductId>), FieldError>;

        /// Validates the request and returns it normalised, with the products to quote.
        fn plan(
            &self,
            request: &SearchRequest,
        ) -> Result<(SearchRequest, Vec<ProductId>), FieldError>;

        /// Quotes one product of the plan (logged with its duration); never fails: problems
        /// become `Outcome::Unavailable`, their reason in the words of `t`. Call it in the
        /// request's context (it reads whose quote it is); the quote starts when awaited.
        fn quote(
            &self,
            request: SearchRequest,
            product: ProductId,
            t: crate::i18n::Texts,
        ) -> Pin<Box<dyn Future<Output = Outcome> + Send>>;
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn each_error_has_its_status_and_wire_kind() {
        let field = FieldError::new("to_postal", ErrorCode::UnknownPostalCode, "no such code");
        let message = String::from("m");
        for (error, status, kind) in [
            (ApiError::Invalid(field), 400, "invalid"),
            (
                ApiError::Unreadable {
                    message: message.clone(),
                },
                400,
                "unreadable",
            ),
            (
                ApiError::Refused {
                    code: ErrorCode::RateLimited,
                    message: message.clone(),
                },
                429,
                "refused",
            ),
            (ApiError::Server { message }, 500, "server"),
        ] {
            assert_eq!(error.status().as_u16(), status, "{error:?}");
            let json = serde_json::to_value(&error).unwrap();
            assert_eq!(json["kind"], kind);
            assert_eq!(serde_json::from_value::<ApiError>(json).unwrap(), error);
        }
    }
}
