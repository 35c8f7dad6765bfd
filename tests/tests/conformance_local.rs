//! Conformance suites against the embedded adapters (`statx-local`), one test per case.

use statx_tests::conformance::LocalHarness;

statx_tests::conformance_tests!(LocalHarness::new());
