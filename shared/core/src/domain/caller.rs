//! Who is calling: the user and the signed-in client whose credentials a request carried.
//! Only `identity::session::authenticate` makes one.

/// The authenticated caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub user_id: String,
    pub client_id: String,
    pub api_key: String,
}
