//! Follow links of public groups: admins create, list and revoke them.
//!
//! A link's token is 32 random bytes (base32) and is shown once, at creation. It is stored only
//! as its blind index: `LINK#<hash>/LINK` (groupId, linkId, expiresAt, maxUses, uses, version)
//! is what following looks up; `GROUP#<gid>/LINK#<linkId>` (hash, createdAt, expiresAt, maxUses)
//! is the admins' listing. Revoking deletes both at once. Unknown, expired, revoked and used-up
//! links, and links of a group that is not (or no longer) public, all answer `NotFound`.

use crate::domain::ids;
use crate::domain::ids::{GroupId, LinkId};
use crate::domain::time::rfc3339;
use crate::follow::FollowError;
use crate::groups::{access, KIND_PUBLIC};
use crate::identity::session::Caller;
use crate::ports::random::RandomExt;
use crate::ports::store::{item, SK, TTL};
use crate::ports::{Cond, Item, ItemExt, StoreError, Value, Write};
use crate::store::keys;
use crate::store::retry::{transact, Step};
use crate::Deps;
use crate::Fault;

/// Blind-index kind of follow-link tokens.
pub const KIND_LINK: &str = "follow-link";
/// Token bytes (256 bits).
pub const TOKEN_BYTES: usize = 32;
/// Live links per group.
pub const MAX_LINKS: usize = 100;

/// A link as its lookup item holds it.
#[derive(Debug, Clone)]
pub struct Link {
    pub hash: String,
    pub id: String,
    pub group_id: String,
    pub created_at: String,
    /// Epoch seconds.
    pub expires_at: Option<i64>,
    pub max_uses: Option<i64>,
    pub uses: i64,
    pub version: i64,
}

fn parse(hash: &str, it: &Item) -> Option<Link> {
    Some(Link {
        hash: hash.to_string(),
        id: it.s("linkId")?.to_string(),
        group_id: it.s("groupId")?.to_string(),
        created_at: it.s("createdAt").unwrap_or_default().to_string(),
        expires_at: it.n("expiresAt"),
        max_uses: it.n("maxUses"),
        uses: it.n("uses").unwrap_or(0),
        version: it.version(),
    })
}

fn hash(deps: &Deps, token: &str) -> String {
    deps.crypto.blind_index(KIND_LINK, token.as_bytes())
}

/// The link of `token` if it may still be used to follow (maxUses is checked by the caller,
/// since an existing follower may still "follow" idempotently).
pub(crate) async fn usable(deps: &Deps, token: &str) -> Result<Link, FollowError> {
    if !ids::is_token(token, TOKEN_BYTES) {
        return Err(FollowError::NotFound);
    }
    let h = hash(deps, token);
    let it = deps
        .store
        .get(&keys::link(&h))
        .await?
        .ok_or(FollowError::NotFound)?;
    let link = parse(&h, &it).ok_or(FollowError::NotFound)?;
    let now = deps.clock.now().timestamp();
    if link.expires_at.is_some_and(|e| now >= e) {
        return Err(FollowError::NotFound);
    }
    Ok(link)
}

/// Count one use of the link, conditional on the version read (so `maxUses` holds).
pub(crate) fn use_write(link: &Link) -> Write {
    Write::Update {
        key: keys::link(&link.hash),
        set: [
            ("uses".to_string(), Value::N(link.uses + 1)),
            ("version".to_string(), Value::N(link.version + 1)),
        ]
        .into_iter()
        .collect(),
        remove: vec![],
        cond: Cond::VersionIs(link.version),
    }
}

/// A new link: the token (shown once) and the link.
pub struct Created {
    pub token: String,
    pub link: Link,
}

