//! Bounded reading of the files trespass is given.
//!
//! Every loader (config, OpenAPI spec and the files its `$ref`s name, HAR
//! capture, Postman collection, JSON report) reads its file through
//! [`read_text`] with an [`InputKind`] that names the file's role and the
//! most bytes read for it. A plain `read_to_string` has no limit: pointed at
//! `/dev/zero`, a huge log or a device by mistake it grows until the machine
//! runs out of memory. Here a regular file whose size is over the limit is
//! refused before it is read, and anything else (a device, a pipe) is read
//! up to one byte past the limit and then refused with [`TooLarge`]. A FIFO
//! that no one writes to still blocks, as `cat` would; only input that never
//! ends is the problem solved here.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// One mebibyte, the unit limits are stated in.
const MIB: u64 = 1024 * 1024;

/// The role of a file read, and the most bytes read for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InputKind {
    /// What the file is, as messages name it ("spec", "config").
    pub what: &'static str,
    /// The most bytes read; a longer file is refused.
    pub limit: u64,
}

impl InputKind {
    /// A TOML config: a few KiB in practice, so 1 MiB is generous.
    pub const CONFIG: InputKind = InputKind { what: "config", limit: MIB };
    /// An OpenAPI or Swagger document, or a file one of its `$ref`s names.
    /// The largest public specs are tens of MiB.
    pub const SPEC: InputKind = InputKind { what: "spec", limit: 256 * MIB };
    /// A HAR capture, which holds response bodies and so runs larger.
    pub const HAR: InputKind = InputKind { what: "HAR capture", limit: 256 * MIB };
    /// A Postman collection or environment.
    pub const POSTMAN: InputKind = InputKind { what: "Postman collection", limit: 256 * MIB };
    /// A JSON report written by trespass (`--baseline`, `diff`).
    pub const REPORT: InputKind = InputKind { what: "report", limit: 256 * MIB };
}

/// A file could not be read as text. Not `non_exhaustive`: callers map
/// both cases to their own error types, and a new case should make them
/// decide how to say it.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The system refused the read, or the text is not UTF-8. Callers wrap
    /// this in their own "failed to read …" message.
    #[error(transparent)]
    Io(io::Error),
    /// The file is over its kind's limit.
    #[error(transparent)]
    TooLarge(TooLarge),
}

/// A file over its kind's size limit.
#[derive(Debug, thiserror::Error)]
#[error(
    "{} is larger than {}; trespass reads no {} bigger than that (is it the right file?)",
    path.display(),
    size_text(kind.limit),
    kind.what
)]
pub struct TooLarge {
    /// The file, as given.
    pub path: PathBuf,
    /// Its kind and limit.
    pub kind: InputKind,
}

/// Reads `path` as UTF-8 text, refusing more than `kind.limit` bytes.
pub fn read_text(path: &Path, kind: InputKind) -> Result<String, ReadError> {
    let too_large = || ReadError::TooLarge(TooLarge { path: path.to_owned(), kind });
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;

    // A regular file states its size: refuse it without reading, and
    // allocate once for one that fits.
    let metadata = file.metadata().map_err(ReadError::Io)?;
    let expected = if metadata.is_file() {
        if metadata.len() > kind.limit {
            return Err(too_large());
        }
        usize::try_from(metadata.len()).unwrap_or(0)
    } else {
        0
    };

    // A file that grew since, or one with no size (a device, a pipe), is
    // cut one byte past the limit, which tells "over" from "exactly at".
    let mut bytes = Vec::with_capacity(expected);
    file.take(kind.limit.saturating_add(1)).read_to_end(&mut bytes).map_err(ReadError::Io)?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > kind.limit {
        return Err(too_large());
    }
    String::from_utf8(bytes).map_err(|_| {
        ReadError::Io(io::Error::new(
            io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        ))
    })
}

/// A limit as people read it: "256 MiB", else "4 KiB", else bytes.
fn size_text(bytes: u64) -> String {
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= 1024 && bytes.is_multiple_of(1024) {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: InputKind = InputKind { what: "spec", limit: 4096 };

    fn file_of(dir: &Path, name: &str, len: usize) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, "a".repeat(len)).unwrap();
        path
    }

    #[test]
    fn a_file_at_the_limit_is_read_and_one_byte_more_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let at = file_of(dir.path(), "at.json", 4096);
        assert_eq!(read_text(&at, SMALL).unwrap().len(), 4096);

        let over = file_of(dir.path(), "over.json", 4097);
        let error = read_text(&over, SMALL).unwrap_err().to_string();
        assert_eq!(
            error,
            format!(
                "{} is larger than 4 KiB; trespass reads no spec bigger than that \
                 (is it the right file?)",
                over.display()
            )
        );
    }

    #[test]
    fn the_real_limits_are_said_in_mib() {
        let error = TooLarge { path: PathBuf::from("big.toml"), kind: InputKind::CONFIG };
        assert_eq!(
            error.to_string(),
            "big.toml is larger than 1 MiB; trespass reads no config bigger than that \
             (is it the right file?)"
        );
        assert_eq!(size_text(InputKind::SPEC.limit), "256 MiB");
        assert_eq!(size_text(1000), "1000 bytes");
    }

    #[cfg(unix)]
    #[test]
    fn an_endless_device_is_cut_at_the_limit_not_read_forever() {
        let started = std::time::Instant::now();
        let error = read_text(Path::new("/dev/zero"), InputKind::CONFIG).unwrap_err();
        assert!(matches!(error, ReadError::TooLarge(_)), "{error:?}");
        assert_eq!(
            error.to_string(),
            "/dev/zero is larger than 1 MiB; trespass reads no config bigger than that \
             (is it the right file?)"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn a_missing_file_and_bytes_that_are_not_utf8_are_io_errors() {
        let dir = tempfile::tempdir().unwrap();
        let missing = read_text(&dir.path().join("none.json"), SMALL).unwrap_err();
        assert!(
            matches!(&missing, ReadError::Io(e) if e.kind() == io::ErrorKind::NotFound),
            "{missing:?}"
        );

        let binary = dir.path().join("binary.json");
        std::fs::write(&binary, [0xff, 0xfe, 0x00]).unwrap();
        let error = read_text(&binary, SMALL).unwrap_err();
        assert_eq!(error.to_string(), "stream did not contain valid UTF-8");
    }
}
