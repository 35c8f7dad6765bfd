//! The store adapter's own tests (the cross-adapter conformance suite lives in `tests/`).

use std::collections::BTreeSet;

use statx_core::ports::store::item;
use statx_core::ports::{
    Cond, CounterOutcome, Item, ItemExt, ItemStore, Key, Query, StoreError, Value, Write,
};

use crate::RedbStore;

pub(crate) fn open() -> (tempfile::TempDir, RedbStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = RedbStore::open(&dir.path().join("data/store.redb")).unwrap();
    (dir, store)
}

pub(crate) fn it(
    pk: &str,
    sk: &str,
    attrs: impl IntoIterator<Item = (&'static str, Value)>,
) -> Item {
    item(&Key::new(pk, sk), attrs)
}

pub(crate) fn s(v: &str) -> Value {
    Value::S(v.into())
}

pub(crate) fn sks(items: &[Item]) -> Vec<String> {
    items
        .iter()
        .map(|i| i.s("sk").unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn durable_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.redb");
    {
        let store = RedbStore::open(&path).unwrap();
        let a = it(
            "P",
            "A",
            [
                ("x", Value::B(vec![1, 2])),
                ("gsi1pk", s("G")),
                ("gsi1sk", s("1")),
            ],
        );
        store.put(a, Cond::None).await.unwrap();
        // Only one process (or handle) may hold the file.
        assert!(matches!(
            RedbStore::open(&path),
            Err(StoreError::Unavailable(_))
        ));
    }
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&path).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);
    let store = RedbStore::open(&path).unwrap();
    let got = store.get(&Key::new("P", "A")).await.unwrap().unwrap();
    assert_eq!(got.b("x"), Some(&[1u8, 2][..]));
    let page = store.query(&Query::new("G").index("GSI1")).await.unwrap();
    assert_eq!(page.items, vec![got]);
}

#[tokio::test]
async fn conditions_like_dynamodb() {
    let (_d, store) = open();
    let k = Key::new("P", "A");
    let v1 = it("P", "A", [("version", Value::N(1))]);
    store.put(v1.clone(), Cond::NotExists).await.unwrap();
    assert_eq!(
        store.put(v1.clone(), Cond::NotExists).await,
        Err(StoreError::ConditionFailed)
    );
    assert_eq!(
        store.put(it("P", "B", []), Cond::Exists).await,
        Err(StoreError::ConditionFailed)
    );
    assert_eq!(
        store.put(v1.clone(), Cond::VersionIs(2)).await,
        Err(StoreError::ConditionFailed)
    );
    store
        .put(it("P", "A", [("version", Value::N(2))]), Cond::VersionIs(1))
        .await
        .unwrap();
    assert_eq!(store.get(&k).await.unwrap().unwrap().version(), 2);

    // update: returns the new item, removes attributes, honours conditions.
    let set = Item::from([
        ("version".to_string(), Value::N(3)),
        ("n".to_string(), s("x")),
    ]);
    let after = store
        .update(&k, set, &[], Cond::VersionIs(2))
        .await
        .unwrap();
    assert_eq!(
        after,
        it("P", "A", [("version", Value::N(3)), ("n", s("x"))])
    );
    let after = store
        .update(&k, Item::new(), &["n".into()], Cond::Exists)
        .await
        .unwrap();
    assert_eq!(after, it("P", "A", [("version", Value::N(3))]));
    assert_eq!(
        store.update(&k, Item::new(), &[], Cond::NotExists).await,
        Err(StoreError::ConditionFailed)
    );
    // update creates when absent and allowed; not when the condition needs an item.
    let k2 = Key::new("P", "C");
    let set = Item::from([("a".to_string(), Value::Bool(true))]);
    assert_eq!(
        store.update(&k2, set.clone(), &[], Cond::Exists).await,
        Err(StoreError::ConditionFailed)
    );
    assert_eq!(store.get(&k2).await.unwrap(), None);
    assert_eq!(
        store
            .update(&k2, set.clone(), &[], Cond::NotExists)
            .await
            .unwrap(),
        it("P", "C", [("a", Value::Bool(true))])
    );
    // VersionIs on an item without a version never holds.
    assert_eq!(
        store
            .update(&k2, set.clone(), &[], Cond::VersionIs(0))
            .await,
        Err(StoreError::ConditionFailed)
    );
    // Key attributes cannot be updated.
    let bad = Item::from([("pk".to_string(), s("Q"))]);
    assert!(matches!(
        store.update(&k2, bad, &[], Cond::None).await,
        Err(StoreError::Invalid(_))
    ));

    // delete: conditional; a missing item is fine without a condition.
    assert_eq!(
        store.delete(&k, Cond::VersionIs(9)).await,
        Err(StoreError::ConditionFailed)
    );
    store.delete(&k, Cond::VersionIs(3)).await.unwrap();
    assert_eq!(store.get(&k).await.unwrap(), None);
    store.delete(&k, Cond::None).await.unwrap();
    assert_eq!(
        store.delete(&k, Cond::Exists).await,
        Err(StoreError::ConditionFailed)
    );
}

