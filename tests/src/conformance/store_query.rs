//! `ItemStore` conformance: queries by sort-key prefix and range, direction, pagination with
//! opaque cursors (every item exactly once), the GSI, and refused requests.

use std::sync::Arc;

use statx_core::ports::store::{item, ItemExt, GSI1PK, GSI1SK};
use statx_core::ports::{Cond, Item, ItemStore, Key, Query, StoreError, Value};

use super::uid;
use crate::harness::case;

/// Put items with these sort keys under a fresh partition; returns the partition key.
async fn seed(store: &Arc<dyn ItemStore>, sks: &[String]) -> String {
    let pk = format!("Q#{}", uid());
    for sk in sks {
        let key = Key::new(&pk, sk);
        let it = item(&key, [("copy", Value::S(sk.clone())), ("n", Value::N(1))]);
        store.put(it, Cond::None).await.unwrap();
    }
    pk
}

fn sks(prefix: &str, n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("{prefix}{i:02}")).collect()
}

fn sort_keys(items: &[Item]) -> Vec<String> {
    items
        .iter()
        .map(|i| i.s("sk").unwrap().to_string())
        .collect()
}

/// Run `q` to the end; asserts every page respects the limit and only the last may be empty.
pub async fn drain(store: &Arc<dyn ItemStore>, q: Query) -> Vec<Item> {
    let mut all = Vec::new();
    let mut cursor = q.cursor.clone();
    for _ in 0..1000 {
        let page = store.query(&q.clone().cursor(cursor)).await.unwrap();
        assert!(page.items.len() <= q.limit as usize, "page over the limit");
        if page.items.is_empty() {
            assert!(page.next.is_none(), "an empty page must be the last");
        }
        all.extend(page.items);
        match page.next {
            Some(next) => cursor = Some(next),
            None => return all,
        }
    }
    panic!("pagination does not end");
}

#[case]
pub async fn query_prefix(store: Arc<dyn ItemStore>) {
    let mut all = sks("A#", 10);
    all.extend(sks("B#", 5));
    all.push("C#1".into());
    let pk = seed(&store, &all).await;
    let other = seed(&store, &sks("A#", 3)).await;

    let page = store.query(&Query::new(&pk).prefix("A#")).await.unwrap();
    assert_eq!(sort_keys(&page.items), sks("A#", 10));
    assert_eq!(page.next, None);
    // Whole items come back.
    assert_eq!(page.items[0].s("copy"), Some("A#01"));
    assert_eq!(page.items[0].n("n"), Some(1));
    assert_eq!(page.items[0].s("pk"), Some(pk.as_str()));

    let page = store.query(&Query::new(&pk).prefix("B#0")).await.unwrap();
    assert_eq!(sort_keys(&page.items), sks("B#", 5));
    let page = store.query(&Query::new(&pk).prefix("Z")).await.unwrap();
    assert!(page.items.is_empty() && page.next.is_none());
    let page = store.query(&Query::new(&pk)).await.unwrap();
    assert_eq!(sort_keys(&page.items), all);
    let page = store.query(&Query::new(&other).prefix("A#")).await.unwrap();
    assert_eq!(sort_keys(&page.items), sks("A#", 3));
    let page = store
        .query(&Query::new(format!("Q#{}", uid())))
        .await
        .unwrap();
    assert!(page.items.is_empty() && page.next.is_none());
}

#[case]
pub async fn query_between(store: Arc<dyn ItemStore>) {
    let mut all = sks("A#", 10);
    all.extend(sks("B#", 5));
    let pk = seed(&store, &all).await;
    let page = store
        .query(&Query::new(&pk).between("A#03", "A#07"))
        .await
        .unwrap();
    assert_eq!(sort_keys(&page.items), sks("A#", 7)[2..].to_vec());
    let page = store
        .query(&Query::new(&pk).between("A#05", "A#05"))
        .await
        .unwrap();
    assert_eq!(sort_keys(&page.items), vec!["A#05".to_string()]);
    let page = store
        .query(&Query::new(&pk).between("A#99", "B#02"))
        .await
        .unwrap();
    assert_eq!(sort_keys(&page.items), sks("B#", 2));
    let page = store
        .query(&Query::new(&pk).between("A#05", "A#08").descending())
        .await
        .unwrap();
    assert_eq!(sort_keys(&page.items), vec!["A#08", "A#07", "A#06", "A#05"]);
    let page = store
        .query(&Query::new(&pk).between("X", "Y"))
        .await
        .unwrap();
    assert!(page.items.is_empty());
}

#[case]
pub async fn query_descending(store: Arc<dyn ItemStore>) {
    let mut all = sks("A#", 10);
    all.push("C#1".into());
    let pk = seed(&store, &all).await;
    let page = store
        .query(&Query::new(&pk).prefix("A#").descending())
        .await
        .unwrap();
    let mut want = sks("A#", 10);
    want.reverse();
    assert_eq!(sort_keys(&page.items), want);
    let page = store
        .query(&Query::new(&pk).descending().limit(2))
        .await
        .unwrap();
    assert_eq!(sort_keys(&page.items), vec!["C#1", "A#10"]);
    assert!(page.next.is_some());
}

