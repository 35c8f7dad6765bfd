//! The `notify` function: DynamoDB Stream batches -> `statx_core::notify::on_change` per
//! record. Records that fail are reported as batch item failures (the template sets
//! `FunctionResponseTypes: [ReportBatchItemFailures]`), so only they are retried, then sent to
//! the on-failure queue; the rest of the batch is not pushed twice.

use serde_json::{json, Value};
use statx_aws::stream::changes;
use statx_core::notify::on_change;
use statx_core::Deps;

/// Handle one stream event; returns the partial-batch response.
pub async fn handle(deps: &Deps, event: &Value) -> Value {
    let mut failures = Vec::new();
    for change in changes(event) {
        match change {
            Ok(c) => {
                if let Err(e) = on_change(deps, &c.key, c.old.as_ref(), c.new.as_ref()).await {
                    tracing::error!(cause = %e, "notify failed for a record");
                    failures.push(c.sequence);
                }
            }
            Err(sequence) => {
                tracing::error!("unreadable stream record");
                failures.push(sequence);
            }
        }
    }
    json!({
        "batchItemFailures": failures
            .into_iter()
            .map(|s| json!({ "itemIdentifier": s }))
            .collect::<Vec<_>>()
    })
}
