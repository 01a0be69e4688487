//! Diagnostics: errors and warnings, each on the attribute it is about when there is one.

use std::borrow::Cow;

use crate::proto;

/// One step into a value: an attribute, a map key or a list index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AttributePathStep {
    /// An attribute (or block) name.
    Attribute(Cow<'static, str>),
    /// A key of a map.
    Key(Cow<'static, str>),
    /// An index of a list (or the position of a block).
    Index(i64),
}

/// Where in a configuration a diagnostic points; empty is the whole resource.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct AttributePath {
    /// The steps from the resource down.
    pub steps: Vec<AttributePathStep>,
}

impl AttributePath {
    /// The top-level attribute `name`.
    pub fn new(name: impl Into<Cow<'static, str>>) -> Self {
        Self::root().attribute(name)
    }

    /// The whole resource (no step).
    pub fn root() -> Self {
        Self::default()
    }

    /// One attribute further down.
    pub fn attribute(mut self, name: impl Into<Cow<'static, str>>) -> Self {
        self.steps.push(AttributePathStep::Attribute(name.into()));
        self
    }

    /// One map key further down.
    pub fn key(mut self, key: impl Into<Cow<'static, str>>) -> Self {
        self.steps.push(AttributePathStep::Key(key.into()));
        self
    }

    /// One list index further down.
    pub fn index(mut self, index: impl Into<i64>) -> Self {
        self.steps.push(AttributePathStep::Index(index.into()));
        self
    }

    /// The path in the protocol's form.
    pub(crate) fn to_proto(&self) -> Option<proto::AttributePath> {
        use proto::attribute_path::step::Selector;
        if self.steps.is_empty() {
            return None;
        }
        let steps = self
            .steps
            .iter()
            .map(|step| proto::attribute_path::Step {
                selector: Some(match step {
                    AttributePathStep::Attribute(name) => Selector::AttributeName(name.to_string()),
                    AttributePathStep::Key(key) => Selector::ElementKeyString(key.to_string()),
                    AttributePathStep::Index(i) => Selector::ElementKeyInt(*i),
                }),
            })
            .collect();
        Some(proto::AttributePath { steps })
    }
}

/// One error or warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// One line: what went wrong.
    pub summary: Cow<'static, str>,
    /// The explanation, and what to write instead.
    pub detail: Cow<'static, str>,
    /// The attribute it is about.
    pub attribute: AttributePath,
    /// For a function call: the argument it is about.
    pub function_argument: Option<i64>,
}

/// The errors and warnings of one operation; any error fails it.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    /// The errors.
    pub errors: Vec<Diagnostic>,
    /// The warnings.
    pub warnings: Vec<Diagnostic>,
}

fn diagnostic(
    summary: impl Into<Cow<'static, str>>,
    detail: impl Into<Cow<'static, str>>,
    attribute: AttributePath,
) -> Diagnostic {
    Diagnostic {
        summary: summary.into(),
        detail: detail.into(),
        attribute,
        function_argument: None,
    }
}

impl Diagnostics {
    /// An error on `attribute`.
    pub fn error(
        &mut self,
        summary: impl Into<Cow<'static, str>>,
        detail: impl Into<Cow<'static, str>>,
        attribute: AttributePath,
    ) {
        self.errors.push(diagnostic(summary, detail, attribute));
    }

    /// An error about the whole resource.
    pub fn root_error(
        &mut self,
        summary: impl Into<Cow<'static, str>>,
        detail: impl Into<Cow<'static, str>>,
    ) {
        self.error(summary, detail, AttributePath::root());
    }

    /// An error about the whole resource that needs no detail.
    pub fn root_error_short(&mut self, summary: impl Into<Cow<'static, str>>) {
        self.root_error(summary, "");
    }

    /// A warning on `attribute`.
    pub fn warning(
        &mut self,
        summary: impl Into<Cow<'static, str>>,
        detail: impl Into<Cow<'static, str>>,
        attribute: AttributePath,
    ) {
        self.warnings.push(diagnostic(summary, detail, attribute));
    }

    /// A function call's error on argument `index`.
    pub fn function_error(&mut self, index: i64, message: impl Into<Cow<'static, str>>) {
        let mut error = diagnostic(message, "", AttributePath::root());
        error.function_argument = Some(index);
        self.errors.push(error);
    }

    /// Whether any error was reported.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// The diagnostics in the protocol's form, errors first.
    pub(crate) fn to_proto(&self) -> Vec<proto::Diagnostic> {
        use proto::diagnostic::Severity;
        let one = |d: &Diagnostic, severity: Severity| proto::Diagnostic {
            severity: severity as i32,
            summary: d.summary.to_string(),
            detail: d.detail.to_string(),
            attribute: d.attribute.to_proto(),
        };
        self.errors
            .iter()
            .map(|d| one(d, Severity::Error))
            .chain(self.warnings.iter().map(|d| one(d, Severity::Warning)))
            .collect()
    }

    /// The first error as a function error (the protocol carries one per call).
    pub(crate) fn to_function_error(&self) -> Option<proto::FunctionError> {
        let first = self.errors.first()?;
        let text = if first.detail.is_empty() {
            first.summary.to_string()
        } else {
            format!("{}: {}", first.summary, first.detail)
        };
        Some(proto::FunctionError {
            text,
            function_argument: first.function_argument,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_keep_every_step_in_order() {
        let path = AttributePath::new("timeouts")
            .index(0)
            .attribute("update")
            .key("k");
        let proto = path.to_proto().unwrap();
        assert_eq!(proto.steps.len(), 4);
        assert!(AttributePath::root().to_proto().is_none());
    }

    #[test]
    fn errors_come_before_warnings_with_their_severity() {
        let mut diags = Diagnostics::default();
        diags.warning("w", "", AttributePath::new("a"));
        diags.root_error("e", "detail");
        let proto = diags.to_proto();
        assert_eq!(proto[0].summary, "e");
        assert_eq!(proto[0].severity, proto::diagnostic::Severity::Error as i32);
        assert_eq!(
            proto[1].severity,
            proto::diagnostic::Severity::Warning as i32
        );
        assert!(diags.has_errors());
    }

    #[test]
    fn a_function_error_names_its_argument() {
        let mut diags = Diagnostics::default();
        diags.function_error(2, "service_account must be a DNS-1123 subdomain");
        let error = diags.to_function_error().unwrap();
        assert_eq!(error.function_argument, Some(2));
        assert_eq!(error.text, "service_account must be a DNS-1123 subdomain");
    }
}
