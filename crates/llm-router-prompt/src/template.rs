//! [`PromptTemplate`]: one handlebars template with declared input variables.

use std::collections::BTreeSet;
use std::sync::Arc;

use handlebars::template::{Parameter, Template, TemplateElement};
use handlebars::{
    Context, Handlebars, Helper, HelperResult, Output, Path, RenderContext, RenderErrorReason,
};
use serde_json::Value;

use crate::error::{PromptError, from_render};

const MAIN: &str = "main";

/// A handlebars template whose variables are declared up front.
///
/// - **Strict**: [`new`](Self::new) fails with [`PromptError::UndeclaredVariable`] when the
///   template reads a top-level variable not in `input_variables`;
///   [`render`](Self::render) fails with [`PromptError::MissingVariable`] when a declared
///   variable (or a nested field the template reads) is absent. Extra values are ignored.
/// - **No HTML escaping**: `{{text}}` writes `<`, `&` and quotes as they are.
/// - **Partials**: [`with_partial`](Self::with_partial), used as `{{> name}}`. A partial's own
///   variables are not checked at construction (it renders in the caller's context, so a
///   missing one still fails at render time).
/// - **Helpers**, besides handlebars' built-ins (`if`, `unless`, `each`, `with`, `lookup`,
///   `eq`, `and`, …):
///   - `{{upper x}}`, `{{lower x}}`: case of a string;
///   - `{{join list ", "}}`: the items of an array, joined (separator defaults to `", "`);
///   - `{{json x}}`: any value as compact JSON (`{{json x pretty=true}}` indents it).
///
/// Inside `{{#each}}` and `{{#with}}` blocks the context changes, so names there are not
/// checked against the declaration.
#[derive(Clone)]
pub struct PromptTemplate {
    source: String,
    input_variables: Vec<String>,
    registry: Arc<Handlebars<'static>>,
}

impl std::fmt::Debug for PromptTemplate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PromptTemplate")
            .field("source", &self.source)
            .field("input_variables", &self.input_variables)
            .finish_non_exhaustive()
    }
}

impl PromptTemplate {
    /// Parses `template` and checks that every top-level variable it reads is one of
    /// `input_variables`.
    pub fn new<I, S>(template: impl Into<String>, input_variables: I) -> Result<Self, PromptError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let source = template.into();
        let input_variables: Vec<String> = input_variables.into_iter().map(Into::into).collect();
        let used = referenced_variables(&source)?;
        if let Some(name) = used.iter().find(|u| !input_variables.contains(u)) {
            return Err(PromptError::UndeclaredVariable { name: name.clone() });
        }
        let mut registry = new_registry();
        registry
            .register_template_string(MAIN, &source)
            .map_err(|e| PromptError::Syntax {
                message: e.to_string(),
            })?;
        Ok(Self {
            source,
            input_variables,
            registry: Arc::new(registry),
        })
    }

    /// A template declaring exactly the variables it reads.
    pub fn infer(template: impl Into<String>) -> Result<Self, PromptError> {
        let source = template.into();
        let used = referenced_variables(&source)?;
        Self::new(source, used)
    }

    /// Registers a partial, usable as `{{> name}}`.
    pub fn with_partial(mut self, name: &str, template: &str) -> Result<Self, PromptError> {
        Arc::make_mut(&mut self.registry)
            .register_partial(name, template)
            .map_err(|e| PromptError::Syntax {
                message: e.to_string(),
            })?;
        Ok(self)
    }

    /// The declared variables.
    pub fn input_variables(&self) -> &[String] {
        &self.input_variables
    }

    /// The template text.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Renders with `vars`, a JSON object (anything `Serialize` that becomes one).
    pub fn render<T: serde::Serialize + ?Sized>(&self, vars: &T) -> Result<String, PromptError> {
        let value = serde_json::to_value(vars).map_err(|e| PromptError::Render {
            message: e.to_string(),
        })?;
        let Value::Object(map) = &value else {
            return Err(PromptError::NotAnObject);
        };
        if let Some(name) = self
            .input_variables
            .iter()
            .find(|v| !map.contains_key(v.as_str()))
        {
            return Err(PromptError::MissingVariable { name: name.clone() });
        }
        self.registry.render(MAIN, &value).map_err(from_render)
    }
}

