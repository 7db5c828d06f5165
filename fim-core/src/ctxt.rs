//! The error context: errors are collected and combined, so the user sees every problem at
//! once (serde's `Ctxt`). The parser and every stage of the front end push into one of these.

/// Collects errors and combines them, so the user sees every problem at once.
#[derive(Default, Debug)]
pub struct Errors {
    all: Option<syn::Error>,
    count: usize,
}

impl Errors {
    /// No errors yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an error.
    pub fn push(&mut self, e: syn::Error) {
        self.count += 1;
        match &mut self.all {
            Some(all) => all.combine(e),
            None => self.all = Some(e),
        }
    }

    /// True when no error was pushed.
    pub fn is_empty(&self) -> bool {
        self.all.is_none()
    }

    /// How many errors were pushed.
    pub fn count(&self) -> usize {
        self.count
    }

    /// `Err` with every error pushed, or `Ok(value)`.
    pub fn finish<T>(self, value: T) -> syn::Result<T> {
        match self.all {
            Some(e) => Err(e),
            None => Ok(value),
        }
    }

    /// `Ok(value)` when there is a value and no error; else every error pushed, or `missing()`
    /// when nothing was pushed but there is no value either.
    pub fn finish_some<T>(
        self,
        value: Option<T>,
        missing: impl FnOnce() -> syn::Error,
    ) -> syn::Result<T> {
        match (self.all, value) {
            (Some(e), _) => Err(e),
            (None, Some(v)) => Ok(v),
            (None, None) => Err(missing()),
        }
    }

    /// Takes the combined error out, if any.
    pub fn take(&mut self) -> Option<syn::Error> {
        self.count = 0;
        self.all.take()
    }
}
