//! Chat. The group chat (`main`) is for admins and members of any group; in public
//! groups each follower has one thread with the admins, whose id is the follower's per-group id.
//!
//! Messages: `GROUP#<gid>/CHAT#<thread>#<epoch ms, 13 digits>#<rand>` with `text` (sealed),
//! `thread`, `groupId`, `authorId` (user id), `authorMemberId` (member id, or follower id),
//! `authorRole` (admin/member/follower), `sentAt` (RFC 3339). Listed newest first. A follower
//! thread also has `GROUP#<gid>/THREAD#<fid>` (pseudonym, lastMessageAt, version) for the
//! admins' thread list. Authors are shown by display name (members, admins), followers only by
//! pseudonym; never a phone number.

pub mod handlers;

use crate::domain::ids::GroupId;
use std::collections::HashMap;

use crate::domain::ids;
use crate::domain::time::rfc3339;
use crate::groups::followers::parse_follower;
use crate::groups::members::{display_names, parse_target, DEFAULT_DISPLAY_NAME};
use crate::groups::{access, reader_access, Access, Role, KIND_PUBLIC};
use crate::identity::session::Caller;
use crate::ports::random::RandomExt;
use crate::ports::store::{item, SK};
use crate::ports::{Cond, Item, ItemExt, Key, Query, Value, Write};
use crate::store::batch::batch_get_all;
use crate::store::keys;
use crate::store::retry::{transact, Step};
use crate::store::sealed::{open, seal};
use crate::Deps;
use crate::Fault;

crate::fault::access_error!(
    /// What a chat use case can answer besides success.
    ChatError,
    from crate::groups::GroupError
);

/// The group chat's thread id.
pub const MAIN: &str = "main";
/// Characters per message.
pub const TEXT_MAX: usize = 4000;
/// Shown for an author who has left the group.
pub const FORMER: &str = "Former member";

/// A message as a reader sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: String,
    pub text: String,
    pub sent_at: String,
    pub author: String,
    pub author_role: String,
    pub mine: bool,
}

/// A message as stored (internal: holds the author's user id).
#[derive(Debug, Clone)]
pub(crate) struct Stored {
    pub key: Key,
    pub text: String,
    pub sent_at: String,
    pub author_id: String,
    pub author_member_id: String,
    pub author_role: String,
}

pub(crate) fn parse(deps: &Deps, group_id: &str, it: &Item) -> Result<Stored, Fault> {
    let sk = it.s(SK).ok_or(Fault::Corrupt("message key"))?;
    let key = Key::new(keys::group_pk(group_id), sk);
    Ok(Stored {
        text: open(deps.crypto.as_ref(), it, &key, "text")?.unwrap_or_default(),
        sent_at: it.s("sentAt").unwrap_or_default().to_string(),
        author_id: it.s("authorId").unwrap_or_default().to_string(),
        author_member_id: it.s("authorMemberId").unwrap_or_default().to_string(),
        author_role: it.s("authorRole").unwrap_or_default().to_string(),
        key,
    })
}

/// `<ms>-<rand>` from `CHAT#<thread>#<ms>#<rand>`.
fn message_id(key: &Key) -> String {
    key.sk.splitn(4, '#').skip(2).collect::<Vec<_>>().join("-")
}

/// Who may use which thread: `(access, thread id)`.
async fn authorize(
    deps: &Deps,
    caller: &Caller,
    group_id: &GroupId,
    thread: Option<&str>,
) -> Result<(Access, String), ChatError> {
    match thread {
        None => Ok((access(deps, caller, group_id).await?, MAIN.to_string())),
        Some("mine") => {
            let a = reader_access(deps, caller, group_id).await?;
            if a.me.role != Role::Follower || a.group.kind != KIND_PUBLIC {
                return Err(ChatError::NotFound);
            }
            let fid = a.me.member_id.clone();
            Ok((a, fid))
        }
        Some(fid) => {
            let a = access(deps, caller, group_id).await?;
            a.require_admin()?;
            if a.group.kind != KIND_PUBLIC || !ids::is_token(fid, 16) {
                return Err(ChatError::NotFound);
            }
            if deps
                .store
                .get(&keys::thread(group_id, fid))
                .await?
                .is_none()
            {
                return Err(ChatError::NotFound);
            }
            Ok((a, fid.to_string()))
        }
    }
}

