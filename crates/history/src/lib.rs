//! Scan history: every report stored in an embedded SQLite database, so
//! that scores and counts can be followed over time and any stored scan
//! rendered again in any format.
//!
//! [`History`] opens (or creates) the database file and brings its schema
//! up to date; [`History::record`] stores a [`Report`] and returns its
//! [`ScanId`]; [`History::list`] returns [`ScanSummary`] rows, newest
//! first; [`History::load`] returns a stored report.
//!
//! Schema migrations are versioned: [`MIGRATIONS`] is an append-only list
//! of SQL scripts, and SQLite's `user_version` records how many were
//! applied. Opening a database applies the missing ones in one `BEGIN
//! IMMEDIATE` transaction, so runs that open a new database at the same
//! time wait for each other rather than race; a database written by a
//! newer trespass (more migrations than this build knows) is refused
//! rather than misread. The whole report is kept as
//! its JSON document, so a later trespass can render scans of an earlier
//! one; the columns beside it exist for listing without parsing.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use trespass_model::{Report, Severity};

/// The schema, one migration per entry. Append only: never edit or
/// reorder an entry that was released.
pub const MIGRATIONS: &[&str] = &[
    // 1: scans with their report and the counters shown by `history`.
    "CREATE TABLE scans (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at INTEGER NOT NULL,
        target TEXT NOT NULL,
        tool_version TEXT NOT NULL,
        schema_version TEXT NOT NULL,
        score INTEGER,
        grade TEXT,
        findings INTEGER NOT NULL,
        critical INTEGER NOT NULL,
        high INTEGER NOT NULL,
        medium INTEGER NOT NULL,
        low INTEGER NOT NULL,
        info INTEGER NOT NULL,
        report_json TEXT NOT NULL
    );
    CREATE INDEX scans_by_target ON scans (target, created_at);",
];

/// How long a connection waits for another process's lock before it
/// reports "database is locked". Writes are single small inserts, so a
/// waiter is normally served in milliseconds; the margin covers a loaded
/// CI machine running many scans into one database.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The identifier of a stored scan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ScanId(
    /// The SQLite row id.
    pub i64,
);

impl std::fmt::Display for ScanId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// One row of `trespass history`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanSummary {
    /// Its identifier.
    pub id: ScanId,
    /// When it was stored, UTC, as `2026-12-04T16:20:00Z`.
    pub created_at: String,
    /// The scanned base URL.
    pub target: String,
    /// Score, when the report had one.
    pub score: Option<u8>,
    /// Grade, when the report had one.
    pub grade: Option<String>,
    /// Findings in total.
    pub findings: usize,
    /// Findings per severity, highest first (critical, high, medium, low,
    /// info).
    pub by_severity: [usize; 5],
}

/// A history operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HistoryError {
    /// The database's folder could not be created.
    #[error("failed to create the history folder {}: {cause}", path.display())]
    CreateDir {
        /// The folder.
        path: PathBuf,
        /// Why. Not a `source`: the message says it already, and a
        /// chain printed whole would say it twice.
        cause: std::io::Error,
    },
    /// SQLite refused an operation.
    #[error("history database {}: {cause}", path.display())]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// Why (in the message, not a `source`, for the same reason).
        cause: rusqlite::Error,
    },
    /// The database was written by a newer trespass.
    #[error(
        "history database {} has schema version {found}, newer than the {known} this trespass \
         knows; use a newer trespass or another --db",
        path.display()
    )]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
        /// The newest this build knows.
        known: usize,
    },
    /// A database to read does not exist.
    #[error(
        "no history database at {}: no scan has been stored there yet",
        path.display()
    )]
    Missing {
        /// The path looked at.
        path: PathBuf,
    },
    /// No scan has that identifier.
    #[error("history database {} has no scan {id}; `trespass history` lists them", path.display())]
    NoSuchScan {
        /// The database file.
        path: PathBuf,
        /// The identifier asked for.
        id: ScanId,
    },
    /// A stored report is not a report this trespass can read.
    #[error("scan {id} in history database {} is not a readable report: {message}", path.display())]
    BadReport {
        /// The database file.
        path: PathBuf,
        /// The scan.
        id: ScanId,
        /// Why.
        message: String,
    },
}

/// An open history database.
pub struct History {
    path: PathBuf,
    connection: Connection,
}

