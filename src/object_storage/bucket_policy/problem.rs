//! Where in a bucket-policy document something is (`Statement[1].Resource[0]`), and a problem
//! found there.

use std::fmt;

/// One step into a JSON document: an object key or a list position.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    /// An object key, e.g. `Statement` or `cw:PrincipalOrgID`.
    Key(String),
    /// A 0-based list position.
    Index(usize),
}

/// A path inside a document, from its root; empty for the document itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct DocPath(pub Vec<Step>);

impl DocPath {
    /// The document itself.
    pub fn root() -> Self {
        Self::default()
    }

    /// This path, then the object key `key`.
    pub fn key(&self, key: &str) -> Self {
        let mut steps = self.0.clone();
        steps.push(Step::Key(key.to_string()));
        Self(steps)
    }

    /// This path, then list position `index`.
    pub fn index(&self, index: usize) -> Self {
        let mut steps = self.0.clone();
        steps.push(Step::Index(index));
        Self(steps)
    }
}

/// Whether a key can be written after a dot (`Statement`), or needs brackets (`["cw:x"]`).
fn plain_key(key: &str) -> bool {
    !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `Statement[1].Resource[0]`, `Statement[0].Condition.StringEquals["cw:PrincipalOrgID"]`, and
/// `(document)` for the root.
impl fmt::Display for DocPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(document)");
        }
        for (i, step) in self.0.iter().enumerate() {
            match step {
                Step::Key(k) if plain_key(k) && i == 0 => f.write_str(k)?,
                Step::Key(k) if plain_key(k) => write!(f, ".{k}")?,
                Step::Key(k) => write!(f, "[{k:?}]")?,
                Step::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The API refuses the document (`MalformedPolicy`): a plan with it stops.
    Error,
    /// The API accepts it, but it likely does not do what was meant.
    Warning,
}

/// One problem with a document, at a path inside it, saying what to write instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// Where in the document.
    pub path: DocPath,
    /// What is wrong and what to write.
    pub message: String,
}

impl Problem {
    /// An error at `path`.
    pub fn error(path: DocPath, message: impl Into<String>) -> Self {
        let message = message.into();
        Self {
            severity: Severity::Error,
            path,
            message,
        }
    }

    /// A warning at `path`.
    pub fn warning(path: DocPath, message: impl Into<String>) -> Self {
        let message = message.into();
        Self {
            severity: Severity::Warning,
            path,
            message,
        }
    }

    /// Whether it stops a plan.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}
