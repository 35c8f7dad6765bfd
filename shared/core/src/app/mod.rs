//! Use cases: business rules, authorization, invariants.
