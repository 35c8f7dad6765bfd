//! The dependency order of the core, enforced. Every file of `src/` belongs to one layer, and a
//! file may name (`crate::…`, `super::…`) only modules of its own layer or of layers below it:
//!
//! ```text
//! domain  <-  ports, config, crypto, fault, deps, telemetry  <-  store  <-  http framework
//!         <-  identity  <-  groups  <-  {follow, chat, stats}  <-  notify  <-  account
//!         <-  dispatch and the route table (http/dispatch.rs, http/routes.rs)
//! ```
//!
//! follow, chat and stats are siblings: none of them names another. The account feature reaches
//! every feature's `AccountPart` through its registry, at the top. `docs/architecture.md`
//! explains each layer.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// (path prefix under src/, layer name, rank). The longest matching prefix wins.
const LAYERS: &[(&str, &str, u32)] = &[
    ("domain/", "domain", 0),
    ("ports/", "base", 1),
    ("config.rs", "base", 1),
    ("crypto/", "base", 1),
    ("fault.rs", "base", 1),
    ("deps.rs", "base", 1),
    ("telemetry.rs", "base", 1),
    ("store/", "store", 2),
    ("http/", "http framework", 3),
    ("identity/", "identity", 4),
    ("groups/", "groups", 5),
    ("follow/", "follow", 6),
    ("chat/", "chat", 6),
    ("stats/", "stats", 6),
    ("notify/", "notify", 7),
    ("account/", "account", 8),
    ("http/dispatch.rs", "dispatch", 9),
    ("http/routes.rs", "dispatch", 9),
    ("lib.rs", "crate root", 10),
];

fn layer_of(rel: &str) -> (&'static str, u32) {
    LAYERS
        .iter()
        .filter(|(prefix, _, _)| rel.starts_with(prefix))
        .max_by_key(|(prefix, _, _)| prefix.len())
        .map(|(_, name, rank)| (*name, *rank))
        .unwrap_or_else(|| panic!("{rel}: not in any layer; add it to LAYERS and docs/"))
}

/// The module path a file defines: `groups/handlers/mod.rs` -> `groups/handlers`.
fn module_of(rel: &str) -> String {
    let no_ext = rel.trim_end_matches(".rs");
    no_ext.trim_end_matches("/mod").to_string()
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Code without comments and string literals (a doc line may name any module).
fn code(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let line = match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        };
        let mut in_str = false;
        let mut prev = ' ';
        for c in line.chars() {
            if c == '"' && prev != '\\' {
                in_str = !in_str;
            } else if !in_str {
                out.push(c);
            }
            prev = c;
        }
        out.push('\n');
    }
    out
}

/// Every `crate::a::b` path a file names, as the file path prefix it resolves to (`a/b`),
/// with `super::` resolved against the file's own module.
fn references(module: &str, text: &str) -> BTreeSet<String> {
    let mut refs = BTreeSet::new();
    let code = code(text);
    let bytes: Vec<char> = code.chars().collect();
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut i = 0;
    while i < bytes.len() {
        let rest: String = bytes[i..bytes.len().min(i + 7)].iter().collect();
        let starts = i == 0 || !ident(bytes[i - 1]);
        let (base, skip): (Vec<String>, usize) = if starts && rest.starts_with("crate::") {
            (vec![], 7)
        } else if starts && rest.starts_with("super::") {
            let mut parts: Vec<String> = module.split('/').map(str::to_string).collect();
            // `super` of a `mod.rs` module is its parent folder; of `a/b.rs`, the folder `a`.
            parts.pop();
            (parts, 7)
        } else {
            i += 1;
            continue;
        };
        let mut j = i + skip;
        let mut path = base;
        loop {
            let start = j;
            while j < bytes.len() && ident(bytes[j]) {
                j += 1;
            }
            if start == j {
                break;
            }
            let seg: String = bytes[start..j].iter().collect();
            if seg == "super" {
                path.pop();
            } else {
                path.push(seg);
            }
            let next: String = bytes[j..bytes.len().min(j + 2)].iter().collect();
            if next == "::" {
                j += 2;
            } else {
                break;
            }
        }
        refs.insert(path.join("/"));
        i = j.max(i + 1);
    }
    refs
}

/// The source file a referenced path lives in: the longest prefix of it that is a module file.
fn resolve(src: &Path, path: &str) -> Option<String> {
    // The top of the order re-exported by the framework's face: still the top.
    match path.split('/').take(2).collect::<Vec<_>>()[..] {
        ["http", "Route" | "ROUTES"] => return Some("http/routes.rs".into()),
        ["http", "dispatch"] => return Some("http/dispatch.rs".into()),
        _ => {}
    }
    let parts: Vec<&str> = path.split('/').collect();
    for n in (1..=parts.len()).rev() {
        let p = parts[..n].join("/");
        if src.join(format!("{p}.rs")).is_file() {
            return Some(format!("{p}.rs"));
        }
        if src.join(&p).join("mod.rs").is_file() {
            return Some(format!("{p}/mod.rs"));
        }
    }
    // Names re-exported at the crate root (`crate::Deps`, `crate::Fault`, `crate::Config`).
    match parts.first() {
        Some(&"Deps") => Some("deps.rs".into()),
        Some(&"Fault") => Some("fault.rs".into()),
        Some(&"Config") => Some("config.rs".into()),
        _ => None,
    }
}

#[test]
fn imports_follow_the_dependency_order() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    assert!(all.len() > 40, "found only {} files under src/", all.len());
    let mut wrong = Vec::new();
    for file in &all {
        let rel = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let (layer, rank) = layer_of(&rel);
        let text = std::fs::read_to_string(file).unwrap();
        for path in references(&module_of(&rel), &text) {
            let Some(target) = resolve(&src, &path) else {
                continue;
            };
            let (tlayer, trank) = layer_of(&target);
            let ok = trank < rank || (trank == rank && tlayer == layer);
            if !ok {
                wrong.push(format!(
                    "{rel} ({layer}) names {target} ({tlayer}) through `{}`",
                    path.replace('/', "::")
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the dependency order:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_guard_sees_a_wrong_import() {
    // A file of the groups layer naming the stats feature must be caught.
    let refs = references("groups/members", "use crate::stats::StatError;\nfn f() {}");
    assert!(refs.contains("stats/StatError"), "{refs:?}");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let target = resolve(&src, "stats/StatError").expect("stats resolves");
    assert_eq!(layer_of(&target).1, 6);
    assert!(layer_of("groups/members.rs").1 < layer_of(&target).1);
    // `super::` from a nested handler module climbs to its feature.
    let refs = references("stats/handlers/extras", "use super::stats::items_json;");
    assert!(refs.contains("stats/handlers/stats/items_json"), "{refs:?}");
    // Comments and strings are not imports.
    assert!(references("groups/mod", "// crate::stats::x\nlet s = \"crate::chat\";").is_empty());
}