/// Names of authors: members by display name (else invited name, else a placeholder, else
/// `FORMER` once gone); followers by their pseudonym.
async fn names(
    deps: &Deps,
    group_id: &str,
    msgs: &[Stored],
) -> Result<HashMap<String, String>, Fault> {
    let mut member_keys = Vec::new();
    let mut follower_keys = Vec::new();
    for m in msgs {
        if m.author_role == Role::Follower.as_str() {
            follower_keys.push(keys::follower(group_id, &m.author_member_id));
        } else {
            member_keys.push(keys::group_member(group_id, &m.author_member_id));
        }
    }
    let mut out = HashMap::new();
    for it in batch_get_all(deps, follower_keys).await?.values() {
        let f = parse_follower(it)?;
        out.insert(f.id, f.pseudonym);
    }
    let members = batch_get_all(deps, member_keys).await?;
    let targets = members
        .values()
        .map(|it| parse_target(deps, group_id, it))
        .collect::<Result<Vec<_>, _>>()?;
    let shown = display_names(deps, targets.iter().map(|t| t.user_id.as_str())).await?;
    for t in targets {
        let name = shown
            .get(&t.user_id)
            .or(t.invited_name.as_ref())
            .cloned()
            .unwrap_or_else(|| DEFAULT_DISPLAY_NAME.to_string());
        out.insert(t.member_id, name);
    }
    Ok(out)
}

/// One page of a thread (`None`: the group chat; `Some("mine")`: the caller's follower thread;
/// `Some(fid)`: an admin reading a follower's thread), newest first.
pub async fn list(
    deps: &Deps,
    caller: &Caller,
    group_id: &GroupId,
    thread: Option<&str>,
    limit: u32,
    cursor: Option<String>,
) -> Result<(Vec<Message>, Option<String>), ChatError> {
    let (_, tid) = authorize(deps, caller, group_id, thread).await?;
    let page = deps
        .store
        .query(
            &Query::new(keys::group_pk(group_id))
                .prefix(keys::chat_prefix(&tid))
                .descending()
                .limit(limit)
                .cursor(cursor),
        )
        .await?;
    let msgs = page
        .items
        .iter()
        .map(|it| parse(deps, group_id, it))
        .collect::<Result<Vec<_>, _>>()?;
    let names = names(deps, group_id, &msgs).await?;
    let out = msgs
        .into_iter()
        .map(|m| Message {
            id: message_id(&m.key),
            author: names
                .get(&m.author_member_id)
                .cloned()
                .unwrap_or_else(|| FORMER.to_string()),
            mine: m.author_id == caller.user_id,
            author_role: m.author_role,
            text: m.text,
            sent_at: m.sent_at,
        })
        .collect();
    Ok((out, page.next))
}

