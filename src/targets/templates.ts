/**
 * The single serializer: every target turns its view model into text here. Templates are precompiled
 * at build time (scripts/generate.mjs, one export per template), so only the small Handlebars runtime
 * loads, and each render bundle carries only the template it uses.
 */
import HandlebarsRuntime from 'handlebars/runtime.js';

// runtime.d.ts re-exports the full compiler's types; only `create` and `template` are used here.
const runtime = (HandlebarsRuntime as unknown as typeof import('handlebars')).create();
const compiled = new WeakMap<object, (view: object) => string>();

/** `spec` is one of the exports of src/generated/templates.ts, e.g. `nginxSiteConf`. */
export function renderTemplate(spec: object, view: object): string {
  let template = compiled.get(spec);
  if (!template) {
    template = runtime.template(spec as TemplateSpecification) as (view: object) => string;
    compiled.set(spec, template);
  }
  return template(view);
}
