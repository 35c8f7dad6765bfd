//! `ItemStore` conformance: single-item reads and writes, conditions, update semantics,
//! counters, batch get and the size limit.

use std::collections::BTreeSet;
use std::sync::Arc;

use statx_core::ports::store::{item, ItemExt, MAX_ITEM_BYTES, TTL, VERSION};
use statx_core::ports::{Cond, CounterOutcome, Item, ItemStore, Key, StoreError, Value};

use super::{uid, Harness};
use crate::harness::case;

/// A key under a partition unique to this call.
pub(crate) fn fresh_key(sk: &str) -> Key {
    Key::new(format!("T#{}", uid()), sk)
}

fn s(v: &str) -> Value {
    Value::S(v.to_string())
}

fn expiry() -> i64 {
    chrono::Utc::now().timestamp() + 3600
}

#[case]
pub async fn get_put_delete(store: Arc<dyn ItemStore>) {
    let key = fresh_key("A");
    let sibling = Key::new(key.pk.clone(), "B");
    assert_eq!(store.get(&key).await.unwrap(), None);
    let first = item(&key, [("name", s("x")), (VERSION, Value::N(1))]);
    store.put(first.clone(), Cond::None).await.unwrap();
    store
        .put(item(&sibling, [("name", s("y"))]), Cond::None)
        .await
        .unwrap();
    assert_eq!(store.get(&key).await.unwrap(), Some(first));
    // A put replaces the whole item.
    let second = item(&key, [("other", Value::N(2))]);
    store.put(second.clone(), Cond::None).await.unwrap();
    assert_eq!(store.get(&key).await.unwrap(), Some(second));
    store.delete(&key, Cond::None).await.unwrap();
    assert_eq!(store.get(&key).await.unwrap(), None);
    // Deleting a missing item is fine; the sibling is untouched.
    store.delete(&key, Cond::None).await.unwrap();
    assert_eq!(
        store.get(&sibling).await.unwrap().unwrap().s("name"),
        Some("y")
    );
    // A put needs a string key.
    let mut keyless = Item::new();
    keyless.insert("pk".into(), s("only-pk"));
    assert!(matches!(
        store.put(keyless, Cond::None).await,
        Err(StoreError::Invalid(_))
    ));
}

#[case]
pub async fn value_types(store: Arc<dyn ItemStore>) {
    let key = fresh_key("V");
    let bytes: Vec<u8> = (0..=255).collect();
    let it = item(
        &key,
        [
            ("text", s("héllo ✓ \"quoted\" #:")),
            ("empty", s("")),
            ("zero", Value::N(0)),
            ("neg", Value::N(-17)),
            ("max", Value::N(i64::MAX)),
            ("min", Value::N(i64::MIN)),
            ("bytes", Value::B(bytes)),
            ("yes", Value::Bool(true)),
            ("no", Value::Bool(false)),
            // Reserved words in DynamoDB's expression language work as attribute names.
            ("status", s("ok")),
            (TTL, Value::N(1)),
        ],
    );
    store.put(it.clone(), Cond::None).await.unwrap();
    assert_eq!(store.get(&key).await.unwrap(), Some(it.clone()));
    let mut set = Item::new();
    set.insert("data".into(), s("x"));
    set.insert("count".into(), Value::N(i64::MIN));
    let updated = store.update(&key, set, &[], Cond::None).await.unwrap();
    assert_eq!(updated.n("count"), Some(i64::MIN));
    assert_eq!(updated.s("data"), Some("x"));
    assert_eq!(updated.b("bytes"), it.b("bytes"));
}