/// Post a message to a thread (as `list`).
pub async fn post(
    deps: &Deps,
    caller: &Caller,
    group_id: &GroupId,
    thread: Option<&str>,
    text: &str,
) -> Result<Message, ChatError> {
    let (tid, message) = transact(deps, move |_| async move {
        let (a, tid) = authorize(deps, caller, group_id, thread).await?;
        let now = deps.clock.now();
        let sent_at = rfc3339(now);
        let key = Key::new(
            keys::group_pk(group_id),
            format!(
                "{}{:013}#{}",
                keys::chat_prefix(&tid),
                now.timestamp_millis(),
                deps.random.token(5)
            ),
        );
        let msg = item(
            &key,
            [
                ("text", seal(deps.crypto.as_ref(), &key, "text", text)),
                ("thread", Value::S(tid.clone())),
                ("groupId", Value::S(group_id.to_string())),
                ("authorId", Value::S(caller.user_id.clone())),
                ("authorMemberId", Value::S(a.me.member_id.clone())),
                ("authorRole", Value::S(a.me.role.as_str().into())),
                ("sentAt", Value::S(sent_at.clone())),
            ],
        );
        let mut writes = vec![
            Write::Put {
                item: msg,
                cond: Cond::NotExists,
            },
            Write::Check {
                key: keys::group_meta(group_id),
                cond: Cond::Exists,
            },
            a.still_holds(caller),
        ];
        if tid != MAIN {
            writes.push(thread_write(deps, group_id, &tid, &sent_at).await?);
        }
        let author = match a.me.role {
            Role::Follower => {
                let f = deps.store.get(&keys::follower(group_id, &tid)).await?;
                f.and_then(|f| f.s("pseudonym").map(str::to_string))
                    .unwrap_or_default()
            }
            _ => {
                let stored = Stored {
                    key: key.clone(),
                    text: String::new(),
                    sent_at: String::new(),
                    author_id: caller.user_id.clone(),
                    author_member_id: a.me.member_id.clone(),
                    author_role: a.me.role.as_str().into(),
                };
                names(deps, group_id, &[stored])
                    .await?
                    .remove(&a.me.member_id)
                    .unwrap_or_else(|| DEFAULT_DISPLAY_NAME.to_string())
            }
        };
        let message = Message {
            id: message_id(&key),
            text: text.to_string(),
            sent_at,
            author,
            author_role: a.me.role.as_str().into(),
            mine: true,
        };
        Ok::<_, ChatError>(Step::Commit(writes, (tid, message)))
    })
    .await?;
    tracing::info!(
        thread = if tid == MAIN { "main" } else { "follower" },
        "message posted"
    );
    Ok(message)
}

/// Create or touch the thread summary, conditional on its version.
async fn thread_write(deps: &Deps, group_id: &str, fid: &str, at: &str) -> Result<Write, Fault> {
    let key = keys::thread(group_id, fid);
    let (version, cond) = match deps.store.get(&key).await? {
        Some(t) => (t.version(), Cond::VersionIs(t.version())),
        None => (0, Cond::NotExists),
    };
    Ok(Write::Update {
        key,
        set: [
            ("lastMessageAt".to_string(), Value::S(at.to_string())),
            ("version".to_string(), Value::N(version + 1)),
        ]
        .into_iter()
        .collect(),
        remove: vec![],
        cond,
    })
}

/// A follower thread as admins list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thread {
    pub id: String,
    pub pseudonym: String,
    pub last_message_at: String,
}

/// Admins of public groups: one page of follower threads (in id order; each page sorted by
/// last message, newest first).
pub async fn threads(
    deps: &Deps,
    caller: &Caller,
    group_id: &GroupId,
    limit: u32,
    cursor: Option<String>,
) -> Result<(Vec<Thread>, Option<String>), ChatError> {
    let a = access(deps, caller, group_id).await?;
    a.require_admin()?;
    if a.group.kind != KIND_PUBLIC {
        return Err(ChatError::NotFound);
    }
    let page = crate::store::batch::page_of(
        deps,
        crate::store::keys::group_pk(group_id),
        keys::THREAD_PREFIX,
        limit,
        cursor,
    )
    .await?;
    let ids: Vec<(String, String)> = page
        .items
        .iter()
        .filter_map(|it| {
            let id = it.s(SK)?.strip_prefix(keys::THREAD_PREFIX)?.to_string();
            Some((id, it.s("lastMessageAt").unwrap_or_default().to_string()))
        })
        .collect();
    let followers = batch_get_all(
        deps,
        ids.iter()
            .map(|(id, _)| keys::follower(group_id, id))
            .collect(),
    )
    .await?;
    let mut out: Vec<Thread> = ids
        .into_iter()
        .map(|(id, last)| Thread {
            pseudonym: followers
                .get(&keys::follower(group_id, &id))
                .and_then(|f| f.s("pseudonym").map(str::to_string))
                .unwrap_or_else(|| "Former follower".to_string()),
            id,
            last_message_at: last,
        })
        .collect();
    out.sort_by(|a, b| b.last_message_at.cmp(&a.last_message_at));
    Ok((out, page.next))
}
