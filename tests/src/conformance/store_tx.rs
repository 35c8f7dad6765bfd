//! `ItemStore` conformance: all-or-nothing transactions and their failure reports.

use std::sync::Arc;

use statx_core::ports::store::{item, ItemExt, MAX_ITEM_BYTES, VERSION};
use statx_core::ports::{Cond, Item, ItemStore, Key, StoreError, Value, Write};

use super::uid;
use crate::harness::case;

struct Fixture {
    existing: Key,
    doomed: Key,
    checked: Key,
    new: Key,
    absent: Key,
}

/// `existing` (version 1, attrs a, b), `doomed` and `checked` exist; `new`, `absent` do not.
async fn fixture(store: &Arc<dyn ItemStore>) -> Fixture {
    let pk = format!("X#{}", uid());
    let f = Fixture {
        existing: Key::new(&pk, "existing"),
        doomed: Key::new(&pk, "doomed"),
        checked: Key::new(&pk, "checked"),
        new: Key::new(&pk, "new"),
        absent: Key::new(&pk, "absent"),
    };
    let v1 = [
        (VERSION, Value::N(1)),
        ("a", Value::S("1".into())),
        ("b", Value::S("b".into())),
    ];
    store.put(item(&f.existing, v1), Cond::None).await.unwrap();
    store.put(item(&f.doomed, []), Cond::None).await.unwrap();
    store.put(item(&f.checked, []), Cond::None).await.unwrap();
    f
}

