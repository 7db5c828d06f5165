//! The error context: errors are collected and combined, so the user sees every problem at
//! once (serde's `Ctxt`). The parser and every stage of the front end push into one of these.

/// Collects errors and combines them, so the user sees every problem at once.
#[derive(Default, Debug)]
pub struct Errors(Option<syn::Error>);

impl Errors {
    /// No errors yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an error.
    pub fn push(&mut self, e: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(e),
            None => self.0 = Some(e),
        }
    }

    /// True when no error was pushed.
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// `Err` with every error pushed, or `Ok(value)`.
    pub fn finish<T>(self, value: T) -> syn::Result<T> {
        match self.0 {
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
        match (self.0, value) {
            (Some(e), _) => Err(e),
            (None, Some(v)) => Ok(v),
            (None, None) => Err(missing()),
        }
    }

    /// Takes the combined error out, if any.
    pub fn take(&mut self) -> Option<syn::Error> {
        self.0.take()
    }
}
