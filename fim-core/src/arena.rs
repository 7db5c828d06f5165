//! The arena a derivation works in: the expression store ([`Ir`]) and, beside it, the memos of
//! the stages that work over it (simplified and rational forms, data-term splits). It
//! dereferences to the store, so expressions are built and read on it directly.

use std::ops::{Deref, DerefMut};

use crate::expr::Ir;
use crate::{expect, simplify};

/// Every node and symbol of a derivation, with the caches of the stages that work on them.
///
/// Each stage declares what it needs of an arena as a small trait ([`simplify::Workspace`],
/// [`expect::Workspace`]) and this type implements them, so the IR knows nothing of the stages
/// and no stage names the arena.
#[derive(Default)]
pub struct Arena {
    ir: Ir,
    simplify: simplify::Memo,
    expect: expect::Memo,
}

impl Arena {
    /// An empty arena, sized for a typical derivation (a few hundred nodes) so that its
    /// tables do not grow step by step.
    pub fn new() -> Self {
        Arena {
            ir: Ir::new(),
            simplify: simplify::Memo::new(),
            expect: expect::Memo::new(),
        }
    }
}

impl Deref for Arena {
    type Target = Ir;

    fn deref(&self) -> &Ir {
        &self.ir
    }
}

impl DerefMut for Arena {
    fn deref_mut(&mut self) -> &mut Ir {
        &mut self.ir
    }
}

impl simplify::Workspace for Arena {
    fn split(&mut self) -> (&mut Ir, &mut simplify::Memo) {
        (&mut self.ir, &mut self.simplify)
    }
}

impl expect::Workspace for Arena {
    fn expect_memo(&mut self) -> &mut expect::Memo {
        &mut self.expect
    }
}

impl std::fmt::Debug for Arena {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.ir.debug_as("Arena", f)
    }
}
