//! Reading stats: the caller's access to a group and a stat (`read`, `read_any`), one stat
//! (`get`), a page of a group's stats (`list`), the caller's stats by group name and title
//! (`find`), and the display names shown as `lastUpdatedBy` (hidden from followers).

use crate::domain::ids::{GroupId, StatId};
use crate::store::batch::group_page;
use std::collections::HashMap;

use crate::groups::members::{display_names, parse_target, DEFAULT_DISPLAY_NAME};
use crate::groups::{parse_membership, parse_meta, Access};
use crate::identity::session::Caller;
use crate::stats::{parse_stat, Stat, StatError, StatView, FORMER_MEMBER, MAX_STATS};
use crate::store::batch::batch_get_all;
use crate::store::batch::find as find_item;
use crate::store::keys as sk;
use crate::store::keys;
use crate::Deps;
use crate::Fault;

/// Display names of a group's members by member id; members who left are `FORMER_MEMBER`.
pub(crate) async fn member_names<'a>(
    deps: &Deps,
    group_id: &str,
    member_ids: impl IntoIterator<Item = &'a str>,
) -> Result<HashMap<String, String>, Fault> {
    let ids: Vec<&str> = member_ids.into_iter().collect();
    let items = batch_get_all(
        deps,
        ids.iter()
            .map(|m| keys::group_member(group_id, m))
            .collect(),
    )
    .await?;
    let targets = items
        .values()
        .map(|it| parse_target(deps, group_id, it))
        .collect::<Result<Vec<_>, _>>()?;
    let names = display_names(deps, targets.iter().map(|t| t.user_id.as_str())).await?;
    let mut out: HashMap<String, String> = targets
        .into_iter()
        .map(|t| {
            let name = names
                .get(&t.user_id)
                .cloned()
                .or(t.invited_name)
                .unwrap_or_else(|| DEFAULT_DISPLAY_NAME.to_string());
            (t.member_id, name)
        })
        .collect();
    for id in ids {
        out.entry(id.to_string())
            .or_insert_with(|| FORMER_MEMBER.to_string());
    }
    Ok(out)
}

pub(crate) async fn views(
    deps: &Deps,
    group_id: &str,
    stats: Vec<Stat>,
) -> Result<Vec<StatView>, Fault> {
    let names = member_names(
        deps,
        group_id,
        stats.iter().filter_map(|s| s.by_member.as_deref()),
    )
    .await?;
    Ok(stats
        .into_iter()
        .map(|stat| StatView {
            group_id: group_id.to_string(),
            last_updated_by: stat.by_member.as_ref().and_then(|m| names.get(m).cloned()),
            stat,
        })
        .collect())
}

pub(super) async fn view(deps: &Deps, group_id: &str, stat: Stat) -> Result<StatView, Fault> {
    Ok(views(deps, group_id, vec![stat]).await?.remove(0))
}

/// The caller's access to the group and the stat (when it exists), in one batch read.
/// Followers are refused (as by `groups::access`): see `read_any` for what they may read.
pub(crate) async fn read(
    deps: &Deps,
    caller: &Caller,
    group_id: &GroupId,
    stat_id: &StatId,
) -> Result<(Access, Option<Stat>), StatError> {
    let (a, stat) = read_any(deps, caller, group_id, stat_id).await?;
    if a.me.role == crate::groups::Role::Follower {
        return Err(StatError::NotFound);
    }
    Ok((a, stat))
}

/// `read`, letting followers of a public group in too: only for reading the stat and its
/// history and for their own settings (never attachments: they have no public flag yet).
pub(crate) async fn read_any(
    deps: &Deps,
    caller: &Caller,
    group_id: &GroupId,
    stat_id: &StatId,
) -> Result<(Access, Option<Stat>), StatError> {
    let (mkey, gkey, skey) = (
        keys::membership(&caller.user_id, group_id),
        keys::group_meta(group_id),
        sk::stat(group_id, stat_id),
    );
    let items = deps
        .store
        .batch_get(&[mkey.clone(), gkey.clone(), skey.clone()])
        .await?;
    let (Some(index), Some(meta)) = (find_item(&items, &mkey), find_item(&items, &gkey)) else {
        return Err(StatError::NotFound);
    };
    let access = Access {
        group: parse_meta(deps, group_id, meta)?,
        me: parse_membership(group_id, index)?,
    };
    let stat = find_item(&items, &skey)
        .map(|it| parse_stat(deps, group_id, it))
        .transpose()?;
    Ok((access, stat))
}

/// The stat, for anyone who may read it.
pub async fn get(
    deps: &Deps,
    caller: &Caller,
    group_id: &GroupId,
    stat_id: &StatId,
) -> Result<StatView, StatError> {
    let (access, stat) = read_any(deps, caller, group_id, stat_id).await?;
    let v = view(deps, group_id, stat.ok_or(StatError::NotFound)?).await?;
    Ok(hide_members(&access, vec![v]).remove(0))
}

/// What a follower sees of who changed a stat: never a member's name (followers see nothing of
/// the members); admins and members see display names.
pub const HIDDEN_AUTHOR: &str = "Group member";

pub(crate) fn hide_members(access: &Access, mut views: Vec<StatView>) -> Vec<StatView> {
    if access.me.role == crate::groups::Role::Follower {
        for v in &mut views {
            if v.last_updated_by.is_some() {
                v.last_updated_by = Some(HIDDEN_AUTHOR.to_string());
            }
        }
    }
    views
}

/// One page of the group's stats (in id order).
pub async fn list(
    deps: &Deps,
    caller: &Caller,
    group_id: &GroupId,
    limit: u32,
    cursor: Option<String>,
) -> Result<(Vec<StatView>, Option<String>), StatError> {
    let access = crate::groups::reader_access(deps, caller, group_id).await?;
    let (stats, next) = group_page(deps, group_id, sk::STAT_PREFIX, limit, cursor, |it| {
        parse_stat(deps, group_id, it)
    })
    .await?;
    let views = views(deps, group_id, stats).await?;
    Ok((hide_members(&access, views), next))
}

/// The caller's stats by exact group name and/or stat title, across the caller's own groups
/// only (names are sealed: memberships are listed, names opened and compared).
pub async fn find(
    deps: &Deps,
    caller: &Caller,
    group_name: Option<&str>,
    stat_title: Option<&str>,
) -> Result<Vec<(String, StatView)>, StatError> {
    let memberships: Vec<String> = crate::groups::memberships_of(deps, &caller.user_id)
        .await?
        .into_iter()
        .map(|m| m.group_id)
        .collect();
    let metas = batch_get_all(
        deps,
        memberships.iter().map(|g| keys::group_meta(g)).collect(),
    )
    .await?;
    let mut out = Vec::new();
    for gid in &memberships {
        let Some(meta) = metas.get(&keys::group_meta(gid)) else {
            continue;
        };
        let group = parse_meta(deps, gid, meta)?;
        if group_name.is_some_and(|n| n != group.name) {
            continue;
        }
        let gid = GroupId::issued(gid.to_string());
        let (stats, _) = list(deps, caller, &gid, MAX_STATS as u32, None).await?;
        for s in stats {
            if stat_title.is_none_or(|t| t == s.stat.content.title) {
                out.push((group.name.clone(), s));
            }
        }
    }
    Ok(out)
}
