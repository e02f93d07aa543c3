//! The part of PostgreSQL's `pgoutput` protocol (version 1, text values) the relay needs:
//! Relation messages (column names per relation id) and Inserts into `outbox_events`.
//! Begin and Commit arrive already parsed from the replication client.

use std::collections::HashMap;

use thiserror::Error;

#[derive(Debug, Error, PartialEq)]
pub enum DecodeError {
    #[error("truncated pgoutput message")]
    Truncated,
    #[error("insert into unknown relation {0}")]
    UnknownRelation(u32),
    #[error("binary tuple values are not supported")]
    Binary,
    #[error("unexpected tuple kind {0:?}")]
    TupleKind(char),
}

/// A decoded row: column name → text value (`None` for NULL).
pub type Row = HashMap<String, Option<String>>;

#[derive(Default)]
pub struct Decoder {
    relations: HashMap<u32, Relation>,
}

struct Relation {
    table: String,
    columns: Vec<String>,
}

/// What one `XLogData` message meant to the relay.
#[derive(Debug, PartialEq)]
pub enum Change {
    /// An insert into the named table.
    Insert { table: String, row: Row },
    /// Anything else (relation metadata, types, origins, other operations).
    Other,
}

impl Decoder {
    pub fn decode(&mut self, data: &[u8]) -> Result<Change, DecodeError> {
        let mut r = Reader { data, at: 0 };
        match r.u8()? {
            b'R' => {
                let id = r.u32()?;
                let _namespace = r.cstr()?;
                let table = r.cstr()?;
                let _identity = r.u8()?;
                let count = r.u16()?;
                let mut columns = Vec::with_capacity(count as usize);
                for _ in 0..count {
                    let _flags = r.u8()?;
                    columns.push(r.cstr()?);
                    let _type_oid = r.u32()?;
                    let _modifier = r.u32()?;
                }
                self.relations.insert(id, Relation { table, columns });
                Ok(Change::Other)
            }
            b'I' => {
                let id = r.u32()?;
                let _new = r.u8()?;
                let relation = self.relations.get(&id).ok_or(DecodeError::UnknownRelation(id))?;
                let count = r.u16()? as usize;
                let mut row = Row::with_capacity(count);
                for index in 0..count {
                    let value = match r.u8()? {
                        b'n' | b'u' => None,
                        b't' => {
                            let len = r.u32()? as usize;
                            Some(String::from_utf8_lossy(r.take(len)?).into_owned())
                        }
                        b'b' => return Err(DecodeError::Binary),
                        other => return Err(DecodeError::TupleKind(other as char)),
                    };
                    if let Some(name) = relation.columns.get(index) {
                        row.insert(name.clone(), value);
                    }
                }
                Ok(Change::Insert { table: relation.table.clone(), row })
            }
            _ => Ok(Change::Other),
        }
    }
}

struct Reader<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self.at.checked_add(n).filter(|end| *end <= self.data.len()).ok_or(DecodeError::Truncated)?;
        let bytes = &self.data[self.at..end];
        self.at = end;
        Ok(bytes)
    }
    fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, DecodeError> {
        Ok(u16::from_be_bytes(self.take(2)?.try_into().map_err(|_| DecodeError::Truncated)?))
    }
    fn u32(&mut self) -> Result<u32, DecodeError> {
        Ok(u32::from_be_bytes(self.take(4)?.try_into().map_err(|_| DecodeError::Truncated)?))
    }
    fn cstr(&mut self) -> Result<String, DecodeError> {
        let rest = &self.data[self.at..];
        let len = rest.iter().position(|b| *b == 0).ok_or(DecodeError::Truncated)?;
        let s = String::from_utf8_lossy(&rest[..len]).into_owned();
        self.at += len + 1;
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relation() -> Vec<u8> {
        let mut m = vec![b'R'];
        m.extend(16384u32.to_be_bytes());
        m.extend(b"public\0outbox_events\0");
        m.push(b'd');
        m.extend(2u16.to_be_bytes());
        for name in ["seq", "data"] {
            m.push(0);
            m.extend(name.as_bytes());
            m.push(0);
            m.extend(20u32.to_be_bytes());
            m.extend(u32::MAX.to_be_bytes());
        }
        m
    }

    #[test]
    fn inserts_decode_against_the_relation_they_name() {
        let mut decoder = Decoder::default();
        assert_eq!(decoder.decode(&relation()), Ok(Change::Other));
        let mut insert = vec![b'I'];
        insert.extend(16384u32.to_be_bytes());
        insert.push(b'N');
        insert.extend(2u16.to_be_bytes());
        insert.push(b't');
        insert.extend(2u32.to_be_bytes());
        insert.extend(b"42");
        insert.push(b'n');
        let Change::Insert { table, row } = decoder.decode(&insert).unwrap() else { panic!("an insert") };
        assert_eq!(table, "outbox_events");
        assert_eq!((row["seq"].as_deref(), row["data"].as_deref()), (Some("42"), None));
        insert.truncate(insert.len() - 3);
        assert_eq!(decoder.decode(&insert), Err(DecodeError::Truncated), "never reads past the end");
        assert_eq!(Decoder::default().decode(&insert), Err(DecodeError::UnknownRelation(16384)));
    }
}