#[tokio::test]
async fn validation_and_size() {
    let (_d, store) = open();
    let mut no_sk = Item::new();
    no_sk.insert("pk".into(), s("P"));
    assert!(matches!(
        store.put(no_sk, Cond::None).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store.get(&Key::new("P\0", "x")).await,
        Err(StoreError::Invalid(_))
    ));
    let big = it("P", "A", [("b", Value::B(vec![0; 400 * 1024]))]);
    assert_eq!(store.put(big, Cond::None).await, Err(StoreError::TooLarge));
    store
        .put(
            it("P", "A", [("b", Value::B(vec![0; 300 * 1024]))]),
            Cond::None,
        )
        .await
        .unwrap();
    let more = Item::from([("c".to_string(), Value::B(vec![0; 200 * 1024]))]);
    assert_eq!(
        store
            .update(&Key::new("P", "A"), more, &[], Cond::None)
            .await,
        Err(StoreError::TooLarge)
    );
    let keys: Vec<Key> = (0..101).map(|i| Key::new("P", format!("{i}"))).collect();
    assert!(matches!(
        store.batch_get(&keys).await,
        Err(StoreError::Invalid(_))
    ));
    let dup = [Key::new("P", "A"), Key::new("P", "A")];
    assert!(matches!(
        store.batch_get(&dup).await,
        Err(StoreError::Invalid(_))
    ));
    let got = store
        .batch_get(&[Key::new("P", "A"), Key::new("P", "Z")])
        .await
        .unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(store.batch_get(&[]).await.unwrap(), vec![]);
}

