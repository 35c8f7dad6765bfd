//! The account part named `follows` (run before the groups part so that the memberships it
//! walks still exist): follows, blocks, mutes and the user's own chat messages. It spans the
//! follow, chat and groups features, so it lives in the account layer above them.
//!
//! Export lists the groups followed (with the pseudonym), mute flags and every message the user
//! wrote. Erase **deletes** the user's messages (group chats: their own messages; follower
//! threads: the whole thread, which existed only with them), unfollows, removes blocked-follower
//! records (a new account is a new person to every group) and mute flags. Idempotent.

use serde_json::{json, Value};

use crate::chat::{self, MAIN};
use crate::follow::drop_follower;
use crate::groups::followers::parse_follower;
use crate::groups::{Membership, Role};
use crate::identity::parts::{AccountPart, PartFuture};
use crate::identity::session::Caller;
use crate::ports::store::{key_of, SK};
use crate::ports::{Cond, Item, ItemExt, Key, Query, Write};
use crate::store::keys;
use crate::store::retry::transact_blind;
use crate::Deps;
use crate::Fault;

pub const PART: AccountPart = AccountPart {
    name: "follows",
    export: export_part,
    erase: erase_part,
};

fn export_part<'a>(deps: &'a Deps, caller: &'a Caller) -> PartFuture<'a> {
    Box::pin(export(deps, caller))
}

fn erase_part<'a>(deps: &'a Deps, caller: &'a Caller) -> PartFuture<'a> {
    Box::pin(erase(deps, caller))
}

/// Every item of `pk` under `prefix` (all pages).
async fn all(deps: &Deps, pk: String, prefix: &str) -> Result<Vec<Item>, Fault> {
    crate::store::batch::all(deps, Query::new(pk).prefix(prefix).limit(100)).await
}

/// The thread a membership writes to: the group chat, or the follower's own thread.
/// The threads the user may have written in: a follower their own thread; members the group
/// chat; admins also every follower thread of the group (their replies).
async fn threads_of(deps: &Deps, m: &Membership) -> Result<Vec<String>, Fault> {
    if m.role == Role::Follower {
        return Ok(vec![m.member_id.clone()]);
    }
    let mut threads = vec![MAIN.to_string()];
    if m.role == Role::Admin {
        for it in all(deps, keys::group_pk(&m.group_id), keys::THREAD_PREFIX).await? {
            if let Some(fid) = it.s(SK).and_then(|s| s.strip_prefix(keys::THREAD_PREFIX)) {
                threads.push(fid.to_string());
            }
        }
    }
    Ok(threads)
}

/// The caller's own messages in one thread.
async fn own_messages(
    deps: &Deps,
    caller: &Caller,
    group_id: &str,
    thread: &str,
) -> Result<Vec<chat::Stored>, Fault> {
    let items = all(deps, keys::group_pk(group_id), &keys::chat_prefix(thread)).await?;
    let mut out = Vec::new();
    for it in &items {
        if it.s("authorId") == Some(caller.user_id.as_str()) {
            out.push(chat::parse(deps, group_id, it)?);
        }
    }
    Ok(out)
}

pub async fn export(deps: &Deps, caller: &Caller) -> Result<Value, Fault> {
    let mut follows = Vec::new();
    let mut messages = Vec::new();
    for m in crate::groups::memberships_of(deps, &caller.user_id).await? {
        if m.role == Role::Follower {
            let f = deps
                .store
                .get(&keys::follower(&m.group_id, &m.member_id))
                .await?;
            follows.push(json!({
                "groupId": m.group_id,
                "followerId": m.member_id,
                "pseudonym": f.as_ref().and_then(|f| f.s("pseudonym")),
                "followedAt": m.joined_at,
            }));
        }
        for thread in threads_of(deps, &m).await? {
            for msg in own_messages(deps, caller, &m.group_id, &thread).await? {
                messages.push(json!({
                    "groupId": m.group_id,
                    "thread": if thread == MAIN { "group" } else { "admins" },
                    "sentAt": msg.sent_at,
                    "text": msg.text,
                }));
            }
        }
    }
    let mutes: Vec<Value> = all(deps, keys::user_pk(&caller.user_id), keys::MUTE_PREFIX)
        .await?
        .iter()
        .map(|it| json!({"groupId": it.s("groupId"), "muted": it.bool("muted")}))
        .collect();
    Ok(json!({"follows": follows, "mutes": mutes, "messages": messages}))
}

fn delete(key: Key) -> Write {
    Write::Delete {
        key,
        cond: Cond::None,
    }
}

/// Delete keys, 25 per transaction.
async fn delete_all(deps: &Deps, keys: Vec<Key>) -> Result<usize, Fault> {
    let n = keys.len();
    for chunk in keys.chunks(25) {
        transact_blind(deps, chunk.iter().cloned().map(delete).collect()).await?;
    }
    Ok(n)
}

/// A follower thread and its summary.
async fn delete_thread(deps: &Deps, group_id: &str, fid: &str) -> Result<usize, Fault> {
    let items = all(deps, keys::group_pk(group_id), &keys::chat_prefix(fid)).await?;
    let mut doomed: Vec<Key> = items.iter().filter_map(key_of).collect();
    doomed.push(keys::thread(group_id, fid));
    delete_all(deps, doomed).await
}

pub async fn erase(deps: &Deps, caller: &Caller) -> Result<Value, Fault> {
    let (mut messages, mut unfollowed, mut blocks) = (0, 0, 0);
    for m in crate::groups::memberships_of(deps, &caller.user_id).await? {
        if m.role == Role::Follower {
            messages += delete_thread(deps, &m.group_id, &m.member_id).await?;
            if drop_follower(deps, &m.group_id, &m.member_id).await? {
                unfollowed += 1;
            }
        } else {
            for thread in threads_of(deps, &m).await? {
                let own = own_messages(deps, caller, &m.group_id, &thread).await?;
                messages += delete_all(deps, own.into_iter().map(|s| s.key).collect()).await?;
            }
        }
    }
    for it in all(deps, keys::user_pk(&caller.user_id), keys::BLOCKED_PREFIX).await? {
        let Some(gid) = it.s(SK).and_then(|s| s.strip_prefix(keys::BLOCKED_PREFIX)) else {
            continue;
        };
        let mut doomed = vec![keys::blocked(&caller.user_id, gid)];
        if let Some(fid) = it.s("followerId") {
            messages += delete_thread(deps, gid, fid).await?;
            if let Some(f) = deps.store.get(&keys::follower(gid, fid)).await? {
                let f = parse_follower(&f)?;
                doomed.push(keys::pseudonym(gid, &f.pseudonym));
            }
            doomed.push(keys::follower(gid, fid));
        }
        delete_all(deps, doomed).await?;
        blocks += 1;
    }
    let mutes: Vec<Key> = all(deps, keys::user_pk(&caller.user_id), keys::MUTE_PREFIX)
        .await?
        .iter()
        .filter_map(key_of)
        .collect();
    let muted = delete_all(deps, mutes).await?;
    tracing::info!(
        messages,
        unfollowed,
        blocks,
        muted,
        "follow and chat data erased"
    );
    Ok(json!({
        "messagesDeleted": messages,
        "groupsUnfollowed": unfollowed,
        "blocksRemoved": blocks,
        "mutesRemoved": muted,
    }))
}
