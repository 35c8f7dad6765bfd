//! Checks of the AWS adapters (`statx-aws`) on moto_server beyond the shared port conformance
//! suites (those are `#[case]`s in statx_tests::conformance, run on both backends), each in
//! its own table, KMS key, bucket and push applications. Needs `STATX_MOTO_URL` (run through
//! `make test`, which starts moto_server).

/// AWS-specific checks beyond the shared suites.
mod aws_only {
    use std::sync::Arc;

    use aws_sdk_kms::primitives::Blob;
    use chrono::TimeZone;
    use statx_core::ports::store::ItemExt;
    use statx_core::ports::{Blobs, Clock, Cond, Key, ManualClock, SystemClock};
    use statx_tests::conformance::{unique_number, AwsHarness, Harness};
    use statx_tests::harness::moto;

    #[tokio::test]
    async fn presigned_upload_signs_type_and_length() {
        let h = AwsHarness::new().await;
        let up = h
            .blobs()
            .presign_upload("att/x/y", "image/png", 10, 60)
            .await
            .unwrap();
        assert!(
            up.url
                .contains("X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost"),
            "content type and length must be signed"
        );
        assert!(up.url.contains("X-Amz-Expires=60"));
        assert!(!up.url.to_ascii_lowercase().contains("checksum"));
        assert_eq!(up.headers.len(), 2, "only content-type and content-length");
    }

    #[tokio::test]
    async fn presigning_follows_the_injected_clock() {
        let h = AwsHarness::new().await;
        let at = chrono::Utc.with_ymd_and_hms(2030, 1, 2, 3, 4, 5).unwrap();
        let clock: Arc<dyn Clock> = Arc::new(ManualClock::new(at));
        let blobs = statx_aws::S3Blobs::new(statx_aws::s3_client(&h.sdk), &h.config.bucket)
            .with_clock(clock);
        let up = blobs
            .presign_upload("att/a", "text/plain", 1, 60)
            .await
            .unwrap();
        assert!(up.url.contains("X-Amz-Date=20300102T030405Z"));
        assert_eq!(up.expires_at, at + chrono::Duration::seconds(60));
        let get = blobs.presign_download("att/a", 90).await.unwrap();
        assert!(get.contains("X-Amz-Date=20300102T030405Z") && get.contains("X-Amz-Expires=90"));
    }

    #[tokio::test]
    async fn keyring_item_holds_only_the_wrapped_key() {
        let h = AwsHarness::new().await;
        let crypto = h.crypto().await;
        let store = h.store();
        let it = store
            .get(&Key::new(statx_aws::KEYRING_PK, statx_aws::KEYRING_SK))
            .await
            .unwrap()
            .expect("KEYRING item");
        let wrapped = it.b(statx_aws::WRAPPED_ATTR).expect("wrapped key").to_vec();
        assert!(wrapped.len() > 32, "a KMS ciphertext, not a raw key");
        assert_eq!(it.s("kmsKeyId"), Some(h.config.kms_key_id.as_str()));
        // The data key is bound to its encryption context.
        let kms = aws_sdk_kms::Client::new(&h.sdk);
        let no_context = kms
            .decrypt()
            .ciphertext_blob(Blob::new(wrapped.clone()))
            .send()
            .await;
        assert!(no_context.is_err(), "decrypt without the context must fail");
        let plain = kms
            .decrypt()
            .ciphertext_blob(Blob::new(wrapped))
            .encryption_context("app", "statx")
            .encryption_context("purpose", "master")
            .send()
            .await
            .unwrap();
        let master = plain.plaintext.unwrap().into_inner();
        let ring = statx_core::crypto::Keyring::from_slice(&master).unwrap();
        use statx_core::ports::Crypto;
        assert_eq!(ring.blind_index("k", b"v"), crypto.blind_index("k", b"v"));
    }

    #[tokio::test]
    async fn deps_from_sdk_builds_every_port() {
        let h = AwsHarness::new().await;
        let deps = statx_aws::deps_from_sdk(&h.sdk, &h.config, Arc::new(SystemClock))
            .await
            .expect("deps");
        let key = Key::new("D#1", "X");
        deps.store
            .put(statx_core::ports::store::item(&key, []), Cond::NotExists)
            .await
            .unwrap();
        assert!(h.store().get(&key).await.unwrap().is_some());
        assert_eq!(
            deps.crypto.blind_index("k", b"v"),
            h.crypto().await.blind_index("k", b"v")
        );
        let to = unique_number();
        deps.sms.send(&to, "hello").await.unwrap();
        assert_eq!(moto::sent_sms(&to).await, vec!["hello"]);
        let up = deps
            .blobs
            .presign_upload("att/z", "image/png", 3, 60)
            .await
            .unwrap();
        h.upload(&up, vec![1, 2, 3]).await.unwrap();
        assert_eq!(deps.blobs.head("att/z").await.unwrap().unwrap().size, 3);
        let endpoint = deps
            .push
            .register(
                "dev",
                "GCM",
                &format!("tok-{}", statx_tests::conformance::uid()),
            )
            .await
            .unwrap();
        assert!(endpoint.starts_with("arn:aws:sns:"));
    }
}
