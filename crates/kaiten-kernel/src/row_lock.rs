//! How a use case locks the row it reads, as a SQL suffix. The mode matters: a writer that
//! keeps the key takes `NO KEY UPDATE`, which does not block rows that merely refer to this
//! one (their foreign-key check takes `KEY SHARE`); only a delete takes `UPDATE`, which does.
//! Readers that are about to insert a reference take `KEY SHARE`, so the referenced row
//! cannot be deleted under them.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowLock {
    /// A plain read.
    None,
    /// About to insert a row that refers to this one.
    KeyShare,
    /// About to change this row (not its key).
    Update,
    /// About to delete this row.
    Delete,
}

impl RowLock {
    pub fn sql(self) -> &'static str {
        match self {
            Self::None => "",
            Self::KeyShare => "FOR KEY SHARE",
            Self::Update => "FOR NO KEY UPDATE",
            Self::Delete => "FOR UPDATE",
        }
    }

    /// The same lock, limited to the rows of one table of a join (`FOR … OF alias`).
    pub fn sql_of(self, alias: &str) -> String {
        match self {
            Self::None => String::new(),
            other => format!("{} OF {alias}", other.sql()),
        }
    }
}