impl History {
    /// Opens the database at `path`, creating it and its folder when
    /// missing, and applies pending migrations.
    pub fn open(path: &Path) -> Result<History, HistoryError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| HistoryError::CreateDir {
                path: parent.to_owned(),
                cause: source,
            })?;
        }
        let connection = Connection::open(path)
            .map_err(|source| HistoryError::Sqlite { path: path.to_owned(), cause: source })?;
        let mut history = History { path: path.to_owned(), connection };
        history.connection.busy_timeout(BUSY_TIMEOUT).map_err(|source| history.sqlite(source))?;
        history.migrate()?;
        Ok(history)
    }

    /// Opens the database at `path` to read it: a missing file is
    /// [`HistoryError::Missing`], and nothing is created.
    pub fn open_existing(path: &Path) -> Result<History, HistoryError> {
        if !path.is_file() {
            return Err(HistoryError::Missing { path: path.to_owned() });
        }
        History::open(path)
    }

    /// The schema version of the open database (migrations applied).
    pub fn schema_version(&self) -> Result<i64, HistoryError> {
        self.connection
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(|source| self.sqlite(source))
    }

    /// Stores a report; returns its identifier.
    pub fn record(&mut self, report: &Report) -> Result<ScanId, HistoryError> {
        // Serializing plain data with string keys cannot fail; the error
        // arm only keeps this path free of unwrap.
        let json = serde_json::to_string(report).map_err(|e| HistoryError::BadReport {
            path: self.path.clone(),
            id: ScanId(0),
            message: e.to_string(),
        })?;
        let count = |severity: Severity| {
            i64::try_from(report.findings.iter().filter(|f| f.severity == severity).count())
                .unwrap_or(i64::MAX)
        };
        let created_at = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        self.connection
            .execute(
                "INSERT INTO scans (created_at, target, tool_version, schema_version, score,
                    grade, findings, critical, high, medium, low, info, report_json)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                params![
                    created_at,
                    report.target,
                    report.tool_version,
                    report.schema_version,
                    report.score.as_ref().map(|s| s.value),
                    report.score.as_ref().map(|s| s.grade.clone()),
                    i64::try_from(report.findings.len()).unwrap_or(i64::MAX),
                    count(Severity::Critical),
                    count(Severity::High),
                    count(Severity::Medium),
                    count(Severity::Low),
                    count(Severity::Info),
                    json,
                ],
            )
            .map_err(|source| self.sqlite(source))?;
        Ok(ScanId(self.connection.last_insert_rowid()))
    }

    /// Every stored scan, newest first.
    pub fn list(&self) -> Result<Vec<ScanSummary>, HistoryError> {
        let mut statement = self
            .connection
            .prepare(
                "SELECT id, strftime('%Y-%m-%dT%H:%M:%SZ', created_at, 'unixepoch'), target,
                    score, grade, findings, critical, high, medium, low, info
                 FROM scans ORDER BY id DESC",
            )
            .map_err(|source| self.sqlite(source))?;
        let rows = statement
            .query_map([], |row| {
                let count = |i: usize| -> rusqlite::Result<usize> {
                    Ok(usize::try_from(row.get::<_, i64>(i)?).unwrap_or(0))
                };
                Ok(ScanSummary {
                    id: ScanId(row.get(0)?),
                    created_at: row.get(1)?,
                    target: row.get(2)?,
                    score: row.get::<_, Option<i64>>(3)?.and_then(|s| u8::try_from(s).ok()),
                    grade: row.get(4)?,
                    findings: count(5)?,
                    by_severity: [count(6)?, count(7)?, count(8)?, count(9)?, count(10)?],
                })
            })
            .map_err(|source| self.sqlite(source))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|source| self.sqlite(source))
    }

    /// The stored report of scan `id`.
    pub fn load(&self, id: ScanId) -> Result<Report, HistoryError> {
        let json: Option<String> = self
            .connection
            .query_row("SELECT report_json FROM scans WHERE id = ?1", [id.0], |row| row.get(0))
            .optional()
            .map_err(|source| self.sqlite(source))?;
        let json = json.ok_or_else(|| HistoryError::NoSuchScan { path: self.path.clone(), id })?;
        serde_json::from_str(&json).map_err(|e| HistoryError::BadReport {
            path: self.path.clone(),
            id,
            message: e.to_string(),
        })
    }

    /// Applies the missing migrations, all in one `BEGIN IMMEDIATE`
    /// transaction that reads `user_version` again once it holds the write
    /// lock. Several trespass runs may open a new database at once (parallel
    /// CI jobs sharing `--db`): the first takes the lock and creates the
    /// tables, the others wait (see [`BUSY_TIMEOUT`]) and then find nothing
    /// left to do, instead of each running `CREATE TABLE` and all but one
    /// failing.
    fn migrate(&mut self) -> Result<(), HistoryError> {
        let known = MIGRATIONS.len();
        let known_version = i64::try_from(known).unwrap_or(i64::MAX);

        // Fast path: an up-to-date database takes no write lock.
        let applied = self.schema_version()?;
        if applied > known_version {
            return Err(HistoryError::TooNew { path: self.path.clone(), found: applied, known });
        }
        if applied == known_version {
            return Ok(());
        }

        let path = self.path.clone();
        let sqlite = |source| HistoryError::Sqlite { path: path.clone(), cause: source };
        let transaction = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sqlite)?;
        let applied: i64 =
            transaction.query_row("PRAGMA user_version", [], |row| row.get(0)).map_err(sqlite)?;
        if applied > known_version {
            return Err(HistoryError::TooNew { path: self.path.clone(), found: applied, known });
        }
        let start = usize::try_from(applied).unwrap_or(0);
        for (index, script) in MIGRATIONS.iter().enumerate().skip(start) {
            let version = i64::try_from(index + 1).unwrap_or(i64::MAX);
            transaction
                .execute_batch(script)
                .and_then(|()| transaction.pragma_update(None, "user_version", version))
                .map_err(sqlite)?;
        }
        transaction.commit().map_err(sqlite)
    }

    fn sqlite(&self, source: rusqlite::Error) -> HistoryError {
        HistoryError::Sqlite { path: self.path.clone(), cause: source }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trespass_model::{SCHEMA_VERSION, ScanStats, Score};

    fn report(target: &str, score: u8) -> Report {
        Report {
            schema_version: SCHEMA_VERSION.to_owned(),
            tool_version: "0.1.0".into(),
            target: target.into(),
            identities: vec!["alice".into(), "bob".into()],
            stats: ScanStats::default(),
            findings: vec![],
            coverage: vec![],
            notes: vec![],
            spec_file: None,
            score: Some(Score { value: score, grade: "B".into(), categories: vec![] }),
            baseline: None,
        }
    }

    #[test]
    fn reading_a_missing_history_creates_nothing_and_a_bad_file_is_said_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/history.sqlite3");
        let error = History::open_existing(&path).err().unwrap().to_string();
        assert_eq!(
            error,
            format!("no history database at {}: no scan has been stored there yet", path.display())
        );
        assert!(!dir.path().join("nested").exists());

        let text = dir.path().join("notes.txt");
        std::fs::write(&text, "not a database, just some text that is long enough\n").unwrap();
        let error = anyhow::Error::from(History::open_existing(&text).err().unwrap());
        assert_eq!(
            format!("{error:#}"),
            format!("history database {}: file is not a database", text.display())
        );
    }

    #[test]
    fn scans_are_stored_listed_newest_first_and_loaded_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/history.sqlite3");
        let mut history = History::open(&path).unwrap();
        let first = history.record(&report("http://127.0.0.1:1/", 81)).unwrap();
        let second = history.record(&report("http://127.0.0.1:2/", 85)).unwrap();
        assert_eq!((first, second), (ScanId(1), ScanId(2)));

        let rows = history.list().unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].id, second);
        assert_eq!(rows[0].target, "http://127.0.0.1:2/");
        assert_eq!((rows[0].score, rows[0].grade.as_deref()), (Some(85), Some("B")));
        assert_eq!(rows[1].created_at.len(), "2026-12-04T16:20:00Z".len());
        assert!(rows[1].created_at.ends_with('Z'));

        assert_eq!(history.load(first).unwrap(), report("http://127.0.0.1:1/", 81));
        let missing = history.load(ScanId(9)).unwrap_err().to_string();
        assert_eq!(
            missing,
            format!(
                "history database {} has no scan 9; `trespass history` lists them",
                path.display()
            )
        );
    }

    #[test]
    fn runs_opening_one_new_database_at_once_all_store_their_scan() {
        // Regression: parallel runs on a new --db raced to create the
        // tables, and the losers failed with "table scans already exists".
        const RUNS: usize = 8;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("par.db");
        let start = std::sync::Barrier::new(RUNS);
        let ids = std::thread::scope(|scope| {
            let runs: Vec<_> = (0..RUNS)
                .map(|run| {
                    let (path, start) = (&path, &start);
                    scope.spawn(move || {
                        start.wait();
                        let mut history = History::open(path)?;
                        history.record(&report(&format!("http://127.0.0.1:{run}/"), 80))
                    })
                })
                .collect();
            runs.into_iter().map(|run| run.join().unwrap()).collect::<Vec<_>>()
        });
        let mut ids: Vec<i64> = ids.into_iter().map(|id| id.unwrap().0).collect();
        ids.sort_unstable();
        assert_eq!(ids, (1..=RUNS as i64).collect::<Vec<_>>());

        let history = History::open_existing(&path).unwrap();
        assert_eq!(history.schema_version().unwrap(), MIGRATIONS.len() as i64);
        let mut targets: Vec<String> =
            history.list().unwrap().into_iter().map(|s| s.target).collect();
        targets.sort_unstable();
        let mut expected: Vec<String> =
            (0..RUNS).map(|run| format!("http://127.0.0.1:{run}/")).collect();
        expected.sort_unstable();
        assert_eq!(targets, expected);
    }

    #[test]
    fn migrations_run_once_and_a_newer_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.sqlite3");
        let history = History::open(&path).unwrap();
        assert_eq!(history.schema_version().unwrap(), MIGRATIONS.len() as i64);
        drop(history);
        // Reopening applies nothing twice (a second CREATE TABLE would fail).
        let history = History::open(&path).unwrap();
        history.connection.pragma_update(None, "user_version", 99).unwrap();
        drop(history);
        let error = History::open(&path).err().unwrap().to_string();
        assert_eq!(
            error,
            format!(
                "history database {} has schema version 99, newer than the 1 this trespass \
                 knows; use a newer trespass or another --db",
                path.display()
            )
        );
    }
}