#[case]
pub async fn conditions(store: Arc<dyn ItemStore>) {
    let key = fresh_key("C");
    let v1 = item(&key, [(VERSION, Value::N(1)), ("a", s("1"))]);
    store.put(v1.clone(), Cond::NotExists).await.unwrap();
    let other = item(&key, [(VERSION, Value::N(9)), ("a", s("other"))]);
    assert_eq!(
        store.put(other.clone(), Cond::NotExists).await,
        Err(StoreError::ConditionFailed)
    );
    assert_eq!(store.get(&key).await.unwrap(), Some(v1.clone()));

    // Exists.
    let missing = fresh_key("C");
    assert_eq!(
        store.put(item(&missing, []), Cond::Exists).await,
        Err(StoreError::ConditionFailed)
    );
    assert_eq!(store.get(&missing).await.unwrap(), None);
    let v1b = item(&key, [(VERSION, Value::N(1)), ("a", s("1b"))]);
    store.put(v1b.clone(), Cond::Exists).await.unwrap();

    // VersionIs: only the current version wins.
    let v2 = item(&key, [(VERSION, Value::N(2)), ("a", s("2"))]);
    assert_eq!(
        store.put(v2.clone(), Cond::VersionIs(2)).await,
        Err(StoreError::ConditionFailed)
    );
    assert_eq!(store.get(&key).await.unwrap(), Some(v1b));
    store.put(v2.clone(), Cond::VersionIs(1)).await.unwrap();
    assert_eq!(store.get(&key).await.unwrap(), Some(v2.clone()));
    assert_eq!(
        store.put(item(&missing, []), Cond::VersionIs(0)).await,
        Err(StoreError::ConditionFailed)
    );
    // An item without a version attribute matches no version.
    let unversioned = fresh_key("C");
    store.put(item(&unversioned, []), Cond::None).await.unwrap();
    assert_eq!(
        store.put(item(&unversioned, []), Cond::VersionIs(0)).await,
        Err(StoreError::ConditionFailed)
    );

    // Conditional deletes.
    assert_eq!(
        store.delete(&key, Cond::NotExists).await,
        Err(StoreError::ConditionFailed)
    );
    assert_eq!(
        store.delete(&key, Cond::VersionIs(1)).await,
        Err(StoreError::ConditionFailed)
    );
    assert_eq!(store.get(&key).await.unwrap(), Some(v2));
    store.delete(&key, Cond::VersionIs(2)).await.unwrap();
    assert_eq!(store.get(&key).await.unwrap(), None);
    assert_eq!(
        store.delete(&key, Cond::Exists).await,
        Err(StoreError::ConditionFailed)
    );
    store.delete(&key, Cond::NotExists).await.unwrap();
}

