"""The OpenAPI document (``matcher.openapi.build``) as one self-contained HTML page:
no CDN, no inline script or style (its CSS is static/apidocs.css)."""
import json

from flask import render_template_string

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ spec.info.title }}</title>
<link rel="stylesheet" href="{{ url_for('static', filename='apidocs.css') }}"></head><body>
<h1>{{ spec.info.title }} <small>{{ spec.info.version }}</small></h1>
<p>{{ spec.info.description }}</p>
<p>Machine-readable: <a href="openapi.json">openapi.json</a> (OpenAPI {{ spec.openapi }}).</p>
<h2>Operations</h2>
{% for path, ops in spec.paths.items() %}{% for method, op in ops.items()
   if method != "parameters" %}
<div class="op" id="{{ method }}-{{ path }}">
<h3><span class="m">{{ method }}</span> <code>{{ path }}</code></h3>
<p><b>{{ op.summary }}</b>{% if op.description %}. {{ op.description }}{% endif %}</p>
{% set params = (ops.parameters or []) + (op.parameters or []) %}
{% if params %}<table><tr><th>parameter</th><th>in</th><th>description</th></tr>
{% for p in params %}<tr><td><code>{{ p.name }}</code></td><td>{{ p.in }}</td>
<td>{{ p.description or "" }}</td></tr>{% endfor %}</table>{% endif %}
{% if op.requestBody %}{% for ctype, media in op.requestBody.content.items() %}
<p>Body ({{ ctype }}): {{ ref(media.schema) }}</p>
{% for name, ex in (media.examples or {}).items() %}<pre>{{ pretty(ex.value) }}</pre>{% endfor %}
{% endfor %}{% endif %}
<p>Responses: {% for code, r in op.responses.items() %}<code>{{ code }}</code> {{ r.description }}
{% if not loop.last %}· {% endif %}{% endfor %}</p>
</div>{% endfor %}{% endfor %}
<h2>Schemas</h2>
{% for name, schema in spec.components.schemas.items() %}
<h3 id="{{ name }}">{{ name }}</h3>
{% if schema.description %}<p>{{ schema.description }}</p>{% endif %}
{% if schema.allOf %}<p>Rules across fields (each must hold):</p>
<pre>{{ pretty(schema.allOf) }}</pre>{% endif %}
<table><tr><th>field</th><th>type</th><th>required</th><th>constraints</th></tr>
{% for field, prop in (schema.properties or {}).items() %}<tr><td><code>{{ field }}</code></td>
<td>{{ kind(prop) }}</td><td>{{ "yes" if field in (schema.required or []) else "" }}</td>
<td>{{ limits(prop) }}</td></tr>{% endfor %}</table>{% endfor %}
</body></html>"""


def _ref(schema):
    ref = (schema or {}).get("$ref", "")
    return ref.rsplit("/", 1)[-1] if ref else "object"


def _kind(prop):
    if "$ref" in prop:
        return _ref(prop)
    if "anyOf" in prop:
        return " or ".join(_kind(p) for p in prop["anyOf"])
    kind = prop.get("type", "any")
    kind = " or ".join(kind) if isinstance(kind, list) else kind
    if "items" in prop:
        kind += f" of {_kind(prop['items'])}"
    return kind + (f" ({prop['format']})" if "format" in prop else "")


def _limits(prop):
    keys = ("enum", "minLength", "maxLength", "minimum", "maximum", "maxItems", "pattern",
            "not", "default", "description")
    parts = [f"{k}: {json.dumps(prop[k], ensure_ascii=False)}" for k in keys if k in prop]
    if "items" in prop and "enum" in prop["items"]:
        parts.append("values: " + ", ".join(prop["items"]["enum"]))
    return "; ".join(parts)


def render_html(spec):
    """The OpenAPI document as one self-contained HTML page."""
    return render_template_string(
        PAGE, spec=spec, ref=_ref, kind=_kind, limits=_limits,
        pretty=lambda v: json.dumps(v, ensure_ascii=False, indent=2))
