//! The HTTP framework: what a handler receives (`context`), reading requests (`request`),
//! replies (`response`), list cursors (`cursor`) and the one status table (`error`). It knows no
//! feature. `dispatch` and the route table (`routes`) sit on top of every feature.

pub mod context;
pub mod cursor;
pub mod dispatch;
pub mod error;
pub mod request;
pub mod response;
pub mod routes;

pub use context::{Authed, Ctx, Handler, HandlerFuture};
pub use dispatch::dispatch;
pub use error::ApiError;
pub use request::source_ip;
pub use response::Reply;
pub use routes::{Route, ROUTES};
