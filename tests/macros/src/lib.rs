//! `#[case]`: a case of the end-to-end suites is registered where it is defined, so none can
//! be left out of a list by hand.
//!
//! ```ignore
//! #[case]
//! async fn member_cannot_delete_group(app: &TestApp) { ... }
//! ```
//!
//! keeps the function as written and adds, next to it,
//!
//! ```ignore
//! #[cfg(test)]
//! mod member_cannot_delete_group {
//!     #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
//!     async fn local() { super::member_cannot_delete_group(&super::test_app(Kind::Local).await).await }
//!     #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
//!     async fn aws() { /* the same with Kind::Aws (moto_server) */ }
//! }
//! ```
//!
//! so every case is a unit test of the statx-tests library, named `<module>::<case>::local`
//! and `<module>::<case>::aws`.
//!
//! - A case taking `app: &TestApp` gets its server from `test_app(kind)`, which the defining
//!   module has in scope (its feature's setup, e.g. the raised login cap of the groups
//!   suites); `#[case(setup = path::to::fn)]` names another one.
//! - A case taking `kind: Kind` builds its own server(s) on that backend.
//! - A port conformance case taking `h: &dyn Harness` (or `store: Arc<dyn ItemStore>`) gets
//!   a fresh `LocalHarness` / `AwsHarness` (or its store).
//! - `#[case(local_only)]` registers only the `local` test: for cases that look at what only
//!   the embedded adapters expose (the outboxes on disk, the blob directory).
//!
//! Written without syn/quote: the item is passed through untouched and only its name and
//! parameter type are read.

use proc_macro::{Delimiter, TokenStream, TokenTree};

#[proc_macro_attribute]
pub fn case(attr: TokenStream, item: TokenStream) -> TokenStream {
    let (setup, local_only) = match parse_attr(attr) {
        Ok(a) => a,
        Err(e) => return error(&e),
    };
    let (name, param) = match parse_fn(item.clone()) {
        Ok(f) => f,
        Err(e) => return error(&e),
    };
    let arg = |kind: &str| match param {
        Param::Kind => format!("crate::harness::app::Kind::{kind}"),
        Param::App => format!("&{setup}(crate::harness::app::Kind::{kind}).await"),
        Param::Harness => format!("&crate::conformance::{kind}Harness::new().await"),
        Param::Store => format!(
            "crate::conformance::Harness::store(&crate::conformance::{kind}Harness::new().await)"
        ),
    };
    let test = |backend: &str, kind: &str| {
        format!(
            "#[::tokio::test(flavor = \"multi_thread\", worker_threads = 4)]\n\
             async fn {backend}() {{ super::{name}({}).await; }}\n",
            arg(kind)
        )
    };
    let mut tests = test("local", "Local");
    if !local_only {
        tests.push_str(&test("aws", "Aws"));
    }
    let module = format!("#[cfg(test)]\nmod {name} {{\n{tests}}}\n");
    let mut out = item;
    out.extend(
        module
            .parse::<TokenStream>()
            .expect("generated tests parse"),
    );
    out
}

/// `setup = path`, `local_only`, comma-separated; the setup defaults to `super::test_app`.
fn parse_attr(attr: TokenStream) -> Result<(String, bool), String> {
    let mut setup = None;
    let mut local_only = false;
    let text = attr.to_string();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        if part == "local_only" {
            local_only = true;
        } else if let Some(path) = part.strip_prefix("setup") {
            let path = path
                .trim_start()
                .strip_prefix('=')
                .ok_or("expected `setup = path`")?;
            setup = Some(path.replace(' ', ""));
        } else {
            return Err(format!(
                "#[case]: unknown argument `{part}` (setup = path, local_only)"
            ));
        }
    }
    let setup = match setup {
        Some(p) if p.starts_with("crate::") || p.starts_with("super::") => {
            format!("super::{p}").replace("super::crate::", "crate::")
        }
        Some(p) => format!("super::{p}"),
        None => "super::test_app".to_string(),
    };
    Ok((setup, local_only))
}

/// What a case is given.
enum Param {
    /// `app: &TestApp`, from the setup function.
    App,
    /// `kind: Kind`: the case builds its own app.
    Kind,
    /// `h: &dyn Harness`: a port conformance case, given a fresh harness of the backend.
    Harness,
    /// `store: Arc<dyn ItemStore>`: a store conformance case, given a fresh harness's store.
    Store,
}

/// The function's name and what its one parameter is.
fn parse_fn(item: TokenStream) -> Result<(String, Param), String> {
    let mut tokens = item.into_iter();
    let mut saw_async = false;
    while let Some(t) = tokens.next() {
        let TokenTree::Ident(i) = &t else { continue };
        match i.to_string().as_str() {
            "async" => saw_async = true,
            "fn" => {
                if !saw_async {
                    return Err("#[case] goes on an `async fn`".into());
                }
                let Some(TokenTree::Ident(name)) = tokens.next() else {
                    return Err("#[case]: expected the function's name".into());
                };
                let params = tokens.find_map(|t| match t {
                    TokenTree::Group(g) if g.delimiter() == Delimiter::Parenthesis => {
                        Some(g.stream().to_string())
                    }
                    _ => None,
                });
                let params = params.ok_or("#[case]: expected the parameter list")?;
                let ty = params.split_once(':').map(|(_, t)| t.replace(' ', ""));
                let param = match ty.as_deref() {
                    Some("&TestApp") => Param::App,
                    Some("Kind") => Param::Kind,
                    Some("&dynHarness") => Param::Harness,
                    Some("Arc<dynItemStore>") => Param::Store,
                    _ => {
                        return Err(format!(
                            "#[case]: the case takes one parameter, `app: &TestApp`, `kind: Kind`, \
                             `h: &dyn Harness` or `store: Arc<dyn ItemStore>` (got `{params}`)"
                        ))
                    }
                };
                return Ok((name.to_string(), param));
            }
            _ => {}
        }
    }
    Err("#[case] goes on an `async fn`".into())
}

fn error(msg: &str) -> TokenStream {
    format!("::core::compile_error!({msg:?});").parse().unwrap()
}
