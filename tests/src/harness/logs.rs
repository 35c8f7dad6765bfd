//! Capture every log line the code under test writes (the same JSON subscriber production
//! uses), so suites can assert that no secret or phone number is ever logged.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use tracing_subscriber::fmt::MakeWriter;

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Buffer {
    type Writer = Buffer;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

fn buffer() -> &'static Buffer {
    static BUF: OnceLock<Buffer> = OnceLock::new();
    BUF.get_or_init(|| {
        let buf = Buffer::default();
        statx_core::telemetry::init_with(buf.clone());
        buf
    })
}

/// Start capturing (idempotent; call at the start of a test).
pub fn capture() {
    buffer();
}

/// Everything logged so far in this process.
pub fn contents() -> String {
    String::from_utf8_lossy(&buffer().0.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
}

/// Panic if any captured log line contains one of `secrets`.
pub fn assert_absent(secrets: &[&str]) {
    let logs = contents();
    assert!(
        !logs.is_empty(),
        "no logs were captured: the check would be vacuous"
    );
    for s in secrets {
        assert!(!s.is_empty());
        if let Some(line) = logs.lines().find(|l| l.contains(s)) {
            panic!("a log line contains a secret or phone number: {line}");
        }
    }
}
