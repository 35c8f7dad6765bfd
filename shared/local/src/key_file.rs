//! The local master key: 32 random bytes in a 0600 file (default `<data>/master.key`).
//!
//! Creation is atomic and never clobbers: the key is written and synced to a private
//! temporary file (`create_new`, mode 0600) that is then hard-linked to the final name, which
//! fails if the name exists. So two processes starting at once agree on one key, and nobody
//! ever reads a half-written key. A key file readable or writable by anyone but its owner, or
//! of the wrong length, is refused rather than used or replaced.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

use statx_core::crypto::Keyring;
use statx_core::ports::random::Random;
use statx_core::ports::{CryptoError, OsRandom};
use zeroize::Zeroizing;

/// File name of the master key inside the data directory.
pub const DEFAULT_FILE_NAME: &str = "master.key";
const KEY_LEN: usize = 32;

fn key_err(path: &Path, what: impl std::fmt::Display) -> CryptoError {
    CryptoError::Key(format!("key file {}: {what}", path.display()))
}

/// Load the master key at `path`, creating it (and missing parent directories, 0700) with a
/// fresh random key when absent.
pub fn load_or_create(path: &Path) -> Result<Keyring, CryptoError> {
    if let Some(ring) = read_key(path)? {
        return Ok(ring);
    }
    create(path)?;
    read_key(path)?.ok_or_else(|| key_err(path, "vanished after creation"))
}

/// `Ok(None)` when the file does not exist.
fn read_key(path: &Path) -> Result<Option<Keyring>, CryptoError> {
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(key_err(path, format_args!("cannot open: {e}"))),
    };
    let meta = file
        .metadata()
        .map_err(|e| key_err(path, format_args!("cannot stat: {e}")))?;
    if !meta.is_file() {
        return Err(key_err(path, "not a regular file"));
    }
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o177 != 0 {
        return Err(key_err(
            path,
            format_args!("permissions {mode:04o} are wider than 0600; refusing to use it"),
        ));
    }
    if meta.len() != KEY_LEN as u64 {
        return Err(key_err(path, "must hold exactly 32 bytes"));
    }
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    file.read_exact(key.as_mut())
        .map_err(|e| key_err(path, format_args!("cannot read: {e}")))?;
    Ok(Some(Keyring::from_master(&key)))
}

fn create(path: &Path) -> Result<(), CryptoError> {
    let dir = match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(d) => d,
        None => Path::new("."),
    };
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| key_err(path, format_args!("cannot create its directory: {e}")))?;

    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    OsRandom.fill(key.as_mut());
    let mut tag = [0u8; 8];
    OsRandom.fill(&mut tag);
    let tmp = dir.join(format!(
        ".{DEFAULT_FILE_NAME}.{}.{}.tmp",
        std::process::id(),
        data_encoding::HEXLOWER.encode(&tag)
    ));
    write_new(&tmp, key.as_ref()).map_err(|e| key_err(path, format_args!("cannot write: {e}")))?;
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => {}
        // Another process created it first: use theirs.
        Err(e) if e.kind() == ErrorKind::AlreadyExists => return Ok(()),
        // A file system without hard links: create the final name directly (still no clobber).
        Err(_) => match write_new(path, key.as_ref()) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::AlreadyExists => return Ok(()),
            Err(e) => return Err(key_err(path, format_args!("cannot write: {e}"))),
        },
    }
    // Make the new directory entry durable (best effort).
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use statx_core::ports::Crypto;

    #[test]
    fn creates_0600_and_reloads_the_same_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/master.key");
        let a = load_or_create(&path).unwrap();
        let meta = std::fs::metadata(&path).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        assert_eq!(meta.len(), 32);
        let dir_mode = std::fs::metadata(path.parent().unwrap())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(dir_mode & 0o777, 0o700);
        let b = load_or_create(&path).unwrap();
        assert_eq!(a.blind_index("k", b"v"), b.blind_index("k", b"v"));
        let sealed = a.seal("ctx", b"secret");
        assert_eq!(b.open("ctx", &sealed).unwrap(), b"secret");
        // No temporary files left behind.
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn refuses_wide_permissions_and_wrong_length() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        std::fs::write(&path, [7u8; 32]).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = load_or_create(&path).unwrap_err();
        assert!(
            matches!(&err, CryptoError::Key(m) if m.contains("0644")),
            "{err:?}"
        );
        // The file was not replaced.
        assert_eq!(std::fs::read(&path).unwrap(), vec![7u8; 32]);

        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let ring = load_or_create(&path).unwrap();
        assert_eq!(
            ring.blind_index("k", b"v"),
            Keyring::from_master(&[7u8; 32]).blind_index("k", b"v")
        );

        std::fs::write(&path, [7u8; 31]).unwrap();
        assert!(load_or_create(&path).is_err());
    }

    #[test]
    fn concurrent_creators_agree() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        let rings: Vec<Keyring> = std::thread::scope(|s| {
            let hs: Vec<_> = (0..8)
                .map(|_| s.spawn(|| load_or_create(&path).unwrap()))
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let first = rings[0].blind_index("k", b"v");
        assert!(rings.iter().all(|r| r.blind_index("k", b"v") == first));
    }
}
