use fim::fisher_model;

// PENDING (bug): Laplace with location mu and scale b. The Hessian in b needs
// E[(x - mu).abs()], which only the user can supply. But the engine does not simplify
// (x - mu).abs().powi(2) to (x - mu).powi(2), so ∂²ℓ/∂mu² (zero almost everywhere) stays as
// 1/|x - mu| - (x - mu)²/|x - mu|³ and the error asks for five moments that do not exist for a
// Laplace: E[1.0 / (x - mu).abs().powi(3)], E[x / (x - mu).abs().powi(3)], ...
// Expected: one error, at `moments`:
//   error: needs E[(x - mu).abs()]: add `E[(x - mu).abs()] = …` to moments(..) (used by F[b][b])
// (and then F[mu][mu] deserves a note: −E[H] is 0 for the Laplace while E[s²] = 1/b²; the
// regularity conditions of Theorem 1 fail at the kink.)
#[fisher_model(params(mu, b), data(x), moments(E[x] = mu))]
pub fn laplace(x: f64, mu: f64, b: f64) -> f64 {
    -(x - mu).abs() / b - b.ln()
}

fn main() {}
