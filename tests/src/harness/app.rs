//! `TestApp`: the real local API server (the same dispatch every Lambda runs) on a random port,
//! over the embedded adapters in a temp dir or over the AWS adapters on moto_server, with an
//! injected clock and a write counter.

use std::sync::Arc;

use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde_json::Value;
use statx_core::ports::ManualClock;
use statx_core::{Config, Deps};

use crate::harness::counting::CountingStore;
use crate::harness::logs;

enum Backend {
    Local(tempfile::TempDir),
    /// The texts SNS accepted (see `sms_record`).
    Aws(Arc<crate::harness::sms_record::RecordingSms>),
}

pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub clock: Arc<ManualClock>,
    pub store: Arc<CountingStore>,
    pub deps: Deps,
    /// The embedded blob store (local backend only), to look behind the presigned URLs.
    pub local_blobs: Option<Arc<statx_local::FileBlobs>>,
    backend: Backend,
}

/// The credentials of a signed-in client.
#[derive(Debug, Clone)]
pub struct Creds {
    pub api_key: String,
    pub auth_token: String,
}

/// A response, read whole.
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("response is not JSON ({e}): {}", self.text))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Which adapters a `TestApp` runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Local,
    Aws,
}

/// The test clock starts at the top of the current hour, so fixed rate-limit windows (hour,
/// day) never roll over in the middle of a test unless the test moves the clock.
fn test_clock() -> Arc<ManualClock> {
    let now = chrono::Utc::now().timestamp();
    let hour = now - now.rem_euclid(3600);
    Arc::new(ManualClock::new(
        chrono::DateTime::from_timestamp(hour + 1, 0).expect("valid time"),
    ))
}

impl TestApp {
    /// Embedded adapters under a fresh temporary data directory.
    pub async fn local() -> Self {
        Self::new(Kind::Local, |_| {}).await
    }

    /// AWS adapters against moto_server (a fresh table, key and bucket for this test).
    pub async fn aws() -> Self {
        Self::new(Kind::Aws, |_| {}).await
    }

    /// A server on `kind` adapters with configuration adjusted by `tweak`.
    pub async fn new(kind: Kind, tweak: impl FnOnce(&mut Config)) -> Self {
        logs::capture();
        let clock = test_clock();
        match kind {
            Kind::Local => {
                let dir = tempfile::tempdir().expect("temp dir");
                // Bound first: presigned blob URLs name the server's real port.
                let listener = bind().await;
                let mut config = Config {
                    data_dir: dir.path().to_path_buf(),
                    port: listener.local_addr().expect("addr").port(),
                    ..Config::default()
                };
                tweak(&mut config);
                let local = statx_local::deps(&config, clock.clone(), false).expect("local deps");
                statx_local_api::spawn_change_feed(&local.store, local.deps.clone());
                let blobs = Some(local.blobs.clone());
                Self::start(local.deps, clock, Backend::Local(dir), listener, blobs).await
            }
            Kind::Aws => {
                let (sdk, mut config) = crate::harness::moto::fresh_env().await;
                tweak(&mut config);
                let mut deps = statx_aws::deps_from_sdk(&sdk, &config, clock.clone())
                    .await
                    .expect("aws deps");
                // moto's transactions are not isolated: see `serial`.
                deps.store = Arc::new(crate::harness::serial::SerialWrites::new(deps.store));
                let sms = Arc::new(crate::harness::sms_record::RecordingSms::new(
                    deps.sms.clone(),
                ));
                deps.sms = sms.clone();
                Self::start(deps, clock, Backend::Aws(sms), bind().await, None).await
            }
        }
    }

    /// Let the per-number SMS cooldown pass.
    pub fn after_cooldown(&self) {
        let secs = self.deps.config.limits.sms_cooldown_secs + 1;
        self.clock.advance(chrono::Duration::seconds(secs));
    }

    async fn start(
        mut deps: Deps,
        clock: Arc<ManualClock>,
        backend: Backend,
        listener: tokio::net::TcpListener,
        blobs: Option<Arc<statx_local::FileBlobs>>,
    ) -> Self {
        let store = Arc::new(CountingStore::new(deps.store.clone()));
        deps.store = store.clone();
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(statx_local_api::serve_with_blobs(
            listener,
            deps.clone(),
            blobs.clone(),
        ));
        Self {
            base,
            http: reqwest::Client::new(),
            clock,
            store,
            deps,
            local_blobs: blobs,
            backend,
        }
    }

    /// Texts of the SMS sent to `to`, oldest first.
    pub async fn sms_to(&self, to: &str) -> Vec<String> {
        match &self.backend {
            Backend::Local(dir) => statx_local::read_sms_outbox(dir.path())
                .into_iter()
                .filter(|m| m.to == to)
                .map(|m| m.text)
                .collect(),
            Backend::Aws(sms) => sms.to(to),
        }
    }

    /// The code in the latest SMS to `to`.
    pub async fn code_for(&self, to: &str) -> String {
        let texts = self.sms_to(to).await;
        let last = texts.last().unwrap_or_else(|| panic!("no SMS was sent"));
        extract_code(last)
    }

    /// Login (must succeed) and the code it sent: `(clientId, code)`.
    pub async fn request_code(&self, phone: &str) -> (String, String) {
        let login = self.login(phone).await;
        assert_eq!(login.status, StatusCode::CREATED, "{}", login.text);
        let client_id = login.json()["clientId"]
            .as_str()
            .expect("clientId")
            .to_string();
        (client_id, self.code_for(phone).await)
    }

    /// Full sign-in: login, code from the outbox, verifyCode. Waits out the SMS cooldown first
    /// (on the test clock), so it can be called repeatedly for one number.
    pub async fn sign_in(&self, phone: &str) -> Creds {
        self.after_cooldown();
        let login = self.login(phone).await;
        assert_eq!(login.status, StatusCode::CREATED, "{}", login.text);
        let client_id = login.json()["clientId"]
            .as_str()
            .expect("clientId")
            .to_string();
        let code = self.code_for(phone).await;
        let v = self.verify(phone, &client_id, &code).await;
        assert_eq!(v.status, StatusCode::CREATED, "{}", v.text);
        let j = v.json();
        Creds {
            api_key: j["apiKey"].as_str().expect("apiKey").to_string(),
            auth_token: j["authToken"].as_str().expect("authToken").to_string(),
        }
    }
}

async fn bind() -> tokio::net::TcpListener {
    tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind")
}

/// The 6-digit code in an SMS text.
pub fn extract_code(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .unwrap_or_else(|| panic!("no 6-digit code in the SMS"))
        .to_string()
}

/// A fresh, valid US number (+1 415 NXX XXXX, FIXED_LINE_OR_MOBILE) with 7 random digits, so
/// tests sharing one moto_server never see each other's SMS.
pub fn unique_phone() -> String {
    use statx_core::ports::random::RandomExt;
    use statx_core::ports::OsRandom;
    let exchange_lead = 2 + (OsRandom.code6().as_bytes()[5] - b'0') % 8;
    format!("+1415{exchange_lead}{}", OsRandom.code6())
}