fn new_registry() -> Handlebars<'static> {
    let mut h = Handlebars::new();
    h.set_strict_mode(true);
    h.register_escape_fn(handlebars::no_escape);
    h.register_helper("upper", Box::new(upper));
    h.register_helper("lower", Box::new(lower));
    h.register_helper("join", Box::new(join));
    h.register_helper("json", Box::new(json));
    h
}

fn param<'a>(
    h: &'a Helper<'_>,
    idx: usize,
    helper: &'static str,
) -> Result<&'a Value, RenderErrorReason> {
    h.param(idx)
        .map(|p| p.value())
        .ok_or(RenderErrorReason::ParamNotFoundForIndex(helper, idx))
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn upper(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    out.write(&text(param(h, 0, "upper")?).to_uppercase())?;
    Ok(())
}

fn lower(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    out.write(&text(param(h, 0, "lower")?).to_lowercase())?;
    Ok(())
}

fn join(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    let list = param(h, 0, "join")?;
    let sep = h
        .param(1)
        .map_or_else(|| ", ".to_owned(), |p| text(p.value()));
    let joined = match list {
        Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join(&sep),
        other => text(other),
    };
    out.write(&joined)?;
    Ok(())
}

fn json(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    let v = param(h, 0, "json")?;
    let pretty = h
        .hash_get("pretty")
        .is_some_and(|p| p.value().as_bool() == Some(true));
    let s = if pretty {
        serde_json::to_string_pretty(v)
    } else {
        serde_json::to_string(v)
    }
    .map_err(|e| RenderErrorReason::Other(e.to_string()))?;
    out.write(&s)?;
    Ok(())
}

/// The top-level variables `template` reads (outside `each` / `with` bodies).
pub(crate) fn referenced_variables(template: &str) -> Result<BTreeSet<String>, PromptError> {
    let t = Template::compile(template).map_err(|e| PromptError::Syntax {
        message: e.to_string(),
    })?;
    let mut out = BTreeSet::new();
    walk(&t, &mut out);
    Ok(out)
}

fn walk(t: &Template, out: &mut BTreeSet<String>) {
    for el in &t.elements {
        walk_element(el, out);
    }
}

fn walk_element(el: &TemplateElement, out: &mut BTreeSet<String>) {
    match el {
        TemplateElement::Expression(h) | TemplateElement::HtmlExpression(h) => {
            if h.params.is_empty() && h.hash.is_empty() {
                // `{{name}}`: a variable (the name of a helper only when it has arguments)
                param_vars(&h.name, out);
            } else {
                args(&h.params, h.hash.values(), out);
            }
        }
        TemplateElement::HelperBlock(h) => {
            args(&h.params, h.hash.values(), out);
            let scoped = matches!(h.name.as_name(), Some("each" | "with"));
            if let (Some(body), false) = (&h.template, scoped) {
                walk(body, out);
            }
            if let Some(inverse) = &h.inverse {
                walk(inverse, out);
            }
        }
        TemplateElement::PartialExpression(d)
        | TemplateElement::PartialBlock(d)
        | TemplateElement::DecoratorExpression(d)
        | TemplateElement::DecoratorBlock(d) => {
            args(&d.params, d.hash.values(), out);
            if let Some(body) = &d.template {
                walk(body, out);
            }
        }
        _ => {}
    }
}

fn args<'a>(
    params: &'a [Parameter],
    hash: impl Iterator<Item = &'a Parameter>,
    out: &mut BTreeSet<String>,
) {
    for p in params.iter().chain(hash) {
        param_vars(p, out);
    }
}

fn param_vars(p: &Parameter, out: &mut BTreeSet<String>) {
    match p {
        Parameter::Name(name) => push_root(name, out),
        Parameter::Path(Path::Relative((_, raw))) => push_root(raw, out),
        Parameter::Subexpression(sub) => walk_element(sub.as_element(), out),
        _ => {}
    }
}

fn push_root(raw: &str, out: &mut BTreeSet<String>) {
    if raw.starts_with('.') || raw.starts_with('@') || raw.starts_with('[') {
        return;
    }
    let root = raw.split(['.', '/', '[']).next().unwrap_or(raw);
    if root.is_empty() || root == "this" {
        return;
    }
    out.insert(root.to_owned());
}