#[tokio::test]
async fn transactions_are_all_or_nothing() {
    let (_d, store) = open();
    store
        .put(it("G", "META", [("version", Value::N(1))]), Cond::None)
        .await
        .unwrap();
    let writes = vec![
        Write::Put {
            item: it("U", "G1", []),
            cond: Cond::NotExists,
        },
        Write::Check {
            key: Key::new("G", "META"),
            cond: Cond::VersionIs(7),
        },
        Write::Update {
            key: Key::new("G", "META"),
            set: Item::new(),
            remove: vec![],
            cond: Cond::None,
        },
    ];
    // Two writes on one key.
    assert!(matches!(
        store.transact(writes.clone()).await,
        Err(StoreError::Invalid(_))
    ));
    let writes = vec![
        Write::Put {
            item: it("U", "G1", []),
            cond: Cond::NotExists,
        },
        Write::Check {
            key: Key::new("G", "META"),
            cond: Cond::VersionIs(7),
        },
        Write::Delete {
            key: Key::new("X", "Y"),
            cond: Cond::Exists,
        },
    ];
    assert_eq!(
        store.transact(writes).await,
        Err(StoreError::TransactionCanceled { failed: vec![1, 2] })
    );
    assert_eq!(store.get(&Key::new("U", "G1")).await.unwrap(), None);

    let mut feed = store.subscribe();
    let writes = vec![
        Write::Put {
            item: it("U", "G1", [("role", s("admin"))]),
            cond: Cond::NotExists,
        },
        Write::Update {
            key: Key::new("G", "META"),
            set: Item::from([("version".to_string(), Value::N(2))]),
            remove: vec![],
            cond: Cond::VersionIs(1),
        },
        Write::Check {
            key: Key::new("G", "META"),
            cond: Cond::Exists,
        },
    ];
    assert!(matches!(
        store.transact(writes.clone()).await,
        Err(StoreError::Invalid(_))
    ));
    store.transact(writes[..2].to_vec()).await.unwrap();
    assert_eq!(
        store
            .get(&Key::new("G", "META"))
            .await
            .unwrap()
            .unwrap()
            .version(),
        2
    );
    assert!(store.get(&Key::new("U", "G1")).await.unwrap().is_some());
    let c1 = feed.recv().await.unwrap();
    let c2 = feed.recv().await.unwrap();
    assert_eq!((c1.key.pk.as_str(), c1.old.is_none()), ("U", true));
    assert_eq!(c2.old.unwrap().version(), 1);

    let many: Vec<Write> = (0..101)
        .map(|i| Write::Put {
            item: it("M", &format!("{i:03}"), []),
            cond: Cond::None,
        })
        .collect();
    assert!(matches!(
        store.transact(many.clone()).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store.transact(vec![]).await,
        Err(StoreError::Invalid(_))
    ));
    store.transact(many[..100].to_vec()).await.unwrap();
    assert_eq!(
        store
            .query(&Query::new("M").limit(1000))
            .await
            .unwrap()
            .items
            .len(),
        100
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn counter_cap_holds_under_concurrency() {
    let (_d, store) = open();
    let key = Key::new("RATE#x", "RATE");
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let (store, key) = (store.clone(), key.clone());
            tokio::spawn(async move { store.add_counter(&key, "n", 1, 10, 1_900_000_000).await })
        })
        .collect();
    let mut counted = BTreeSet::new();
    let mut capped = 0;
    for t in tasks {
        match t.await.unwrap().unwrap() {
            CounterOutcome::Counted(v) => assert!(counted.insert(v)),
            CounterOutcome::CapReached => capped += 1,
        }
    }
    assert_eq!(counted, (1..=10).collect());
    assert_eq!(capped, 40);
    let item = store.get(&key).await.unwrap().unwrap();
    assert_eq!(
        (item.n("n"), item.n("ttl")),
        (Some(10), Some(1_900_000_000))
    );
    // A delta that would pass the cap writes nothing.
    assert_eq!(
        store.add_counter(&key, "n", 5, 12, 1).await.unwrap(),
        CounterOutcome::CapReached
    );
    assert_eq!(
        store.get(&key).await.unwrap().unwrap().n("ttl"),
        Some(1_900_000_000)
    );
    assert!(matches!(
        store.add_counter(&key, "pk", 1, 9, 1).await,
        Err(StoreError::Invalid(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn optimistic_updates_lose_nothing() {
    let (_d, store) = open();
    let key = Key::new("G", "STAT");
    store
        .put(item(&key, [("version", Value::N(0))]), Cond::NotExists)
        .await
        .unwrap();
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (store, key) = (store.clone(), key.clone());
            tokio::spawn(async move {
                loop {
                    let v = store.get(&key).await.unwrap().unwrap().version();
                    let set = Item::from([("version".to_string(), Value::N(v + 1))]);
                    match store.update(&key, set, &[], Cond::VersionIs(v)).await {
                        Ok(_) => break,
                        Err(StoreError::ConditionFailed) => continue,
                        Err(e) => panic!("{e}"),
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(store.get(&key).await.unwrap().unwrap().version(), 20);
}