#[case]
pub async fn query_pagination(store: Arc<dyn ItemStore>) {
    let mut all = sks("H#", 25);
    all.extend(sks("Z#", 3));
    let pk = seed(&store, &all).await;
    for limit in [1, 7, 25, 100] {
        let got = drain(&store, Query::new(&pk).prefix("H#").limit(limit)).await;
        assert_eq!(sort_keys(&got), sks("H#", 25), "limit {limit}");
    }
    let got = drain(&store, Query::new(&pk).between("H#05", "H#20").limit(4)).await;
    assert_eq!(sort_keys(&got), sks("H#", 20)[4..].to_vec());
    let first = store
        .query(&Query::new(&pk).prefix("H#").limit(10))
        .await
        .unwrap();
    assert_eq!(first.items.len(), 10);
    let cursor = first.next.expect("more items follow");
    // The cursor is URL-safe (it goes into `nextCursor`).
    assert!(cursor
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_.~".contains(&b)));
    // Items written after the first page still show up once, in order.
    store
        .put(item(&Key::new(&pk, "H#99"), []), Cond::None)
        .await
        .unwrap();
    let rest = drain(
        &store,
        Query::new(&pk).prefix("H#").limit(10).cursor(Some(cursor)),
    )
    .await;
    let mut want = sks("H#", 25)[10..].to_vec();
    want.push("H#99".into());
    assert_eq!(sort_keys(&rest), want);
}

#[case]
pub async fn query_pagination_descending(store: Arc<dyn ItemStore>) {
    let mut all = sks("H#", 23);
    all.extend(sks("A#", 2));
    let pk = seed(&store, &all).await;
    let mut want = sks("H#", 23);
    want.reverse();
    for limit in [1, 5, 23] {
        let got = drain(
            &store,
            Query::new(&pk).prefix("H#").descending().limit(limit),
        )
        .await;
        assert_eq!(sort_keys(&got), want, "limit {limit}");
    }
}

#[case]
pub async fn query_gsi(store: Arc<dyn ItemStore>) {
    let gpk = format!("G#{}", uid());
    let owner = format!("Q#{}", uid());
    // Items in the index partition, spread over table partitions, with a tie on gsi1sk.
    let entries = [
        ("P1", "m1", "2024-03"),
        ("P2", "m2", "2024-01"),
        ("P1", "m3", "2024-02"),
        ("P3", "m4", "2025-01"),
        ("P2", "m5", "2024-02"),
    ];
    for (p, sk, gsk) in entries {
        let key = Key::new(format!("{owner}{p}"), sk);
        let it = item(
            &key,
            [
                (GSI1PK, Value::S(gpk.clone())),
                (GSI1SK, Value::S(gsk.to_string())),
                ("extra", Value::Bool(true)),
            ],
        );
        store.put(it, Cond::None).await.unwrap();
    }
    // Not in this index partition / not in the index at all.
    let elsewhere = item(
        &Key::new(&owner, "x"),
        [
            (GSI1PK, Value::S(format!("G#{}", uid()))),
            (GSI1SK, Value::S("2024-01".into())),
        ],
    );
    store.put(elsewhere, Cond::None).await.unwrap();
    store
        .put(item(&Key::new(&owner, "y"), []), Cond::None)
        .await
        .unwrap();

    let gsi_sk = |items: &[Item]| -> Vec<String> {
        items
            .iter()
            .map(|i| i.s(GSI1SK).unwrap().to_string())
            .collect()
    };
    let page = store.query(&Query::new(&gpk).index("GSI1")).await.unwrap();
    assert_eq!(
        gsi_sk(&page.items),
        vec!["2024-01", "2024-02", "2024-02", "2024-03", "2025-01"]
    );
    // Whole items (ALL projection).
    assert!(page.items.iter().all(|i| i.bool("extra") == Some(true)));
    let mut tie: Vec<&str> = page.items[1..3]
        .iter()
        .map(|i| i.s("sk").unwrap())
        .collect();
    tie.sort();
    assert_eq!(tie, vec!["m3", "m5"]);

    let page = store
        .query(&Query::new(&gpk).index("GSI1").prefix("2024-0"))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 4);
    let page = store
        .query(
            &Query::new(&gpk)
                .index("GSI1")
                .between("2024-02", "2024-03")
                .descending(),
        )
        .await
        .unwrap();
    assert_eq!(gsi_sk(&page.items), vec!["2024-03", "2024-02", "2024-02"]);

    // Pagination over the index, ties included, returns each item exactly once.
    for desc in [false, true] {
        let mut q = Query::new(&gpk).index("GSI1").limit(2);
        if desc {
            q = q.descending();
        }
        let got = drain(&store, q).await;
        let mut keys: Vec<String> = got.iter().map(|i| i.s("sk").unwrap().to_string()).collect();
        assert_eq!(keys.len(), 5, "descending: {desc}");
        keys.sort();
        assert_eq!(keys, vec!["m1", "m2", "m3", "m4", "m5"]);
    }
}

#[case]
pub async fn query_bad_requests(store: Arc<dyn ItemStore>) {
    let pk = seed(&store, &sks("A#", 3)).await;
    let other = seed(&store, &sks("A#", 3)).await;
    let invalid = |r: Result<_, StoreError>| matches!(r, Err(StoreError::Invalid(_)));
    let q = Query::new(&pk);
    assert!(invalid(
        store
            .query(&q.clone().cursor(Some("garbage!".into())))
            .await
    ));
    assert!(invalid(
        store.query(&q.clone().cursor(Some("AAAA".into()))).await
    ));
    assert!(invalid(store.query(&q.clone().limit(0)).await));
    assert!(invalid(store.query(&q.clone().index("GSI9")).await));
    assert!(invalid(store.query(&q.clone().between("B", "A")).await));
    assert!(invalid(store.query(&Query::new("")).await));
    // A cursor belongs to its partition.
    let page = store.query(&q.clone().limit(1)).await.unwrap();
    let cursor = page.next.expect("more items follow");
    assert!(invalid(
        store
            .query(&Query::new(&other).cursor(Some(cursor.clone())))
            .await
    ));
    let page = store
        .query(&q.clone().limit(1).cursor(Some(cursor)))
        .await
        .unwrap();
    assert_eq!(sort_keys(&page.items), vec!["A#02"]);
}
