use std::cell::Cell;
use wasm_bindgen::JsValue;
use worker::{ScheduledTime, SqlCursor, SqlStorage, SqlStorageValue};

pub type Columns = std::vec::IntoIter<SqlStorageValue>;

/// An object's SQLite, its schema made once per instance (its statements were most of a
/// reservation's SQL); a failed statement is tried again on the next call.
pub struct Db {
    sql: SqlStorage,
    schema: &'static [&'static str],
    /// Columns added since the first schema: an error once they are there, ignored.
    added: &'static [&'static str],
    ready: Cell<bool>,
}

impl Db {
    pub fn new(storage: &worker::Storage, schema: &'static [&'static str]) -> Db {
        Db::with_added(storage, schema, &[])
    }

    pub fn with_added(
        storage: &worker::Storage,
        schema: &'static [&'static str],
        added: &'static [&'static str],
    ) -> Db {
        Db {
            sql: storage.sql(),
            schema,
            added,
            ready: Cell::new(false),
        }
    }

    pub fn ready(&self) -> worker::Result<()> {
        if !self.ready.get() {
            for statement in self.schema {
                self.sql.exec(statement, None)?;
            }
            for statement in self.added {
                let _already_there = self.sql.exec(statement, None);
            }
            self.ready.set(true);
        }
        Ok(())
    }

    pub fn exec(&self, query: &str, bindings: Vec<SqlStorageValue>) -> worker::Result<SqlCursor> {
        self.ready()?;
        self.sql.exec(query, Some(bindings))
    }

    /// The first row's columns; none without a row.
    pub fn row(&self, query: &str, bindings: Vec<SqlStorageValue>) -> worker::Result<Columns> {
        let row = self.exec(query, bindings)?.raw().next().transpose()?;
        Ok(row.unwrap_or_default().into_iter())
    }

    /// The first column of the first row, if any.
    pub fn first(
        &self,
        query: &str,
        bindings: Vec<SqlStorageValue>,
    ) -> worker::Result<Option<SqlStorageValue>> {
        Ok(self.row(query, bindings)?.next())
    }
}

pub fn text(value: Option<SqlStorageValue>) -> Option<String> {
    match value? {
        SqlStorageValue::String(text) => Some(text),
        _ => None,
    }
}

/// An alarm at a time, not after an offset (`From<i64>` is an offset); one already past
/// fires at once.
pub fn at(ms: u64) -> ScheduledTime {
    // `as` is exact for every time far inside JavaScript's safe range.
    ScheduledTime::new(js_sys::Date::new(&JsValue::from_f64(ms as f64)))
}
