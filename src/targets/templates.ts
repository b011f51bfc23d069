/**
 * The single serializer: every target turns its view model into text here. Templates are precompiled
 * at build time (scripts/build-templates.mjs), so only the small Handlebars runtime loads.
 */
import HandlebarsRuntime from 'handlebars/runtime.js';
import { templateSpecs } from '../generated/templates.js';

export type TemplateName = keyof typeof templateSpecs;

// runtime.d.ts re-exports the full compiler's types; only `create` and `template` are used here.
const runtime = (HandlebarsRuntime as unknown as typeof import('handlebars')).create();
const compiled = new Map<TemplateName, (view: object) => string>();

export function renderTemplate(name: TemplateName, view: object): string {
  let template = compiled.get(name);
  if (!template) {
    template = runtime.template(templateSpecs[name] as unknown as TemplateSpecification) as (
      view: object,
    ) => string;
    compiled.set(name, template);
  }
  return template(view);
}