/// Admins of public groups only.
pub async fn create(
    deps: &Deps,
    caller: &Caller,
    group_id: &GroupId,
    expires_at: Option<i64>,
    max_uses: Option<i64>,
) -> Result<Created, FollowError> {
    let a = access(deps, caller, group_id).await?;
    a.require_admin()?;
    if a.group.kind != KIND_PUBLIC {
        return Err(FollowError::NotFound);
    }
    let (existing, _) = list(deps, caller, group_id, MAX_LINKS as u32 + 1, None).await?;
    if existing.len() >= MAX_LINKS {
        return Err(FollowError::Conflict(
            "A group can have at most 100 follow links. Revoke one first.",
        ));
    }
    let token = deps.random.token(TOKEN_BYTES);
    let link = Link {
        hash: hash(deps, &token),
        id: deps.random.id(),
        group_id: group_id.to_string(),
        created_at: rfc3339(deps.clock.now()),
        expires_at,
        max_uses,
        uses: 0,
        version: 1,
    };
    let mut lookup = item(
        &keys::link(&link.hash),
        [
            ("linkId", Value::S(link.id.clone())),
            ("groupId", Value::S(group_id.to_string())),
            ("createdAt", Value::S(link.created_at.clone())),
            ("uses", Value::N(0)),
            ("version", Value::N(1)),
        ],
    );
    let mut listing = item(
        &keys::group_link(group_id, &link.id),
        [
            ("hash", Value::S(link.hash.clone())),
            ("createdAt", Value::S(link.created_at.clone())),
        ],
    );
    for it in [&mut lookup, &mut listing] {
        if let Some(e) = expires_at {
            it.insert("expiresAt".into(), Value::N(e));
        }
        if let Some(m) = max_uses {
            it.insert("maxUses".into(), Value::N(m));
        }
    }
    if let Some(e) = expires_at {
        // Expired lookups go by themselves; the listing shows the link as expired.
        lookup.insert(TTL.into(), Value::N(e + 86_400));
    }
    let writes = vec![
        Write::Put {
            item: lookup,
            cond: Cond::NotExists,
        },
        Write::Put {
            item: listing,
            cond: Cond::NotExists,
        },
        Write::Check {
            key: keys::group_meta(group_id),
            cond: Cond::Exists,
        },
        a.still_holds(caller),
    ];
    deps.store.transact(writes).await.map_err(|e| match e {
        StoreError::TransactionCanceled { .. } => FollowError::NotFound,
        e => e.into(),
    })?;
    tracing::info!("follow link created");
    Ok(Created { token, link })
}

/// Admins only: one page of the group's links, with their use counts.
pub async fn list(
    deps: &Deps,
    caller: &Caller,
    group_id: &GroupId,
    limit: u32,
    cursor: Option<String>,
) -> Result<(Vec<Link>, Option<String>), FollowError> {
    access(deps, caller, group_id).await?.require_admin()?;
    let page = crate::store::batch::page_of(
        deps,
        keys::group_pk(group_id),
        keys::LINK_PREFIX,
        limit,
        cursor,
    )
    .await?;
    let mut out = Vec::with_capacity(page.items.len());
    let hashes: Vec<(String, String, &Item)> = page
        .items
        .iter()
        .filter_map(|it| {
            let id = it.s(SK)?.strip_prefix(keys::LINK_PREFIX)?.to_string();
            Some((id, it.s("hash")?.to_string(), it))
        })
        .collect();
    let lookups = crate::store::batch::batch_get_all(
        deps,
        hashes.iter().map(|(_, h, _)| keys::link(h)).collect(),
    )
    .await?;
    for (id, h, it) in hashes {
        let uses = lookups
            .get(&keys::link(&h))
            .and_then(|l| l.n("uses"))
            .unwrap_or(0);
        out.push(Link {
            hash: h,
            id,
            group_id: group_id.to_string(),
            created_at: it.s("createdAt").unwrap_or_default().to_string(),
            expires_at: it.n("expiresAt"),
            max_uses: it.n("maxUses"),
            uses,
            version: 0,
        });
    }
    Ok((out, page.next))
}

/// Admins only: revoke a link; it stops working at once (followers stay).
pub async fn revoke(
    deps: &Deps,
    caller: &Caller,
    group_id: &GroupId,
    link_id: &LinkId,
) -> Result<(), FollowError> {
    transact(deps, move |_| async move {
        let a = access(deps, caller, group_id).await?;
        a.require_admin()?;
        let lkey = keys::group_link(group_id, link_id);
        let it = deps.store.get(&lkey).await?.ok_or(FollowError::NotFound)?;
        let h = it.s("hash").ok_or(Fault::Corrupt("link without hash"))?;
        let writes = vec![
            Write::Delete {
                key: lkey.clone(),
                cond: Cond::Exists,
            },
            Write::Delete {
                key: keys::link(h),
                cond: Cond::None,
            },
            a.still_holds(caller),
        ];
        Ok::<_, FollowError>(Step::Commit(writes, ()))
    })
    .await?;
    tracing::info!("follow link revoked");
    Ok(())
}
