//! What a handler receives. A route's handler is either `Public` (takes a `Ctx`: the ports and
//! the request) or `Authed` (takes an `Authed`: the same plus the authenticated caller), so a
//! route cannot forget authentication: dispatch authenticates before an `Authed` handler runs,
//! and such a handler has no way to run without a caller.

use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;

use lambda_http::{Request, RequestExt};

use super::{ApiError, Reply};
use crate::domain::caller::Caller;
use crate::domain::ids::Id;
use crate::Deps;

pub type HandlerFuture = Pin<Box<dyn Future<Output = Result<Reply, ApiError>> + Send>>;

/// A route's handler, by what it needs.
#[derive(Clone, Copy)]
pub enum Handler {
    /// No credentials needed (sign-in).
    Public(fn(Ctx) -> HandlerFuture),
    /// `X-API-KEY` + `X-Auth-Token` required; the handler gets the caller.
    Authed(fn(Authed) -> HandlerFuture),
}

impl Handler {
    pub fn needs_auth(&self) -> bool {
        matches!(self, Handler::Authed(_))
    }
}

/// The ports and the request.
pub struct Ctx {
    pub deps: Deps,
    pub req: Request,
}

impl Ctx {
    /// The id in the path parameter of its kind (`groupId` for a `GroupId` ...). A missing or
    /// malformed id cannot name anything: `404`, like an id that names nothing.
    pub fn path<T: Id>(&self) -> Result<T, ApiError> {
        self.req
            .path_parameters_ref()
            .and_then(|p| p.first(T::PARAM))
            .and_then(T::parse)
            .ok_or(ApiError::NotFound)
    }
}

/// A request whose credentials were checked: the ports, the request and the caller.
pub struct Authed {
    pub ctx: Ctx,
    pub caller: Caller,
}

impl Deref for Authed {
    type Target = Ctx;
    fn deref(&self) -> &Ctx {
        &self.ctx
    }
}
