//! The followers of a public group as stored, for every feature that reads them (follow, chat,
//! the group reply): the group's follower secret on META, the follower record
//! `GROUP#<gid>/FOLLOWER#<fid>` and the follower count. Following, blocking and the admins'
//! follower list are the follow feature's.

use crate::ports::store::SK;
use crate::ports::{Item, ItemExt, Key, Value};
use crate::store::keys;
use crate::{Deps, Fault};

/// Put a fresh follower secret on a new public group's META.
pub(crate) fn add_secret(deps: &Deps, meta_key: &Key, meta: &mut Item) {
    let mut secret = [0u8; 32];
    deps.random.fill(&mut secret);
    let ctx = keys::seal_context(meta_key, "followerSecret");
    meta.insert(
        "followerSecret".into(),
        Value::B(deps.crypto.seal(&ctx, &secret)),
    );
}

/// The group's follower secret (public groups only).
pub(crate) fn secret(deps: &Deps, group_id: &str, meta: &Item) -> Result<Vec<u8>, Fault> {
    let sealed = meta
        .b("followerSecret")
        .ok_or(Fault::Corrupt("public group without follower secret"))?;
    let ctx = keys::seal_context(&keys::group_meta(group_id), "followerSecret");
    Ok(deps.crypto.open(&ctx, sealed)?)
}

/// A follower as the admins see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Follower {
    pub id: String,
    pub user_id: String,
    pub pseudonym: String,
    pub followed_at: String,
    pub blocked: bool,
    pub version: i64,
}

pub fn parse_follower(it: &Item) -> Result<Follower, Fault> {
    Ok(Follower {
        id: it
            .s(SK)
            .and_then(|s| s.strip_prefix(keys::FOLLOWER_PREFIX))
            .ok_or(Fault::Corrupt("follower key"))?
            .to_string(),
        user_id: it
            .s("userId")
            .ok_or(Fault::Corrupt("follower without user"))?
            .to_string(),
        pseudonym: it.s("pseudonym").unwrap_or_default().to_string(),
        followed_at: it.s("followedAt").unwrap_or_default().to_string(),
        blocked: it.bool("blocked").unwrap_or(false),
        version: it.version(),
    })
}

/// The follower count as of now (0 when nobody ever followed).
pub async fn count(deps: &Deps, group_id: &str) -> Result<i64, Fault> {
    Ok(deps
        .store
        .get(&keys::follower_count(group_id))
        .await?
        .and_then(|c| c.n("count"))
        .unwrap_or(0))
}
