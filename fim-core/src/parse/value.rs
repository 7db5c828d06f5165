//! What the converter computes with: compile-time values (a real expression in the IR, an
//! integer such as a loop index, an array, an unrolled iterator, a tuple) and the scope that
//! binds names to them.

use crate::expr::{Id, Ir};

/// A value of the body, known at compile time: loops and iterator chains are unrolled, so an
/// iterator is the list of its items.
#[derive(Clone, Debug)]
pub enum Value {
    /// An `f64` expression.
    Real(Id),
    /// An integer: a literal used as an index or a bound, or a loop index.
    Int(i64),
    /// An array, `[f64; N]` or nested, of its entries.
    Array(Vec<Value>),
    /// An iterator, unrolled: its items in order.
    Seq(Vec<Value>),
    /// A tuple, as `zip` and `enumerate` yield.
    Tuple(Vec<Value>),
}

impl Value {
    /// What kind of value this is, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Real(_) => "a number",
            Value::Int(_) => "an integer",
            Value::Array(_) => "an array",
            Value::Seq(_) => "an iterator",
            Value::Tuple(_) => "a tuple",
        }
    }

    /// The value as an `f64` expression: an integer becomes its constant.
    pub fn real(&self, arena: &mut Ir) -> Option<Id> {
        match self {
            Value::Real(id) => Some(*id),
            Value::Int(n) => Some(arena.int(*n)),
            _ => None,
        }
    }

    /// The items of an iterator or the entries of an array.
    pub fn items(self) -> Option<Vec<Value>> {
        match self {
            Value::Seq(v) | Value::Array(v) => Some(v),
            _ => None,
        }
    }
}

/// One name in scope.
#[derive(Clone, Debug)]
struct Binding {
    name: String,
    value: Value,
    mutable: bool,
}

/// The names in scope, innermost last: the model's array arguments, `let` bindings, loop
/// indices and closure arguments. Blocks, loop bodies and closures push their names and
/// truncate back to where they began, so a shadowed name comes back into view.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    bindings: Vec<Binding>,
}

impl Scope {
    /// An empty scope.
    pub fn new() -> Self {
        Self::default()
    }

    /// Binds `name` (shadowing any earlier binding of it).
    pub fn bind(&mut self, name: impl Into<String>, value: Value, mutable: bool) {
        self.bindings.push(Binding {
            name: name.into(),
            value,
            mutable,
        });
    }

    /// The innermost value bound to `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.find(name).map(|b| &self.bindings[b].value)
    }

    /// Assigns to the innermost binding of `name`: `Err(true)` when it is not mutable,
    /// `Err(false)` when there is none.
    pub fn assign(&mut self, name: &str, value: Value) -> Result<(), bool> {
        match self.find(name) {
            Some(i) if self.bindings[i].mutable => {
                self.bindings[i].value = value;
                Ok(())
            }
            Some(_) => Err(true),
            None => Err(false),
        }
    }

    /// The number of bindings, to truncate back to.
    pub fn mark(&self) -> usize {
        self.bindings.len()
    }

    /// Forgets the bindings made since `mark`.
    pub fn truncate(&mut self, mark: usize) {
        self.bindings.truncate(mark);
    }

    fn find(&self, name: &str) -> Option<usize> {
        self.bindings.iter().rposition(|b| b.name == name)
    }
}
