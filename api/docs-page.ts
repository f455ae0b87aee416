/**
 * The interactive reference at /docs: a self-contained page (no CDN, nothing loaded from outside) that
 * reads /openapi.json and renders every operation with its parameters, request body and responses, with a
 * form to try a request using your API key.
 */
export const DOCS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sluice API reference</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#12355b;color:#fff;padding:16px 24px}header h1{margin:0;font-size:20px}
main{max-width:1000px;margin:0 auto;padding:16px 24px}
.op{background:#fff;border:1px solid #dde1e7;border-radius:6px;margin:10px 0;padding:10px 14px}
.op summary{cursor:pointer;font-weight:600}.m{display:inline-block;min-width:62px;font-family:monospace;color:#fff;border-radius:4px;padding:1px 6px;margin-right:8px;text-align:center}
.get{background:#2f7d32}.post{background:#1565c0}.delete{background:#c62828}.put,.patch{background:#ef6c00}
pre{background:#0f1720;color:#e6edf3;padding:10px;border-radius:4px;overflow:auto;font-size:13px}
label{display:block;margin-top:6px}input,textarea{width:100%;font-family:monospace;box-sizing:border-box}
button{margin-top:8px;padding:4px 12px}
</style></head><body>
<header><h1>Sluice API reference</h1><div>Generated from <a style="color:#cde" href="/openapi.json">/openapi.json</a></div></header>
<main><label>API key (sent as x-api-key) <input id="key" type="password" autocomplete="off"></label><div id="ops">Loading…</div></main>
<script>
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
function resolve(spec, schema, depth = 0) {
  if (!schema || depth > 6) return schema;
  if (schema.$ref) return resolve(spec, spec.components.schemas[schema.$ref.split('/').pop()], depth + 1);
  const out = Array.isArray(schema) ? [] : {};
  for (const [k, v] of Object.entries(schema)) out[k] = v && typeof v === 'object' ? resolve(spec, v, depth + 1) : v;
  return out;
}
async function tryIt(form, method, path) {
  let url = path;
  for (const input of form.querySelectorAll('input[data-in=path]')) url = url.replace('{' + input.name + '}', encodeURIComponent(input.value));
  const qs = new URLSearchParams();
  for (const input of form.querySelectorAll('input[data-in=query]')) if (input.value) qs.set(input.name, input.value);
  if ([...qs].length) url += '?' + qs;
  const body = form.querySelector('textarea');
  const res = await fetch(url, { method: method.toUpperCase(), headers: { 'x-api-key': document.getElementById('key').value, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? body.value : undefined });
  form.querySelector('.out').textContent = res.status + ' ' + res.statusText + '\\n' + await res.text();
}
fetch('/openapi.json').then((r) => r.json()).then((spec) => {
  const ops = document.getElementById('ops'); ops.innerHTML = '';
  for (const [path, item] of Object.entries(spec.paths)) for (const [method, op] of Object.entries(item)) {
    const el = document.createElement('details'); el.className = 'op';
    const params = (op.parameters || []).map((p) => '<label>' + esc(p.name) + ' (' + p.in + ')<input name="' + esc(p.name) + '" data-in="' + p.in + '"></label>').join('');
    const body = op.requestBody ? resolve(spec, op.requestBody.content['application/json'].schema) : null;
    el.innerHTML = '<summary><span class="m ' + method + '">' + method.toUpperCase() + '</span>' + esc(path) + ' — ' + esc(op.summary || '') + '</summary>'
      + (op.description ? '<p>' + esc(op.description) + '</p>' : '')
      + (body ? '<h4>Request body</h4><pre>' + esc(JSON.stringify(body, null, 2)) + '</pre>' : '')
      + '<h4>Responses</h4><pre>' + esc(Object.entries(op.responses).map(([s, r]) => s + ' ' + r.description).join('\\n')) + '</pre>'
      + '<form>' + params + (body ? '<label>Body<textarea rows="6"></textarea></label>' : '') + '<button type="submit">Send</button><pre class="out"></pre></form>';
    el.querySelector('form').addEventListener('submit', (e) => { e.preventDefault(); tryIt(e.target, method, path); });
    ops.appendChild(el);
  }
});
</script></body></html>`;
