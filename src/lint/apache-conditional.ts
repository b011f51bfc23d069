/** The sections whose condition decides whether httpd reads their contents at all (<IfModule>,
 *  <IfDefine>, <IfVersion>, <IfFile>, <IfDirective>, <IfSection>), by lower-case name. Shared by the
 *  parser (what may be left open at the end), the directive check and the model. */
export const conditionalSections: ReadonlySet<string> = new Set([
  'ifmodule',
  'ifdefine',
  'ifversion',
  'iffile',
  'ifdirective',
  'ifsection',
]);
