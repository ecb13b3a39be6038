#!/usr/bin/env python3
"""Renders the llm-router chart without helm and checks that every manifest is valid YAML.

A small interpreter of the Go-template subset the chart uses (define/include, if/else/with/range,
pipelines with default, quote, nindent, toYaml, trunc, trimSuffix, replace, printf, sha256sum,
contains, not, print). Usage: python3 check_chart.py [CHART_DIR] [--set path=value ...]
Renders with the chart's values and with a few overrides, prints the manifests with -v.
"""
import hashlib
import tomllib
import re
import sys
from pathlib import Path

import yaml

TOKEN = re.compile(r"\{\{(-?)\s*(.*?)\s*(-?)\}\}", re.S)


def lex(src):
    """Text and action tokens, with Go's trim markers applied."""
    out, pos = [], 0
    for m in TOKEN.finditer(src):
        text = src[pos:m.start()]
        if m.group(1):
            text = text.rstrip()
        out.append(("text", text))
        out.append(("action", m.group(2), bool(m.group(3))))
        pos = m.end()
    out.append(("text", src[pos:]))
    # right trim: strip leading whitespace of the following text
    for i, tok in enumerate(out):
        if tok[0] == "action" and tok[2] and i + 1 < len(out):
            out[i + 1] = ("text", out[i + 1][1].lstrip())
    return [t for t in out if not (t[0] == "text" and t[1] == "")]


def parse(tokens, i=0, stop=("end",)):
    """A tree: list of nodes; returns (nodes, index, stopping keyword)."""
    nodes = []
    while i < len(tokens):
        tok = tokens[i]
        if tok[0] == "text":
            nodes.append(("text", tok[1]))
            i += 1
            continue
        act = tok[1]
        if act.startswith("/*"):
            i += 1
            continue
        word = act.split(None, 1)[0] if act else ""
        if word in stop or (word == "else" and "else" in stop):
            return nodes, i, act
        if word in ("if", "with", "range", "define"):
            arg = act.split(None, 1)[1]
            body, i, end = parse(tokens, i + 1, stop=("end", "else"))
            branches = [(arg, body)]
            while end.startswith("else"):
                rest = end[4:].strip()
                cond = rest[3:].strip() if rest.startswith("if ") else None
                body, i, end = parse(tokens, i + 1, stop=("end", "else"))
                branches.append((cond, body))
            nodes.append((word, branches))
            i += 1
            continue
        nodes.append(("expr", act))
        i += 1
    return nodes, i, None


def split_args(s):
    """Splits an argument list on spaces, keeping quoted strings and parentheses together."""
    args, cur, depth, quote = [], "", 0, False
    for c in s:
        if c == '"' and depth == 0:
            quote = not quote
        if c == "(" and not quote:
            depth += 1
        if c == ")" and not quote:
            depth -= 1
        if c.isspace() and depth == 0 and not quote:
            if cur:
                args.append(cur)
            cur = ""
        else:
            cur += c
    if cur:
        args.append(cur)
    return args


def to_yaml(v):
    return yaml.safe_dump(v, default_flow_style=False, sort_keys=False).rstrip("\n") if v not in (None, {}, []) else ("{}" if v == {} else "[]" if v == [] else "")