fn attrs(pairs: &[(&str, Value)]) -> Item {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

#[case]
pub async fn update_semantics(store: Arc<dyn ItemStore>) {
    // Creates when absent (no condition), returning the whole new item.
    let key = fresh_key("U");
    let created = store
        .update(
            &key,
            attrs(&[("a", s("1")), (VERSION, Value::N(1))]),
            &[],
            Cond::None,
        )
        .await
        .unwrap();
    assert_eq!(created, item(&key, [("a", s("1")), (VERSION, Value::N(1))]));

    // Set and remove keep the other attributes.
    store
        .update(
            &key,
            attrs(&[("b", s("2")), ("c", s("3"))]),
            &[],
            Cond::Exists,
        )
        .await
        .unwrap();
    let after = store
        .update(
            &key,
            attrs(&[("a", s("1b")), (VERSION, Value::N(2))]),
            &["c".to_string(), "never-there".to_string()],
            Cond::VersionIs(1),
        )
        .await
        .unwrap();
    let expected = item(
        &key,
        [("a", s("1b")), ("b", s("2")), (VERSION, Value::N(2))],
    );
    assert_eq!(after, expected);
    assert_eq!(store.get(&key).await.unwrap(), Some(expected.clone()));

    // A failed condition writes nothing.
    assert_eq!(
        store
            .update(&key, attrs(&[("a", s("lost"))]), &[], Cond::VersionIs(1))
            .await,
        Err(StoreError::ConditionFailed)
    );
    assert_eq!(
        store
            .update(&key, attrs(&[("a", s("lost"))]), &[], Cond::NotExists)
            .await,
        Err(StoreError::ConditionFailed)
    );
    assert_eq!(store.get(&key).await.unwrap(), Some(expected));

    // Exists / VersionIs never create.
    let missing = fresh_key("U");
    for cond in [Cond::Exists, Cond::VersionIs(0)] {
        assert_eq!(
            store
                .update(&missing, attrs(&[("a", s("x"))]), &[], cond)
                .await,
            Err(StoreError::ConditionFailed)
        );
    }
    assert_eq!(store.get(&missing).await.unwrap(), None);
    // NotExists creates.
    store
        .update(&missing, attrs(&[("a", s("x"))]), &[], Cond::NotExists)
        .await
        .unwrap();
    // An update without changes creates a key-only item.
    let bare = fresh_key("U");
    let got = store
        .update(&bare, Item::new(), &[], Cond::None)
        .await
        .unwrap();
    assert_eq!(got, item(&bare, []));
    assert_eq!(store.get(&bare).await.unwrap(), Some(item(&bare, [])));

    // Key attributes cannot be updated; an attribute cannot be both set and removed.
    for (set, remove) in [
        (attrs(&[("pk", s("other"))]), vec![]),
        (attrs(&[("sk", s(&key.sk))]), vec![]),
        (Item::new(), vec!["sk".to_string()]),
        (attrs(&[("a", s("x"))]), vec!["a".to_string()]),
    ] {
        assert!(
            matches!(
                store.update(&key, set, &remove, Cond::None).await,
                Err(StoreError::Invalid(_))
            ),
            "invalid update accepted"
        );
    }
}

#[case]
pub async fn counters(store: Arc<dyn ItemStore>) {
    let key = fresh_key("RATE");
    let exp = expiry();
    for want in 1..=3 {
        assert_eq!(
            store.add_counter(&key, "n", 1, 3, exp).await.unwrap(),
            CounterOutcome::Counted(want)
        );
    }
    assert_eq!(
        store.add_counter(&key, "n", 1, 3, exp + 5).await.unwrap(),
        CounterOutcome::CapReached
    );
    let it = store.get(&key).await.unwrap().unwrap();
    assert_eq!(it.n("n"), Some(3));
    assert_eq!(it.n(TTL), Some(exp), "a refused increment writes nothing");

    // Larger deltas: stop exactly at the cap; another attribute counts on its own.
    assert_eq!(
        store.add_counter(&key, "m", 2, 3, exp + 10).await.unwrap(),
        CounterOutcome::Counted(2)
    );
    assert_eq!(
        store.add_counter(&key, "m", 2, 3, exp + 10).await.unwrap(),
        CounterOutcome::CapReached
    );
    assert_eq!(
        store.add_counter(&key, "m", 1, 3, exp + 20).await.unwrap(),
        CounterOutcome::Counted(3)
    );
    let it = store.get(&key).await.unwrap().unwrap();
    assert_eq!(
        (it.n("n"), it.n("m"), it.n(TTL)),
        (Some(3), Some(3), Some(exp + 20))
    );

    // A first delta over the cap writes nothing.
    let fresh = fresh_key("RATE");
    assert_eq!(
        store.add_counter(&fresh, "n", 5, 4, exp).await.unwrap(),
        CounterOutcome::CapReached
    );
    assert_eq!(store.get(&fresh).await.unwrap(), None);

    // Counting on an existing item keeps its other attributes.
    let existing = fresh_key("RATE");
    store
        .put(item(&existing, [("keep", s("me"))]), Cond::None)
        .await
        .unwrap();
    assert_eq!(
        store.add_counter(&existing, "n", 1, 10, exp).await.unwrap(),
        CounterOutcome::Counted(1)
    );
    assert_eq!(
        store.get(&existing).await.unwrap().unwrap().s("keep"),
        Some("me")
    );
    for attr in ["pk", "sk", TTL] {
        assert!(matches!(
            store.add_counter(&existing, attr, 1, 10, exp).await,
            Err(StoreError::Invalid(_))
        ));
    }
}

#[case]
pub async fn counters_concurrent(h: &dyn Harness) {
    let store = h.racing_store();
    let key = fresh_key("RATE");
    let exp = expiry();
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (store, key) = (store.clone(), key.clone());
            tokio::spawn(async move { store.add_counter(&key, "n", 1, 5, exp).await })
        })
        .collect();
    let mut counted = BTreeSet::new();
    let mut refused = 0;
    for t in tasks {
        match t.await.unwrap().unwrap() {
            CounterOutcome::Counted(n) => assert!(counted.insert(n), "value {n} counted twice"),
            CounterOutcome::CapReached => refused += 1,
        }
    }
    assert_eq!(counted, (1..=5).collect(), "exactly 5 increments succeed");
    assert_eq!(refused, 15);
    assert_eq!(store.get(&key).await.unwrap().unwrap().n("n"), Some(5));
}