fn attrs(pairs: &[(&str, Value)]) -> Item {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

/// Put `new`, update `existing` (v1 -> v2, drop `b`), delete `doomed`, check `checked`, and
/// at index 4 the given extra write.
fn writes(f: &Fixture, extra: Write) -> Vec<Write> {
    vec![
        Write::Put {
            item: item(&f.new, [("fresh", Value::Bool(true))]),
            cond: Cond::NotExists,
        },
        Write::Update {
            key: f.existing.clone(),
            set: attrs(&[(VERSION, Value::N(2)), ("a", Value::S("2".into()))]),
            remove: vec!["b".into()],
            cond: Cond::VersionIs(1),
        },
        Write::Delete {
            key: f.doomed.clone(),
            cond: Cond::Exists,
        },
        Write::Check {
            key: f.checked.clone(),
            cond: Cond::Exists,
        },
        extra,
    ]
}

/// Nothing of `writes(f, _)` was applied.
async fn untouched(store: &Arc<dyn ItemStore>, f: &Fixture) {
    assert_eq!(store.get(&f.new).await.unwrap(), None);
    let existing = store.get(&f.existing).await.unwrap().unwrap();
    assert_eq!(existing.version(), 1);
    assert_eq!(existing.s("b"), Some("b"));
    assert!(store.get(&f.doomed).await.unwrap().is_some());
    assert_eq!(store.get(&f.absent).await.unwrap(), None);
}

#[case]
pub async fn transaction_commits(store: Arc<dyn ItemStore>) {
    let f = fixture(&store).await;
    // The extra write creates an item by update.
    let extra = Write::Update {
        key: f.absent.clone(),
        set: attrs(&[("made", Value::N(1))]),
        remove: vec![],
        cond: Cond::NotExists,
    };
    store.transact(writes(&f, extra)).await.unwrap();
    assert_eq!(
        store.get(&f.new).await.unwrap().unwrap().bool("fresh"),
        Some(true)
    );
    let existing = store.get(&f.existing).await.unwrap().unwrap();
    assert_eq!(
        existing,
        item(
            &f.existing,
            [(VERSION, Value::N(2)), ("a", Value::S("2".into()))]
        )
    );
    assert_eq!(store.get(&f.doomed).await.unwrap(), None);
    assert_eq!(
        store.get(&f.checked).await.unwrap(),
        Some(item(&f.checked, []))
    );
    assert_eq!(
        store.get(&f.absent).await.unwrap(),
        Some(item(&f.absent, [("made", Value::N(1))]))
    );

    // 100 writes in one transaction (DynamoDB's maximum); an update without changes creates
    // a key-only item.
    let pk = format!("X#{}", uid());
    let mut many: Vec<Write> = (0..99)
        .map(|i| Write::Put {
            item: item(&Key::new(&pk, format!("{i:03}")), [("i", Value::N(i))]),
            cond: Cond::NotExists,
        })
        .collect();
    let bare = Key::new(&pk, "bare");
    many.push(Write::Update {
        key: bare.clone(),
        set: Item::new(),
        remove: vec![],
        cond: Cond::None,
    });
    store.transact(many).await.unwrap();
    assert_eq!(store.get(&bare).await.unwrap(), Some(item(&bare, [])));
    let last = store.get(&Key::new(&pk, "098")).await.unwrap().unwrap();
    assert_eq!(last.n("i"), Some(98));
}

#[case]
pub async fn transaction_all_or_nothing(store: Arc<dyn ItemStore>) {
    let f = fixture(&store).await;
    // The last write's condition fails: nothing at all is written.
    let extra = Write::Check {
        key: f.absent.clone(),
        cond: Cond::Exists,
    };
    assert_eq!(
        store.transact(writes(&f, extra)).await,
        Err(StoreError::TransactionCanceled { failed: vec![4] })
    );
    untouched(&store, &f).await;
    // Same with a failing update that would have created an item.
    let extra = Write::Update {
        key: f.absent.clone(),
        set: attrs(&[("made", Value::N(1))]),
        remove: vec![],
        cond: Cond::VersionIs(3),
    };
    assert_eq!(
        store.transact(writes(&f, extra)).await,
        Err(StoreError::TransactionCanceled { failed: vec![4] })
    );
    untouched(&store, &f).await;
}

#[case]
pub async fn transaction_failed_indexes(store: Arc<dyn ItemStore>) {
    let f = fixture(&store).await;
    let ws = vec![
        // 0: fails (exists).
        Write::Put {
            item: item(&f.existing, []),
            cond: Cond::NotExists,
        },
        // 1: holds.
        Write::Check {
            key: f.checked.clone(),
            cond: Cond::Exists,
        },
        // 2: fails (wrong version).
        Write::Delete {
            key: f.doomed.clone(),
            cond: Cond::VersionIs(7),
        },
        // 3: holds.
        Write::Put {
            item: item(&f.new, []),
            cond: Cond::NotExists,
        },
        // 4: fails (absent).
        Write::Update {
            key: f.absent.clone(),
            set: attrs(&[("x", Value::N(1))]),
            remove: vec![],
            cond: Cond::Exists,
        },
    ];
    assert_eq!(
        store.transact(ws).await,
        Err(StoreError::TransactionCanceled {
            failed: vec![0, 2, 4]
        })
    );
    untouched(&store, &f).await;
}

#[case]
pub async fn transaction_bad_requests(store: Arc<dyn ItemStore>) {
    let f = fixture(&store).await;
    let invalid = |r: Result<(), StoreError>| matches!(r, Err(StoreError::Invalid(_)));
    assert!(invalid(store.transact(vec![]).await));
    let pk = format!("X#{}", uid());
    let too_many: Vec<Write> = (0..101)
        .map(|i| Write::Put {
            item: item(&Key::new(&pk, format!("{i:03}")), []),
            cond: Cond::None,
        })
        .collect();
    assert!(invalid(store.transact(too_many).await));
    // Two writes on one key.
    let same_key = vec![
        Write::Put {
            item: item(&f.new, []),
            cond: Cond::None,
        },
        Write::Delete {
            key: f.new.clone(),
            cond: Cond::None,
        },
    ];
    assert!(invalid(store.transact(same_key).await));
    // A check needs a condition.
    let unconditional = Write::Check {
        key: f.checked.clone(),
        cond: Cond::None,
    };
    let extra = Write::Put {
        item: item(&f.absent, []),
        cond: Cond::None,
    };
    assert!(invalid(
        store.transact(vec![extra.clone(), unconditional]).await
    ));
    // An item over the size limit.
    let big = Write::Put {
        item: item(&f.absent, [("blob", Value::B(vec![1; MAX_ITEM_BYTES + 1]))]),
        cond: Cond::None,
    };
    assert_eq!(
        store.transact(writes(&f, big)).await,
        Err(StoreError::TooLarge)
    );
    untouched(&store, &f).await;
    // An update growing an item past the limit.
    let half = || Value::B(vec![2; MAX_ITEM_BYTES / 2 + 1024]);
    store
        .update(&f.checked, attrs(&[("one", half())]), &[], Cond::None)
        .await
        .unwrap();
    let grow = Write::Update {
        key: f.checked.clone(),
        set: attrs(&[("two", half())]),
        remove: vec![],
        cond: Cond::Exists,
    };
    assert_eq!(
        store
            .transact(vec![grow, writes(&f, extra).remove(0)])
            .await,
        Err(StoreError::TooLarge)
    );
    assert_eq!(store.get(&f.new).await.unwrap(), None);
    assert!(store
        .get(&f.checked)
        .await
        .unwrap()
        .unwrap()
        .b("two")
        .is_none());
    assert_eq!(store.get(&Key::new(&pk, "000")).await.unwrap(), None);
}