class Renderer:
    def __init__(self, root, templates):
        self.root, self.templates, self.defines = root, templates, {}
        for src in templates.values():
            for node in parse(lex(src))[0]:
                if node[0] == "define":
                    name = node[1][0][0].strip('"')
                    self.defines[name] = node[1][0][1]

    def lookup(self, path, dot, scope):
        if path == ".":
            return dot
        base = self.root if path.startswith("$") else dot
        path = path[1:] if path.startswith("$") else path
        for part in [p for p in path.split(".") if p]:
            base = base.get(part) if isinstance(base, dict) else None
        return base

    def term(self, t, dot, scope):
        if t.startswith("(") and t.endswith(")"):
            return self.pipeline(t[1:-1], dot, scope)
        if t.startswith('"'):
            return t[1:-1]
        if re.fullmatch(r"-?\d+", t):
            return int(t)
        if t in ("true", "false"):
            return t == "true"
        if t.startswith("$") and t[1:2] not in (".", "") and "." not in t:
            return scope[t]
        if t.startswith(".") or t.startswith("$"):
            return self.lookup(t, dot, scope)
        return self.call(t, [], dot, scope)

    def call(self, fn, args, dot, scope):
        a = args
        if fn == "include":
            return self.render(self.defines[a[0]], a[1], {}).strip("\n") if a[0] in self.defines else self.render_file(a[0], a[1])
        if fn == "default":
            return a[1] if a[1] not in (None, "", 0, False, [], {}) else a[0]
        if fn == "quote":
            return '"' + str(a[0] if a[0] is not None else "") + '"'
        if fn == "nindent":
            return "\n" + "\n".join((" " * a[0] + l) if l else l for l in str(a[1]).split("\n"))
        if fn == "toYaml":
            return to_yaml(a[0])
        if fn == "trunc":
            return str(a[1])[: a[0]]
        if fn == "trimSuffix":
            return str(a[1])[: -len(a[0])] if str(a[1]).endswith(a[0]) else a[1]
        if fn == "replace":
            return str(a[2]).replace(a[0], a[1])
        if fn == "printf":
            return a[0].replace("%s", "{}").format(*a[1:])
        if fn == "print":
            return "".join(str(x) for x in a)
        if fn == "sha256sum":
            return hashlib.sha256(str(a[0]).encode()).hexdigest()
        if fn == "contains":
            return a[0] in str(a[1])
        if fn == "not":
            return not a[0]
        raise ValueError(f"unsupported function {fn}")

    def pipeline(self, expr, dot, scope):
        value, first = None, True
        for stage in [s.strip() for s in split_args_pipes(expr)]:
            if stage.startswith("$") and ":=" in stage:
                var, rhs = [x.strip() for x in stage.split(":=", 1)]
                scope[var] = self.pipeline(rhs, dot, scope)
                return ""
            parts = split_args(stage)
            head, rest = parts[0], [self.term(p, dot, scope) for p in parts[1:]]
            if not first:
                rest.append(value)
            if head.startswith((".", "$", '"', "(")) or re.fullmatch(r"-?\d+", head) or head in ("true", "false"):
                value = self.term(head, dot, scope)
            else:
                value = self.call(head, rest, dot, scope)
            first = False
        return value

    def render(self, nodes, dot, scope):
        out = []
        for node in nodes:
            kind = node[0]
            if kind == "text":
                out.append(node[1])
            elif kind == "expr":
                v = self.pipeline(node[1], dot, scope)
                out.append("" if v is None else str(v).lower() if isinstance(v, bool) else str(v))
            elif kind == "define":
                continue
            elif kind in ("if", "with"):
                for cond, body in node[1]:
                    v = True if cond is None else self.pipeline(cond, dot, scope)
                    if v not in (None, "", 0, False, [], {}):
                        out.append(self.render(body, v if kind == "with" and cond is not None else dot, scope))
                        break
            elif kind == "range":
                cond, body = node[1][0]
                for item in self.pipeline(cond, dot, scope) or []:
                    out.append(self.render(body, item, scope))
        return "".join(out)

    def render_file(self, path, dot):
        return self.render(parse(lex(self.templates[path]))[0], dot, {})


def split_args_pipes(expr):
    parts, cur, depth, quote = [], "", 0, False
    for c in expr:
        if c == '"':
            quote = not quote
        if not quote:
            depth += c == "("
            depth -= c == ")"
        if c == "|" and depth == 0 and not quote:
            parts.append(cur)
            cur = ""
        else:
            cur += c
    parts.append(cur)
    return parts


def set_path(values, path, value):
    keys = path.split(".")
    for k in keys[:-1]:
        values = values.setdefault(k, {})
    values[keys[-1]] = yaml.safe_load(value)


def render_chart(chart, overrides):
    chart_meta = yaml.safe_load((chart / "Chart.yaml").read_text())
    values = yaml.safe_load((chart / "values.yaml").read_text())
    for o in overrides:
        set_path(values, *o.split("=", 1))
    templates = {f"templates/{p.name}": p.read_text() for p in (chart / "templates").iterdir()}
    root = {
        "Values": values,
        "Chart": {"Name": chart_meta["name"], "Version": chart_meta["version"], "AppVersion": chart_meta["appVersion"]},
        "Release": {"Name": "rel", "Namespace": "default", "Service": "Helm"},
        "Template": {"BasePath": "templates"},
    }
    r = Renderer(root, templates)
    docs = {}
    for name in sorted(templates):
        if name.endswith((".yaml", ".yml")):
            docs[name] = r.render(parse(lex(templates[name]))[0], root, {})
    return docs


def main():
    args = [a for a in sys.argv[1:] if a != "-v"]
    chart = Path(args[0]) if args and not args[0].startswith("--") else Path(__file__).parent / "llm-router"
    scenarios = [
        [],
        ["autoscaling.enabled=false", "podDisruptionBudget.enabled=false", "redis.url=redis://r:6379"],
        ["redis.existingSecret=redis-creds", "podDisruptionBudget.maxUnavailable=1",
         "autoscaling.targetMemoryUtilizationPercentage=80", "podAnnotations={a: b}",
         "extraEnv=[{name: X, value: y}]", "nodeSelector={disk: ssd}"],
    ]
    failures = 0
    for overrides in scenarios:
        for name, text in render_chart(chart, overrides).items():
            try:
                docs = [d for d in yaml.safe_load_all(text) if d is not None]
            except yaml.YAMLError as e:
                failures += 1
                print(f"FAIL {name} {overrides}: {e}\n{text}")
                continue
            for d in docs:
                assert "apiVersion" in d and "kind" in d and "metadata" in d, (name, d)
                if d["kind"] == "ConfigMap":
                    tomllib.loads(d["data"]["config.toml"])  # the gateway's config is TOML
            if "-v" in sys.argv:
                print(f"# --- {name} {overrides}\n{text}")
            print(f"ok   {name} {overrides or ''} ({len(docs)} document{'s' if len(docs) != 1 else ''})")
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
