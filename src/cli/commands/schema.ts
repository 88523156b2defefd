import type { CliContext } from '../runtime.js';

export async function run(ctx: CliContext): Promise<void> {
  const { deploymentJsonSchema } = await import('../../pipeline/schema.js');
  // Always JSON (it is for editors), indented.
  ctx.print(JSON.stringify(deploymentJsonSchema(), null, 2));
}