#[case]
pub async fn batch_get(store: Arc<dyn ItemStore>) {
    let pk = format!("B#{}", uid());
    let keys: Vec<Key> = (0..60)
        .map(|i| Key::new(&pk, format!("I#{i:03}")))
        .collect();
    for k in &keys[..40] {
        store
            .put(item(k, [("sk-copy", s(&k.sk))]), Cond::None)
            .await
            .unwrap();
    }
    // 40 present and 20 missing keys, plus keys of another partition.
    let mut ask = keys.clone();
    ask.extend((0..5).map(|i| Key::new(format!("B#{}", uid()), format!("I#{i}"))));
    let got = store.batch_get(&ask).await.unwrap();
    let mut found: Vec<String> = got.iter().map(|i| i.s("sk").unwrap().to_string()).collect();
    found.sort();
    let want: Vec<String> = keys[..40].iter().map(|k| k.sk.clone()).collect();
    assert_eq!(found, want);
    assert!(got.iter().all(|i| i.s("sk-copy") == i.s("sk")));
    assert_eq!(store.batch_get(&[]).await.unwrap(), Vec::<Item>::new());
    let too_many: Vec<Key> = (0..101).map(|i| Key::new(&pk, format!("X#{i}"))).collect();
    assert!(matches!(
        store.batch_get(&too_many).await,
        Err(StoreError::Invalid(_))
    ));
    let dup = [keys[0].clone(), keys[0].clone()];
    assert!(matches!(
        store.batch_get(&dup).await,
        Err(StoreError::Invalid(_))
    ));
}

#[case]
pub async fn size_limit(store: Arc<dyn ItemStore>) {
    let key = fresh_key("BIG");
    let big = item(&key, [("blob", Value::B(vec![7; MAX_ITEM_BYTES + 1]))]);
    assert_eq!(store.put(big, Cond::None).await, Err(StoreError::TooLarge));
    assert_eq!(store.get(&key).await.unwrap(), None);
    let mut set = Item::new();
    set.insert("blob".into(), Value::B(vec![7; MAX_ITEM_BYTES + 1]));
    assert_eq!(
        store.update(&key, set, &[], Cond::None).await,
        Err(StoreError::TooLarge)
    );
    assert_eq!(store.get(&key).await.unwrap(), None);

    // Large items under the limit are fine and come back intact.
    let large = item(&key, [("blob", Value::B(vec![9; 300 * 1024]))]);
    store.put(large.clone(), Cond::None).await.unwrap();
    assert_eq!(store.get(&key).await.unwrap(), Some(large.clone()));
    // Growing it past the limit by an update is refused and changes nothing.
    let mut grow = Item::new();
    grow.insert("more".into(), Value::B(vec![1; 200 * 1024]));
    assert_eq!(
        store.update(&key, grow, &[], Cond::None).await,
        Err(StoreError::TooLarge)
    );
    assert_eq!(store.get(&key).await.unwrap(), Some(large));
}
