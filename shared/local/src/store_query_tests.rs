//! Query, GSI and change-feed tests of the store adapter.

use statx_core::ports::store::key_of;
use statx_core::ports::{Cond, Item, ItemExt, ItemStore, Key, Query, StoreError, Value};

use crate::store_tests::{it, open, s, sks};
use crate::{Change, RedbStore};

/// Page through `q` collecting sort keys, checking page sizes.
async fn all_pages(store: &RedbStore, q: Query) -> Vec<String> {
    let mut out = Vec::new();
    let mut q = q;
    loop {
        let page = store.query(&q).await.unwrap();
        assert!(page.items.len() <= q.limit as usize);
        out.extend(sks(&page.items));
        match page.next {
            Some(c) => q = q.cursor(Some(c)),
            None => return out,
        }
    }
}

#[tokio::test]
async fn pagination_returns_each_item_once_both_ways() {
    let (_d, store) = open();
    let all: Vec<String> = (0..25).map(|i| format!("HIST#{i:02}")).collect();
    for sk in &all {
        store.put(it("G", sk, []), Cond::None).await.unwrap();
    }
    // Neighbours in other partitions and with other prefixes must not leak in.
    for (pk, sk) in [
        ("F", "HIST#00"),
        ("G!", "HIST#00"),
        ("G", "HIS"),
        ("G", "STAT#1"),
    ] {
        store.put(it(pk, sk, []), Cond::None).await.unwrap();
    }
    let q = Query::new("G").prefix("HIST#").limit(7);
    assert_eq!(all_pages(&store, q.clone()).await, all);
    let mut rev = all.clone();
    rev.reverse();
    assert_eq!(all_pages(&store, q.clone().descending()).await, rev);
    // Exactly one page: no cursor.
    let page = store
        .query(&Query::new("G").prefix("HIST#").limit(25))
        .await
        .unwrap();
    assert_eq!((page.items.len(), page.next), (25, None));

    let between = Query::new("G").between("HIST#05", "HIST#12").limit(3);
    assert_eq!(
        all_pages(&store, between.clone()).await,
        all[5..=12].to_vec()
    );
    let mut rev = all[5..=12].to_vec();
    rev.reverse();
    assert_eq!(all_pages(&store, between.descending()).await, rev);
    // Between is inclusive even when `hi` is a prefix of longer keys.
    let sub = store
        .query(&Query::new("G").between("HIS", "HIST#"))
        .await
        .unwrap();
    assert_eq!(sks(&sub.items), vec!["HIS"]);
    let any = all_pages(&store, Query::new("G").limit(4)).await;
    assert_eq!(any.len(), 27);

    // Items written behind the cursor are not returned twice; ones ahead are seen.
    let first = store
        .query(&Query::new("G").prefix("HIST#").limit(10))
        .await
        .unwrap();
    store
        .put(it("G", "HIST#00a", []), Cond::None)
        .await
        .unwrap();
    store.put(it("G", "HIST#99", []), Cond::None).await.unwrap();
    let rest = all_pages(
        &store,
        Query::new("G").prefix("HIST#").limit(10).cursor(first.next),
    )
    .await;
    assert_eq!(rest.first().map(String::as_str), Some("HIST#10"));
    assert_eq!(rest.last().map(String::as_str), Some("HIST#99"));
    assert_eq!(rest.len(), 16);
}

#[tokio::test]
async fn gsi_query_follows_writes() {
    let (_d, store) = open();
    for (pk, gsk) in [("A", "t2"), ("B", "t1"), ("C", "t2"), ("D", "t3")] {
        let item = it(pk, "PROFILE", [("gsi1pk", s("IDX")), ("gsi1sk", s(gsk))]);
        store.put(item, Cond::None).await.unwrap();
    }
    // Not in the index: no gsi1sk.
    store
        .put(it("E", "PROFILE", [("gsi1pk", s("IDX"))]), Cond::None)
        .await
        .unwrap();
    let pks = |items: &[Item]| {
        items
            .iter()
            .map(|i| key_of(i).unwrap().pk)
            .collect::<Vec<_>>()
    };
    let q = Query::new("IDX").index("GSI1").limit(1);
    let mut seen = Vec::new();
    let mut q2 = q.clone();
    loop {
        let page = store.query(&q2).await.unwrap();
        seen.extend(pks(&page.items));
        match page.next {
            Some(c) => q2 = q2.cursor(Some(c)),
            None => break,
        }
    }
    assert_eq!(seen, vec!["B", "A", "C", "D"]);
    let page = store
        .query(&q.clone().prefix("t2").limit(10).descending())
        .await
        .unwrap();
    assert_eq!(pks(&page.items), vec!["C", "A"]);
    let page = store
        .query(&q.clone().between("t1", "t2").limit(10))
        .await
        .unwrap();
    assert_eq!(pks(&page.items), vec!["B", "A", "C"]);

    // Moving, removing and deleting keep the index in step.
    let set = Item::from([("gsi1sk".to_string(), s("t0"))]);
    store
        .update(&Key::new("D", "PROFILE"), set, &[], Cond::Exists)
        .await
        .unwrap();
    store
        .update(
            &Key::new("A", "PROFILE"),
            Item::new(),
            &["gsi1pk".into()],
            Cond::Exists,
        )
        .await
        .unwrap();
    store
        .delete(&Key::new("B", "PROFILE"), Cond::None)
        .await
        .unwrap();
    let page = store.query(&Query::new("IDX").index("GSI1")).await.unwrap();
    assert_eq!(pks(&page.items), vec!["D", "C"]);
    assert_eq!(page.items[0].s("gsi1sk"), Some("t0"));
    // The table query of a GSI partition key finds nothing.
    assert!(store
        .query(&Query::new("IDX"))
        .await
        .unwrap()
        .items
        .is_empty());
    let bad = it("F", "X", [("gsi1pk", Value::N(1)), ("gsi1sk", s("a"))]);
    assert!(matches!(
        store.put(bad, Cond::None).await,
        Err(StoreError::Invalid(_))
    ));
}

#[tokio::test]
async fn change_feed_reports_committed_writes_only() {
    let (_d, store) = open();
    let mut feed = store.subscribe();
    let k = Key::new("P", "A");
    store
        .put(it("P", "A", [("v", Value::N(1))]), Cond::None)
        .await
        .unwrap();
    let _ = store.put(it("P", "A", []), Cond::NotExists).await;
    // Writing what is already there is not a change.
    store
        .put(it("P", "A", [("v", Value::N(1))]), Cond::Exists)
        .await
        .unwrap();
    store
        .update(
            &k,
            Item::from([("v".to_string(), Value::N(2))]),
            &[],
            Cond::None,
        )
        .await
        .unwrap();
    store
        .add_counter(&Key::new("R", "R"), "n", 1, 5, 9)
        .await
        .unwrap();
    store
        .delete(&Key::new("P", "missing"), Cond::None)
        .await
        .unwrap();
    store.delete(&k, Cond::None).await.unwrap();
    let mut got: Vec<Change> = Vec::new();
    while let Ok(c) = feed.try_recv() {
        got.push(c);
    }
    let shape: Vec<_> = got
        .iter()
        .map(|c| {
            (
                c.key.pk.as_str(),
                c.old.as_ref().and_then(|i| i.n("v")),
                c.new.as_ref().map(|i| i.n("v")),
            )
        })
        .collect();
    assert_eq!(
        shape,
        vec![
            ("P", None, Some(Some(1))),
            ("P", Some(1), Some(Some(2))),
            ("R", None, Some(None)),
            ("P", Some(2), None),
        ]
    );
}
